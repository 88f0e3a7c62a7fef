/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.volatiles.VolatileShortAccess;

/**
 * The only {@code ShortAccess} imglyb defines (as a {@link VolatileShortAccess}, so that a cell image's volatile view reads it too): short elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeShortAccess extends NativeAccess implements VolatileShortAccess {

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE >> 1;

	NativeShortAccess(final Memory memory) {
		super(memory, 1);
	}

	@Override
	public short getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return Memory.UNSAFE ? UnsafeMemory.getShort(address + ((long) j << 1)) : buffer.getShort(j << 1);
	}

	@Override
	public void setValue(final int i, final short value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putShort(address + ((long) j << 1), value);
		}
		else {
			buffer.putShort(j << 1, value);
		}
	}
}
