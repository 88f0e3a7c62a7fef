/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import static org.imglyb.Contract.*;
import static org.imglyb.memory.PixelTypes.*;
import static org.imglyb.memory.PixelTypes.*;
import net.imglib2.Cursor;
import net.imglib2.FlatIterationOrder;
import net.imglib2.IterableInterval;
import net.imglib2.Interval;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessible;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.NativeImg;
import net.imglib2.img.WrappedImg;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.cell.AbstractCellImg;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.transform.integer.MixedTransform;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.Type;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.ComplexType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.complex.ComplexDoubleType;
import net.imglib2.type.numeric.complex.ComplexFloatType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.LongType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedLongType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.IntervalView;
import net.imglib2.view.MixedTransformView;
import net.imglib2.view.SubsampleView;
import net.imglib2.view.Views;
import org.imglyb.cell.*;
import org.imglyb.img.*;
import org.imglyb.memory.*;

import org.imglyb.memory.*;

/**
 * How an image's pixels map to memory: for imglyb's own images and the views ImgLib2 makes of
 * them ({@code Views.interval}, {@code zeroMin}, {@code offset}, {@code permute},
 * {@code invertAxis}, {@code subsample}, hyperslices), the memory, origin and strides that
 * {@code org.imglyb.Images.describe} hands to NumPy.
 */
public final class Layouts {

	private Layouts() {}

	/**
	 * How pixels of a random-accessible map to memory: the pixel index of position {@code x} is
	 * {@code origin + sum(strides[d] * x[d])}.
	 */
	public static final class Layout {

		public final Memory memory;
		public final long origin;
		public final long[] strides;
		/** The root image's dimensions: positions outside them are not the image's pixels. */
		public final long[] rootDims;
		/** Root position r = rootOffset[r] + sum over k of rootCoef[r][k] * (view position k). */
		public final long[] rootOffset;
		public final long[][] rootCoef;

		Layout(final Memory memory, final long origin, final long[] strides, final long[] rootDims, final long[] rootOffset, final long[][] rootCoef) {
			this.memory = memory;
			this.origin = origin;
			this.strides = strides;
			this.rootDims = rootDims;
			this.rootOffset = rootOffset;
			this.rootCoef = rootCoef;
		}

		/** The layout of a root image of {@code dims}: root positions are view positions. */
		static Layout root(final Memory memory, final long origin, final long[] strides, final long[] dims) {
			final long[][] coef = new long[dims.length][dims.length];
			for (int d = 0; d < dims.length; d++) {
				coef[d][d] = 1;
			}
			return new Layout(memory, origin, strides, dims, new long[dims.length], coef);
		}

		/**
		 * Whether every position of {@code interval} maps inside the root image: the root
		 * position is affine in the view position, so its extremes over the box are at corners.
		 * Overflow counts as outside.
		 */
		public boolean inside(final Interval interval) {
			for (int r = 0; r < rootDims.length; r++) {
				long lo = rootOffset[r];
				long hi = rootOffset[r];
				for (int k = 0; k < interval.numDimensions(); k++) {
					final long c = rootCoef[r][k];
					final long a = Math.multiplyExact(c, interval.min(k));
					final long b = Math.multiplyExact(c, interval.max(k));
					lo = Math.addExact(lo, Math.min(a, b));
					hi = Math.addExact(hi, Math.max(a, b));
				}
				if (lo < 0 || hi >= rootDims[r]) {
					return false;
				}
			}
			return true;
		}
	}

