/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import static org.imglyb.Contract.*;
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
import net.imglib2.img.cell.Cell;
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

/**
 * Images over native memory: the static entry points imglyb's native code calls to wrap memory,
 * to describe an image as memory, and to copy an image out.
 *
 * <p><b>Type codes</b> are {@link Contract}'s, generated from Rust ({@code imglyb_core::contract}): 0 bool, 1 uint8,
 * 2 int8, 3 uint16, 4 int16, 5 uint32, 6 int32, 7 uint64, 8 int64, 9 float32, 10 float64,
 * 11 complex64, 12 complex128, and 13 for ARGB over 32-bit pixels. Bool is stored as one byte and
 * shown to ImgLib2 as {@code NativeBoolType} where ImgLib2 has it (5.6 and newer), otherwise as
 * {@code UnsignedByteType} ({@link NativeBools}).
 *
 * <p><b>Axes and strides</b> are ImgLib2's: dimension 0 varies fastest in a C-ordered NumPy
 * array. Strides and origins count pixels, not bytes.
 */
public final class Images {

	private Images() {}

	/**
	 * Wraps memory as an image: {@code bytes} bytes from {@code address}, pixels of type
	 * {@code code}, with ImgLib2-order {@code dims}, {@code strides} in pixels, and the pixel index
	 * of position 0 at {@code origin}. Every pixel the strides can reach must lie in the memory.
	 * Every layout becomes a {@link StridedImg} (see there why not an {@code ArrayImg}).
	 *
	 * <p>{@code owner} is a host handle (0 for none) released when Java no longer reaches the
	 * memory, or before this method throws.
	 */
	public static Img<?> wrap(final long address, final long bytes, final int code, final long[] dims, final long[] strides, final long origin, final boolean readOnly, final long owner) {
		final Memory memory = Memory.host(address, bytes, code, readOnly, owner);
		primitive(code);
		return StridedImg.over(memory, dims, strides, origin);
	}


	/**
	 * An image as NumPy sees its memory: what {@link #describe} returns, read by Rust through
	 * field ids. Dimensions and strides are in ImgLib2's order.
	 */
	public static final class Shared {
		/** The address of the pixel at the image's min. */
		public final long address;
		/** The pixel type code ({@link Contract}). */
		public final int code;
		/** Whether Java refuses writes to the memory. */
		public final boolean readOnly;
		/** The image's dimensions. */
		public final long[] dims;
		/** The byte stride of each dimension. */
		public final long[] byteStrides;

		Shared(final long address, final int code, final boolean readOnly, final long[] dims, final long[] byteStrides) {
			this.address = address;
			this.code = code;
			this.readOnly = readOnly;
			this.dims = dims;
			this.byteStrides = byteStrides;
		}
	}

	/** The type and dimensions of an image to copy out: what {@link #shape} returns. */
	public static final class Shape {
		/** The pixel type code ({@link Contract}). */
		public final int code;
		/** The image's dimensions, in ImgLib2's order. */
		public final long[] dims;

		Shape(final int code, final long[] dims) {
			this.code = code;
			this.dims = dims;
		}
	}

	/**
	 * Describes {@code image} as NumPy would see its memory, or returns null when it is not a
	 * strided interval over memory imglyb knows (then it can only be copied).
	 */
	public static Shared describe(final Object image) {
		if (!(image instanceof RandomAccessibleInterval)) {
			return null;
		}
		final Layouts.Layout layout = Layouts.of(image);
		if (layout == null) {
			return null;
		}
		final Interval interval = (Interval) image;
		checkSizes(interval);
		final int n = interval.numDimensions();
		final int shift = pixelShift(layout.memory.type);
		final long pixels = layout.memory.bytes >> shift;
		long first = layout.origin;
		long lo = 0;
		long hi = 0;
		long size = 1;
		// Exact arithmetic: an interval whose extent overflows a long (Views.interval up to 2^62)
		// is no view of the memory, never a wrapped-around one.
		try {
			for (int d = 0; d < n; d++) {
				first = Math.addExact(first, Math.multiplyExact(layout.strides[d], interval.min(d)));
				final long reach = Math.multiplyExact(layout.strides[d], interval.dimension(d) - 1);
				lo = Math.addExact(lo, Math.min(reach, 0));
				hi = Math.addExact(hi, Math.max(reach, 0));
				size = Math.multiplyExact(size, interval.dimension(d));
				Math.multiplyExact(layout.strides[d], 1L << shift); // byte strides fit a long
			}
			if (size > 0 && (Math.addExact(first, lo) < 0 || Math.addExact(first, hi) >= pixels)) {
				return null;
			}
			// A view reaching past the root image (Views.interval beyond its bounds) would show
			// the parent array's pixels around a slice, which Java itself refuses: no NumPy view.
			if (size > 0 && !layout.inside(interval)) {
				return null;
			}
			if (size == 0 && (first < 0 || first > pixels)) {
				first = 0; // an empty view reads nothing; keep its address inside the memory
			}
		}
		catch (final ArithmeticException e) {
			return null;
		}
		final long[] dims = new long[n];
		final long[] byteStrides = new long[n];
		for (int d = 0; d < n; d++) {
			dims[d] = interval.dimension(d);
			byteStrides[d] = layout.strides[d] << shift;
		}
		return new Shared(layout.memory.address + (first << shift), layout.memory.type, layout.memory.readOnly, dims, byteStrides);
	}

