/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.cell;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import org.imglyb.cell.ChunkedImg.CellException;
import org.imglyb.cell.ChunkedImg.Loader;
import org.imglyb.img.StridedImg;
import org.imglyb.img.StridedPixels;
import org.imglyb.memory.Memory;
import org.imglyb.memory.PixelTypes;
import org.imglyb.memory.Pressure;

/**
 * The cell cache behind a {@link ChunkedImg}: loading each cell once, admission, and
 * least-recently-used eviction bounded in bytes. Two parts hang off it: {@link Background}
 * (read-ahead and a volatile view's pending cells) and, when writable, {@link WriteBack} (what
 * happens to a cell that leaves the cache). {@link ChunkedImg} is the image over it.
 */
@SuppressWarnings({ "rawtypes", "unchecked" })
final class CellCache implements LazyCellImg.Get<Cell> {

	static final class Entry {

		final long index;

		volatile Cell cell;

		/** What the loader returned, for {@link Loader#store}. */
		Object pixels;

		/** The cell's memory. */
		Memory memory;

		long bytes;

		boolean dead;

		/** Why its load failed (a RuntimeException or an Error), for the threads that were waiting for it. */
		Throwable failure;

		Entry(final long index) {
			this.index = index;
		}
	}

	final CellGrid grid;

	final int code;

	final Loader loader;

	final long maxBytes;

	/** Cells in the grid. */
	final long cellCount;

	/** Pixels in the largest cell. */
	final long cellPixels;

	/** Read-ahead and volatile views' pending cells. */
	final Background background;

	/** Write-back of cells that leave the cache; null when read-only. */
	final WriteBack writeBack;

	final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();

	/** Loaded entries, least recently used first; also the lock for everything below and for {@link #writeBack}. */
	final LinkedHashMap<Long, Entry> lru = new LinkedHashMap<>(16, 0.75f, true);

	long bytes;

	private long droppedSinceCollection;

	final AtomicLong loads = new AtomicLong();

	final AtomicLong failures = new AtomicLong();

	final AtomicLong evictions = new AtomicLong();

	CellCache(final CellGrid grid, final int code, final Loader loader, final long maxBytes, final boolean writable) {
		this.grid = grid;
		this.code = code;
		this.loader = loader;
		this.maxBytes = maxBytes;
		long count = 1;
		long pixels = 1;
		for (int d = 0; d < grid.numDimensions(); d++) {
			count *= grid.gridDimension(d);
			pixels *= grid.cellDimension(d);
		}
		this.cellCount = count;
		this.cellPixels = pixels;
		this.background = new Background(this, pixels << PixelTypes.pixelShift(code));
		this.writeBack = writable ? new WriteBack(this) : null;
	}

	boolean writable() {
		return writeBack != null;
	}

	@Override
	public Cell get(final long index) {
		background.asked(index);
		return fetch(index);
	}

	/** Whether cell {@code index} is loaded (in the cache, or just loaded and entering it). */
	boolean isLoaded(final long index) {
		final Entry e = entries.get(index);
		return e != null && e.cell != null;
	}

	/** Cell {@code index} if it is loaded (marked as just used), else null. */
	Cell cachedCell(final long index) {
		final Entry e = entries.get(index);
		final Cell c = e == null ? null : e.cell;
		if (c != null) {
			touch(index);
		}
		return c;
	}

	/** Cell {@code index}, loaded here unless cached or being loaded (then waiting for it). */
	Cell fetch(final long index) {
		Entry e = entries.get(index);
		if (e == null) {
			e = entries.computeIfAbsent(index, Entry::new);
		}
		Cell c = e.cell;
		if (c != null) {
			touch(index);
			return c;
		}
		synchronized (e) {
			if (e.dead) {
				// This thread waited for a load that failed: it shares that failure
				// rather than loading again at once (the next access does).
				if (e.failure instanceof Error) {
					throw (Error) e.failure;
				}
				throw (RuntimeException) e.failure;
			}
			if (e.cell == null) {
				try {
					load(e);
				}
				catch (final RuntimeException | Error x) {
					e.dead = true;
					e.failure = x;
					entries.remove(index, e);
					failures.incrementAndGet();
					throw x;
				}
			}
			c = e.cell;
		}
		admit(e);
		return c;
	}

	private void touch(final long index) {
		synchronized (lru) {
			lru.get(index);
		}
	}

