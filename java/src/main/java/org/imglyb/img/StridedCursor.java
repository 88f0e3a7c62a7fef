/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import net.imglib2.AbstractEuclideanSpace;
import net.imglib2.Cursor;
import net.imglib2.type.NativeType;

import org.imglyb.memory.*;

/**
 * Flat-order cursor of a {@link StridedImg} (dimension 0 fastest) with its own access.
 *
 * <p>It walks rows (lines along dimension 0). At the start of each row it moves its access's
 * window so that the whole row lies in it; a step along the row is then one comparison of the
 * type's index with the row's last index and one {@code type.incIndex(stride)}: nothing else is
 * stored, and the position along dimension 0 is worked out from the index when asked for. A row
 * that no window holds (it spans more than 1 GiB) or that does not move (stride 0, a broadcast
 * axis) is a slow row, walked pixel by pixel with {@code long} offsets.
 *
 * <p>The step from one row to the next is a chain of small methods, each at most 35 bytes of
 * bytecode, HotSpot's limit for inlining a call made rarely ({@code MaxInlineSize}). In a loop
 * over this cursor every path taken at run time is then inlined, the usual ones (the next pixel,
 * the next row, the next plane, the end) with no call left in the loop; a call on any of them,
 * even one taken once per sweep, makes the compiled loop reload the cursor's fields and check
 * the pixel type's class again at every pixel, about twice the time per pixel. What the usual
 * layouts never see (slow rows, a new window) is in methods the JIT leaves out of the loop.
 */
public final class StridedCursor<T extends NativeType<T>> extends AbstractEuclideanSpace implements Cursor<T>, StridedPixels.StridedSampler {

	private final StridedPixels<T, ?> img;
	private final NativeAccess access;
	private final T type;
	private final long[] dims;
	private final long[] strides;
	private final long stride0;

	/** {@link #stride0} as an int, for index steps on fast rows. */
	private final int step0;

	/** Offset from a row's first pixel to its last: {@code stride0 * last0}. */
	private final long span0;

	/** {@link #span0} as an int: exact on fast rows, which lie in one window. */
	private final int span;

	/** True when rows can be fast: {@link #stride0} is an int and not 0. */
	private final boolean strided;

	/**
	 * The change of {@link #rowStart} when dimension {@code d} moves on by one and dimensions 1 to
	 * {@code d - 1} go back to 0; element 0 is unused.
	 */
	private final long[] jumps;

	private final long last0;
	private final long rows;
	private final int shift;

	/** When {@link #step0} is plus or minus a power of two: its exponent, else -1. */
	private final int xShift;

	/** Positions of dimensions 1 and up; element 0 is unused ({@link #x()} gives it). */
	private final long[] position;

	/**
	 * Position along dimension 0 on a slow row and past the end; on a fast row {@link #x()} works
	 * it out from the type's index.
	 */
	private long x;

	/**
	 * The type's index at which {@link #fwd()} leaves its fast path: the row's last pixel on a
	 * fast row, the current pixel otherwise (so every step of a slow row goes through
	 * {@link #step()}).
	 */
	private int stop;

	/** Rows after the current one. */
	private long rowsLeft;

	/** Pixel offset, in the memory, of the current row's first pixel. */
	private long rowStart;

	/** True when the current row lies in the window and moves, so steps move the type's index. */
	private boolean fast;

	/** The window, in pixels of the memory: [lo, hi). */
	private long lo;
	private long hi;

	/** The rows the window holds whole, by their first pixel: [rowLo, rowHi). */
	private long rowLo;
	private long rowHi;

	StridedCursor(final StridedPixels<T, ?> img) {
		super(img.numDimensions());
		this.img = img;
		this.access = img.memory.newAccess();
		this.type = img.createLinkedType();
		this.dims = new long[n];
		img.dimensions(dims);
		this.strides = img.strides;
		this.stride0 = n == 0 ? 0 : strides[0];
		this.step0 = (int) stride0;
		this.strided = stride0 == step0 && stride0 != 0;
		final long size = img.size();
		this.last0 = size == 0 ? -1 : n == 0 ? 0 : dims[0] - 1;
		this.rows = size == 0 ? 0 : n == 0 ? 1 : size / dims[0];
		this.span0 = stride0 * last0;
		this.span = (int) span0;
		this.jumps = new long[Math.max(n, 1)];
		long back = 0;
		for (int d = 1; d < n; d++) {
			jumps[d] = strides[d] - back;
			back += strides[d] * (dims[d] - 1);
		}
		final long magnitude = Math.abs(stride0);
		this.xShift = magnitude != 0 && (magnitude & (magnitude - 1)) == 0 ? Long.numberOfTrailingZeros(magnitude) : -1;
		this.shift = img.shift;
		this.position = new long[Math.max(n, 1)];
		type.updateContainer(this);
		window(0);
		reset();
	}