	/** The memory layout of {@code o}, or null when it is not plain strides over imglyb memory. */
	public static Layout of(final Object o) {
		if (o instanceof StridedImg) {
			return of(((StridedImg<?>) o).pixels);
		}
		if (o instanceof StridedPixels) {
			final StridedPixels<?, ?> img = (StridedPixels<?, ?>) o;
			return Layout.root(img.memory, img.origin, img.strides.clone(), Intervals.dimensionsAsLongArray(img));
		}
		if (o instanceof IntervalView) {
			return of(((IntervalView<?>) o).getSource());
		}
		// ImageJ's ImgPlus (axes around an image) and other wrappers: the wrapped image's memory.
		// describe() still bounds the view by the wrapper's own interval.
		if (o instanceof WrappedImg) {
			return of(((WrappedImg<?>) o).getImg());
		}
		if (o != null && o.getClass().getName().equals("net.imglib2.img.unsafe.UnsafeImg")) {
			return unsafeImgLayout((RandomAccessibleInterval<?>) o);
		}
		if (o instanceof MixedTransformView) {
			final MixedTransformView<?> view = (MixedTransformView<?>) o;
			final Layout source = of(view.getSource());
			if (source == null) {
				return null;
			}
			final MixedTransform t = view.getTransformToSource();
			long origin = source.origin;
			final int n = t.numSourceDimensions();
			final long[] strides = new long[n];
			final int roots = source.rootDims.length;
			final long[] rootOffset = source.rootOffset.clone();
			final long[][] rootCoef = new long[roots][n];
			try {
				for (int d = 0; d < t.numTargetDimensions(); d++) {
					final long shift = t.getTranslation(d);
					origin = Math.addExact(origin, Math.multiplyExact(source.strides[d], shift));
					for (int r = 0; r < roots; r++) {
						rootOffset[r] = Math.addExact(rootOffset[r], Math.multiplyExact(source.rootCoef[r][d], shift));
					}
					if (!t.getComponentZero(d)) {
						final int k = t.getComponentMapping(d);
						final boolean inverted = t.getComponentInversion(d);
						strides[k] = Math.addExact(strides[k], inverted ? Math.negateExact(source.strides[d]) : source.strides[d]);
						for (int r = 0; r < roots; r++) {
							final long c = source.rootCoef[r][d];
							rootCoef[r][k] = Math.addExact(rootCoef[r][k], inverted ? Math.negateExact(c) : c);
						}
					}
				}
			}
			catch (final ArithmeticException e) {
				return null;
			}
			return new Layout(source.memory, origin, strides, source.rootDims, rootOffset, rootCoef);
		}
		if (o instanceof SubsampleView) {
			final SubsampleView<?> view = (SubsampleView<?>) o;
			final Layout source = of(view.getSource());
			if (source == null) {
				return null;
			}
			final long[] steps = view.getSteps();
			final long[] strides = new long[steps.length];
			final long[][] rootCoef = new long[source.rootDims.length][steps.length];
			try {
				for (int d = 0; d < steps.length; d++) {
					strides[d] = Math.multiplyExact(source.strides[d], steps[d]);
					for (int r = 0; r < rootCoef.length; r++) {
						rootCoef[r][d] = Math.multiplyExact(source.rootCoef[r][d], steps[d]);
					}
				}
			}
			catch (final ArithmeticException e) {
				return null;
			}
			return new Layout(source.memory, source.origin, strides, source.rootDims, source.rootOffset, rootCoef);
		}
		return null;
	}

	/**
	 * The layout of an imglib2-unsafe {@code UnsafeImg} (pixels in flat order at the address of
	 * its {@code UnsafeAccess}, as in an {@code ArrayImg}), or null when its access has no address
	 * or its pixel type no dtype. Reached by reflection: imglib2-unsafe is optional. The memory is
	 * the image's own (no owner here): a NumPy view holds the image, which holds the memory.
	 */
	private static Layout unsafeImgLayout(final RandomAccessibleInterval<?> img) {
		if (isEmpty(img)) {
			return null;
		}
		final long n = Intervals.numElements(img);
		final int code = typeCode(pixel(img));
		if (code < 0) {
			return null;
		}
		final long address;
		try {
			final Object access = img.getClass().getMethod("update", Object.class).invoke(img, (Object) null);
			final Class<?> unsafeAccess = Class.forName("net.imglib2.img.basictypelongaccess.unsafe.UnsafeAccess", false, img.getClass().getClassLoader());
			if (!unsafeAccess.isInstance(access)) {
				return null;
			}
			address = (Long) unsafeAccess.getMethod("getAddress").invoke(access);
		}
		catch (final ReflectiveOperationException | LinkageError | ClassCastException e) {
			return null;
		}
		if (address == 0) {
			return null;
		}
		final long[] strides = new long[img.numDimensions()];
		long step = 1;
		for (int d = 0; d < strides.length; d++) {
			strides[d] = step;
			step *= img.dimension(d);
		}
		return Layout.root(Memory.host(address, n << pixelShift(code), code, false, 0), 0, strides, Intervals.dimensionsAsLongArray(img));
	}

	/**
	 * A pixel of a random-accessible interval's type (an instance, not read). A native image (and
	 * an interval or transform view of one, which keep its type) gives its linked type, so that a
	 * lazily loaded image (imglib2-cache's, a LazyCellImg) loads no cell for it; anything else gives
	 * the pixel at its min.
	 */
	public static Object pixel(final RandomAccessibleInterval<?> image) {
		Object root = image;
		while (root instanceof IntervalView || root instanceof MixedTransformView) {
			root = root instanceof IntervalView ? ((IntervalView<?>) root).getSource() : ((MixedTransformView<?>) root).getSource();
		}
		if (root instanceof NativeImg) {
			try {
				final Object t = ((NativeImg<?, ?>) root).createLinkedType();
				if (t != null) {
					return t;
				}
			}
			catch (final RuntimeException e) {
				// No linked type set: read the pixel below.
			}
		}
		final RandomAccess<?> ra = image.randomAccess();
		if (image.numDimensions() > 0) {
			image.min(ra);
		}
		return ra.get();
	}

	/**
	 * Whether an interval has no pixels: a dimension of 0 (not {@code Intervals.numElements(i) ==
	 * 0}, which also holds when the count overflows, as for a view of 2^32 x 2^32 pixels).
	 */
	public static boolean isEmpty(final Interval interval) {
		for (int d = 0; d < interval.numDimensions(); d++) {
			if (interval.dimension(d) <= 0) {
				return true;
			}
		}
		return false;
	}
}
