import net.imglib2.Cursor;
import net.imglib2.IterableInterval;
import net.imglib2.type.numeric.RealType;

/** Cursor sums for ci/bench: best nanoseconds per pixel over repetitions, after warm-up. */
public final class SumBench {

    private SumBench() {}

    /** Sums with four accumulators, so memory access dominates rather than the add chain. */
    public static double sum(final IterableInterval<? extends RealType<?>> img) {
        final Cursor<? extends RealType<?>> c = img.cursor();
        double a = 0, b = 0, d = 0, e = 0;
        final long n = img.size();
        long i = 0;
        for (; i + 4 <= n; i += 4) {
            a += c.next().getRealDouble();
            b += c.next().getRealDouble();
            d += c.next().getRealDouble();
            e += c.next().getRealDouble();
        }
        for (; i < n; i++) {
            a += c.next().getRealDouble();
        }
        return a + b + d + e;
    }

    /** The same loop, a separate copy: used only to exercise other images' types. */
    public static double touch(final IterableInterval<? extends RealType<?>> img) {
        final Cursor<? extends RealType<?>> c = img.cursor();
        double a = 0;
        while (c.hasNext()) {
            a += c.next().getRealDouble();
        }
        return a;
    }

    /**
     * Best ns per pixel of a localizing loop ({@code fwd()} and {@code localize(long[])} at every
     * pixel, as code that positions a random access from a cursor does) over {@code reps} runs,
     * after {@code warmup} runs.
     */
    public static double localizeNsPerPixel(final IterableInterval<?> img, final int warmup, final int reps) {
        final long[] position = new long[img.numDimensions()];
        long sink = 0;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < warmup + reps; i++) {
            final long t0 = System.nanoTime();
            final Cursor<?> c = img.localizingCursor();
            while (c.hasNext()) {
                c.fwd();
                c.localize(position);
                sink += position[0];
            }
            if (i >= warmup) {
                best = Math.min(best, (System.nanoTime() - t0) / (double) img.size());
            }
        }
        return sink == 42 ? -best : best;
    }

    /** Best ns per pixel of {@link #sum} over {@code reps} runs, after {@code warmup} runs. */
    public static double nsPerPixel(final IterableInterval<? extends RealType<?>> img, final int warmup, final int reps) {
        double sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += sum(img);
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            final long t0 = System.nanoTime();
            sink += sum(img);
            best = Math.min(best, (System.nanoTime() - t0) / (double) img.size());
        }
        return sink == 42 ? -best : best;
    }
}
