/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

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

import org.imglyb.memory.*;

/**
 * The pixels of a {@link StridedPixels} as views of an {@code ArrayImg} whose access is one of
 * ImgLib2's own buffer accesses ({@code net.imglib2.img.basictypeaccess.nio}) over the same
 * memory: the form ImgLib2's {@code PrimitiveBlocks} copies from with memory copies.
 *
 * <p><b>Which layouts.</b> The dimensions longer than 1 must have positive strides that grow with
 * the dimension, each a multiple of the one before with room for that dimension's pixels, and no
 * dimension may wrap past the end of the next: a C-ordered array and every slice and step of one
 * ({@code a[2:5, 1::3]}), which NumPy gives in that order. The root's dimensions are then a gap
 * (the smallest stride, fixed at one position) and one per image dimension, as long as the ratio
 * to the next stride; the image is a {@code MixedTransformView} (offset, gap) and an
 * {@code IntervalView} of it, with no permutation or inversion. Reversed or transposed layouts
 * (Fortran order, {@code a[::-1]}, {@code a.T}) get no root: ImgLib2 8.0.1's
 * {@code PrimitiveBlocks} cannot permute or invert blocks read from a buffer access (its
 * {@code PermuteInvert} step uses the buffer-to-array copier on two arrays and throws
 * {@code ClassCastException}), so for them it falls back to reading pixels one by one, with its
 * warning. Zero (broadcast) and overlapping strides get no root either.
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

	/**
	 * The pixels of {@code pixels} as views of an {@code ArrayImg} over a buffer access, or null
	 * when this ImgLib2, pixel type or layout has none (see the class documentation).
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static <T extends NativeType<T>> RandomAccessibleInterval<T> of(final StridedPixels<T, ?> pixels) {
		final Memory memory = pixels.memory;
		if (ACCESS == null || PixelTypes.entities(memory.type) != 1) {
			return null;
		}
		final int n = pixels.numDimensions();
		if (n == 0) {
			return null;
		}
		final long[] dims = new long[n];
		pixels.dimensions(dims);
		final long[] strides = pixels.strides;
		final List<Integer> axes = new ArrayList<>(); // dimensions longer than 1, in order
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
		// The nested axes must already be in stride order, with positive strides: ImgLib2 8.0.1's
		// PrimitiveBlocks cannot permute or invert blocks from a buffer access (its PermuteInvert
		// step reuses the buffer-to-array MemCopy for array-to-array copies and throws
		// ClassCastException), so such layouts get no root and PrimitiveBlocks falls back.
		final int r = axes.size();
		for (int i = 0; i < r; i++) {
			if (strides[axes.get(i)] < 0 || (i > 0 && strides[axes.get(i)] <= strides[axes.get(i - 1)])) {
				return null;
			}
		}
		final long gap = r == 0 ? 1 : strides[axes.get(0)];
		final long unit = r == 0 ? 1 : strides[axes.get(r - 1)];
		// Root dimensions: [gap] when the smallest stride is over 1, then one per image dimension
		// in the image's order (a nested axis, or an axis of length 1).
		final int m = (gap > 1 ? 1 : 0) + n;
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
		for (int d = 0, i = 0; d < n; d++, j++) {
			mapping[j] = d;
			if (dims[d] == 1) {
				rootDims[j] = 1;
				continue;
			}
			final long s = strides[d];
			final boolean last = i + 1 == r;
			final long next = last ? 0 : strides[axes.get(i + 1)];
			if (!last && (next % s != 0 || next / s < dims[d])) {
				return null;
			}
			final long length = last ? dims[d] : next / s;
			final long digit = last ? 0 : (offset / s) % length;
			if (digit + dims[d] > length) {
				return null;
			}
			rootDims[j] = length;
			translation[j] = digit;
			i++;
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
			access = ACCESS[PixelTypes.primitive(memory.type)].invoke(buffer, true);
		}
		catch (final Throwable t) {
			throw PixelTypes.unchecked(t);
		}
		final ArrayImg root = new ArrayImg(access, rootDims, new Fraction(1, 1));
		root.setLinkedType(PixelTypes.linkedType(memory.type, root));
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
