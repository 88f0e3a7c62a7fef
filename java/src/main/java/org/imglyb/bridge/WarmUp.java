/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

import java.util.HashMap;
import java.util.Map;

/**
 * Work a new JVM's first image will need, done on a second thread while the first calls run.
 *
 * <p>A user's first minute ({@code start_jvm()}, {@code to_imglib}, a cursor, a pixel) spends
 * much of its time on one-time work: bootstrapping the JVM's first lambda (ImgLib2's pixel types
 * make one), and describing classes for Python, where reflection loads every type their methods
 * mention. Started by {@link Bridge#warmUp()} once the JVM is up, this thread bootstraps a lambda
 * of its own and prepares the description of the class every wrapped array's proxy needs, which
 * {@link Reflect#inspect} then hands out instead of making it again. It also loads, links and
 * initializes ImgLib2's {@code Views}, which the first wrap needs ({@link #INITIALIZED}). It
 * initializes no other ImgLib2 class (it only loads them), and {@code Views}'s initializer reads
 * only its own assertion status, so it cannot deadlock with a class initialization on another
 * thread; and it changes no result: a description prepared here is the one {@code inspect}
 * would make. {@code -Dimglyb.warmUp=false} turns it off.
 */
public final class WarmUp implements Runnable {

	/**
	 * The classes described here: only the one every wrapped array's proxy needs, whose
	 * description loads no class a first {@code to_imglib} would not. Not the cursor's and the
	 * pixel's classes a first image may need: their descriptions load classes (ImgLib2's
	 * composites among them) that a process may never use otherwise, and with them prepared too,
	 * a heap image's cursor sum on JDK 25 took 1.3-1.4 times as long in three runs of
	 * {@code ci/bench} (1.0 without them).
	 */
	private static final String[] DESCRIBED = { "org.imglyb.img.StridedImg" };

	/**
	 * Classes loaded, linked and initialized here: every wrapped array is a {@code StridedImg},
	 * an {@code ImgView}, whose constructor calls {@code Views}, one of ImgLib2's largest classes
	 * (reading and verifying it took 2-3 ms of a first {@code to_imglib}). Its verification
	 * loads a few interfaces, no implementation of a pixel type, and nothing the first wrap would
	 * not load; its initializer only reads its assertion status.
	 */
	private static final String[] INITIALIZED = { "net.imglib2.view.Views" };

	/** Descriptions made here and not taken yet. Guarded by itself. */
	private static final Map<Class<?>, Reflect.Description> PREPARED = new HashMap<>();

	private WarmUp() {}

	/** Starts the thread, unless {@code -Dimglyb.warmUp=false}; returns whether it did. */
	static boolean start() {
		if ("false".equalsIgnoreCase(System.getProperty("imglyb.warmUp"))) {
			return false;
		}
		final Thread t = new Thread(new WarmUp(), "imglyb-warm-up");
		t.setDaemon(true);
		t.setPriority(Thread.MIN_PRIORITY);
		t.start();
		return true;
	}

	/** The description prepared for {@code c}, handed out once, or null. */
	static Reflect.Description take(final Class<?> c) {
		synchronized (PREPARED) {
			return PREPARED.remove(c);
		}
	}

	/** The names of the classes whose descriptions are prepared and not taken yet, for tests and diagnostics. */
	public static String[] prepared() {
		synchronized (PREPARED) {
			final String[] names = new String[PREPARED.size()];
			int i = 0;
			for (final Class<?> c : PREPARED.keySet()) {
				names[i++] = c.getName();
			}
			java.util.Arrays.sort(names);
			return names;
		}
	}

	@Override
	public void run() {
		final Runnable first = () -> {};
		first.run();
		final ClassLoader loader = WarmUp.class.getClassLoader();
		// The first wrap needs Views before it needs StridedImg's description.
		for (final String name : INITIALIZED) {
			try {
				Class.forName(name, true, loader);
			}
			catch (final Exception | LinkageError e) {
				// A class that is not there (another ImgLib2): the first wrap loads it itself.
			}
		}
		for (final String name : DESCRIBED) {
			try {
				final Class<?> c = Class.forName(name, false, loader);
				final Reflect.Description d = Reflect.describe(c);
				synchronized (PREPARED) {
					PREPARED.put(c, d);
				}
			}
			catch (final Exception | LinkageError e) {
				// A class that is not there (another ImgLib2), or one reflection cannot load:
				// the first call that needs it does this work itself, as without this thread.
			}
		}
	}
}
