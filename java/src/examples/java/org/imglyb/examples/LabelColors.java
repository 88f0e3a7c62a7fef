/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.examples;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converter;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.IntegerType;

/**
 * A colour per label, the way label viewers such as Paintera draw segmentations: label 0 is
 * background, transparent black ({@code 0}); any other label {@code l}, read as its 64 bits
 * ({@code getIntegerLong()}, so a uint64 above 2^63 keeps its bits), gets the opaque colour
 *
 * <pre>
 * h = l * 0x9E3779B97F4A7C15          (all arithmetic modulo 2^64)
 * h = (h ^ (h &gt;&gt;&gt; 32)) * 0xD6E8FEB86659FD93
 * h = h ^ (h &gt;&gt;&gt; 32)
 * argb = 0xFF000000 | (h &amp; 0xFFFFFF) | 0x404040
 * </pre>
 *
 * <p>The {@code 0x404040} keeps every channel at 64 or more, so no label looks like the
 * background. Deterministic, so the same label has the same colour in every run and process.
 */
public final class LabelColors implements Converter<IntegerType<?>, ARGBType> {

	/**
	 * The colours of {@code labels} as a view: nothing is copied, each pixel is converted when
	 * read, so changes to the labels show on the next read.
	 */
	public static <T extends IntegerType<T>> RandomAccessibleInterval<ARGBType> view(final RandomAccessibleInterval<T> labels) {
		return Converters.convert(labels, new LabelColors(), new ARGBType());
	}

	/** The ARGB colour of {@code label} (see the class comment for the formula). */
	public static int argb(final long label) {
		if (label == 0) {
			return 0;
		}
		long h = label * 0x9E3779B97F4A7C15L;
		h = (h ^ (h >>> 32)) * 0xD6E8FEB86659FD93L;
		h = h ^ (h >>> 32);
		return 0xFF000000 | ((int) h & 0xFFFFFF) | 0x404040;
	}

	@Override
	public void convert(final IntegerType<?> label, final ARGBType colour) {
		colour.set(argb(label.getIntegerLong()));
	}
}