	private void load(final Entry e) {
		if (writeBack != null) {
			final Entry old;
			synchronized (lru) {
				old = writeBack.takeBack(e.index);
			}
			if (old != null && old.cell != null) {
				// Its memory may hold writes made since it left the cache: never a second copy.
				e.pixels = old.pixels;
				e.bytes = old.bytes;
				e.memory = old.memory;
				e.memory.companion = e;
				e.cell = old.cell;
				return;
			}
		}
		final int n = grid.numDimensions();
		final long[] min = new long[n];
		final int[] size = new int[n];
		grid.getCellDimensions(e.index, min, size);
		final Object pixels;
		try {
			pixels = loader.load(e.index);
		}
		catch (final RuntimeException | Error x) {
			throw error("computing", e.index, x);
		}
		final Memory memory = memoryOf(pixels, size);
		if (memory == null) {
			throw error("computing", e.index, new IllegalStateException("imglyb: the loader returned " + pixels + ", not a C-ordered image of " + Arrays.toString(size) + " pixels of the image's type" + (writable() ? ", writable" : "")));
		}
		e.pixels = pixels;
		e.bytes = memory.bytes;
		// Whoever can still write into the cell (an access holds its memory) keeps the entry
		// reachable, and so in the write-back's care after it left the cache.
		if (writeBack != null) {
			memory.companion = e;
		}
		e.memory = memory;
		e.cell = new Cell(size, min, memory.newAccess());
		loads.incrementAndGet();
	}

	/** The memory of {@code pixels} when it is a C-ordered strided image of {@code size}, else null. */
	private Memory memoryOf(final Object pixels, final int[] size) {
		if (!(pixels instanceof StridedImg)) {
			return null;
		}
		final StridedPixels<?, ?> p = ((StridedImg<?>) pixels).pixels;
		if (p.memory.type != code || p.origin != 0 || p.numDimensions() != size.length || (writable() && p.memory.readOnly)) {
			return null;
		}
		long step = 1;
		for (int d = 0; d < size.length; d++) {
			if (p.dimension(d) != size[d] || (size[d] != 1 && p.strides[d] != step)) {
				return null;
			}
			step *= size[d];
		}
		return (step << PixelTypes.pixelShift(code)) <= p.memory.bytes ? p.memory : null;
	}

	/** The exception for cell {@code index}, naming it in ImgLib2's order and in NumPy's. */
	CellException error(final String what, final long index, final Throwable cause) {
		final int n = grid.numDimensions();
		final long[] min = new long[n];
		final int[] size = new int[n];
		grid.getCellDimensions(index, min, size);
		final long[] position = new long[n];
		grid.getCellGridPositionFlat(index, position);
		final StringBuilder numpy = new StringBuilder();
		for (int d = n - 1; d >= 0; d--) {
			numpy.append(min[d]).append(':').append(min[d] + size[d]).append(d > 0 ? ", " : "");
		}
		final String text = cause.getMessage() != null ? cause.getMessage() : cause.toString();
		return new CellException("imglyb: " + what + " the cell at grid position " + Arrays.toString(position) + " (ImgLib2 order; pixels " + Arrays.toString(min) + " in cells of " + Arrays.toString(size) + ", NumPy block [" + numpy + "]) failed: " + text, position, cause);
	}

	/** Puts a loaded entry in the cache, dropping the least recently used beyond the bound. */
	private void admit(final Entry e) {
		long dropped = 0;
		synchronized (lru) {
			if (e.cell == null || lru.containsKey(e.index)) {
				return;
			}
			lru.put(e.index, e);
			bytes += e.bytes;
			final Iterator<Map.Entry<Long, Entry>> it = lru.entrySet().iterator();
			while (bytes > maxBytes && it.hasNext()) {
				final Entry old = it.next().getValue();
				if (old == e) {
					continue;
				}
				it.remove();
				left(old);
				dropped += old.bytes;
			}
			droppedSinceCollection += dropped;
			if (droppedSinceCollection >= Math.max(ChunkedImg.COLLECT_AFTER_AT_LEAST, maxBytes / 4)) {
				droppedSinceCollection = 0;
				Pressure.request();
			}
		}
	}

	/** Book-keeping for an entry just taken out of {@link #lru} (the caller holds it). */
	private void left(final Entry old) {
		entries.remove(old.index, old);
		bytes -= old.bytes;
		evictions.incrementAndGet();
		if (writeBack != null) {
			writeBack.left(old);
		}
	}

	int flush() {
		if (writeBack == null) {
			return 0;
		}
		synchronized (lru) {
			return writeBack.flush(lru.values());
		}
	}

	void clear() {
		synchronized (lru) {
			final boolean any = !lru.isEmpty();
			for (final Iterator<Entry> it = lru.values().iterator(); it.hasNext();) {
				final Entry e = it.next();
				it.remove();
				left(e);
			}
			if (any) {
				Pressure.request();
			}
		}
	}
}
