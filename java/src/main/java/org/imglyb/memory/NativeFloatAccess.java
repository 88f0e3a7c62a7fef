/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.volatiles.VolatileFloatAccess;

/**
 * The only {@code FloatAccess} imglyb defines (as a {@link VolatileFloatAccess}, so that a cell image's volatile view reads it too): float elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeFloatAccess extends NativeAccess implements VolatileFloatAccess {

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE >> 2;

	NativeFloatAccess(final Memory memory) {
		super(memory, 2);
	}

	@Override
	public float getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return Memory.UNSAFE ? UnsafeMemory.getFloat(address + ((long) j << 2)) : buffer.getFloat(j << 2);
	}

	@Override
	public void setValue(final int i, final float value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putFloat(address + ((long) j << 2), value);
		}
		else {
			buffer.putFloat(j << 2, value);
		}
	}
}
