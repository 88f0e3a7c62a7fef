/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.cell;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import net.imglib2.img.Img;
import net.imglib2.img.ImgFactory;
import net.imglib2.img.NativeImg;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.NativeType;
import net.imglib2.util.Fraction;

import org.imglyb.Contract;
import org.imglyb.img.Copies;
import org.imglyb.img.SharedImgFactory;
import org.imglyb.memory.Memory;
import org.imglyb.memory.PixelTypes;

/**
 * A cell image whose cells a host computes on first access: what {@code imglyb.to_imglib} returns
 * for a chunked array (dask, zarr, h5py). It is ImgLib2's own {@code LazyCellImg} (in every
 * ImgLib2 from 4.5 on) with imglyb's cell cache behind it.
 *
 * <p><b>Cells.</b> The {@link Loader} returns cell {@code index}'s pixels as an image over native
 * memory ({@code imglyb.to_imglib} of a C-ordered NumPy block of exactly the cell's size); the
 * cell then reads that memory through imglyb's native accesses, so the block is never copied, and
 * it stays alive while the cell is reachable. A cell is loaded once however many threads ask for it
 * at the same time: the others wait for the first. A loader exception reaches the caller as a
 * {@link CellException} naming the cell, is not cached, and the next access loads again.
 *
 * <p><b>Cache.</b> Loaded cells are kept in a least-recently-used cache bounded in bytes
 * ({@link #maxBytes()}); the most recent cell is always kept, even when it alone is larger. A cell
 * that leaves the cache stays readable by whoever holds it (a random access positioned in it), and
 * its memory is released once Java no longer reaches it; the cache asks for a collection after
 * dropping a quarter of its bound (at least {@link #COLLECT_AFTER_AT_LEAST}), so that this happens
 * while cells come and go by the million.
 *
 * <p><b>Writing</b> ({@code writable}): cells are given writable memory, and every loaded cell is
 * offered to {@link Loader#store} when it leaves the cache and on {@link #flush()}, which writes it
 * back unless it is unchanged since it was loaded or last written. A cell that left the cache but
 * is still held (and so may still be written) is offered again by the next {@link #flush()}, and
 * is taken back into the cache, not loaded again, when Java asks for it: there is never a second
 * copy of a writable cell. A cell whose write-back failed when it left the cache is kept, not
 * lost: the cache goes on (the failure is {@link #lastWriteError()}), the cell is taken back when
 * asked for, and {@link #flush()} tries it again and throws if it fails again.
 * Write-backs run under the cache's lock, so readers of a writable image wait for them.
 * Without {@code writable}, cells are read-only and a write throws.
 *
 * <p><b>Reading ahead.</b> When Java reads cells in order (a cursor sweep, a copy), the next
 * {@link #readAhead()} cells are loaded on background threads meanwhile, so the host computes
 * them while Java works.
 *
 * <p><b>Volatile view</b> ({@link #volatileView()}): the same cells as ImgLib2 volatile types,
 * for BigDataViewer. A cell not loaded yet reads as zeros that are not valid, and is loaded in the
 * background; rendering never waits for the host.
 *
 * <p>{@link #factory()} allocates native memory ({@link SharedImgFactory}), so copies and results
 * computed from this image can be viewed from NumPy.
 */
@SuppressWarnings({ "rawtypes", "unchecked" })
public final class ChunkedImg extends LazyCellImg {

	/** Computes and stores cells; implemented by the host (Python, with {@code imglyb.jproxy}). */
	public interface Loader {

		/**
		 * The pixels of cell {@code index} (flat, dimension 0 fastest, in the grid of
		 * {@link ChunkedImg#grid()}): an image over native memory, C-ordered, of exactly the cell's size
		 * and the image's pixel type, as {@code imglyb.to_imglib} makes it.
		 */
		Object load(long index);

		/**
		 * Writes {@code pixels} (an image {@link #load} returned) back as cell {@code index}, and
		 * returns whether it did: {@code false} when the pixels are unchanged since they were loaded
		 * or last written, which the host may check (imglyb's Python loader compares digests).
		 */
		boolean store(long index, Object pixels);
	}

	/** The exception for a cell that could not be loaded or written back; its cause is the host's. */
	public static final class CellException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final long[] gridPosition;

		CellException(final String message, final long[] gridPosition, final Throwable cause) {
			super(message, cause);
			this.gridPosition = gridPosition;
		}

