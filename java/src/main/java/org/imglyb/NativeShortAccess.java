/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import java.util.Objects;

import net.imglib2.img.basictypeaccess.ShortAccess;

/**
 * The only {@link ShortAccess} imglyb defines: short elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeShortAccess extends NativeAccess implements ShortAccess {

	NativeShortAccess(final Memory memory) {
		super(memory, 1);
	}

	@Override
	public short getValue(final int i) {
		Objects.checkIndex(i, length);
		try {
			return Memory.UNSAFE ? (short) Memory.GET_SHORT.invokeExact(address + ((long) i << 1)) : buffer.getShort(i << 1);
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
	}

	@Override
	public void setValue(final int i, final short value) {
		Objects.checkIndex(i, length);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		try {
			if (Memory.UNSAFE) {
				Memory.PUT_SHORT.invokeExact(address + ((long) i << 1), value);
			}
			else {
				buffer.putShort(i << 1, value);
			}
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
	}
}
