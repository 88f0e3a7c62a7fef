/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import java.lang.reflect.Field;

/**
 * {@code sun.misc.Unsafe}'s memory methods, called directly. The native accesses reach memory
 * through here when {@link Memory} chose the Unsafe path ({@link Memory#UNSAFE}); otherwise this
 * class is never loaded, so on Java 24 and newer without {@code --sun-misc-unsafe-memory-access=allow}
 * nothing here runs and no warning is printed.
 *
 * <p>It is compiled on its own, without {@code -Werror}: javac warns about any use of
 * {@code sun.misc.Unsafe} and the warning cannot be suppressed. A direct call costs nothing at
 * the first wrap; the bound method handles this replaced had to be spun at run time, about 10 ms
 * of the first {@code to_imglib} in a new process.
 */
final class UnsafeMemory {

	/** The Unsafe instance, or null when the JVM does not let imglyb have it. */
	private static final sun.misc.Unsafe U = instance();

	private UnsafeMemory() {}

	private static sun.misc.Unsafe instance() {
		try {
			final Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
			field.setAccessible(true);
			return (sun.misc.Unsafe) field.get(null);
		}
		catch (final ReflectiveOperationException | RuntimeException | LinkageError e) {
			return null;
		}
	}

	/** True when Unsafe is there to use. */
	static boolean available() {
		return U != null;
	}

	static byte getByte(final long address) {
		return U.getByte(address);
	}

	static void putByte(final long address, final byte value) {
		U.putByte(address, value);
	}

	static short getShort(final long address) {
		return U.getShort(address);
	}

	static void putShort(final long address, final short value) {
		U.putShort(address, value);
	}

	static int getInt(final long address) {
		return U.getInt(address);
	}

	static void putInt(final long address, final int value) {
		U.putInt(address, value);
	}

	static long getLong(final long address) {
		return U.getLong(address);
	}

	static void putLong(final long address, final long value) {
		U.putLong(address, value);
	}

	static float getFloat(final long address) {
		return U.getFloat(address);
	}

	static void putFloat(final long address, final float value) {
		U.putFloat(address, value);
	}

	static double getDouble(final long address) {
		return U.getDouble(address);
	}

	static void putDouble(final long address, final double value) {
		U.putDouble(address, value);
	}
}
