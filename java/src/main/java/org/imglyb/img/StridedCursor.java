/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import net.imglib2.Positionable;
import net.imglib2.RealPositionable;
import net.imglib2.img.array.AbstractArrayCursor;
import net.imglib2.type.NativeType;

import org.imglyb.memory.*;

/**
 * Flat-order cursor of a {@link StridedImg} (dimension 0 fastest) with its own access.
 *
 * <p>It walks rows (lines along dimension 0). At the start of each row it moves its access's
 * window so that the whole row lies in it; a step along the row is then one comparison of the
 * type's index with the row's last index and one {@code type.updateIndex}: nothing else is
 * stored, and the position along dimension 0 is worked out from the index when asked for. A row
 * that no window holds (it spans more than 1 GiB) or that does not move (stride 0, a broadcast
 * axis) is a slow row, walked pixel by pixel with {@code long} offsets.
 *
 * <p>Everything a usual layout does at run time, the next row and plane and the end included, is
 * in {@link #fwd()} itself, with no call that HotSpot would leave out of line: in a loop over
 * this cursor the compiled code then keeps the cursor's fields and the pixel type in registers
 * (see {@link #fwd()}). What the usual layouts never see (slow rows, a new window) is in methods
 * the JIT leaves out of the loop.
 *
 * <p><b>Why an {@code AbstractArrayCursor}.</b> ImgLib2's {@code LoopBuilder} (5 and newer) runs a
 * loop with cursors only when every image's cursor is one it knows to be fast, and tells them by
 * their class ({@code AbstractArrayCursor} among them); for any other it positions random accesses
 * at every pixel, about four times slower here. So this class extends {@code AbstractArrayCursor},
 * over a one-pixel {@code ArrayImg} ({@link StridedPixels#carrier()}) that only carries the pixel
 * type linked to the strided pixels, and overrides every method that would use that image: no
 * ImgLib2 code reaches it, and the pixel type reads through this cursor's own access.
 */
public final class StridedCursor<T extends NativeType<T>> extends AbstractArrayCursor<T> implements StridedPixels.StridedSampler {

	private final StridedPixels<T, ?> pixels;
	private final NativeAccess access;

	/** The dimensions of the interval walked: the whole image, or a part of it. */
	private final long[] dims;

	/** The interval's minimum (zeros for the whole image): positions are the image's. */
	private final long[] min;

	/** {@code min[0]}, added to the position along dimension 0 that {@link #x()} works out. */
	private final long min0;

	/** {@code min[d] + dims[d]}: where the position of dimension {@code d} wraps. */
	private final long[] ends;

	/** Pixel offset, in the memory, of the interval's first pixel. */
	private final long origin;
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

	/**
	 * Positions of dimensions 1 and up, in the image's coordinates; element 0 is unused
	 * ({@link #x()} gives it).
	 */
	private final long[] position;

	/**
	 * Position along dimension 0 on a slow row and past the end; on a fast row {@link #x()} works
	 * it out from the type's index.
	 */
	private long x;

	/**
	 * The type's index at which {@link #fwd()} leaves its fast path: the row's last pixel on a
	 * fast row, the current pixel otherwise (so every step of a slow row goes through
	 * {@link #slowStep()}), -1 past the end.
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

	/** A cursor over the whole image. */
	StridedCursor(final StridedPixels<T, ?> img) {
		this(img, new long[img.numDimensions()], net.imglib2.util.Intervals.dimensionsAsLongArray(img));
	}

