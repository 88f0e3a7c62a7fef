/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessible;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/** The cluster benchmark's Java filter (ci/bench): the 3x3 mean of a 2-D float image. */
public class BlockFilter {
	public static void mean3(final RandomAccessible<FloatType> source, final RandomAccessibleInterval<FloatType> target) {
		final RandomAccess<FloatType> ra = source.randomAccess();
		final Cursor<FloatType> c = Views.iterable(target).localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			final long x = c.getLongPosition(0);
			final long y = c.getLongPosition(1);
			double sum = 0;
			for (long dy = -1; dy <= 1; dy++) {
				for (long dx = -1; dx <= 1; dx++) {
					ra.setPosition(x + dx, 0);
					ra.setPosition(y + dy, 1);
					sum += ra.get().get();
				}
			}
			c.get().set((float) (sum / 9));
		}
	}
}
