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

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE >> 3;

	NativeLongAccess(final Memory memory) {
		super(memory, 3);
	}

	@Override
	public long getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return Memory.UNSAFE ? UnsafeMemory.getLong(address + ((long) j << 3)) : buffer.getLong(j << 3);
	}

	@Override
	public void setValue(final int i, final long value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putLong(address + ((long) j << 3), value);
		}
		else {
			buffer.putLong(j << 3, value);
		}
	}
}
