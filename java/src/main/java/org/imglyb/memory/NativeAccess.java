/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * State shared by the native accesses, one final class per primitive type: the memory (which
 * holds the owner and the read-only flag) and the current window into it.
 *
 * <p>This class implements no ImgLib2 access interface, so it adds no implementation to any
 * interface call site; its methods are final. An image's cursors each hold their own access and
 * move its window; an {@code ArrayImg}'s single access never moves, because its memory fits one
 * window.
 */
public abstract class NativeAccess {

	/** The memory this access reads; it keeps the owner alive. */
	public final Memory memory;

	/** Writes throw, and never reach memory. */
	final boolean readOnly;

	/**
	 * False for the stand-in pixels of a cell that is still being computed
	 * ({@link ChunkedImg#volatileView()}); what {@code isValid()} of ImgLib2's volatile accesses
	 * returns.
	 */
	public final boolean valid;

	/** log2 of the primitive's size in bytes. */
	public final int shift;

	/** Unsafe path: the address of element 0 of the window. */
	long address;

	/** Buffer path: the window's buffer, whose byte 0 is element 0. */
	ByteBuffer buffer;

	/** Elements in the window; indices at or past it throw. */
	public int length;

	/** Byte offset of the window in the memory. */
	public long start;

	NativeAccess(final Memory memory, final int shift) {
		this.memory = memory;
		this.readOnly = memory.readOnly;
		this.valid = memory.valid;
		this.shift = shift;
		moveTo(0);
	}

	/** Shows window {@code k} of the memory. */
	public final void moveTo(final int k) {
		final long s = (long) k << Memory.WINDOW_SHIFT;
		start = s;
		length = (int) (Math.max(0, memory.windowBytes(k)) >> shift);
		if (Memory.UNSAFE) {
			address = memory.address + s;
		}
		else {
			buffer = memory.window(k);
		}
	}

	/**
	 * Throws {@link IndexOutOfBoundsException} unless {@code 0 <= i < length}. Two forms, chosen
	 * once per JVM by {@link Memory#INTRINSIC_CHECK}, because the JIT treats them differently:
	 * on Java 17 the intrinsic {@code Objects.checkIndex}, inlined into ImgLib2's shared
	 * type-to-access call next to the heap arrays' code, halves the speed of heap images too
	 * (measured by {@code ci/bench} as {@code pollution_ratio}), while the plain comparison leaves
	 * them alone; on Java 25 it is the other way round.
	 */
	final void checkIndex(final int i) {
		if (Memory.INTRINSIC_CHECK) {
			Objects.checkIndex(i, length);
		}
		else if (i < 0 || i >= length) {
			throw new IndexOutOfBoundsException("imglyb: index " + i + " out of bounds for length " + length);
		}
	}

	/** Whether these are the real pixels, not a pending cell's stand-in (volatile accesses). */
	public final boolean isValid() {
		return valid;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + " over " + memory;
	}
}
