/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

/**
 * imglyb refuses an argument it cannot handle (an image with no NumPy dtype, an unbounded view),
 * as opposed to a failure inside Java. Rust turns it into a type error with this message, as is;
 * Java callers may catch it as the {@link IllegalArgumentException} it is.
 */
public final class Refusal extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	/** A refusal saying {@code message}, which names what was refused and what to do instead. */
	public Refusal(final String message) {
		super(message);
	}
}
