/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import net.imglib2.exception.IncompatibleTypeException;
import net.imglib2.img.Img;
import net.imglib2.img.ImgFactory;
import net.imglib2.type.NativeType;

/**
 * Creates images in zeroed native memory that NumPy can view without a copy
 * ({@code imglyb.to_numpy}). Give it to Java algorithms so that their outputs land in shared
 * memory. Supports the pixel types of imglyb's table (and ARGBType); the memory is freed when no
 * image, view or NumPy array reaches it any more.
 */
public final class SharedImgFactory<T> extends ImgFactory<T> {

	@Override
	@SuppressWarnings("unchecked")
	public Img<T> create(final long[] dims, final T type) {
		final int code = type == null ? -1 : Images.typeCode(type);
		if (code < 0 || type.getClass() == net.imglib2.type.logic.BitType.class || type.getClass() == net.imglib2.type.logic.BoolType.class) {
			throw new IllegalArgumentException("imglyb: SharedImgFactory cannot store " + (type == null ? "null" : type.getClass().getName()) + "; it stores the types of imglyb's table (UnsignedByteType ... ComplexDoubleType, ARGBType)");
		}
		long pixels = 1;
		final long[] strides = new long[dims.length];
		for (int d = 0; d < dims.length; d++) {
			if (dims[d] < 0) {
				throw new IllegalArgumentException("imglyb: negative dimension " + dims[d]);
			}
			strides[d] = pixels;
			pixels = Math.multiplyExact(pixels, dims[d]);
		}
		final Memory memory = Memory.allocate(Math.multiplyExact(pixels, 1L << Images.pixelShift(code)), code);
		return (Img<T>) Images.image(memory, dims, strides, 0);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <S> ImgFactory<S> imgFactory(final S type) throws IncompatibleTypeException {
		if (type instanceof NativeType && Images.typeCode(type) > 0) {
			return new SharedImgFactory<>();
		}
		throw new IncompatibleTypeException(this, type == null ? "null" : type.getClass().getName() + " is not a pixel type imglyb stores");
	}
}