	private StridedCursor(final StridedCursor<T> c) {
		this(c.img);
		x = c.x;
		rowsLeft = c.rowsLeft;
		rowStart = c.rowStart;
		fast = c.fast;
		stop = c.stop;
		System.arraycopy(c.position, 0, position, 0, position.length);
		window((int) (c.access.start >> Memory.WINDOW_SHIFT));
		type.updateIndex(c.type.getIndex());
	}

	@Override
	public NativeAccess access() {
		return access;
	}

	private void window(final int k) {
		access.moveTo(k);
		lo = access.start >> shift;
		hi = lo + (((long) access.length << access.shift) >> shift);
		if (strided) {
			rowLo = lo - Math.min(0, span0);
			rowHi = hi - Math.max(0, span0);
		}
		else {
			rowLo = Long.MAX_VALUE;
			rowHi = Long.MIN_VALUE;
		}
	}

	/**
	 * Points the type at pixel offset {@code offset}, moving the window if needed, off the fast
	 * path: the next {@link #fwd()} calls {@link #step()}.
	 */
	private void point(final long offset) {
		if (offset < lo || offset >= hi) {
			window(Memory.windowOf(offset << shift));
		}
		stop = (int) (offset - lo);
		type.updateIndex(stop);
	}

	/**
	 * True when the row starting at pixel offset {@code s} lies in the window and can be fast.
	 * At most 35 bytes.
	 */
	private boolean holds(final long s) {
		return s >= rowLo && s < rowHi;
	}

	/**
	 * Enters the row starting at {@link #rowStart}: moves the window to hold the row when one can,
	 * and decides between index steps ({@link #fast}) and offset steps.
	 */
	private void enterRow() {
		final long end = rowStart + span0;
		final long first = Math.min(rowStart, end);
		if (first < lo || Math.max(rowStart, end) >= hi) {
			window(Memory.windowOf(first << shift));
		}
		fast = holds(rowStart);
		if (fast) {
			stop = (int) (rowStart - lo) + span;
		}
	}

	/** Enters the row at {@link #rowStart} and points the type at pixel {@link #x} of it. */
	private void enter() {
		enterRow();
		if (fast) {
			type.updateIndex((int) (rowStart - lo + x * stride0));
		}
		else {
			point(rowStart + x * stride0);
		}
	}

	/** Position along dimension 0: from the type's index on a fast row, else {@link #x}. */
	private long x() {
		if (!fast) {
			return x;
		}
		final int d = type.getIndex() - (stop - span);
		if (xShift < 0) {
			return d / step0;
		}
		return step0 > 0 ? d >> xShift : -(d >> xShift);
	}

	@Override
	public T get() {
		return type;
	}

	/**
	 * One step. The common case (the next pixel of a row in the window) is all this method does,
	 * so that it inlines small next to other cursors in a loop that sees both (a heap
	 * {@code ArrayCursor} and this one): everything else is in {@link #step()}.
	 */
	@Override
	public void fwd() {
		if (type.getIndex() != stop) {
			type.incIndex(step0);
			return;
		}
		step();
	}

	/** {@link #fwd()} at a fast row's last pixel, or on a slow row. At most 35 bytes (see above). */
	private void step() {
		if (!fast) {
			slowStep();
			return;
		}
		if (rowsLeft <= 0) {
			end();
			return;
		}
		nextFastRow();
	}

	/** From a fast row's last pixel to the next row's first. At most 35 bytes. */
	private void nextFastRow() {
		--rowsLeft;
		rowStart += jumps[carry()];
		enterFast();
	}

	/**
	 * Moves the position of dimensions 1 and up to the next row; returns the dimension that moved
	 * on (the others went back to 0). At most 35 bytes.
	 */
	private int carry() {
		return ++position[1] < dims[1] ? 1 : carryFar();
	}

