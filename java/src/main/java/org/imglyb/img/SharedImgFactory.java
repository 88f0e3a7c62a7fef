/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import net.imglib2.Dimensions;
import net.imglib2.exception.IncompatibleTypeException;
import net.imglib2.img.Img;
import net.imglib2.img.ImgFactory;
import net.imglib2.util.Intervals;

import org.imglyb.Contract;
import org.imglyb.memory.*;

/**
 * Creates images in zeroed native memory that NumPy can view without a copy
 * ({@code imglyb.to_numpy}). Give it to Java algorithms so that their outputs land in shared
 * memory. Stores the pixel types of imglyb's table ({@code UnsignedByteType} ...
 * {@code ComplexDoubleType}, {@code ARGBType}, and {@code NativeBoolType} where ImgLib2 has it); the memory is freed when no image, view or NumPy
 * array reaches it any more.
 *
 * <p>It has the shape of ImgLib2 5 and newer ({@code new SharedImgFactory<>(type)},
 * {@link #create(long...)}, {@link #type()}) and of ImgLib2 4.5 ({@code create(dims, type)}), and
 * works on both: it is compiled against 4.5, where {@code create(long...)} and {@code type()} are
 * its own methods, and on newer ImgLib2 the same methods implement the abstract ones.
 */
public final class SharedImgFactory<T> extends ImgFactory<T> {

	private final T type;

	/** A factory for images of {@code type}'s class. */
	public SharedImgFactory(final T type) {
		this.type = type;
		check(type);
	}

	/**
	 * A factory for {@code type}, a pixel type {@code PixelTypes.linkedType} made, so storable by
	 * construction: not checked, since checking matches it against every table type, and loading
	 * those would cost the first wrap in a new JVM several milliseconds.
	 */
	SharedImgFactory(final T type, final Void linked) {
		this.type = type;
	}

	/** A factory without a type, as in ImgLib2 4.5: only {@code create(dims, type)} works. */
	public SharedImgFactory() {
		this.type = null;
	}

	/** The pixel type this factory creates, or null when it was made without one. */
	public T type() {
		return type;
	}

	/** A new zeroed image of this factory's type with dimensions {@code dims}. */
	public Img<T> create(final long... dims) {
		if (type == null) {
			throw new IllegalStateException("imglyb: this SharedImgFactory has no type; make it with new SharedImgFactory<>(type) or call create(dims, type)");
		}
		return create(dims, type);
	}

	/** A new zeroed image of this factory's type with the dimensions of {@code dims}. */
	public Img<T> create(final Dimensions dims) {
		return create(Intervals.dimensionsAsLongArray(dims));
	}

	/** A new zeroed image of this factory's type with dimensions {@code dims}. */
	public Img<T> create(final int[] dims) {
		final long[] d = new long[dims.length];
		for (int i = 0; i < d.length; i++) {
			d[i] = dims[i];
		}
		return create(d);
	}

	@Override
	@SuppressWarnings("unchecked")
	public Img<T> create(final long[] dims, final T type) {
		final int code = check(type);
		if (dims == null) {
			throw new IllegalArgumentException("imglyb: null dimensions");
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
		final Memory memory = Memory.allocate(Math.multiplyExact(pixels, 1L << PixelTypes.pixelShift(code)), code);
		return (Img<T>) StridedImg.over(memory, dims, strides, 0);
	}

	@Override
	public Img<T> create(final Dimensions dims, final T type) {
		return create(Intervals.dimensionsAsLongArray(dims), type);
	}

	@Override
	public Img<T> create(final int[] dims, final T type) {
		final long[] d = new long[dims.length];
		for (int i = 0; i < d.length; i++) {
			d[i] = dims[i];
		}
		return create(d, type);
	}

	@Override
	public <S> ImgFactory<S> imgFactory(final S type) throws IncompatibleTypeException {
		if (storable(type) < 0) {
			throw new IncompatibleTypeException(this, (type == null ? "null" : type.getClass().getName()) + " is not a pixel type imglyb stores");
		}
		return new SharedImgFactory<>(type);
	}

	/**
	 * The type code of {@code type} when this factory can create images of exactly its class,
	 * otherwise -1.
	 */
	private static int storable(final Object type) {
		final int code = PixelTypes.typeCode(type);
		if (code == Contract.BOOL) {
			return NativeBools.TYPE != null && NativeBools.TYPE == type.getClass() ? code : -1;
		}
		return code > 0 && PixelTypes.tableClass(code) == type.getClass() ? code : -1;
	}

	private static int check(final Object type) {
		final int code = storable(type);
		if (code < 0) {
			throw new IllegalArgumentException("imglyb: SharedImgFactory cannot store " + (type == null ? "null" : type.getClass().getName()) + "; it stores the types of imglyb's table (UnsignedByteType ... ComplexDoubleType, ARGBType)");
		}
		return code;
	}
}
