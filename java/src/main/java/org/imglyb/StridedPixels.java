/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import net.imglib2.FlatIterationOrder;
import net.imglib2.Interval;
import net.imglib2.img.AbstractNativeImg;
import net.imglib2.img.Img;
import net.imglib2.type.NativeType;
import net.imglib2.util.Fraction;

/**
 * The pixels of a {@link StridedImg}: native memory with any strides, in pixels and possibly
 * negative or zero, and with any number of pixels. Offsets are {@code long}, and each cursor or
 * random access moves its own access's window through the memory, so memory past 2 GiB and past
 * 2^31 pixels is reached without copying. Iteration is flat (dimension 0 fastest).
 *
 * <p>This is the {@code NativeImg} that pixel types link to. It is not handed out as the image:
 * ImgLib2 code that meets a {@code NativeImg} other than an {@code ArrayImg}, {@code PlanarImg} or
 * {@code CellImg} gives up on fast paths ({@code PrimitiveBlocks}), while a {@link StridedImg} is
 * a view it can look through.
 */
public final class StridedPixels<T extends NativeType<T>, A> extends AbstractNativeImg<T, A> {

	final Memory memory;

	/** The pixel index, in the memory, of position 0. */
	final long origin;

	/** Pixels between neighbours along each dimension. */
	final long[] strides;

	/** log2 of the bytes per pixel. */
	final int shift;

	@SuppressWarnings("unchecked")
	StridedPixels(final Memory memory, final long[] dims, final long[] strides, final long origin) {
		super(dims, new Fraction(Images.entities(memory.type), 1));
		this.memory = memory;
		this.origin = origin;
		this.strides = strides;
		this.shift = Images.pixelShift(memory.type);
		setLinkedType((T) Images.linkedType(memory.type, this));
	}

	/**
	 * The access a cursor or random access of this image reads through; a fresh one at window 0
	 * for anything else.
	 */
	@Override
	@SuppressWarnings("unchecked")
	public A update(final Object updater) {
		if (updater instanceof StridedSampler) {
			return (A) ((StridedSampler) updater).access();
		}
		return (A) memory.newAccess();
	}

	@Override
	public StridedCursor<T> cursor() {
		return new StridedCursor<>(this);
	}

	@Override
	public StridedCursor<T> localizingCursor() {
		return cursor();
	}

	@Override
	public StridedRandomAccess<T> randomAccess() {
		return new StridedRandomAccess<>(this);
	}

	@Override
	public StridedRandomAccess<T> randomAccess(final Interval interval) {
		return randomAccess();
	}

	@Override
	public FlatIterationOrder iterationOrder() {
		return new FlatIterationOrder(this);
	}

	@Override
	public SharedImgFactory<T> factory() {
		return new SharedImgFactory<>(type());
	}

	@Override
	public Img<T> copy() {
		final Img<T> copy = factory().create(dimension);
		Images.copy(this, copy);
		return copy;
	}

	/** A new variable of the pixel type, not linked to this image. */
	T type() {
		return linkedType.createVariable();
	}

	/** A cursor or random access of a strided image: it owns an access and a window. */
	interface StridedSampler {

		NativeAccess access();
	}
}
