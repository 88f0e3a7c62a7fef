/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
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

	/**
	 * Blocks held, by start address: {@code {holders, bytes}} (the largest size seen there). Guarded
	 * by itself: plain code, no lambdas, since the first wrap in a JVM runs it and a first lambda
	 * costs milliseconds to bootstrap.
	 */
	private static final HashMap<Long, long[]> BLOCKS = new HashMap<>();

	/** Bytes handed to Java since the last requested collection. */
	private static final AtomicLong SINCE = new AtomicLong();

	/**
	 * 1 while a requested collection runs, else 0: an {@code AtomicInteger}, not an
	 * {@code AtomicBoolean}, whose VarHandle would cost the first wrap in a JVM a millisecond of
	 * method-handle set-up on JDK 17.
	 */
	private static final AtomicInteger COLLECTING = new AtomicInteger();

	/** Collections requested, for tests and diagnostics. */
	private static final AtomicLong COLLECTIONS = new AtomicLong();

	private Pressure() {}

	/**
	 * The block of {@code bytes} at {@code address} is held once more, until a
	 * {@link #released} of it; only memory not held yet counts toward a collection.
	 */
	static void held(final long address, final long bytes) {
		final long grown;
		synchronized (BLOCKS) {
			final long[] block = BLOCKS.get(address);
			if (block == null) {
				BLOCKS.put(address, new long[] { 1, bytes });
				grown = bytes;
			}
			else {
				block[0]++;
				grown = Math.max(0, bytes - block[1]);
				block[1] = Math.max(block[1], bytes);
			}
		}
		if (grown > 0) {
			grow(grown);
		}
	}

	private static void grow(final long bytes) {
		HELD.addAndGet(bytes);
		final long since = SINCE.addAndGet(bytes);
		if (THRESHOLD > 0 && since > THRESHOLD && COLLECTING.compareAndSet(0, 1)) {
			SINCE.addAndGet(-since);
			final Thread t = new Thread(new Collector(), "imglyb-native-memory-gc");
			t.setDaemon(true);
			t.start();
		}
	}

	/**
	 * Asks for a collection now (on the background thread, unless one is running): for a cell
	 * cache that has just dropped cells, whose memory Java will only release in a collection.
	 */
	public static void request() {
		if (THRESHOLD > 0 && COLLECTING.compareAndSet(0, 1)) {
			SINCE.set(0);
			final Thread t = new Thread(new Collector(), "imglyb-native-memory-gc");
			t.setDaemon(true);
			t.start();
		}
	}

	/** One holder of the block at {@code address} released it. */
	static void released(final long address) {
		long freed = 0;
		synchronized (BLOCKS) {
			final long[] block = BLOCKS.get(address);
			if (block != null && --block[0] <= 0) {
				BLOCKS.remove(address);
				freed = block[1];
			}
		}
		HELD.addAndGet(-freed);
	}

	/** The background collection (a class, not a lambda: see {@link #BLOCKS}). */
	private static final class Collector implements Runnable {
		@Override
		public void run() {
			collect();
		}
	}

	private static void collect() {
		try {
			COLLECTIONS.incrementAndGet();
			System.gc();
		}
		finally {
			COLLECTING.set(0);
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
		try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/meminfo")) {
			// "MemTotal:   24576000 kB" is the first line; read plainly, no NIO or regex to load.
			final byte[] head = new byte[128];
			final int n = in.read(head);
			final String first = new String(head, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII);
			if (first.startsWith("MemTotal:")) {
				for (int i = "MemTotal:".length(); i < first.length(); i++) {
					final char c = first.charAt(i);
					if (c >= '0' && c <= '9') {
						physical = physical * 10 + (c - '0');
					}
					else if (c == '\n' || (c != ' ' && physical > 0)) {
						break;
					}
				}
				physical <<= 10;
			}
		}
		catch (final java.io.IOException | RuntimeException e) {
			physical = 0;
		}
		final long eighth = physical > 0 ? physical / 8 : 256L << 20;
		return Math.max(64L << 20, Math.min(eighth, 2L << 30));
	}
}
