/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
import net.imglib2.Cursor;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The start-up floor (ci/bench): a bare Java process making imglyb's first ImgLib2 use, a 4x3
 * float image filled with 0..11 through a cursor and summed (66). Its whole wall time, process
 * start and exit included, bounds what `import imglyb` + `start_jvm()` + that use can cost.
 */
public class StartupFloor {
	public static void main(final String[] args) {
		final Img<FloatType> img = ArrayImgs.floats(4, 3);
		final Cursor<FloatType> c = img.cursor();
		float next = 0;
		while (c.hasNext()) {
			c.next().set(next++);
		}
		double sum = 0;
		for (final FloatType t : img) {
			sum += t.getRealDouble();
		}
		if (sum != 66.0) {
			throw new AssertionError("sum " + sum);
		}
	}
}
