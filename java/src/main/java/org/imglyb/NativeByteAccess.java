/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import java.util.Objects;

import net.imglib2.img.basictypeaccess.ByteAccess;

/**
 * The only {@link ByteAccess} imglyb defines: byte elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeByteAccess extends NativeAccess implements ByteAccess {

	NativeByteAccess(final Memory memory) {
		super(memory, 0);
	}

	@Override
	public byte getValue(final int i) {
		Objects.checkIndex(i, length);
		try {
			return Memory.UNSAFE ? (byte) Memory.GET_BYTE.invokeExact(address + i) : buffer.get(i);
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
	}

	@Override
	public void setValue(final int i, final byte value) {
		Objects.checkIndex(i, length);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		try {
			if (Memory.UNSAFE) {
				Memory.PUT_BYTE.invokeExact(address + i, value);
			}
			else {
				buffer.put(i, value);
			}
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
	}
}
