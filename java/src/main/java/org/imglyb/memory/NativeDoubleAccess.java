/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.volatiles.VolatileDoubleAccess;

/**
 * The only {@code DoubleAccess} imglyb defines (as a {@link VolatileDoubleAccess}, so that a cell image's volatile view reads it too): double elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeDoubleAccess extends NativeAccess implements VolatileDoubleAccess {

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE >> 3;

	NativeDoubleAccess(final Memory memory) {
		super(memory, 3);
	}

	@Override
	public double getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return Memory.UNSAFE ? UnsafeMemory.getDouble(address + ((long) j << 3)) : buffer.getDouble(j << 3);
	}

	@Override
	public void setValue(final int i, final double value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putDouble(address + ((long) j << 3), value);
		}
		else {
			buffer.putDouble(j << 3, value);
		}
	}
}
