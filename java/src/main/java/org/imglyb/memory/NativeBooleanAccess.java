/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import net.imglib2.img.basictypeaccess.BooleanAccess;

/**
 * The only {@link BooleanAccess} imglyb defines: NumPy bools (one byte each, 0 or 1) in native
 * memory, for {@code NativeBoolType} images (ImgLib2 5.6 and newer). A byte other than 0 reads as
 * true; writes store 0 or 1.
 *
 * <p>{@code BooleanAccess} is not in ImgLib2 4.5, so nothing names this class in code that 4.5
 * runs: {@link Memory} makes it through a method handle, only when {@code NativeBoolType} exists.
 */
public final class NativeBooleanAccess extends NativeAccess implements BooleanAccess {

	/** No window holds more elements (see {@link NativeAccess#checkIndex}). */
	private static final int LIMIT = Integer.MAX_VALUE;

	NativeBooleanAccess(final Memory memory) {
		super(memory, 0);
	}

	@Override
	public boolean getValue(final int i) {
		final int j = checkIndex(i, LIMIT);
		return (Memory.UNSAFE ? UnsafeMemory.getByte(address + j) : buffer.get(j)) != 0;
	}

	@Override
	public void setValue(final int i, final boolean value) {
		final int j = checkIndex(i, LIMIT);
		if (readOnly) {
			throw memory.readOnlyError();
		}
		if (Memory.UNSAFE) {
			UnsafeMemory.putByte(address + j, (byte) (value ? 1 : 0));
		}
		else {
			buffer.put(j, (byte) (value ? 1 : 0));
		}
	}
}