		/** The cell's position in the cell grid (ImgLib2 order: dimension 0 first). */
		public long[] gridPosition() {
			return gridPosition.clone();
		}
	}

	/**
	 * The fewest bytes of dropped cells after which the cache asks for a collection (or a quarter
	 * of its bound, if more). Each request is a full collection of a few milliseconds that stops
	 * every Java thread; with 32 MiB, a sweep through a 64 MiB cache paid for one every eight 4 MiB
	 * cells, and took 0.30-0.34 s against 0.27 s with this floor (dask's own sum: 0.20 s). The
	 * price is at most this much more memory waiting to be released.
	 */
	static final long COLLECT_AFTER_AT_LEAST = 128L << 20;

	/** Loads volatile views' cells in the background. */
	static final int BACKGROUND_THREADS = 2;

	/** Loads volatile views' cells, and cells ahead of a sweep, in the background. */
	static final ExecutorService BACKGROUND = Executors.newFixedThreadPool(BACKGROUND_THREADS, r -> {
		final Thread t = new Thread(r, "imglyb-cell-loader");
		t.setDaemon(true);
		return t;
	});

	private final CellCache cache;

	private final NativeType<?> type;

	private ChunkedImg(final CellCache cache) {
		super(cache.grid, new Fraction(PixelTypes.entities(cache.code), 1), cache);
		this.cache = cache;
		this.type = PixelTypes.linkedType(cache.code, this);
		setLinkedType(type);
	}

	/**
	 * A lazily loaded image of {@code dims} (ImgLib2 order), in cells of {@code cellDims}, of pixel
	 * type {@code code} (a {@link Contract} type code, ARGB excepted), whose cells {@code loader}
	 * computes; at most {@code maxBytes} bytes of cells are cached.
	 */
	public static ChunkedImg create(final long[] dims, final int[] cellDims, final int code, final Loader loader, final long maxBytes, final boolean writable) {
		if (loader == null) {
			throw new NullPointerException("imglyb: a chunked image needs a loader");
		}
		final int n = dims.length;
		if (n < 1 || n > Contract.MAX_DIMENSIONS || cellDims.length != n) {
			throw new IllegalArgumentException("imglyb: " + n + " dimensions with " + cellDims.length + " cell dimensions (1 to " + Contract.MAX_DIMENSIONS + ")");
		}
		if (code < Contract.BOOL || code > Contract.C128) {
			throw new IllegalArgumentException("imglyb: no chunked images of pixel type code " + code);
		}
		long cellPixels = 1;
		for (int d = 0; d < n; d++) {
			if (dims[d] < 1 || cellDims[d] < 1) {
				throw new IllegalArgumentException("imglyb: a chunked image needs positive dimensions and cell sizes, not " + Arrays.toString(dims) + " in cells of " + Arrays.toString(cellDims));
			}
			cellPixels = Math.multiplyExact(cellPixels, Math.min(cellDims[d], dims[d]));
		}
		if (cellPixels > Integer.MAX_VALUE / PixelTypes.entities(code) || cellPixels > Memory.WINDOW_CAPACITY >> PixelTypes.pixelShift(code)) {
			throw new IllegalArgumentException("imglyb: cells of " + Arrays.toString(cellDims) + " pixels are too large; ImgLib2 cells hold at most 2^31 - 1 elements (and 2 GiB)");
		}
		if (maxBytes < 0) {
			throw new IllegalArgumentException("imglyb: negative cache size " + maxBytes);
		}
		final int[] cells = new int[n];
		for (int d = 0; d < n; d++) {
			cells[d] = (int) Math.min(cellDims[d], dims[d]);
		}
		return new ChunkedImg(new CellCache(new CellGrid(dims.clone(), cells), code, loader, maxBytes, writable));
	}

	/** The cell grid: image and cell dimensions. */
	public CellGrid grid() {
		return cache.grid;
	}

	/** Whether cells are writable and written back. */
	public boolean writable() {
		return cache.writable();
	}

	/** The cache's bound in bytes. */
	public long maxBytes() {
		return cache.maxBytes;
	}

	/** Bytes of the cells in the cache now. */
	public long cachedBytes() {
		synchronized (cache.lru) {
			return cache.bytes;
		}
	}

	/** Cells in the cache now. */
	public int cachedCells() {
		synchronized (cache.lru) {
			return cache.lru.size();
		}
	}

	/** Cells loaded so far (each successful {@link Loader#load}). */
	public long loads() {
		return cache.loads.get();
	}

	/** Loads that threw. */
	public long failures() {
		return cache.failures.get();
	}

	/** Cells that left the cache. */
	public long evictions() {
		return cache.evictions.get();
	}

	/** Cells written back ({@link Loader#store} calls that wrote; unchanged cells are not counted). */
	public long stores() {
		return cache.writeBack == null ? 0 : cache.writeBack.stores.get();
	}

	/**
	 * How many cells are loaded ahead, in the background, when Java reads cells in order (a
	 * cursor sweep or a copy): 2 by default when the cache holds at least 8 cells, otherwise 0.
	 */
	public int readAhead() {
		return cache.background.readAhead;
	}

	/** Sets {@link #readAhead()}; 0 turns reading ahead off. */
	public void setReadAhead(final int cells) {
		if (cells < 0) {
			throw new IllegalArgumentException("imglyb: negative read-ahead " + cells);
		}
		cache.background.readAhead = cells;
	}

	/** The last exception a background load (volatile view or read-ahead) met, or null. */
	public Throwable lastBackgroundError() {
		return cache.background.lastError;
	}

	/**
	 * The last exception writing back a cell that left the cache met, or null. Such a cell is kept
	 * until {@link #flush()} writes it.
	 */
	public Throwable lastWriteError() {
		return cache.writeBack == null ? null : cache.writeBack.lastError;
	}

	/** Cells whose write-back failed when they left the cache, kept for {@link #flush()}. */
	public int unwrittenCells() {
		synchronized (cache.lru) {
			return cache.writeBack == null ? 0 : cache.writeBack.unwritten.size();
		}
	}

	/** Whether cell {@code index} is loaded (in the cache, or just loaded and entering it). */
	public boolean isCached(final long index) {
		return cache.isLoaded(index);
	}

	/** Whether the cell holding pixel {@code position} is in the cache (ImgLib2 order). */
	public boolean isCachedAt(final long[] position) {
		if (position.length != numDimensions()) {
			throw new IllegalArgumentException("imglyb: a position of " + position.length + " dimensions in an image of " + numDimensions());
		}
		for (int d = 0; d < position.length; d++) {
			if (position[d] < 0 || position[d] >= dimension(d)) {
				throw new IndexOutOfBoundsException("imglyb: position " + Arrays.toString(position) + " is outside the image " + Arrays.toString(cache.grid.getImgDimensions()));
			}
		}
		final long[] cell = new long[position.length];
		cache.grid.getCellPosition(position, cell);
		long index = 0;
		for (int d = position.length - 1; d >= 0; d--) {
			index = index * cache.grid.gridDimension(d) + cell[d];
		}
		return isCached(index);
	}

	/** The pixel type code ({@link Contract}). */
	public int typeCode() {
		return cache.code;
	}

	/**
	 * Writes back every cached cell, and every cell that left the cache but is still reachable or
	 * whose write-back failed, that changed since it was loaded or last written; returns how many
	 * were written. Nothing for a read-only image. When a write fails, the others are still tried,
	 * the failed cells are kept for the next flush, and the first failure is thrown.
	 */
	public int flush() {
		return cache.flush();
	}

	/** Drops every cached cell (writing it back first when writable). */
	public void clearCache() {
		cache.clear();
	}

	/**
	 * The same cells as ImgLib2 volatile pixels ({@code VolatileFloatType} and so on, from ImgLib2
	 * 5 on or BigDataViewer's jars): a cell not loaded yet reads as invalid zeros, and is loaded on
	 * a background thread. Each {@code repaint} target (such as BigDataViewer's viewer panel) gets
	 * {@code requestRepaint()} when a background load finishes.
	 */
	public Img volatileView(final Object... repaint) {
		final String name = cache.code >= 0 && cache.code < Contract.VOLATILE_CLASS.length ? Contract.VOLATILE_CLASS[cache.code] : "";
		if (name.isEmpty()) {
			throw new UnsupportedOperationException("imglyb: ImgLib2 has no volatile type for " + type.getClass().getSimpleName() + " pixels");
		}
		final Class<?> c;
		try {
			c = Class.forName(name, true, ChunkedImg.class.getClassLoader());
		}
		catch (final ClassNotFoundException e) {
			throw new UnsupportedOperationException("imglyb: volatile pixel types need ImgLib2 5 or newer, or BigDataViewer's jars on the classpath (no " + e.getMessage() + ")");
		}
		for (final Object target : repaint) {
			addRepaintTarget(target);
		}
		final LazyCellImg view = new LazyCellImg(cache.grid, new Fraction(PixelTypes.entities(cache.code), 1), cache.background::getOrQueue);
		try {
			view.setLinkedType((NativeType) c.getConstructor(NativeImg.class).newInstance(view));
		}
		catch (final ReflectiveOperationException e) {
			throw new UnsupportedOperationException("imglyb: cannot make " + c.getName() + " pixels: " + e);
		}
		return view;
	}

	/**
	 * Calls {@code target.requestRepaint()} (such as BigDataViewer's {@code ViewerPanel}'s) each
	 * time a volatile view's background load finishes.
	 */
	public void addRepaintTarget(final Object target) {
		if (target == null) {
			throw new NullPointerException("imglyb: no repaint target");
		}
		cache.background.repaint.add(target);
	}

	@Override
	public ImgFactory factory() {
		return new SharedImgFactory(type.createVariable());
	}

	@Override
	public Img copy() {
		final Object t = type.createVariable();
		final Img copy = new SharedImgFactory(t).create(cache.grid.getImgDimensions(), t);
		Copies.copy(this, copy);
		return copy;
	}

	@Override
	public String toString() {
		return "ChunkedImg " + Arrays.toString(cache.grid.getImgDimensions()) + " of " + type.getClass().getSimpleName() + " in cells of " + Arrays.toString(cellDims()) + (cache.writable() ? ", writable" : "");
	}

	private int[] cellDims() {
		final int[] c = new int[numDimensions()];
		cache.grid.cellDimensions(c);
		return c;
	}
}
