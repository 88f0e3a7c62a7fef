/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.cell;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.imglyb.cell.CellCache.Entry;
import org.imglyb.cell.ChunkedImg.CellException;

/**
 * A writable {@link CellCache}'s write-back: every cell that leaves the cache is offered to the
 * loader's {@link ChunkedImg.Loader#store}, and the cells that may still change are remembered
 * until {@link #flush} has written them. A cell that left the cache is kept weakly (whoever can
 * still write into it holds its memory, and so its entry); a cell whose write-back failed is kept
 * strongly, so nothing written is lost. Either is taken back, never loaded a second time, when
 * Java asks for it again.
 *
 * <p>Every method runs under the cache's lock ({@link CellCache#lru}), which the caller holds.
 */
final class WriteBack {

	private final CellCache cache;

	/** By cell index: cells that left the cache, for {@link #flush} and to be taken back. */
	private final Map<Long, WeakReference<Entry>> gone = new HashMap<>();

	/** By cell index: cells whose write-back failed when they left the cache. */
	final Map<Long, Entry> unwritten = new HashMap<>();

	volatile Throwable lastError;

	final AtomicLong stores = new AtomicLong();

	WriteBack(final CellCache cache) {
		this.cache = cache;
	}

	/**
	 * An entry just left the cache: offered to the loader and kept for {@link #flush}, weakly, or
	 * strongly when the write-back failed (which does not reach the thread that happened to evict
	 * it).
	 */
	void left(final Entry old) {
		try {
			store(old);
			gone.put(old.index, new WeakReference<>(old));
		}
		catch (final CellException x) {
			unwritten.put(old.index, old);
			lastError = x;
		}
		if (gone.size() > 64) {
			gone.values().removeIf(r -> r.get() == null);
		}
	}

	/**
	 * The copy of cell {@code index} that left the cache and can still be written (or was not
	 * written back), taken off the lists; null if there is none.
	 */
	Entry takeBack(final long index) {
		final Entry kept = unwritten.remove(index);
		if (kept != null) {
			return kept;
		}
		final WeakReference<Entry> r = gone.remove(index);
		return r == null ? null : r.get();
	}

	/**
	 * Offers every cell that may have changed to the loader: the cached ones ({@code cached}) and
	 * those that left the cache and are still reachable or unwritten. Returns how many were
	 * written; throws the first failure after trying them all.
	 */
	int flush(final Iterable<Entry> cached) {
		// One copy of each cell at most: cached, or left the cache (taken back when asked for).
		// A collected one is gone: nobody could write into it any more.
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
		for (final Entry e : cached) {
			all.add(e);
		}
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
				lastError = x;
			}
		}
		if (failed != null) {
			throw failed;
		}
		return written;
	}

	/** Offers an entry to the loader; returns whether it was written. */
	private boolean store(final Entry e) {
		try {
			final boolean written = cache.loader.store(e.index, e.pixels);
			if (written) {
				stores.incrementAndGet();
			}
			return written;
		}
		catch (final RuntimeException | Error x) {
			throw cache.error("writing back", e.index, x);
		}
	}
}