	/**
	 * Throws {@link IllegalArgumentException} when {@code interval} has a negative size (a max
	 * below its min, which {@code Views.interval} accepts), naming the dimension.
	 */
	private static void checkSizes(final Interval interval) {
		for (int d = 0; d < interval.numDimensions(); d++) {
			if (interval.max(d) < interval.min(d) - 1) {
				throw new IllegalArgumentException("imglyb: the interval's dimension " + d + " runs from " + interval.min(d) + " to " + interval.max(d) + ", a negative size; its max must be at least min - 1");
			}
		}
	}



	/**
	 * The type code and ImgLib2-order dimensions of an image to copy out.
	 *
	 * @throws Refusal when {@code image} is not a RandomAccessibleInterval or has a pixel type
	 *         without a NumPy dtype
	 */
	public static Shape shape(final Object image) {
		if (!(image instanceof RandomAccessibleInterval)) {
			throw new Refusal("to_numpy needs a RandomAccessibleInterval (an Img or an interval view), got " + (image instanceof RandomAccessible ? "an unbounded " : "") + image.getClass().getName() + (image instanceof RandomAccessible ? "; bound it with Views.interval first" : ""));
		}
		final RandomAccessibleInterval<?> rai = (RandomAccessibleInterval<?>) image;
		checkSizes(rai);
		final Layouts.Layout layout = Layouts.of(image);
		final int code = layout != null ? layout.memory.type : image instanceof ChunkedImg ? ((ChunkedImg) image).typeCode() : Layouts.isEmpty(rai) ? -1 : typeCode(Layouts.pixel(rai));
		if (code < 0) {
			final String what = Layouts.isEmpty(rai) ? "an empty image of unknown type" : Layouts.pixel(rai).getClass().getName();
			throw new Refusal("NumPy has no dtype for " + what + "; convert it first (for example with net.imglib2.converter.Converters) to one of the types in imglyb's table");
		}
		return new Shape(code, Intervals.dimensionsAsLongArray(rai));
	}

	/**
	 * Copies {@code image} into C-ordered memory of its shape and type ({@link #shape}). When the
	 * image is a heap {@code ArrayImg} whose array holds exactly the pixels in order, returns that
	 * array without copying, so the caller can copy it in one memcpy. Otherwise, for up to 64 MiB
	 * where ImgLib2's {@code PrimitiveBlocks} copies the image without falling back to
	 * pixel-by-pixel access (ImgLib2 7.1 and newer: heap, cell and wrapped images and views of them),
	 * returns a new array it filled, for the same memcpy; otherwise copies with ImgLib2 cursors (cell by cell for a cell image)
	 * and returns null.
	 */
	public static Object copyOut(final Object image, final long address, final long bytes, final int code) {
		final RandomAccessibleInterval<?> src = (RandomAccessibleInterval<?>) image;
		if (image instanceof ArrayImg && code != BOOL) {
			final Object access = ((ArrayImg<?, ?>) image).update(null);
			if (access instanceof ArrayDataAccess && !(access instanceof NativeAccess)) {
				final Object array = ((ArrayDataAccess<?>) access).getCurrentStorageArray();
				if (array != null && java.lang.reflect.Array.getLength(array) == Intervals.numElements(src) * entities(code)) {
					return array;
				}
			}
		}
		final Object blocks = BlockCopies.primitiveBlocks(src, code);
		if (blocks != null) {
			return blocks;
		}
		final long[] dims = Intervals.dimensionsAsLongArray(src);
		final long[] strides = new long[dims.length];
		long step = 1;
		for (int d = 0; d < dims.length; d++) {
			strides[d] = step;
			step *= dims[d];
		}
		final Memory memory = Memory.host(address, bytes, code, false, 0);
		if (!BlockCopies.copyCells(src, memory, dims, strides)) {
			Copies.copy(src, StridedImg.over(memory, dims, strides, 0));
		}
		return null;
	}

