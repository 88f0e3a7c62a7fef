/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Native memory drives Java's garbage collector. A wrapped array, or memory a
 * {@link SharedImgFactory} allocated, is released by a {@code Cleaner} once Java no longer reaches
 * it, which Java only finds out in a collection; its Java objects are tiny, so the heap alone
 * would not ask for one while gigabytes of native memory wait. This class counts the bytes of
 * native memory handed to Java (wrapped or allocated), and each time another {@link #THRESHOLD}
 * bytes have come in since the last collection it asked for, it asks for one
 * ({@code System.gc()}) on a background thread, one at a time, so no call into Java waits for
 * it. The Cleaners then release whatever Java no longer reaches. It also counts the bytes not
 * released yet ({@link #state()}).
 *
 * <p>Memory is counted once per block (by its start address) however many times it is wrapped:
 * wrapping the same NumPy array again holds no more native memory, so a loop that wraps one
 * array repeatedly asks for no collection (it used to ask for one every 2 GiB of re-wraps, which
 * made {@code to_imglib} of a 4 MiB array cost 11 µs instead of 4 µs here).
 *
 * <p>The threshold is {@code -Dimglyb.gcThreshold=BYTES} (suffixes k, m, g allowed), by default
 * an eighth of the machine's physical memory, at least 64 MiB and at most 2 GiB. {@code 0}
 * turns the collections off.
 */
public final class Pressure {

	/** Growth in held bytes, since the last requested collection, that requests the next. */
	static final long THRESHOLD = threshold();

	/** Bytes of native memory whose release has not run yet, each block counted once. */
	private static final AtomicLong HELD = new AtomicLong();

	/** Blocks held, by start address: {@code {holders, bytes}} (the largest size seen there). */
	private static final ConcurrentHashMap<Long, long[]> BLOCKS = new ConcurrentHashMap<>();

	/** Bytes handed to Java since the last requested collection. */
	private static final AtomicLong SINCE = new AtomicLong();

	private static final AtomicBoolean COLLECTING = new AtomicBoolean();

	/** Collections requested, for tests and diagnostics. */
	private static final AtomicLong COLLECTIONS = new AtomicLong();

	private Pressure() {}

	/**
	 * The block of {@code bytes} at {@code address} is held once more, until a
	 * {@link #released} of it; only memory not held yet counts toward a collection.
	 */
	static void held(final long address, final long bytes) {
		final long[] grown = new long[1];
		BLOCKS.compute(address, (key, block) -> {
			if (block == null) {
				grown[0] = bytes;
				return new long[] { 1, bytes };
			}
			block[0]++;
			if (bytes > block[1]) {
				grown[0] = bytes - block[1];
				block[1] = bytes;
			}
			return block;
		});
		if (grown[0] > 0) {
			grow(grown[0]);
		}
	}

	private static void grow(final long bytes) {
		HELD.addAndGet(bytes);
		final long since = SINCE.addAndGet(bytes);
		if (THRESHOLD > 0 && since > THRESHOLD && COLLECTING.compareAndSet(false, true)) {
			SINCE.addAndGet(-since);
			final Thread t = new Thread(Pressure::collect, "imglyb-native-memory-gc");
			t.setDaemon(true);
			t.start();
		}
	}

	/**
	 * Asks for a collection now (on the background thread, unless one is running): for a cell
	 * cache that has just dropped cells, whose memory Java will only release in a collection.
	 */
	public static void request() {
		if (THRESHOLD > 0 && COLLECTING.compareAndSet(false, true)) {
			SINCE.set(0);
			final Thread t = new Thread(Pressure::collect, "imglyb-native-memory-gc");
			t.setDaemon(true);
			t.start();
		}
	}

	/** One holder of the block at {@code address} released it. */
	static void released(final long address) {
		final long[] freed = new long[1];
		BLOCKS.computeIfPresent(address, (key, block) -> {
			if (--block[0] > 0) {
				return block;
			}
			freed[0] = block[1];
			return null;
		});
		HELD.addAndGet(-freed[0]);
	}

	private static void collect() {
		try {
			COLLECTIONS.incrementAndGet();
			System.gc();
		}
		finally {
			COLLECTING.set(false);
		}
	}

	/** {@code {held bytes, threshold, collections requested}}. */
	public static long[] state() {
		return new long[] { HELD.get(), THRESHOLD, COLLECTIONS.get() };
	}

	private static long threshold() {
		final String s = System.getProperty("imglyb.gcThreshold", "").trim().toLowerCase(java.util.Locale.ROOT);
		if (!s.isEmpty()) {
			long unit = 1;
			String digits = s;
			final char last = s.charAt(s.length() - 1);
			if (last == 'k' || last == 'm' || last == 'g') {
				unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
				digits = s.substring(0, s.length() - 1);
			}
			try {
				return Math.max(0, Math.multiplyExact(Long.parseLong(digits), unit));
			}
			catch (final NumberFormatException | ArithmeticException e) {
				System.err.println("imglyb: ignoring -Dimglyb.gcThreshold=" + s + ": not a number of bytes (suffixes k, m, g); using the default");
			}
		}
		// Physical memory from /proc/meminfo (Linux): the management beans would cost the first
		// wrap about 25 ms of class loading.
		long physical = 0;
		try {
			for (final String line : java.nio.file.Files.readAllLines(java.nio.file.Paths.get("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					physical = Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
					break;
				}
			}
		}
		catch (final java.io.IOException | RuntimeException e) {
			physical = 0;
		}
		final long eighth = physical > 0 ? physical / 8 : 256L << 20;
		return Math.max(64L << 20, Math.min(eighth, 2L << 30));
	}
}
