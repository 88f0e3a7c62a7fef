/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.volatiles.VolatileLongAccess;

/**
 * The only {@code LongAccess} imglyb defines (as a {@link VolatileLongAccess}, so that a cell image's volatile view reads it too): long elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeLongAccess extends NativeAccess implements VolatileLongAccess {

	NativeLongAccess(final Memory memory) {
		super(memory, 3);
	}

	@Override
	public long getValue(final int i) {
		checkIndex(i);
		return Memory.UNSAFE ? UnsafeMemory.getLong(address + ((long) i << 3)) : buffer.getLong(i << 3);
	}

	@Override
	public void setValue(final int i, final long value) {
		checkIndex(i);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putLong(address + ((long) i << 3), value);
		}
		else {
			buffer.putLong(i << 3, value);
		}
	}
}
