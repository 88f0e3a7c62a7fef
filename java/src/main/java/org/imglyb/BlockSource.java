/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import net.imglib2.FinalInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.transform.integer.MixedTransform;
import net.imglib2.type.NativeType;
import net.imglib2.util.Fraction;
import net.imglib2.view.IntervalView;
import net.imglib2.view.MixedTransformView;

/**
 * The pixels of a {@link StridedPixels} as views of an {@code ArrayImg} whose access is one of
 * ImgLib2's own buffer accesses ({@code net.imglib2.img.basictypeaccess.nio}) over the same
 * memory: the form ImgLib2's {@code PrimitiveBlocks} copies from with memory copies.
 *
 * <p><b>Which layouts.</b> The axes longer than 1, sorted by stride, must nest: each stride a
 * multiple of the one below it, with room for that axis's pixels, and no axis may wrap past the
 * end of the one above it. Every NumPy array that is a slice, transpose, step or reversal of a
 * C- or Fortran-ordered block is such a layout; zero (broadcast) and overlapping strides are not.
 * The root's dimensions are then a gap (the smallest stride, fixed at one position), one dimension
 * per axis as long as the ratio to the next stride, and one dimension of length 1 per axis of
 * length 1; the image is a {@code MixedTransformView} (axis order, reversal, offset) and an
 * {@code IntervalView} of it.
 *
 * <p><b>Lifetime.</b> The buffer comes from {@link Memory#pinnedBuffer}, so a {@code
 * PrimitiveBlocks} that keeps only the buffer keeps the memory alive.
 *
 * <p><b>Versions.</b> Used only when this ImgLib2's {@code PrimitiveBlocks} reads buffer accesses
 * (7.1.1 and newer); elsewhere there is no root and {@link #of} returns null. Everything ImgLib2
 * newer than 4.5 has is reached by reflection, so the class links against 4.5.
 */
final class BlockSource {

	/** Constructors {@code (ByteBuffer, boolean)} of the buffer accesses, by primitive; null when unsupported. */
	private static final MethodHandle[] ACCESS = accessConstructors();

	private BlockSource() {}

	/** Whether this JVM's ImgLib2 copies blocks from {@code ArrayImg}s over buffer accesses. */
	static boolean supported() {
		return ACCESS != null;
	}

