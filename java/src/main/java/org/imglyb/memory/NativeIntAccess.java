/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.volatiles.VolatileIntAccess;

/**
 * The only {@code IntAccess} imglyb defines (as a {@link VolatileIntAccess}, so that a cell image's volatile view reads it too): int elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeIntAccess extends NativeAccess implements VolatileIntAccess {

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE >> 2;

	NativeIntAccess(final Memory memory) {
		super(memory, 2);
	}

	@Override
	public int getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return Memory.UNSAFE ? UnsafeMemory.getInt(address + ((long) j << 2)) : buffer.getInt(j << 2);
	}

	@Override
	public void setValue(final int i, final int value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putInt(address + ((long) j << 2), value);
		}
		else {
			buffer.putInt(j << 2, value);
		}
	}
}
