/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.cell;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import org.imglyb.memory.Memory;
import org.imglyb.memory.PixelTypes;

/**
 * A {@link CellCache}'s background loads: cells read ahead of a sweep, and the cells a volatile
 * view is waiting for, shown meanwhile as invalid zeros (one shared placeholder) and repainted
 * when they arrive. It knows the cache only through {@link CellCache#fetch} and the cached
 * entries; admission, eviction and write-back stay the cache's.
 */
@SuppressWarnings({ "rawtypes", "unchecked" })
final class Background {

	private final CellCache cache;

	/** Cells being loaded in the background. */
	private final Set<Long> queued = ConcurrentHashMap.newKeySet();

	/** Cells a volatile view asked for: their repaint targets are told when they are loaded. */
	private final Set<Long> repaintWanted = ConcurrentHashMap.newKeySet();

	final List<Object> repaint = new CopyOnWriteArrayList<>();

	volatile Throwable lastError;

	/** Cells loaded ahead of a sweep; see {@link #asked(long)}. */
	volatile int readAhead;

	/** The last cell asked for, when reading ahead (racy by design: a hint). */
	private volatile long lastAsked = -2;

	/** The stand-in pixels of pending cells, as large as the largest cell. */
	private volatile Memory placeholder;

	Background(final CellCache cache, final long cellBytes) {
		this.cache = cache;
		// Read ahead (as many cells as there are background threads) only when the cache holds
		// enough cells that loading ahead cannot push out the cells being read.
		this.readAhead = cache.maxBytes / Math.max(1, cellBytes) >= 8 ? ChunkedImg.BACKGROUND_THREADS : 0;
	}

	/**
	 * Cell {@code index} is being asked for. Right after the cell before it (a sweep in cell
	 * order, such as a cursor's or a copy's), queues those of the next {@link #readAhead} cells
	 * that are not loaded, so that the host computes them while Java works on this one.
	 */
	void asked(final long index) {
		final int ahead = readAhead;
		if (ahead <= 0) {
			return;
		}
		final long previous = lastAsked;
		lastAsked = index;
		if (index != previous + 1) {
			return;
		}
		for (long next = index + 1; next <= index + ahead && next < cache.cellCount; next++) {
			if (!cache.isLoaded(next)) {
				queue(next, false);
			}
		}
	}

	/** A volatile view's cell: the cached one, or invalid zeros while it loads in the background. */
	Cell getOrQueue(final long index) {
		final Cell c = cache.cachedCell(index);
		if (c != null) {
			return c;
		}
		queue(index, true);
		final CellGrid grid = cache.grid;
		final int n = grid.numDimensions();
		final long[] min = new long[n];
		final int[] size = new int[n];
		grid.getCellDimensions(index, min, size);
		return new Cell(size, min, placeholder().newAccess());
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
				cache.fetch(index);
				loaded = true;
			}
			catch (final Throwable t) {
				// The thread that needs the cell loads it again and sees the failure itself.
				lastError = t;
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

	private Memory placeholder() {
		Memory m = placeholder;
		if (m == null) {
			m = Memory.placeholder(cache.cellPixels << PixelTypes.pixelShift(cache.code), cache.code);
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
}
