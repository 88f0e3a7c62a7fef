/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import java.util.Objects;

import net.imglib2.img.basictypeaccess.FloatAccess;

/**
 * The only {@link FloatAccess} imglyb defines: float elements in native memory, bounds-checked
 * against the current window, refusing writes when the memory is read-only. Its five siblings
 * differ only in the primitive type.
 */
public final class NativeFloatAccess extends NativeAccess implements FloatAccess {

	NativeFloatAccess(final Memory memory) {
		super(memory, 2);
	}

	@Override
	public float getValue(final int i) {
		Objects.checkIndex(i, length);
		try {
			return Memory.UNSAFE ? (float) Memory.GET_FLOAT.invokeExact(address + ((long) i << 2)) : buffer.getFloat(i << 2);
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
	}

	@Override
	public void setValue(final int i, final float value) {
		Objects.checkIndex(i, length);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		try {
			if (Memory.UNSAFE) {
				Memory.PUT_FLOAT.invokeExact(address + ((long) i << 2), value);
			}
			else {
				buffer.putFloat(i << 2, value);
			}
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
	}
}
