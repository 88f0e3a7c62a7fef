/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import net.imglib2.img.NativeImg;

/**
 * NumPy bools as ImgLib2's {@code NativeBoolType} (ImgLib2 5.6 and newer, one byte per pixel)
 * where this JVM's ImgLib2 has it, and as {@code UnsignedByteType} where it does not (4.5).
 * Both classes involved are reached through method handles, so nothing that 4.5 loads names them.
 */
public final class NativeBools {

	/** {@code new NativeBoolType(NativeImg)}, or null without {@code NativeBoolType}. */
	private static final MethodHandle NEW_TYPE;

	/** {@code new NativeBooleanAccess(Memory)}, or null without {@code NativeBoolType}. */
	private static final MethodHandle NEW_ACCESS;

	/** {@code NativeBoolType}, or null. */
	public static final Class<?> TYPE;

	static {
		MethodHandle type = null;
		MethodHandle access = null;
		Class<?> c = null;
		try {
			c = Class.forName("net.imglib2.type.logic.NativeBoolType", true, NativeImg.class.getClassLoader());
			type = MethodHandles.publicLookup().findConstructor(c, MethodType.methodType(void.class, NativeImg.class)).asType(MethodType.methodType(Object.class, NativeImg.class));
			final Class<?> a = Class.forName("org.imglyb.memory.NativeBooleanAccess", true, NativeBools.class.getClassLoader());
			access = MethodHandles.lookup().findConstructor(a, MethodType.methodType(void.class, Memory.class)).asType(MethodType.methodType(Object.class, Memory.class));
		}
		catch (final ReflectiveOperationException | LinkageError e) {
			type = null;
			access = null;
			c = null;
		}
		NEW_TYPE = type;
		NEW_ACCESS = access;
		TYPE = c;
	}

	private NativeBools() {}

	/** Whether bools are {@code NativeBoolType} in this JVM. */
	static boolean supported() {
		return NEW_TYPE != null;
	}

	/** A {@code NativeBoolType} linked to {@code img}; only when {@link #supported()}. */
	static Object type(final NativeImg<?, ?> img) {
		try {
			return NEW_TYPE.invoke(img);
		}
		catch (final Throwable t) {
			throw PixelTypes.unchecked(t);
		}
	}

	/** A {@code NativeBooleanAccess} over {@code memory}; only when {@link #supported()}. */
	static NativeAccess access(final Memory memory) {
		try {
			return (NativeAccess) NEW_ACCESS.invoke(memory);
		}
		catch (final Throwable t) {
			throw PixelTypes.unchecked(t);
		}
	}
}