	/** {@link #carry()} past the end of dimension 1: the next plane, or further. At most 35 bytes. */
	private int carryFar() {
		int d = 1;
		do {
			position[d++] = 0;
		}
		while (++position[d] == dims[d]);
		return d;
	}

	/** Enters the row at {@link #rowStart} after a fast row. At most 35 bytes. */
	private void enterFast() {
		if (holds(rowStart)) {
			startFastRow();
		}
		else {
			x = 0;
			enter();
		}
	}

	/** Points the type at the first pixel of the fast row at {@link #rowStart}. At most 35 bytes. */
	private void startFastRow() {
		final int i = (int) (rowStart - lo);
		stop = i + span;
		type.updateIndex(i);
	}

	/**
	 * Past the last pixel: as ImgLib2's cursors, reading or writing now throws
	 * (IndexOutOfBoundsException from the access) and reaches no memory. At most 35 bytes.
	 */
	private void end() {
		x = last0 + 1;
		fast = false;
		stop = -1;
		type.updateIndex(-1);
	}

	/** {@link #fwd()} on a slow row: the next pixel, or the next row, or the end. */
	private void slowStep() {
		if (x < last0) {
			++x;
			point(rowStart + x * stride0);
			return;
		}
		if (rowsLeft <= 0) {
			end();
			return;
		}
		--rowsLeft;
		rowStart += jumps[carry()];
		x = 0;
		enter();
	}

	@Override
	public T next() {
		fwd();
		return type;
	}

	@Override
	public boolean hasNext() {
		return rowsLeft > 0 || (fast ? type.getIndex() != stop : x < last0);
	}

	@Override
	public void jumpFwd(final long steps) {
		final long width = last0 + 1;
		final long flat = (rows - 1 - rowsLeft) * width + x() + steps;
		final long row = flat / width;
		long rest = row;
		rowStart = img.origin;
		for (int d = 1; d < n; d++) {
			position[d] = rest % dims[d];
			rest /= dims[d];
			rowStart += position[d] * strides[d];
		}
		rowsLeft = rows - 1 - row;
		x = flat - row * width;
		if (x < 0) {
			// Before the first pixel (a jump back to the start).
			reset();
			return;
		}
		enter();
	}

	@Override
	public void reset() {
		for (int d = 0; d < position.length; d++) {
			position[d] = 0;
		}
		rowStart = img.origin;
		if (rows == 0) {
			rowsLeft = 0;
			x = last0;
			fast = false;
			stop = type.getIndex();
			return;
		}
		// Before the first pixel, as ImgLib2's cursors are: in row 0, one step before its first
		// pixel (position -1), so that the first fwd() is an ordinary step.
		rowsLeft = rows - 1;
		x = -1;
		enterRow();
		if (fast) {
			type.updateIndex(stop - span - step0);
		}
		else {
			stop = type.getIndex();
		}
	}

	@Override
	public void remove() {
		throw new UnsupportedOperationException("imglyb: images cannot remove pixels");
	}

	@Override
	public long getLongPosition(final int d) {
		return d == 0 ? x() : position[d];
	}

	@Override
	public int getIntPosition(final int d) {
		return (int) getLongPosition(d);
	}

	@Override
	public float getFloatPosition(final int d) {
		return getLongPosition(d);
	}

	@Override
	public double getDoublePosition(final int d) {
		return getLongPosition(d);
	}

	@Override
	public void localize(final long[] out) {
		for (int d = 0; d < n; d++) {
			out[d] = getLongPosition(d);
		}
	}

	@Override
	public void localize(final int[] out) {
		for (int d = 0; d < n; d++) {
			out[d] = (int) getLongPosition(d);
		}
	}

	@Override
	public void localize(final float[] out) {
		for (int d = 0; d < n; d++) {
			out[d] = getLongPosition(d);
		}
	}

	@Override
	public void localize(final double[] out) {
		for (int d = 0; d < n; d++) {
			out[d] = getLongPosition(d);
		}
	}

	/**
	 * A copy at the same position. Declared to return {@code Cursor}, not this class: ImgLib2 5
	 * and newer declare {@code Cursor<T> copy()}, and only this descriptor (plus the bridge
	 * javac adds for {@code Sampler.copy()}) implements it in every version.
	 */
	@Override
	public Cursor<T> copy() {
		return new StridedCursor<>(this);
	}

	@Override
	public Cursor<T> copyCursor() {
		return copy();
	}
}
