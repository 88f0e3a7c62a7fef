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
	 * How pixels of a random-accessible map to memory: the pixel index of position {@code x} is
	 * {@code origin + sum(strides[d] * x[d])}.
	 */
	private static final class Layout {

		final Memory memory;
		final long origin;
		final long[] strides;
		/** The root image's dimensions: positions outside them are not the image's pixels. */
		final long[] rootDims;
		/** Root position r = rootOffset[r] + sum over k of rootCoef[r][k] * (view position k). */
		final long[] rootOffset;
		final long[][] rootCoef;

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
		boolean inside(final Interval interval) {
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
	private static Layout layout(final Object o) {
		if (o instanceof StridedImg) {
			return layout(((StridedImg<?>) o).pixels);
		}
		if (o instanceof StridedPixels) {
			final StridedPixels<?, ?> img = (StridedPixels<?, ?>) o;
			return Layout.root(img.memory, img.origin, img.strides.clone(), Intervals.dimensionsAsLongArray(img));
		}
		if (o instanceof IntervalView) {
			return layout(((IntervalView<?>) o).getSource());
		}
		// ImageJ's ImgPlus (axes around an image) and other wrappers: the wrapped image's memory.
		// describe() still bounds the view by the wrapper's own interval.
		if (o instanceof WrappedImg) {
			return layout(((WrappedImg<?>) o).getImg());
		}
		if (o != null && o.getClass().getName().equals("net.imglib2.img.unsafe.UnsafeImg")) {
			return unsafeImgLayout((RandomAccessibleInterval<?>) o);
		}
		if (o instanceof MixedTransformView) {
			final MixedTransformView<?> view = (MixedTransformView<?>) o;
			final Layout source = layout(view.getSource());
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
			final Layout source = layout(view.getSource());
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
		final Layout layout = layout(image);
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
	 * A pixel of a random-accessible interval's type (an instance, not read). A native image (and
	 * an interval or transform view of one, which keep its type) gives its linked type, so that a
	 * lazily loaded image (imglib2-cache's, a LazyCellImg) loads no cell for it; anything else gives
	 * the pixel at its min.
	 */
	private static Object pixel(final RandomAccessibleInterval<?> image) {
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
	static boolean isEmpty(final Interval interval) {
		for (int d = 0; d < interval.numDimensions(); d++) {
			if (interval.dimension(d) <= 0) {
				return true;
			}
		}
		return false;
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
		final Layout layout = layout(image);
		final int code = layout != null ? layout.memory.type : image instanceof ChunkedImg ? ((ChunkedImg) image).typeCode() : isEmpty(rai) ? -1 : typeCode(pixel(rai));
		if (code < 0) {
			final String what = isEmpty(rai) ? "an empty image of unknown type" : pixel(rai).getClass().getName();
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
		final Object blocks = Blocks.copy(src, code);
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
		if (!copyCells(src, memory, dims, strides)) {
			Copies.copy(src, StridedImg.over(memory, dims, strides, 0));
		}
		return null;
	}

	/**
	 * ImgLib2's {@code PrimitiveBlocks} (7.1 and newer), found by reflection since 4.5 has none: it
	 * copies whole rows with {@code System.arraycopy} where it understands the image.
	 */
	static final class Blocks {

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
				final Class<?> blocks = Class.forName("net.imglib2.blocks.PrimitiveBlocks", false, Images.class.getClassLoader());
				final Class<?> onFallback = Class.forName("net.imglib2.blocks.PrimitiveBlocks$OnFallback", true, Images.class.getClassLoader());
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
	private static boolean copyCells(final RandomAccessibleInterval<?> src, final Memory memory, final long[] dims, final long[] strides) {
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

	/**
	 * The pixels of {@code image} from {@code min} to {@code max} as an image over the same memory,
	 * when they are exactly one cell of a cell image: over the cell's native memory (a
	 * {@link ChunkedImg}'s cells), or an {@code ArrayImg} over the cell's heap array (a
	 * {@code CellImg}'s); otherwise null. For {@code imglyb.to_dask}, whose blocks then view native
	 * cells without copying, and copy heap cells with one memcpy each.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	public static Img<?> cellView(final Object image, final long[] min, final long[] max) {
		if (!(image instanceof AbstractCellImg)) {
			return null;
		}
		final AbstractCellImg<?, ?, ?, ?> img = (AbstractCellImg<?, ?, ?, ?>) image;
		final CellGrid grid = img.getCellGrid();
		final int n = grid.numDimensions();
		if (min.length != n || max.length != n) {
			return null;
		}
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
		final RandomAccess<?> ra = ((RandomAccessible<?>) img).randomAccess();
		ra.setPosition(min);
		final Object data = ((NativeImg) img).update(ra);
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
		final int code = typeCode(ra.get());
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
		if (isEmpty(src)) {
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
		if (!(image instanceof RandomAccessibleInterval) || isEmpty((RandomAccessibleInterval<?>) image)) {
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
