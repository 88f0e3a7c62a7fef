/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import net.imglib2.Cursor;
import net.imglib2.FlatIterationOrder;
import net.imglib2.RandomAccess;
import net.imglib2.Interval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.ImgView;
import net.imglib2.type.NativeType;
import net.imglib2.util.Intervals;

import org.imglyb.Contract;
import org.imglyb.memory.*;

/**
 * An image over native memory: what {@code imglyb.to_imglib} returns for every layout, and what
 * {@link SharedImgFactory} creates. Its cursors and random accesses come from
 * {@link StridedPixels}: ImgLib2's {@code ArrayCursor} and {@code ArrayRandomAccess} for a
 * C-ordered layout, {@link StridedCursor} and {@link StridedRandomAccess} otherwise; either way
 * through one native access class per primitive type. Iteration is flat (dimension 0 fastest),
 * like an {@code ArrayImg}.
 *
 * <p><b>Why a view.</b> It extends {@link ImgView} so that ImgLib2 code which looks through views
 * to a root image it knows finds one: {@link #getSource()} describes the same pixels as views
 * ({@code MixedTransformView}, {@code IntervalView}) of an {@code ArrayImg} whose access is one of
 * ImgLib2's own buffer accesses over the same memory ({@link BlockSource}). ImgLib2's
 * {@code PrimitiveBlocks} (7.1.1 and newer) then copies blocks of any layout with memory copies,
 * as it does for heap images, and no warning. Everything else (cursors, random accesses, views,
 * copies) runs through this class, never through that root, whose accesses would otherwise be a
 * further implementation at ImgLib2's type-to-access call sites. Where no such root exists (older
 * ImgLib2, complex pixels, layouts that are not a sub-grid of one contiguous block, or more than
 * 2 GiB), the source is the {@link StridedPixels} themselves.
 *
 * <p>{@link #factory()} allocates native memory ({@link SharedImgFactory}), so copies and algorithm
 * outputs made from this image can be viewed from NumPy too.
 */
public final class StridedImg<T extends NativeType<T>> extends ImgView<T> {

	/** The pixels; their cursors and random accesses are this image's. */
	public final StridedPixels<T, ?> pixels;

	/** {@link #getSource()}, made on first use. */
	private volatile RandomAccessibleInterval<T> source;

	@SuppressWarnings("deprecation") // ImgView's constructor: deprecated for ImgView.wrap, and in every version
	StridedImg(final StridedPixels<T, ?> pixels) {
		super(pixels, new SharedImgFactory<>(pixels.type(), null));
		this.pixels = pixels;
	}

	/** The {@code NativeImg} this image's pixel types link to, and its cursors read. */
	public StridedPixels<T, ?> pixels() {
		return pixels;
	}

	/** Pixel strides, a copy. */
	public long[] strides() {
		return pixels.strides.clone();
	}

	/**
	 * The same pixels as views of an {@code ArrayImg} over the same memory when ImgLib2 can copy
	 * blocks from one, otherwise the {@link StridedPixels}. See the class documentation.
	 */
	@Override
	public RandomAccessibleInterval<T> getSource() {
		RandomAccessibleInterval<T> s = source;
		if (s == null) {
			s = BlockSource.of(pixels);
			if (s == null) {
				s = pixels;
			}
			source = s;
		}
		return s;
	}

	@Override
	public Cursor<T> cursor() {
		return pixels.cursor();
	}

	@Override
	public Cursor<T> localizingCursor() {
		return pixels.localizingCursor();
	}

	@Override
	public RandomAccess<T> randomAccess() {
		return pixels.randomAccess();
	}

	/**
	 * True for any part of this image: {@code Views.interval(img, part)} (and so ImgLib2 code
	 * that iterates a part of an image, or copies into one, as {@code LoopBuilder} over views
	 * and {@code RealTypeConverters.copyFromTo} do) iterates it with {@link #cursor(Interval)}
	 * instead of a random access moved pixel by pixel. {@code ImgView} asks the pixels, which
	 * say no.
	 */
	@Override
	public boolean supportsOptimizedCursor(final Interval interval) {
		return interval.numDimensions() == numDimensions() && Intervals.contains(this, interval);
	}

	@Override
	public Object subIntervalIterationOrder(final Interval interval) {
		return new FlatIterationOrder(interval);
	}

	/**
	 * A flat-order cursor over {@code interval}, a part of this image, in its coordinates.
	 *
	 * @throws IllegalArgumentException if {@code interval} is not inside the image
	 */
	@Override
	public Cursor<T> cursor(final Interval interval) {
		if (!supportsOptimizedCursor(interval)) {
			throw new IllegalArgumentException("imglyb: the interval " + net.imglib2.util.Util.printInterval(interval) + " is not inside the image " + net.imglib2.util.Util.printInterval(this));
		}
		return pixels.cursor(interval);
	}

	@Override
	public Cursor<T> localizingCursor(final Interval interval) {
		return cursor(interval);
	}

	@Override
	public RandomAccess<T> randomAccess(final Interval interval) {
		return pixels.randomAccess();
	}

	@Override
	public FlatIterationOrder iterationOrder() {
		return new FlatIterationOrder(this);
	}

	@Override
	public long size() {
		return pixels.size();
	}

	@Override
	public T firstElement() {
		return cursor().next();
	}

	@Override
	public SharedImgFactory<T> factory() {
		return new SharedImgFactory<>(pixels.type());
	}

	@Override
	public Img<T> copy() {
		return pixels.copy();
	}

	@Override
	public String toString() {
		return "StridedImg " + java.util.Arrays.toString(net.imglib2.util.Intervals.dimensionsAsLongArray(this)) + " over " + pixels.memory;
	}

	/** An image over {@code memory}; see {@code org.imglyb.Images.wrap}. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static Img<?> over(final Memory memory, final long[] dims, final long[] strides, final long origin) {
		final int n = dims.length;
		if (n > Contract.MAX_DIMENSIONS || strides.length != n) {
			throw new IllegalArgumentException("imglyb: " + n + " dimensions with " + strides.length + " strides (at most " + Contract.MAX_DIMENSIONS + ")");
		}
		final int shift = PixelTypes.pixelShift(memory.type);
		final long pixels = memory.bytes >> shift;
		long size = 1;
		long lo = origin;
		long hi = origin;
		for (int d = 0; d < n; d++) {
			if (dims[d] < 0) {
				throw new IllegalArgumentException("imglyb: negative dimension " + dims[d]);
			}
			size = Math.multiplyExact(size, dims[d]);
			if (dims[d] > 0) {
				final long reach = Math.multiplyExact(strides[d], dims[d] - 1);
				lo = Math.addExact(lo, Math.min(reach, 0));
				hi = Math.addExact(hi, Math.max(reach, 0));
			}
		}
		if (size > 0 && (lo < 0 || hi >= pixels)) {
			throw new IndexOutOfBoundsException("imglyb: the image reaches pixels " + lo + " to " + hi + ", outside the " + pixels + " pixels of " + memory);
		}
		return new StridedImg(new StridedPixels(memory, dims.clone(), strides.clone(), origin));
	}
}
