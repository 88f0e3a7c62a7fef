/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import static org.imglyb.Contract.*;

import net.imglib2.img.NativeImg;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.Type;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.ComplexType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.complex.ComplexDoubleType;
import net.imglib2.type.numeric.complex.ComplexFloatType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.LongType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedLongType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Pixel types by the contract's type codes ({@code org.imglyb.Contract}, generated from Rust's
 * {@code imglyb_core::contract}): what each is stored in, how wide it is, the ImgLib2 type over a
 * native image, and the code of an ImgLib2 pixel. Bool is stored as one byte and shown to ImgLib2
 * as {@code NativeBoolType} where ImgLib2 has it (5.6 and newer), otherwise as
 * {@code UnsignedByteType} ({@link NativeBools}).
 */
public final class PixelTypes {

	private PixelTypes() {}

	/**
	 * The primitive type pixels of type {@code code} are stored in ({@code Contract.P_BYTE} ...
	 * {@code P_DOUBLE}), from the contract's table.
	 */
	public static int primitive(final int code) {
		if (code < 0 || code >= PRIMITIVE.length) {
			throw new IllegalArgumentException("imglyb: unknown pixel type code " + code);
		}
		return PRIMITIVE[code];
	}

	/** Primitive elements per pixel: 2 for complex types, 1 otherwise. */
	public static int entities(final int code) {
		primitive(code);
		return ENTITIES[code];
	}

	/** log2 of the bytes per pixel. */
	public static int pixelShift(final int code) {
		final int[] primitiveShift = { 0, 1, 2, 3, 2, 3 };
		return primitiveShift[primitive(code)] + (entities(code) == 2 ? 1 : 0);
	}

	/** A type linked to {@code img}, which reads pixels through the img's accesses. */
	public static NativeType<?> linkedType(final int code, final NativeImg<?, ?> img) {
		return (NativeType<?>) linked(code, img);
	}

	/**
	 * {@link #linkedType}'s switch, typed {@code Object} so that verifying it loads none of the
	 * fourteen pixel types (the first wrap in a new JVM then loads only the one it needs).
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Object linked(final int code, final NativeImg img) {
		switch (code) {
			case BOOL:
				if (NativeBools.supported()) {
					return NativeBools.type(img);
				}
				return new UnsignedByteType(img);
			case U8:
				return new UnsignedByteType(img);
			case I8:
				return new ByteType(img);
			case U16:
				return new UnsignedShortType(img);
			case I16:
				return new ShortType(img);
			case U32:
				return new UnsignedIntType(img);
			case I32:
				return new IntType(img);
			case U64:
				return new UnsignedLongType(img);
			case I64:
				return new LongType(img);
			case F32:
				return new FloatType(img);
			case F64:
				return new DoubleType(img);
			case C64:
				return new ComplexFloatType(img);
			case C128:
				return new ComplexDoubleType(img);
			case ARGB:
				return new ARGBType(img);
			default:
				throw new IllegalArgumentException("imglyb: unknown pixel type code " + code);
		}
	}

	/**
	 * The contract's pixel type classes by type code ({@code Contract.TYPE_CLASS}); BOOL's entry
	 * is null, since {@code bool} is matched as a {@code BooleanType} (its class in the table,
	 * {@code UnsignedByteType}, is uint8's).
	 */
	private static final class Table {
		/** Loaded on first use: matching types is not part of wrapping an array. */
		static final Class<?>[] TABLE = tableClasses();
	}

	private static Class<?>[] tableClasses() {
		final Class<?>[] out = new Class<?>[TYPE_CLASS.length];
		for (int code = 0; code < out.length; code++) {
			if (code == BOOL) {
				continue;
			}
			try {
				out[code] = Class.forName(TYPE_CLASS[code], false, PixelTypes.class.getClassLoader());
			}
			catch (final ClassNotFoundException e) {
				throw new IllegalStateException("imglyb: ImgLib2 lacks the pixel type " + TYPE_CLASS[code], e);
			}
		}
		return out;
	}

	/** The table class of type code {@code code} (BOOL has none: null). */
	public static Class<?> tableClass(final int code) {
		final Class<?>[] table = Table.TABLE;
		return code >= 0 && code < table.length ? table[code] : null;
	}

	/**
	 * The type code of an ImgLib2 pixel, or -1 when NumPy has no dtype for it. Types are matched
	 * by family, not by exact class: a subclass of a table type is that type; any other
	 * {@code BooleanType} is bool; any other {@code IntegerType}, {@code RealType} or
	 * {@code ComplexType} is the table type of the same kind, width ({@code getBitsPerPixel}) and
	 * signedness (such as imglib2-unsafe's {@code FloatLongAccessType}, or
	 * {@code NativeBoolType}); a type whose class is named {@code ARGB...Type} and that has an
	 * {@code int get()} is ARGB.
	 */
	public static int typeCode(final Object t) {
		if (t == null) {
			return -1;
		}
		final Class<?> c = t.getClass();
		final Class<?>[] table = Table.TABLE;
		for (int code = 0; code < table.length; code++) {
			if (c == table[code]) {
				return code;
			}
		}
		for (int code = 0; code < table.length; code++) {
			if (table[code] != null && table[code].isInstance(t)) {
				return code;
			}
		}
		if (t instanceof BooleanType) {
			return BOOL;
		}
		if (t instanceof IntegerType) {
			final IntegerType<?> it = (IntegerType<?>) t;
			final boolean signed = it.getMinValue() < 0;
			switch (it.getBitsPerPixel()) {
				case 8:
					return signed ? I8 : U8;
				case 16:
					return signed ? I16 : U16;
				case 32:
					return signed ? I32 : U32;
				case 64:
					return signed ? I64 : U64;
				default:
					return -1;
			}
		}
		if (t instanceof RealType) {
			final int bits = ((RealType<?>) t).getBitsPerPixel();
			return bits == 32 ? F32 : bits == 64 ? F64 : -1;
		}
		if (t instanceof ComplexType && t instanceof Type) {
			// ComplexType has no width: a value float rounds away tells float from double.
			final ComplexType<?> v = (ComplexType<?>) ((Type<?>) t).createVariable();
			v.setReal(1.0 + 0x1p-40);
			return v.getRealDouble() == 1.0 ? C64 : C128;
		}
		return argbGetter(c) != null ? ARGB : -1;
	}

	/** {@code int get()} of a class named {@code ARGB...Type} (an ARGB variant), or null. */
	private static java.lang.reflect.Method argbGetter(final Class<?> c) {
		if (!c.getSimpleName().startsWith("ARGB") || !c.getSimpleName().endsWith("Type")) {
			return null;
		}
		try {
			final java.lang.reflect.Method get = c.getMethod("get");
			return get.getReturnType() == int.class ? get : null;
		}
		catch (final NoSuchMethodException | SecurityException e) {
			return null;
		}
	}

	/** The packed ARGB value of a pixel {@link #typeCode} calls ARGB. */
	public static int argb(final Object t) {
		if (t instanceof ARGBType) {
			return ((ARGBType) t).get();
		}
		try {
			return (Integer) argbGetter(t.getClass()).invoke(t);
		}
		catch (final ReflectiveOperationException e) {
			throw new IllegalStateException("imglyb: cannot read ARGB pixel " + t.getClass().getName(), e);
		}
	}

	/** Rethrows a Throwable from a method handle call as unchecked. */
	public static RuntimeException unchecked(final Throwable t) {
		if (t instanceof RuntimeException) {
			return (RuntimeException) t;
		}
		if (t instanceof Error) {
			throw (Error) t;
		}
		return new IllegalStateException(t);
	}
}
