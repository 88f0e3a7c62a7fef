/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.volatiles.VolatileByteAccess;

/**
 * The only {@code ByteAccess} imglyb defines (as a {@link VolatileByteAccess}, so that a cell image's volatile view reads it too): byte elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeByteAccess extends NativeAccess implements VolatileByteAccess {

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE;

	NativeByteAccess(final Memory memory) {
		super(memory, 0);
	}

	@Override
	public byte getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return Memory.UNSAFE ? UnsafeMemory.getByte(address + j) : buffer.get(j);
	}

	@Override
	public void setValue(final int i, final byte value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putByte(address + j, value);
		}
		else {
			buffer.put(j, value);
		}
	}
}
