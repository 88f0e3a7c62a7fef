/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import net.imglib2.Cursor;
import net.imglib2.FlatIterationOrder;
import net.imglib2.Interval;
import net.imglib2.RandomAccess;
import net.imglib2.img.AbstractNativeImg;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.type.NativeType;
import net.imglib2.util.Fraction;
import net.imglib2.util.Intervals;

import org.imglyb.memory.*;

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

	public final Memory memory;

	/** The pixel index, in the memory, of position 0. */
	public final long origin;

	/** Pixels between neighbours along each dimension. */
	public final long[] strides;

	/** log2 of the bytes per pixel. */
	final int shift;

	/**
	 * For a C-ordered layout (origin 0, strides 1, n0, n0*n1, ...) that fits one window: the same
	 * pixels as an {@code ArrayImg} over one native access, whose {@code ArrayCursor} and
	 * random access this image hands out (see {@link #cursor()}); otherwise null. Never handed
	 * out itself, so no ImgLib2 code takes its access for a Java array.
	 */
	private final ArrayImg<T, ?> flat;

	/** {@link #carrier()}, made on first use. */
	private ArrayImg<T, ?> carrier;

	@SuppressWarnings("unchecked")
	StridedPixels(final Memory memory, final long[] dims, final long[] strides, final long origin) {
		super(dims, new Fraction(PixelTypes.entities(memory.type), 1));
		this.memory = memory;
		this.origin = origin;
		this.strides = strides;
		this.shift = PixelTypes.pixelShift(memory.type);
		setLinkedType((T) PixelTypes.linkedType(memory.type, this));
		this.flat = flat(memory, dims, strides, origin, shift);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static <T extends NativeType<T>> ArrayImg<T, ?> flat(final Memory memory, final long[] dims, final long[] strides, final long origin, final int shift) {
		long step = 1;
		for (int d = 0; d < dims.length; d++) {
			if (dims[d] != 1 && strides[d] != step) {
				return null;
			}
			step *= dims[d];
		}
		if (origin != 0 || step == 0 || step > Integer.MAX_VALUE || (step << shift) > Memory.WINDOW_CAPACITY) {
			return null;
		}
		final ArrayImg img = new ArrayImg(memory.newAccess(), dims.clone(), new Fraction(PixelTypes.entities(memory.type), 1));
		img.setLinkedType(PixelTypes.linkedType(memory.type, img));
		return img;
	}

	/**
	 * A one-pixel {@code ArrayImg} whose linked type is linked to this image: what a
	 * {@link StridedCursor}, an {@code AbstractArrayCursor} for ImgLib2's {@code LoopBuilder},
	 * passes to its parent's constructor, which takes its pixel type from it. Its own pixel is
	 * never read; it is never handed out.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	synchronized ArrayImg<T, ?> carrier() {
		if (carrier == null) {
			final long[] one = new long[numDimensions()];
			java.util.Arrays.fill(one, 1);
			final ArrayImg img = new ArrayImg(memory.newAccess(), one, new Fraction(PixelTypes.entities(memory.type), 1));
			img.setLinkedType(linkedType);
			carrier = img;
		}
		return carrier;
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

	/**
	 * A flat-order cursor: for a C-ordered layout, ImgLib2's own {@code ArrayCursor} over the
	 * {@link #flat} {@code ArrayImg}. Measured ({@code docs/performance.md}): on JDK 21 and 25 it
	 * reads wrapped pixels as fast as heap ones, also in a loop that sums both kinds, where a
	 * second cursor class at the same call sites would slow both several times. Otherwise a
	 * {@link StridedCursor}.
	 */
	@Override
	public Cursor<T> cursor() {
		return flat != null ? flat.cursor() : new StridedCursor<>(this);
	}

	@Override
	public Cursor<T> localizingCursor() {
		return flat != null ? flat.localizingCursor() : new StridedCursor<>(this);
	}

	/**
	 * A flat-order cursor over {@code interval}, a part of this image (see
	 * {@link StridedImg#cursor(Interval)}): {@link #cursor()} for the whole image, otherwise a
	 * {@link StridedCursor} over the part, in this image's coordinates.
	 */
	Cursor<T> cursor(final Interval interval) {
		if (Intervals.equals(interval, this)) {
			return cursor();
		}
		return new StridedCursor<>(this, Intervals.minAsLongArray(interval), Intervals.dimensionsAsLongArray(interval));
	}

	@Override
	public RandomAccess<T> randomAccess() {
		return flat != null ? flat.randomAccess() : new StridedRandomAccess<>(this);
	}

	@Override
	public RandomAccess<T> randomAccess(final Interval interval) {
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
		Copies.copy(this, copy);
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