	/**
	 * The pixels of {@code pixels} as views of an {@code ArrayImg} over a buffer access, or null
	 * when this ImgLib2, pixel type or layout has none (see the class documentation).
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static <T extends NativeType<T>> RandomAccessibleInterval<T> of(final StridedPixels<T, ?> pixels) {
		final Memory memory = pixels.memory;
		if (ACCESS == null || Images.entities(memory.type) != 1) {
			return null;
		}
		final int n = pixels.numDimensions();
		final long[] dims = new long[n];
		pixels.dimensions(dims);
		final long[] strides = pixels.strides;
		final List<Integer> axes = new ArrayList<>();
		long lo = pixels.origin;
		for (int d = 0; d < n; d++) {
			if (dims[d] == 0) {
				return null;
			}
			if (dims[d] > 1) {
				if (strides[d] == 0) {
					return null;
				}
				axes.add(d);
				lo += Math.min(0, strides[d] * (dims[d] - 1));
			}
		}
		axes.sort((a, b) -> Long.compare(Math.abs(strides[a]), Math.abs(strides[b])));
		final int r = axes.size();
		final long gap = r == 0 ? 1 : Math.abs(strides[axes.get(0)]);
		final long unit = r == 0 ? 1 : Math.abs(strides[axes.get(r - 1)]);
		// Root dimensions: [gap?] + one per nested axis + one per axis of length 1.
		final int m = (gap > 1 ? 1 : 0) + Math.max(r, 1) + (n - r);
		final long[] rootDims = new long[m];
		final long[] translation = new long[m];
		final boolean[] zero = new boolean[m];
		final int[] mapping = new int[m];
		final boolean[] inversion = new boolean[m];
		final long offset = lo % unit;
		final long base = lo - offset;
		int j = 0;
		if (gap > 1) {
			rootDims[j] = gap;
			translation[j] = offset % gap;
			zero[j] = true;
			j++;
		}
		if (r == 0) {
			rootDims[j] = 1;
			zero[j] = true;
			j++;
		}
		for (int i = 0; i < r; i++) {
			final int d = axes.get(i);
			final long s = Math.abs(strides[d]);
			final long size = i + 1 < r ? Math.abs(strides[axes.get(i + 1)]) : dims[d];
			if (i + 1 < r && (size % s != 0 || size / s < dims[d])) {
				return null;
			}
			final long length = i + 1 < r ? size / s : dims[d];
			final long digit = i + 1 < r ? (offset / s) % length : 0;
			if (digit + dims[d] > length) {
				return null;
			}
			rootDims[j] = length;
			mapping[j] = d;
			inversion[j] = strides[d] < 0;
			translation[j] = strides[d] < 0 ? digit + dims[d] - 1 : digit;
			j++;
		}
		for (int d = 0; d < n; d++) {
			if (dims[d] == 1) {
				rootDims[j] = 1;
				mapping[j] = d;
				j++;
			}
		}
		final int shift = pixels.shift;
		final long rootPixels;
		try {
			rootPixels = Math.multiplyExact(unit, r == 0 ? 1 : dims[axes.get(r - 1)]);
		}
		catch (final ArithmeticException e) {
			return null;
		}
		final long capacity = Math.min(rootPixels, (memory.bytes >> shift) - base) << shift;
		if (rootPixels > Integer.MAX_VALUE || capacity > Memory.WINDOW_CAPACITY) {
			return null;
		}
		final ByteBuffer buffer = memory.pinnedBuffer(base << shift, (int) capacity);
		final Object access;
		try {
			access = ACCESS[Images.primitive(memory.type)].invoke(buffer, true);
		}
		catch (final Throwable t) {
			throw Images.unchecked(t);
		}
		final ArrayImg root = new ArrayImg(access, rootDims, new Fraction(1, 1));
		root.setLinkedType(Images.linkedType(memory.type, root));
		final MixedTransform t = new MixedTransform(n, m);
		t.setTranslation(translation);
		t.setComponentZero(zero);
		t.setComponentMapping(mapping);
		t.setComponentInversion(inversion);
		return new IntervalView<>(new MixedTransformView<T>(root, t), new FinalInterval(dims));
	}

	/**
	 * The buffer accesses' constructors, when this ImgLib2's {@code ViewPrimitiveBlocks} reads
	 * buffer accesses (it names {@code BufferAccess}, as from 7.1.1); otherwise null.
	 */
	private static MethodHandle[] accessConstructors() {
		final ClassLoader loader = ArrayImg.class.getClassLoader();
		try (InputStream in = loader == null ? null : loader.getResourceAsStream("net/imglib2/blocks/ViewPrimitiveBlocks.class")) {
			if (in == null) {
				return null;
			}
			final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			final byte[] chunk = new byte[8192];
			for (int k; (k = in.read(chunk)) > 0;) {
				bytes.write(chunk, 0, k);
			}
			if (!new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1).contains("net/imglib2/img/basictypeaccess/nio/BufferAccess")) {
				return null;
			}
			final String[] names = { "Byte", "Short", "Int", "Long", "Float", "Double" };
			final MethodHandle[] out = new MethodHandle[names.length];
			final MethodType type = MethodType.methodType(void.class, ByteBuffer.class, boolean.class);
			for (int p = 0; p < names.length; p++) {
				final Class<?> c = Class.forName("net.imglib2.img.basictypeaccess.nio." + names[p] + "BufferAccess", true, loader);
				out[p] = MethodHandles.publicLookup().findConstructor(c, type).asType(MethodType.methodType(Object.class, ByteBuffer.class, boolean.class));
			}
			return out;
		}
		catch (final IOException | ReflectiveOperationException | LinkageError | SecurityException e) {
			return null;
		}
	}
}