	/**
	 * The pixels of {@code image} from {@code min} to {@code max} as an image over the same memory,
	 * when they are exactly one cell of a cell image: over the cell's native memory (a
	 * {@link ChunkedImg}'s cells), or an {@code ArrayImg} over the cell's heap array (a
	 * {@code CellImg}'s); otherwise null. For {@code imglyb.to_dask}, whose blocks then view native
	 * cells without copying, and copy heap cells with one memcpy each.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	public static Img<?> cellView(final Object image, final long[] min, final long[] max) {
		final AbstractCellImg<?, ?, ?, ?> img = cellImage(image, min, max);
		if (img == null) {
			return null;
		}
		final CellGrid grid = img.getCellGrid();
		final int n = grid.numDimensions();
		final long[] cellMin = new long[n];
		final int[] size = new int[n];
		final long[] position = new long[n];
		grid.getCellPosition(min, position);
		grid.getCellDimensions(position, cellMin, size);
		for (int d = 0; d < n; d++) {
			if (cellMin[d] != min[d] || cellMin[d] + size[d] - 1 != max[d]) {
				return null;
			}
		}
		// The cell through the image's cells, not through a pixel access: ImgLib2 4.5's cell
		// random access loads the first cell as it is made, computing a cell nobody asked for.
		final RandomAccess<? extends Cell<?>> cellAccess = (RandomAccess<? extends Cell<?>>) ((RandomAccessible<?>) img.getCells()).randomAccess();
		cellAccess.setPosition(position);
		final Object data = cellAccess.get().getData();
		final long[] dims = new long[n];
		final long[] strides = new long[n];
		long step = 1;
		for (int d = 0; d < n; d++) {
			dims[d] = size[d];
			strides[d] = step;
			step *= size[d];
		}
		if (data instanceof NativeAccess) {
			if (!((NativeAccess) data).valid) {
				return null;
			}
			final Memory memory = ((NativeAccess) data).memory;
			return (step << pixelShift(memory.type)) <= memory.bytes ? StridedImg.over(memory, dims, strides, 0) : null;
		}
		// A heap cell (a CellImg's): an ArrayImg over the cell's own array, which NumPy copies
		// with one memcpy.
		final int code = typeCode(((NativeImg<?, ?>) img).createLinkedType());
		if (code < 0 || code == BOOL || !(data instanceof ArrayDataAccess)) {
			return null;
		}
		final Object array = ((ArrayDataAccess<?>) data).getCurrentStorageArray();
		if (array == null || !array.getClass().isArray() || java.lang.reflect.Array.getLength(array) != step * entities(code)) {
			return null;
		}
		final ArrayImg heap = new ArrayImg(data, dims, new net.imglib2.util.Fraction(entities(code), 1));
		heap.setLinkedType(linkedType(code, heap));
		return heap;
	}


	/** {@code image} as a cell image when it is one and {@code min} and {@code max} have its dimensions; else null. */
	private static AbstractCellImg<?, ?, ?, ?> cellImage(final Object image, final long[] min, final long[] max) {
		if (!(image instanceof AbstractCellImg)) {
			return null;
		}
		final AbstractCellImg<?, ?, ?, ?> img = (AbstractCellImg<?, ?, ?, ?>) image;
		final int n = img.numDimensions();
		return min.length == n && max.length == n ? img : null;
	}

