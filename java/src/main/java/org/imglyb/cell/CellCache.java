/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.cell;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import net.imglib2.img.Img;
import net.imglib2.img.ImgFactory;
import net.imglib2.img.NativeImg;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.NativeType;
import net.imglib2.util.Fraction;
import org.imglyb.Contract;
import org.imglyb.cell.ChunkedImg.CellException;
import org.imglyb.cell.ChunkedImg.Loader;
import org.imglyb.img.*;
import org.imglyb.memory.*;

/**
 * The cell cache behind a {@link ChunkedImg}: admission and least-recently-used eviction bounded
 * in bytes, read-ahead and the volatile views' pending cells on background threads, and
 * write-back of changed cells. {@link ChunkedImg} is the image over it.
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

	final boolean writable;

	/** Cells in the grid. */
	final long cellCount;

	final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();

	/** Loaded entries, least recently used first; also the lock for everything below. */
	final LinkedHashMap<Long, Entry> lru = new LinkedHashMap<>(16, 0.75f, true);

	long bytes;

	/**
	 * Writable only, by cell index: cells that left the cache, for {@link #flush()} and to be
	 * taken back while still reachable (a cell's memory, which every access into it holds,
	 * holds its entry).
	 */
	final Map<Long, WeakReference<Entry>> gone = new HashMap<>();

	/**
	 * Writable only, by cell index: cells whose write-back failed when they left the cache,
	 * kept for {@link #flush()} (and taken back when asked for).
	 */
	final Map<Long, Entry> unwritten = new HashMap<>();

	volatile Throwable lastWriteError;

	long droppedSinceCollection;

	final AtomicLong loads = new AtomicLong();

	final AtomicLong failures = new AtomicLong();

	final AtomicLong evictions = new AtomicLong();

	final AtomicLong stores = new AtomicLong();

	/** Cells being loaded in the background (volatile views and read-ahead). */
	final Set<Long> queued = ConcurrentHashMap.newKeySet();

	/** Cells a volatile view asked for: their repaint targets are told when they are loaded. */
	final Set<Long> repaintWanted = ConcurrentHashMap.newKeySet();

	final List<Object> repaint = new java.util.concurrent.CopyOnWriteArrayList<>();

	volatile Throwable lastBackgroundError;

	/** Cells loaded ahead of a sweep; see {@link #readAhead(long)}. */
	volatile int readAhead;

	/** The last cell asked for, when reading ahead (racy by design: a hint). */
	private volatile long lastAsked = -2;

	/** Volatile views: the stand-in pixels of pending cells, as large as the largest cell. */
	private volatile Memory placeholder;

	CellCache(final CellGrid grid, final int code, final Loader loader, final long maxBytes, final boolean writable) {
		this.grid = grid;
		this.code = code;
		this.loader = loader;
		this.maxBytes = maxBytes;
		this.writable = writable;
		long count = 1;
		for (int d = 0; d < grid.numDimensions(); d++) {
			count *= grid.gridDimension(d);
		}
		this.cellCount = count;
		long cellBytes = 1;
		for (int d = 0; d < grid.numDimensions(); d++) {
			cellBytes *= grid.cellDimension(d);
		}
		cellBytes <<= PixelTypes.pixelShift(code);
		// Read ahead (as many cells as there are background threads) only when the cache holds
		// enough cells that loading ahead cannot push out the cells being read.
		this.readAhead = maxBytes / Math.max(1, cellBytes) >= 8 ? ChunkedImg.BACKGROUND_THREADS : 0;
	}

	@Override
	public Cell get(final long index) {
		readAhead(index);
		return fetch(index);
	}

	/** Cell {@code index}, loaded here unless cached or being loaded (then waiting for it). */
	Cell fetch(final long index) {
		while (true) {
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
	}

	/**
	 * When cell {@code index} is asked for right after the cell before it (a sweep in cell
	 * order, such as a cursor's or a copy's), queues those of the next {@link #readAhead} cells
	 * that are not loaded for loading in the background, so that the host computes them while
	 * Java works on this one.
	 */
	private void readAhead(final long index) {
		final int ahead = readAhead;
		if (ahead <= 0) {
			return;
		}
		final long previous = lastAsked;
		lastAsked = index;
		if (index != previous + 1) {
			return;
		}
		for (long next = index + 1; next <= index + ahead && next < cellCount; next++) {
			final Entry e = entries.get(next);
			if (e == null || e.cell == null) {
				queue(next, false);
			}
		}
	}


	/** Loads cell {@code index} on a background thread unless it is queued already. */
	private void queue(final long index, final boolean repaintAfter) {
		if (repaintAfter) {
			// Also when a read-ahead queued the cell first: its load then repaints.
			repaintWanted.add(index);
		}
		if (!queued.add(index)) {
			return;
		}
		ChunkedImg.BACKGROUND.execute(() -> {
			boolean loaded = false;
			try {
				fetch(index);
				loaded = true;
			}
			catch (final Throwable t) {
				// The thread that needs the cell loads it again and sees the failure itself.
				lastBackgroundError = t;
			}
			finally {
				queued.remove(index);
			}
			// After leaving the queue, so that a view asking meanwhile queues the cell again.
			if (repaintWanted.remove(index) && loaded) {
				for (final Object target : repaint) {
					requestRepaint(target);
				}
			}
		});
	}

	/** A volatile view's cell: the cached one, or invalid zeros while it loads in the background. */
	Cell getOrQueue(final long index) {
		final Entry e = entries.get(index);
		final Cell c = e == null ? null : e.cell;
		if (c != null) {
			touch(index);
			return c;
		}
		queue(index, true);
		final int n = grid.numDimensions();
		final long[] min = new long[n];
		final int[] size = new int[n];
		grid.getCellDimensions(index, min, size);
		return new Cell(size, min, placeholder().newAccess());
	}

	private Memory placeholder() {
		Memory m = placeholder;
		if (m == null) {
			long pixels = 1;
			for (int d = 0; d < grid.numDimensions(); d++) {
				pixels *= grid.cellDimension(d);
			}
			m = Memory.placeholder(pixels << PixelTypes.pixelShift(code), code);
			placeholder = m;
		}
		return m;
	}

	private static void requestRepaint(final Object target) {
		try {
			final Method m = target.getClass().getMethod("requestRepaint");
			m.invoke(target);
		}
		catch (final ReflectiveOperationException | RuntimeException e) {
			// A target without requestRepaint() is ignored: the view still updates on its next paint.
		}
	}

	private void touch(final long index) {
		synchronized (lru) {
			lru.get(index);
		}
	}

	private void load(final Entry e) {
		if (writable) {
			final Entry old = takeBack(e.index);
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
			throw error("computing", e.index, min, size, x);
		}
		final Memory memory = memoryOf(pixels, size);
		if (memory == null) {
			throw error("computing", e.index, min, size, new IllegalStateException("imglyb: the loader returned " + pixels + ", not a C-ordered image of " + Arrays.toString(size) + " pixels of the image's type" + (writable ? ", writable" : "")));
		}
		e.pixels = pixels;
		e.bytes = memory.bytes;
		// Whoever can still write into the cell (an access holds its memory) keeps the entry
		// reachable, and so on the gone list for flush() after it left the cache.
		if (writable) {
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
		if (p.memory.type != code || p.origin != 0 || p.numDimensions() != size.length || (writable && p.memory.readOnly)) {
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

	private CellException error(final String what, final long index, final long[] min, final int[] size, final Throwable cause) {
		final int n = min.length;
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
				evicted(old);
				dropped += old.bytes;
			}
			if (writable && gone.size() > 64) {
				gone.values().removeIf(r -> r.get() == null);
			}
			droppedSinceCollection += dropped;
			if (droppedSinceCollection >= Math.max(ChunkedImg.COLLECT_AFTER_AT_LEAST, maxBytes / 4)) {
				droppedSinceCollection = 0;
				Pressure.request();
			}
		}
	}

	/**
	 * Book-keeping for an entry just taken out of {@link #lru} (the caller holds it): writable,
	 * it is offered to the loader and kept for {@link #flush()}, weakly, or strongly when the
	 * write-back failed (which does not reach the thread that happened to evict it).
	 */
	private void evicted(final Entry old) {
		entries.remove(old.index, old);
		bytes -= old.bytes;
		evictions.incrementAndGet();
		if (writable) {
			try {
				store(old);
				gone.put(old.index, new WeakReference<>(old));
			}
			catch (final CellException x) {
				unwritten.put(old.index, old);
				lastWriteError = x;
			}
		}
	}

	/** Offers an entry to the loader; returns whether it was written. The caller holds {@link #lru}. */
	private boolean store(final Entry e) {
		try {
			final boolean written = loader.store(e.index, e.pixels);
			if (written) {
				stores.incrementAndGet();
			}
			return written;
		}
		catch (final RuntimeException | Error x) {
			final int n = grid.numDimensions();
			final long[] min = new long[n];
			final int[] size = new int[n];
			grid.getCellDimensions(e.index, min, size);
			throw error("writing back", e.index, min, size, x);
		}
	}

	int flush() {
		if (!writable) {
			return 0;
		}
		synchronized (lru) {
			// One copy of each cell at most: cached, or left the cache (taken back when asked
			// for). A collected one is gone: nobody could write into it any more.
			final List<Entry> all = new ArrayList<>(unwritten.values());
			for (final Iterator<WeakReference<Entry>> it = gone.values().iterator(); it.hasNext();) {
				final Entry e = it.next().get();
				if (e == null) {
					it.remove();
				}
				else {
					all.add(e);
				}
			}
			all.addAll(lru.values());
			int written = 0;
			CellException failed = null;
			for (final Entry e : all) {
				try {
					if (store(e)) {
						written++;
					}
					if (unwritten.remove(e.index, e)) {
						gone.put(e.index, new WeakReference<>(e));
					}
				}
				catch (final CellException x) {
					failed = failed == null ? x : failed;
					lastWriteError = x;
				}
			}
			if (failed != null) {
				throw failed;
			}
			return written;
		}
	}

	/**
	 * Writable only: the copy of cell {@code index} that left the cache and can still be
	 * written (or was not written back), taken off the lists; null if there is none.
	 */
	private Entry takeBack(final long index) {
		synchronized (lru) {
			final Entry kept = unwritten.remove(index);
			if (kept != null) {
				return kept;
			}
			final WeakReference<Entry> r = gone.remove(index);
			return r == null ? null : r.get();
		}
	}

	void clear() {
		synchronized (lru) {
			final boolean any = !lru.isEmpty();
			for (final Iterator<Entry> it = lru.values().iterator(); it.hasNext();) {
				final Entry e = it.next();
				it.remove();
				evicted(e);
			}
			if (any) {
				Pressure.request();
			}
		}
	}
}