	/**
	 * A cursor over the part {@code [min, min + dims)} of the image, which must lie in it; it
	 * reports positions in the image's coordinates.
	 */
	StridedCursor(final StridedPixels<T, ?> img, final long[] min, final long[] dims) {
		// AbstractArrayCursor's constructor calls reset() before this one sets any field, so
		// reset() does nothing until the cursor is set up (position is null until then).
		super(img.carrier(), 0, 0);
		this.pixels = img;
		this.access = img.memory.newAccess();
		this.dims = dims.clone();
		this.min = min.clone();
		this.strides = img.strides;
		long o = img.origin;
		long size = 1;
		for (int d = 0; d < n; d++) {
			o += this.min[d] * strides[d];
			size *= this.dims[d];
		}
		this.origin = o;
		this.min0 = n == 0 ? 0 : this.min[0];
		this.ends = new long[n];
		for (int d = 0; d < n; d++) {
			ends[d] = this.min[d] + this.dims[d];
		}
		this.stride0 = n == 0 ? 0 : strides[0];
		this.step0 = (int) stride0;
		this.strided = stride0 == step0 && stride0 != 0;
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
		this(c.pixels, c.min, c.dims);
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
		hi = lo + (((long) access.length() << access.shift) >> shift);
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
	 * path: the next {@link #fwd()} calls {@link #slowStep()}.
	 */
	private void point(final long offset) {
		if (offset < lo || offset >= hi) {
			window(Memory.windowOf(offset << shift));
		}
		stop = (int) (offset - lo);
		type.updateIndex(stop);
	}

	/** True when the row starting at pixel offset {@code s} lies in the window and can be fast. */
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

	/**
	 * One step. Everything a usual layout does at run time is in this method's own bytecode: the
	 * next pixel of the row, the next row (and plane) in the same window, and the end; each sets
	 * the type's index through the one {@code updateIndex} call at the bottom. HotSpot's C2 does
	 * not inline a call made rarely (on JDK 17 a method run fewer than 250 times, on JDK 18 and
	 * newer a call site reached on fewer than 0.85 % of this method's runs), and a call left in
	 * a loop makes it reload the cursor's fields and check the pixel type's class at every pixel,
	 * about twice the time per pixel; so the row change calls nothing. What the usual layouts
	 * never reach (slow rows, another window) is in {@link #slowStep()} and {@link #enter()}.
	 * At most 325 bytes, the size C2 inlines at a call site run often ({@code FreqInlineSize}).
	 */
	@Override
	public void fwd() {
		final int i = type.getIndex();
		int next = i + step0;
		if (i == stop) {
			if (!fast) {
				slowStep();
				return;
			}
			if (rowsLeft > 0) {
				--rowsLeft;
				// carry(), written out: a call here would be one C2 leaves out of line.
				int d = 1;
				while (++position[d] == ends[d]) {
					position[d] = min[d];
					d++;
				}
				final long s = rowStart += jumps[d];
				if (s < rowLo || s >= rowHi) {
					x = 0;
					enter();
					return;
				}
				next = (int) (s - lo);
				stop = next + span;
			}
			else {
				// Past the last pixel: as ImgLib2's cursors, reading or writing now throws
				// (IndexOutOfBoundsException from the access) and reaches no memory.
				x = last0 + 1;
				fast = false;
				stop = -1;
				next = -1;
			}
		}
		type.updateIndex(next);
	}

	/** {@link #fwd()} on a slow row: the next pixel, or the next row, or the end. */
	private void slowStep() {
		if (x < last0) {
			++x;
			point(rowStart + x * stride0);
			return;
		}
		if (rowsLeft <= 0) {
			// Past the last pixel (see fwd()).
			x = last0 + 1;
			stop = -1;
			type.updateIndex(-1);
			return;
		}
		--rowsLeft;
		rowStart += jumps[carry()];
		x = 0;
		enter();
	}

	/**
	 * Moves the position of dimensions 1 and up to the next row: dimension 1 on by one, or, at its
	 * end, back to its start and the next one on, and so on; returns the dimension that moved on.
	 * Never called past the last row ({@link #rowsLeft} says when that is), so one always can.
	 * {@link #fwd()} holds the same loop written out.
	 */
	private int carry() {
		int d = 1;
		while (++position[d] == ends[d]) {
			position[d] = min[d];
			d++;
		}
		return d;
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
		rowStart = origin;
		for (int d = 1; d < n; d++) {
			final long p = rest % dims[d];
			rest /= dims[d];
			position[d] = min[d] + p;
			rowStart += p * strides[d];
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
		if (position == null) {
			return; // called by AbstractArrayCursor's constructor, before this one's
		}
		for (int d = 0; d < n; d++) {
			position[d] = min[d];
		}
		rowStart = origin;
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

	/**
	 * The cursor's position. Not the pixel's value, as {@code AbstractArrayCursor}'s would be: that
	 * reads the pixel, which throws before the first step and past the last.
	 */
	@Override
	public String toString() {
		final long[] p = new long[n];
		localize(p);
		return "StridedCursor at " + java.util.Arrays.toString(p);
	}

	@Override
	public long getLongPosition(final int d) {
		return d == 0 ? x() + min0 : position[d];
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
	 * The position, as {@code long}s, into {@code p} (ImgLib2 5 and newer declare this; their
	 * {@code AbstractCursorInt} would go through {@code int}s).
	 */
	public void localize(final Positionable p) {
		p.setPosition(this);
	}

	/** The same for a real position (ImgLib2 5 and newer). */
	public void localize(final RealPositionable p) {
		p.setPosition(this);
	}

	/**
	 * A copy at the same position. Declared to return this class, as {@code AbstractCursorInt}
	 * of ImgLib2 4.5 requires; javac adds the bridges for the other descriptors, and ImgLib2 5
	 * and newer reach this through their own ({@code Cursor<T> copy()} in
	 * {@code AbstractCursorInt}).
	 */
	@Override
	public StridedCursor<T> copy() {
		return new StridedCursor<>(this);
	}

	@Override
	public StridedCursor<T> copyCursor() {
		return copy();
	}
}
