/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.imagej;

import ij.ImagePlus;
import ij.WindowManager;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import javax.imageio.ImageIO;
import net.imglib2.RandomAccessibleInterval;

/** What {@code imglyb.show} calls: ImageJ windows over {@link LiveStack}s. */
public final class Viewer {

	private Viewer() {}

	/** An ImageJ image over {@code image}, not shown, with the display range set to its values. */
	public static ImagePlus image(final RandomAccessibleInterval<?> image, final String title) {
		return image(image, title, Double.NaN, Double.NaN);
	}

	/**
	 * An ImageJ image over {@code image}, not shown, displaying {@code min} to {@code max}; NaN for
	 * the range of the values ({@link LiveStack#range()}: the first slice's for a large image).
	 */
	public static ImagePlus image(final RandomAccessibleInterval<?> image, final String title, final double min, final double max) {
		final LiveStack stack = new LiveStack(image);
		final ImagePlus imp = new ImagePlus(title, stack);
		if (!stack.isArgb()) {
			final double[] range = Double.isNaN(min) || Double.isNaN(max) ? stack.range() : new double[] { min, max };
			imp.setDisplayRange(range[0], range[1] > range[0] ? range[1] : range[0] + 1);
		}
		return imp;
	}

	/** Shows {@code image} in an ImageJ window; refuses clearly when there is no display. */
	public static ImagePlus show(final RandomAccessibleInterval<?> image, final String title) {
		return show(image, title, Double.NaN, Double.NaN);
	}

	/** Shows {@code image} displaying {@code min} to {@code max} (NaN: see {@link #image}). */
	public static ImagePlus show(final RandomAccessibleInterval<?> image, final String title, final double min, final double max) {
		if (GraphicsEnvironment.isHeadless()) {
			throw new IllegalStateException("imglyb: no display to show a window on: set DISPLAY to an X server, or run under Xvfb (for example `xvfb-run -a python script.py`)");
		}
		final ImagePlus imp = image(image, title, min, max);
		onEventThread(imp::show);
		return imp;
	}

	/**
	 * Reads the current slice again from the shared pixels and redraws it, keeping the display
	 * range (a new processor would otherwise take the slice's own min and max).
	 */
	public static void refresh(final ImagePlus imp) {
		onEventThread(() -> {
			final int slice = imp.getCurrentSlice();
			final double min = imp.getDisplayRangeMin();
			final double max = imp.getDisplayRangeMax();
			imp.setProcessor(imp.getStack().getProcessor(slice));
			if (imp.getBitDepth() != 24) {
				imp.setDisplayRange(min, max);
			}
			imp.updateAndDraw();
		});
	}

	/** Closes the window (if shown) without asking about changes. */
	public static void close(final ImagePlus imp) {
		onEventThread(() -> {
			imp.changes = false;
			imp.close();
		});
	}

	/** How many ImageJ image windows are open. */
	public static int windowCount() {
		return WindowManager.getWindowCount();
	}

	/**
	 * Writes the current slice as ImageJ displays it (display range and colours applied) to a
	 * PNG file; needs no display.
	 */
	public static void savePng(final ImagePlus imp, final String path) throws IOException {
		final BufferedImage shown = imp.getBufferedImage();
		if (!ImageIO.write(shown, "png", new File(path))) {
			throw new IOException("imglyb: no PNG writer for " + path);
		}
	}

	/**
	 * Captures the image's window as it is on the screen (a real screen capture, with ImageJ's
	 * info line and slider) to a PNG file, first zooming in until the image is at least
	 * {@code minWidth} pixels wide (at most 8x). Needs a shown window.
	 */
	public static void capturePng(final ImagePlus imp, final String path, final int minWidth) throws IOException {
		final ij.gui.ImageWindow window = imp.getWindow();
		if (window == null) {
			throw new IllegalStateException("imglyb: the image is not shown in a window; capture needs imglyb.show");
		}
		onEventThread(() -> {
			final ij.gui.ImageCanvas canvas = window.getCanvas();
			while (canvas.getWidth() < minWidth && canvas.getMagnification() < 8) {
				final double before = canvas.getMagnification();
				canvas.zoomIn(canvas.getWidth() / 2, canvas.getHeight() / 2);
				if (canvas.getMagnification() == before) {
					break;
				}
			}
			window.pack();
			imp.updateAndDraw();
		});
		try {
			Thread.sleep(400); // let the window manager and the repaint settle
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		final java.awt.Rectangle[] bounds = new java.awt.Rectangle[1];
		onEventThread(() -> bounds[0] = new java.awt.Rectangle(window.getLocationOnScreen(), window.getSize()));
		final BufferedImage shot;
		try {
			shot = new java.awt.Robot().createScreenCapture(bounds[0]);
		}
		catch (final java.awt.AWTException e) {
			throw new IOException("imglyb: cannot capture the screen", e);
		}
		if (!ImageIO.write(shot, "png", new File(path))) {
			throw new IOException("imglyb: no PNG writer for " + path);
		}
	}

	private static void onEventThread(final Runnable r) {
		if (EventQueue.isDispatchThread()) {
			r.run();
			return;
		}
		try {
			EventQueue.invokeAndWait(r);
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("imglyb: interrupted while waiting for the window", e);
		}
		catch (final InvocationTargetException e) {
			final Throwable cause = e.getCause();
			if (cause instanceof RuntimeException) {
				throw (RuntimeException) cause;
			}
			throw new IllegalStateException(cause);
		}
	}
}
