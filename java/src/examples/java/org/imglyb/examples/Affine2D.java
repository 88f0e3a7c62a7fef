/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.examples;

import java.util.Arrays;
import net.imglib2.RealLocalizable;
import net.imglib2.RealPositionable;

/**
 * A 2-D affine transform, shaped like an ImgLib2 {@code RealTransform} (which ImgLib2 4.5 does
 * not have): {@code x' = m00 x + m01 y + m02}, {@code y' = m10 x + m11 y + m12}, with x
 * ImgLib2 dimension 0 (the last NumPy axis) and y dimension 1. Immutable, so one instance may
 * be shared between threads.
 */
public final class Affine2D {

	private final double m00, m01, m02, m10, m11, m12;

	/**
	 * The transform whose 2x3 matrix is {@code rowPacked}, row by row:
	 * {@code m00, m01, m02, m10, m11, m12}.
	 *
	 * @throws IllegalArgumentException when {@code rowPacked} has not six elements
	 */
	public Affine2D(final double[] rowPacked) {
		if (rowPacked.length != 6) {
			throw new IllegalArgumentException("imglyb: a 2-D affine has a 2x3 matrix (6 values, row by row), not " + rowPacked.length + " values");
		}
		this.m00 = rowPacked[0];
		this.m01 = rowPacked[1];
		this.m02 = rowPacked[2];
		this.m10 = rowPacked[3];
		this.m11 = rowPacked[4];
		this.m12 = rowPacked[5];
	}

	/** Dimensions of the source space: 2. */
	public int numSourceDimensions() {
		return 2;
	}

	/** Dimensions of the target space: 2. */
	public int numTargetDimensions() {
		return 2;
	}

	/** Maps {@code source} (x, y) to {@code target}; the two may be the same array. */
	public void apply(final double[] source, final double[] target) {
		final double x = source[0];
		final double y = source[1];
		target[0] = m00 * x + m01 * y + m02;
		target[1] = m10 * x + m11 * y + m12;
	}

	/** Maps the position {@code source} to {@code target}. */
	public void apply(final RealLocalizable source, final RealPositionable target) {
		final double x = source.getDoublePosition(0);
		final double y = source.getDoublePosition(1);
		target.setPosition(m00 * x + m01 * y + m02, 0);
		target.setPosition(m10 * x + m11 * y + m12, 1);
	}

	/**
	 * The transform that undoes this one.
	 *
	 * @throws IllegalStateException when the linear part is singular
	 */
	public Affine2D inverse() {
		final double det = m00 * m11 - m01 * m10;
		if (det == 0 || !Double.isFinite(det)) {
			throw new IllegalStateException("imglyb: the affine " + this + " is singular and has no inverse");
		}
		final double i00 = m11 / det;
		final double i01 = -m01 / det;
		final double i10 = -m10 / det;
		final double i11 = m00 / det;
		return new Affine2D(new double[] { i00, i01, -(i00 * m02 + i01 * m12), i10, i11, -(i10 * m02 + i11 * m12) });
	}

	/** A copy of the 2x3 matrix, row by row: {@code m00, m01, m02, m10, m11, m12}. */
	public double[] rowPackedCopy() {
		return new double[] { m00, m01, m02, m10, m11, m12 };
	}

	@Override
	public String toString() {
		return "Affine2D" + Arrays.toString(rowPackedCopy());
	}
}
