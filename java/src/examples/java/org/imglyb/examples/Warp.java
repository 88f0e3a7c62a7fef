/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.examples;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.RealRandomAccess;
import net.imglib2.RealRandomAccessible;
import net.imglib2.type.numeric.RealType;

/**
 * Resampling of a 2-D image through an {@link Affine2D}, the way BigWarp renders a moving image
 * in the fixed image's space: every target pixel is mapped back into the source and the source
 * is sampled there.
 */
public final class Warp {

	private Warp() {}

	/**
	 * Writes into every pixel of {@code target} the value of {@code source} at the position
	 * {@code targetToSource} maps the pixel's position to. Pixel positions are the target's own
	 * (integer) coordinates, pixel centres in ImgLib2's convention; {@code source} decides the
	 * interpolation and what lies outside the image (for example
	 * {@code Views.interpolate(Views.extendZero(img), new NLinearInterpolatorFactory<>())}).
	 * One loop in Java, single-threaded.
	 *
	 * @throws IllegalArgumentException when {@code source} or {@code target} is not 2-D
	 */
	public static void warp(final RealRandomAccessible<? extends RealType<?>> source, final Affine2D targetToSource, final RandomAccessibleInterval<? extends RealType<?>> target) {
		if (source.numDimensions() != 2 || target.numDimensions() != 2) {
			throw new IllegalArgumentException("imglyb: Warp.warp maps 2-D images, not a " + source.numDimensions() + "-d source to a " + target.numDimensions() + "-d target");
		}
		final RealRandomAccess<? extends RealType<?>> in = source.realRandomAccess();
		final RandomAccess<? extends RealType<?>> out = target.randomAccess();
		final double[] position = new double[2];
		final double[] sourcePosition = new double[2];
		for (long y = target.min(1); y <= target.max(1); y++) {
			for (long x = target.min(0); x <= target.max(0); x++) {
				out.setPosition(x, 0);
				out.setPosition(y, 1);
				position[0] = x;
				position[1] = y;
				targetToSource.apply(position, sourcePosition);
				in.setPosition(sourcePosition);
				out.get().setReal(in.get().getRealDouble());
			}
		}
	}
}
