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
import org.imglyb.cell.ChunkedImg;
import org.imglyb.memory.*;

import org.imglyb.cell.ChunkedImg;
import org.imglyb.memory.*;

/**
 * Whole-image copies out of ImgLib2 images for {@code org.imglyb.Images.copyOut}: through
 * ImgLib2's {@code PrimitiveBlocks} where it copies without falling back, or cell by cell for a
 * cell image.
 */
public final class BlockCopies {

	private BlockCopies() {}

	/**
	 * {@code image} copied into a new Java array by {@code PrimitiveBlocks} (up to
	 * {@code MAX_BLOCK_BYTES}), or null where that would fall back or is not available.
	 */
	public static Object primitiveBlocks(final RandomAccessibleInterval<?> image, final int code) {
		return Blocks.copy(image, code);
	}

	/**
	 * ImgLib2's {@code PrimitiveBlocks} (7.1 and newer), found by reflection since 4.5 has none: it
	 * copies whole rows with {@code System.arraycopy} where it understands the image.
	 */
	private static final class Blocks {

		private static final java.lang.invoke.MethodHandle OF;
		private static final java.lang.invoke.MethodHandle COPY;
		private static final Object FAIL;

		/**
		 * The largest copy made through a Java array (a temporary on the Java heap): a dask block's
		 * size. Larger images are copied straight into their destination.
		 */
		static final long MAX_BLOCK_BYTES = 64L << 20;

		static {
			java.lang.invoke.MethodHandle of = null;
			java.lang.invoke.MethodHandle copy = null;
			Object fail = null;
			try {
				final Class<?> blocks = Class.forName("net.imglib2.blocks.PrimitiveBlocks", false, BlockCopies.class.getClassLoader());
				final Class<?> onFallback = Class.forName("net.imglib2.blocks.PrimitiveBlocks$OnFallback", true, BlockCopies.class.getClassLoader());
				final java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.publicLookup();
				of = lookup.findStatic(blocks, "of", java.lang.invoke.MethodType.methodType(blocks, RandomAccessible.class, onFallback));
				copy = lookup.findVirtual(blocks, "copy", java.lang.invoke.MethodType.methodType(void.class, long[].class, Object.class, int[].class));
				fail = onFallback.getField("FAIL").get(null);
			}
			catch (final ReflectiveOperationException | RuntimeException | LinkageError e) {
				of = null;
				copy = null;
			}
			OF = of;
			COPY = copy;
			FAIL = fail;
		}

		private Blocks() {}

		/**
		 * Whether {@code image} is, or is a view (through {@code getSource()}, a
		 * {@link WrappedImg}'s {@code getImg()} such as an {@code ImgPlus}'s, or a fluent view's
		 * {@code delegate()}, the ways {@code PrimitiveBlocks} looks through) of, an image over
		 * imglyb's memory: a {@link StridedImg}, whose source for {@code PrimitiveBlocks} is an
		 * {@code ArrayImg} over the whole parent array (so a view reaching past a slice would read
		 * the parent's pixels, which imglyb's own accesses refuse), or a {@link ChunkedImg}, whose
		 * native cells {@code PrimitiveBlocks} cannot read. Those are copied by imglyb's cursors.
		 */
		private static boolean overImglybMemory(final Object image) {
			Object o = image;
			for (int depth = 0; o != null && depth < 64; depth++) {
				if (o instanceof StridedImg || o instanceof ChunkedImg || o instanceof StridedPixels) {
					return true;
				}
				if (o instanceof WrappedImg) {
					o = ((WrappedImg<?>) o).getImg();
					continue;
				}
				final Object inner = inner(o);
				if (inner == null || inner == o) {
					return false;
				}
				o = inner;
			}
			return o != null;
		}

		/** What a view reads from: its {@code getSource()} or {@code delegate()}, or null. */
		private static Object inner(final Object view) {
			for (final String name : new String[] { "getSource", "delegate" }) {
				try {
					return view.getClass().getMethod(name).invoke(view);
				}
				catch (final NoSuchMethodException e) {
					// try the next name
				}
				catch (final ReflectiveOperationException | RuntimeException e) {
					return null;
				}
			}
			return null;
		}

		/**
		 * A new primitive array holding {@code src}'s pixels in flat order, copied by
		 * {@code PrimitiveBlocks}; null where it is missing, the type is not a plain real or integer
		 * one, the image is larger than {@link #MAX_BLOCK_BYTES}, or {@code PrimitiveBlocks} would fall back to
		 * pixel-by-pixel access (the caller's cursor copy is as fast then).
		 */
		static Object copy(final RandomAccessibleInterval<?> src, final int code) {
			if (OF == null || code < U8 || code > F64 || overImglybMemory(src)) {
				return null;
			}
			final int n = src.numDimensions();
			final int[] size = new int[n];
			long count = 1;
			for (int d = 0; d < n; d++) {
				if (src.dimension(d) > Integer.MAX_VALUE) {
					return null;
				}
				size[d] = (int) src.dimension(d);
				count *= size[d];
			}
			if (count == 0 || (count << pixelShift(code)) > MAX_BLOCK_BYTES) {
				return null;
			}
			final Object blocks;
			try {
				blocks = OF.invoke((RandomAccessible<?>) src, FAIL);
			}
			catch (final Throwable t) {
				return null; // it would fall back, or does not take this image
			}
			final Object array;
			switch (primitive(code)) {
				case P_BYTE: array = new byte[(int) count]; break;
				case P_SHORT: array = new short[(int) count]; break;
				case P_INT: array = new int[(int) count]; break;
				case P_LONG: array = new long[(int) count]; break;
				case P_FLOAT: array = new float[(int) count]; break;
				default: array = new double[(int) count]; break;
			}
			try {
				COPY.invoke(blocks, Intervals.minAsLongArray(src), array, size);
			}
			catch (final ClassCastException e) {
				// A view of a cell image whose cells are not heap arrays (a ChunkedImg's native
				// cells): PrimitiveBlocks takes it for a CellImg and finds out only when copying.
				return null;
			}
			catch (final Throwable t) {
				throw unchecked(t);
			}
			return array;
		}
	}

	/**
	 * Copies a cell image cell by cell into C-ordered {@code memory} of its shape (with pixel
	 * {@code strides}), so that each cell is read once, in one piece: a lazily loaded image
	 * ({@link ChunkedImg}) then loads each cell once however small its cache. Returns false, having
	 * copied nothing, for anything but a cell image.
	 */
	public static boolean copyCells(final RandomAccessibleInterval<?> src, final Memory memory, final long[] dims, final long[] strides) {
		if (!(src instanceof AbstractCellImg)) {
			return false;
		}
		final CellGrid grid = ((AbstractCellImg<?, ?, ?, ?>) src).getCellGrid();
		final int n = dims.length;
		long cells = 1;
		for (int d = 0; d < n; d++) {
			cells *= grid.gridDimension(d);
		}
		final long[] min = new long[n];
		final long[] max = new long[n];
		final int[] size = new int[n];
		final long[] cellDims = new long[n];
		for (long i = 0; i < cells; i++) {
			grid.getCellDimensions(i, min, size);
			long origin = 0;
			for (int d = 0; d < n; d++) {
				origin += min[d] * strides[d];
				max[d] = min[d] + size[d] - 1;
				cellDims[d] = size[d];
			}
			Copies.copy(Views.interval(src, min, max), StridedImg.over(memory, cellDims, strides, origin));
		}
		return true;
	}
}
