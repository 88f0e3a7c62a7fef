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

	/**
	 * Elements in the window; indices at or past it throw. Never more than
	 * {@code Integer.MAX_VALUE >> shift} ({@link #checkIndex} relies on it), and not public: a
	 * larger value written from outside would let reads pass the window.
	 */
	int length;

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
	 * Returns {@code i}, or throws {@link IndexOutOfBoundsException} unless {@code 0 <= i < length}.
	 * Two forms, chosen once per JVM by {@link Memory#INTRINSIC_CHECK}, because the JIT treats them
	 * differently. On Java 21 and 25 the intrinsic {@code Objects.checkIndex} lets a wrapped image's
	 * cursor sum run as fast as a heap image's (below), and the heap images beside it keep their
	 * speed ({@code pollution_ratio_same_work}). On Java 17 it made the strided cursor's sum
	 * bimodal (1.4 or 2.9 times the C-ordered sum from one JVM to the next, two JVMs in five), and
	 * before this class's cursors changed it halved heap images' speed in ImgLib2's shared
	 * type-to-access call; the plain comparison there keeps the sum at 1.08 times the heap's.
	 *
	 * <p>{@code limit} is the subclass's {@code Integer.MAX_VALUE >> shift}, a constant: no window
	 * holds more elements ({@link Memory#WINDOW_CAPACITY}), so {@code length & limit} is
	 * {@code length}. Said that way, the JIT knows that the index the intrinsic returns, times the
	 * element size, fits in an int, and folds it and the address into one addressing mode, as it
	 * does for a Java array; read from a field alone, the length could be anything, and every read
	 * paid a sign extension and an address computation (a wrapped float sum on Java 25 took 1.26
	 * times the heap sum, and takes 1.0 this way: docs/performance.md).
	 */
	final int checkIndex(final int i, final int limit) {
		if (Memory.INTRINSIC_CHECK) {
			return Objects.checkIndex(i, length & limit);
		}
		if (i < 0 || i >= length) {
			throw new IndexOutOfBoundsException("imglyb: index " + i + " out of bounds for length " + length);
		}
		return i;
	}

	/** Elements in the window; indices at or past it throw. */
	public final int length() {
		return length;
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
