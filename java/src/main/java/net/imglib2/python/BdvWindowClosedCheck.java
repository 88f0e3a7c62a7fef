/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package net.imglib2.python;

import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;

/**
 * Tells whether a window was closed: add it to a window with {@code addWindowListener}, then poll
 * {@link #isOpen()} until it is {@code false}, so a script can wait for its BigDataViewer window.
 * The name and methods are those of the original imglyb's helper, for scripts written against it.
 *
 * <p>A window counts as closed once it is closing ({@code windowClosing}, which BigDataViewer's
 * own {@code close()} also fires) or closed ({@code windowClosed}, after {@code dispose()}).
 */
public class BdvWindowClosedCheck extends WindowAdapter {

	private volatile boolean closed = false;

	/** Whether the window was closed (or is closing). */
	public boolean isClosed() {
		return closed;
	}

	/** Whether the window is still open. */
	public boolean isOpen() {
		return !closed;
	}

	@Override
	public void windowClosing(final WindowEvent event) {
		closed = true;
	}

	@Override
	public void windowClosed(final WindowEvent event) {
		closed = true;
	}
}