	/**
	 * The pixels {@code min..max} (ImgLib2 order, inclusive) of a cell image, copied cell by cell
	 * into a new image over native memory (which NumPy views): each cell that meets the region is
	 * read once, through {@link #cellView}, and no other cell is touched. Null when {@code image}
	 * is not a cell image, or a cell cannot be viewed (the caller then copies through a view).
	 * For {@code imglyb.lazy}, whose reads of a region (a plane napari draws) must load only the
	 * cells that hold it.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	public static Img<?> cellRegion(final Object image, final long[] min, final long[] max) {
		final AbstractCellImg<?, ?, ?, ?> img = cellImage(image, min, max);
		if (img == null) {
			return null;
		}
		final CellGrid grid = img.getCellGrid();
		final int n = grid.numDimensions();
		final long[] dims = new long[n];
		for (int d = 0; d < n; d++) {
			if (min[d] < 0 || max[d] < min[d] || max[d] >= img.dimension(d)) {
				return null;
			}
			dims[d] = max[d] - min[d] + 1;
		}
		final Object type = ((NativeType) ((NativeImg<?, ?>) img).createLinkedType()).createVariable();
		final Img out = new SharedImgFactory(type).create(dims);
		final long[] first = new long[n];
		final long[] last = new long[n];
		grid.getCellPosition(min, first);
		grid.getCellPosition(max, last);
		final long[] position = first.clone();
		final long[] cellMin = new long[n];
		final int[] size = new int[n];
		final long[] cellMax = new long[n];
		final long[] lo = new long[n];
		final long[] hi = new long[n];
		final long[] shift = new long[n];
		while (true) {
			grid.getCellDimensions(position, cellMin, size);
			for (int d = 0; d < n; d++) {
				cellMax[d] = cellMin[d] + size[d] - 1;
				lo[d] = Math.max(min[d], cellMin[d]);
				hi[d] = Math.min(max[d], cellMax[d]);
				shift[d] = -min[d];
			}
			final Img<?> cell = cellView(img, cellMin, cellMax);
			if (cell == null) {
				return null;
			}
			final RandomAccessibleInterval<?> from = Views.interval(Views.translate(cell, cellMin), lo, hi);
			final RandomAccessibleInterval<?> to = Views.interval(Views.translate(out, min), lo, hi);
			copyInto(from, to);
			int d = 0;
			while (d < n && position[d] == last[d]) {
				position[d] = first[d];
				d++;
			}
			if (d == n) {
				return out;
			}
			position[d]++;
		}
	}

	/**
	 * Copies {@code source} into {@code target} pixel by pixel, converting between types as
	 * {@link #copy(RandomAccessibleInterval, Img)} does. Both are {@code RandomAccessibleInterval}s
	 * of the same dimensions (any mins); {@code target} may be any view, such as a region of a heap
	 * image. Used where NumPy writes a region of an image whose memory it cannot view
	 * ({@code imglyb.imglib_ndarray.NumpyView}).
	 *
	 * @throws IllegalArgumentException when the dimensions differ or a pixel cannot be converted
	 */
	public static void copyInto(final Object source, final Object target) {
		if (!(source instanceof RandomAccessibleInterval) || !(target instanceof RandomAccessibleInterval)) {
			throw new IllegalArgumentException("imglyb: copyInto takes two RandomAccessibleIntervals");
		}
		final RandomAccessibleInterval<?> src = (RandomAccessibleInterval<?>) source;
		final RandomAccessibleInterval<?> dst = (RandomAccessibleInterval<?>) target;
		final int n = src.numDimensions();
		if (n != dst.numDimensions() || !java.util.Arrays.equals(Intervals.dimensionsAsLongArray(src), Intervals.dimensionsAsLongArray(dst))) {
			throw new IllegalArgumentException("imglyb: cannot copy an image of dimensions " + java.util.Arrays.toString(Intervals.dimensionsAsLongArray(src)) + " into one of " + java.util.Arrays.toString(Intervals.dimensionsAsLongArray(dst)));
		}
		if (Layouts.isEmpty(src)) {
			return;
		}
		final RandomAccess<?> s = src.randomAccess();
		final RandomAccess<?> d = dst.randomAccess();
		final long[] size = Intervals.dimensionsAsLongArray(src);
		final long[] at = new long[n];
		s.setPosition(Intervals.minAsLongArray(src));
		d.setPosition(Intervals.minAsLongArray(dst));
		while (true) {
			Copies.set(d.get(), s.get());
			int k = 0;
			while (k < n && at[k] == size[k] - 1) {
				s.move(-at[k], k);
				d.move(-at[k], k);
				at[k] = 0;
				k++;
			}
			if (k == n) {
				return;
			}
			s.fwd(k);
			d.fwd(k);
			at[k]++;
		}
	}


	/**
	 * The smallest and largest value of a {@code RealType} image, ignoring NaN, or null when it
	 * has no such value (empty, all NaN, or not real-valued): a display range for viewers.
	 */
	public static double[] realRange(final Object image) {
		if (!(image instanceof RandomAccessibleInterval) || Layouts.isEmpty((RandomAccessibleInterval<?>) image)) {
			return null;
		}
		double lo = Double.POSITIVE_INFINITY;
		double hi = Double.NEGATIVE_INFINITY;
		for (final Object t : net.imglib2.view.Views.iterable((RandomAccessibleInterval<?>) image)) {
			if (!(t instanceof RealType)) {
				return null;
			}
			final double v = ((RealType<?>) t).getRealDouble();
			if (v < lo) {
				lo = v;
			}
			if (v > hi) {
				hi = v;
			}
		}
		return lo <= hi ? new double[] { lo, hi } : null;
	}

	/** How accesses read memory in this JVM: {@code "unsafe"} or {@code "buffer"} (see {@link Memory}). */
	public static String memoryPath() {
		return Memory.UNSAFE ? "unsafe" : "buffer";
	}
}
