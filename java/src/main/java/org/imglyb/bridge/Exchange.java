/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

/**
 * Hands one Java object from one Python bridge to another in the same process (imglyb and
 * JPype): one side {@link #give}s it, the other {@link #take}s it on the same thread. imglyb
 * defines this class in the system class loader (as it does {@link BridgeClassLoader}), so JPype
 * finds it by name, and both sides see the one copy. The slot is per thread, so hand-overs on
 * different threads never meet, and {@link #take} empties it, so nothing is kept alive.
 */
public final class Exchange {

	private static final ThreadLocal<Object> SLOT = new ThreadLocal<>();

	private Exchange() {}

	/** Puts {@code object} in this thread's slot. */
	public static void give(final Object object) {
		SLOT.set(object);
	}

	/** Takes the object in this thread's slot (null when empty), leaving the slot empty. */
	public static Object take() {
		final Object object = SLOT.get();
		SLOT.remove();
		return object;
	}
}
