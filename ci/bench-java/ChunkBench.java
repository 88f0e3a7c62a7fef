import net.imglib2.RandomAccess;
import net.imglib2.img.cell.AbstractCellImg;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.type.numeric.RealType;

/** Cell loads for ci/bench: how long Java waits for each cell of a lazily loaded image. */
public final class ChunkBench {

    private ChunkBench() {}

    /**
     * Moves one random access to the first pixel of every cell, in cell order, and returns the
     * nanoseconds each move and read took: for a cell not loaded yet, the wait for its load.
     */
    public static long[] cellWaits(final AbstractCellImg<?, ?, ?, ?> img) {
        final CellGrid grid = img.getCellGrid();
        final int n = grid.numDimensions();
        long cells = 1;
        for (int d = 0; d < n; d++) {
            cells *= grid.gridDimension(d);
        }
        final long[] waits = new long[(int) cells];
        final long[] min = new long[n];
        final int[] size = new int[n];
        final RandomAccess<?> ra = img.randomAccess();
        double sink = 0;
        for (int i = 0; i < waits.length; i++) {
            grid.getCellDimensions(i, min, size);
            final long t0 = System.nanoTime();
            ra.setPosition(min);
            sink += ((RealType<?>) ra.get()).getRealDouble();
            waits[i] = System.nanoTime() - t0;
        }
        if (sink == 12345.678) {
            System.out.print("");
        }
        return waits;
    }
}
