/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import static org.imglyb.Contract.ARGB;

import net.imglib2.Cursor;
import net.imglib2.FlatIterationOrder;
import net.imglib2.IterableInterval;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.BooleanType;
import net.imglib2.type.Type;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.ComplexType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;

import org.imglyb.memory.PixelTypes;

import org.imglyb.memory.*;

/** Pixel-by-pixel copies between images of any pixel types, in flat order. */
public final class Copies {

	private Copies() {}

	/**
	 * Copies {@code src} into {@code dst} pixel by pixel in flat order (dimension 0 fastest),
	 * converting between types. {@code dst} must iterate in flat order and have {@code src}'s
	 * dimensions. {@code src} is read through its own cursor when it iterates in flat order,
	 * otherwise through a random access stepped in flat order; nothing here calls
	 * {@code Views.flatIterable}, whose return type differs between ImgLib2 versions.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static void copy(final RandomAccessibleInterval<?> src, final Img<?> dst) {
		final Cursor<?> d = dst.cursor();
		if (src instanceof IterableInterval && new FlatIterationOrder(src).equals(((IterableInterval<?>) src).iterationOrder())) {
			final Cursor<?> s = ((IterableInterval<?>) src).cursor();
			while (d.hasNext()) {
				set(d.next(), s.next());
			}
			return;
		}
		final int n = src.numDimensions();
		final RandomAccess<?> ra = src.randomAccess();
		final long[] min = Intervals.minAsLongArray(src);
		final long[] max = Intervals.maxAsLongArray(src);
		ra.setPosition(min);
		while (d.hasNext()) {
			set(d.next(), ra.get());
			for (int k = 0; k < n; k++) {
				if (ra.getLongPosition(k) < max[k]) {
					ra.fwd(k);
					break;
				}
				ra.setPosition(min[k], k);
			}
		}
	}

	/** Sets pixel {@code b} to the value of pixel {@code a}, converting between types. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static void set(final Object b, final Object a) {
		if (a.getClass() == b.getClass()) {
			((Type) b).set((Type) a);
		}
		else if (a instanceof BooleanType && b instanceof IntegerType) {
			((IntegerType<?>) b).setInteger(((BooleanType<?>) a).get() ? 1 : 0);
		}
		else if (a instanceof IntegerType && b instanceof IntegerType) {
			((IntegerType<?>) b).setInteger(((IntegerType<?>) a).getIntegerLong());
		}
		else if (a instanceof RealType && b instanceof RealType) {
			((RealType<?>) b).setReal(((RealType<?>) a).getRealDouble());
		}
		else if (a instanceof ComplexType && b instanceof ComplexType) {
			((ComplexType<?>) b).setComplexNumber(((ComplexType<?>) a).getRealDouble(), ((ComplexType<?>) a).getImaginaryDouble());
		}
		else if (b instanceof ARGBType && PixelTypes.typeCode(a) == ARGB) {
			((ARGBType) b).set(PixelTypes.argb(a));
		}
		else {
			throw new IllegalArgumentException("imglyb: cannot copy " + a.getClass().getName() + " into " + b.getClass().getName());
		}
	}
}
