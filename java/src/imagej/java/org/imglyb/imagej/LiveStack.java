/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.imagej;

import ij.VirtualStack;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.RealType;

/**
 * An ImageJ stack whose planes are read from an ImgLib2 image each time ImageJ asks for one:
 * dimension 0 is x, dimension 1 is y, and every further dimension is flattened into the slices
 * (dimension 2 fastest). Nothing is copied up front; each plane is converted when ImageJ shows
 * it (to 32-bit float, or to RGB for {@code ARGBType}), so changes to the image appear on the
 * next read.
 */
public final class LiveStack extends VirtualStack {

	private final RandomAccessibleInterval<?> image;
	private final boolean argb;
	private final int planes;

	/** A stack over {@code image}, whose pixels must be {@code RealType} or {@code ARGBType}. */
	public LiveStack(final RandomAccessibleInterval<?> image) {
		super(planeSide(image, 0), planeSide(image, 1), planeCount(image));
		this.image = image;
		final Object t = image.randomAccess().get();
		if (!(t instanceof RealType) && !(t instanceof ARGBType)) {
			throw new IllegalArgumentException("imglyb: ImageJ cannot show " + t.getClass().getName() + " pixels (real-valued and ARGB pixels only)");
		}
		this.argb = t instanceof ARGBType;
		this.planes = planeCount(image);
	}

	private static int planeSide(final RandomAccessibleInterval<?> image, final int d) {
		if (image.numDimensions() == 0) {
			throw new IllegalArgumentException("imglyb: a 0-d image has no plane to show");
		}
		final long n = d < image.numDimensions() ? image.dimension(d) : 1;
		if (n < 1 || n > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("imglyb: ImageJ cannot show a plane side of " + n + " pixels");
		}
		return (int) n;
	}

	private static int planeCount(final RandomAccessibleInterval<?> image) {
		long n = 1;
		for (int d = 2; d < image.numDimensions(); d++) {
			n *= image.dimension(d);
		}
		if (n < 1 || n > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("imglyb: ImageJ cannot show " + n + " slices");
		}
		return (int) n;
	}

	/** Whether the pixels are shown in colour. */
	public boolean isArgb() {
		return argb;
	}

	/** Moves {@code ra} to the first pixel of slice {@code n} (1-based). */
	private void toPlane(final RandomAccess<?> ra, final int n) {
		long rest = n - 1;
		for (int d = 0; d < image.numDimensions(); d++) {
			long p = image.min(d);
			if (d >= 2) {
				p += rest % image.dimension(d);
				rest /= image.dimension(d);
			}
			ra.setPosition(p, d);
		}
	}

	@Override
	public ImageProcessor getProcessor(final int n) {
		if (n < 1 || n > planes) {
			throw new IllegalArgumentException("imglyb: slice " + n + " of " + planes);
		}
		final int width = getWidth();
		final int height = getHeight();
		final RandomAccess<?> ra = image.randomAccess();
		toPlane(ra, n);
		final boolean hasY = image.numDimensions() > 1;
		if (argb) {
			final int[] pixels = new int[width * height];
			for (int y = 0; y < height; y++) {
				if (hasY) {
					ra.setPosition(image.min(1) + y, 1);
				}
				ra.setPosition(image.min(0), 0);
				for (int x = 0; x < width; x++) {
					pixels[y * width + x] = ((ARGBType) ra.get()).get();
					ra.fwd(0);
				}
			}
			return new ColorProcessor(width, height, pixels);
		}
		final float[] pixels = new float[width * height];
		for (int y = 0; y < height; y++) {
			if (hasY) {
				ra.setPosition(image.min(1) + y, 1);
			}
			ra.setPosition(image.min(0), 0);
			for (int x = 0; x < width; x++) {
				pixels[y * width + x] = ((RealType<?>) ra.get()).getRealFloat();
				ra.fwd(0);
			}
		}
		return new FloatProcessor(width, height, pixels);
	}

	@Override
	public Object getPixels(final int n) {
		return getProcessor(n).getPixels();
	}

	@Override
	public void setPixels(final Object pixels, final int n) {
		// ImageJ's edits stay in the converted plane; the shared pixels change through ImgLib2.
	}

	@Override
	public int getSize() {
		return planes;
	}

	@Override
	public int size() {
		return planes;
	}

	@Override
	public int getBitDepth() {
		return argb ? 24 : 32;
	}

	@Override
	public String getSliceLabel(final int n) {
		return planes == 1 ? null : "slice " + n + " of " + planes;
	}

	@Override
	public void deleteSlice(final int n) {
		throw new UnsupportedOperationException("imglyb: the slices are the shared image's; they cannot be deleted");
	}

	/** Images with more pixels than this get the display range of their first slice. */
	static final long WHOLE_RANGE_LIMIT = 1L << 27;

	/**
	 * The smallest and largest value, for the display range: over every pixel, or over the first
	 * slice of an image of more than {@link #WHOLE_RANGE_LIMIT} pixels (which may be larger than
	 * memory, computed cell by cell as it is shown).
	 */
	double[] range() {
		final long pixels = net.imglib2.util.Intervals.numElements(image);
		final RandomAccessibleInterval<?> scanned = pixels > WHOLE_RANGE_LIMIT && planes > 1 ? firstSlice() : image;
		double lo = Double.POSITIVE_INFINITY;
		double hi = Double.NEGATIVE_INFINITY;
		for (final Object t : net.imglib2.view.Views.iterable(scanned)) {
			final double v = ((RealType<?>) t).getRealDouble();
			if (v < lo) {
				lo = v;
			}
			if (v > hi) {
				hi = v;
			}
		}
		return new double[] { lo, hi };
	}

	/** The first slice: the image bounded to its min in every dimension from 2 on. */
	private RandomAccessibleInterval<?> firstSlice() {
		final int n = image.numDimensions();
		final long[] min = new long[n];
		final long[] max = new long[n];
		for (int d = 0; d < n; d++) {
			min[d] = image.min(d);
			max[d] = d < 2 ? image.max(d) : image.min(d);
		}
		return net.imglib2.view.Views.interval(image, min, max);
	}
}
