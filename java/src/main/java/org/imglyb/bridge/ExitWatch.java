/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

/**
 * What imglyb's exit hook needs to know of Java: whether Java is shutting down already (a
 * shutdown hook tells the native side, since {@code System.exit} reaches the C library's
 * {@code exit()} after Java has shut down) and whether a thread other than the caller would keep
 * {@code DestroyJavaVM} waiting.
 */
public final class ExitWatch {

	private ExitWatch() {}

	/** Tells the native side that Java shuts down; bound by imglyb at start-up. */
	private static native void javaShutsDown0();

	/** Installs the shutdown hook that calls {@link #javaShutsDown0()}; returns true. */
	public static boolean install() {
		Runtime.getRuntime().addShutdownHook(new Thread(ExitWatch::javaShutsDown0, "imglyb exit watch"));
		return true;
	}

	/**
	 * Whether every live thread other than the caller is a daemon: {@code DestroyJavaVM} waits for
	 * the others (an ImageJ or BigDataViewer window's event thread, say) to end.
	 */
	public static boolean onlyDaemonsBesideCaller() {
		final Thread caller = Thread.currentThread();
		for (final Thread t : Thread.getAllStackTraces().keySet()) {
			if (t != caller && t.isAlive() && !t.isDaemon()) {
				return false;
			}
		}
		return true;
	}
}
