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

	NativeShortAccess(final Memory memory) {
		super(memory, 1);
	}

	@Override
	public short getValue(final int i) {
		checkIndex(i);
		return Memory.UNSAFE ? UnsafeMemory.getShort(address + ((long) i << 1)) : buffer.getShort(i << 1);
	}

	@Override
	public void setValue(final int i, final short value) {
		checkIndex(i);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putShort(address + ((long) i << 1), value);
		}
		else {
			buffer.putShort(i << 1, value);
		}
	}
}
