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
 * type's index with the row's last index, one {@code type.incIndex(stride)} and the position's
 * increment. A row that no window holds (it spans more than 1 GiB) or that does not move (stride
 * 0, a broadcast axis) is walked pixel by pixel with {@code long} offsets. The position of
 * dimension 0 lives in a field (worked out from the index instead, a localizing loop took 25-40%
 * longer per pixel) and the other dimensions change only between rows, so no step stores to an
 * array.
 */
public final class StridedCursor<T extends NativeType<T>> extends AbstractEuclideanSpace implements Cursor<T>, StridedPixels.StridedSampler {

	private final StridedPixels<T, ?> img;
	private final NativeAccess access;
	private final T type;
	private final long[] dims;
	private final long[] strides;
	private final long stride0;

	/** {@link #stride0} as an int, for index steps on the fast path (rows in one window). */
	private final int step0;
	private final long last0;
	private final long rows;
	private final int shift;

	/** Positions of dimensions 1 and up; element 0 is unused ({@link #x} holds it). */
	private final long[] position;

	/**
	 * Position along dimension 0; {@link #last0} before the first pixel, so that the first step
	 * enters row 0.
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
		final long size = img.size();
		this.last0 = size == 0 ? -1 : n == 0 ? 0 : dims[0] - 1;
		this.rows = size == 0 ? 0 : n == 0 ? 1 : size / dims[0];
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
	 * Enters the row starting at {@link #rowStart}: moves the window to hold the row when one can,
	 * and decides between index steps ({@link #fast}) and offset steps. No calls on the usual
	 * path, so the JIT keeps the cursor's fields in registers across rows.
	 */
	private void enterRow() {
		final long end = rowStart + stride0 * last0;
		final long first = Math.min(rowStart, end);
		final long last = Math.max(rowStart, end);
		if (first < lo || last >= hi) {
			window(Memory.windowOf(first << shift));
		}
		fast = first >= lo && last < hi && stride0 == (int) stride0 && stride0 != 0;
		if (fast) {
			stop = (int) (end - lo);
		}
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
			++x;
			return;
		}
		step();
	}

	/** {@link #fwd()} off the fast path: a slow row, the next row, or past the end. */
	private void step() {
		if (x < last0) {
			++x;
			point(rowStart + x * stride0);
			return;
		}
		if (rowsLeft <= 0) {
			// Past the last pixel: as ImgLib2's cursors, reading or writing now throws
			// (IndexOutOfBoundsException from the access) and reaches no memory.
			++x;
			fast = false;
			stop = -1;
			type.updateIndex(-1);
			return;
		}
		--rowsLeft;
		for (int d = 1; d < n; d++) {
			if (++position[d] < dims[d]) {
				rowStart += strides[d];
				break;
			}
			rowStart -= strides[d] * (dims[d] - 1);
			position[d] = 0;
		}
		enterRow();
		x = 0;
		if (fast) {
			type.updateIndex((int) (rowStart - lo));
		}
		else {
			point(rowStart);
		}
	}

	@Override
	public T next() {
		fwd();
		return type;
	}

	@Override
	public boolean hasNext() {
		return x < last0 || rowsLeft > 0;
	}

	@Override
	public void jumpFwd(final long steps) {
		final long width = last0 + 1;
		final long flat = (rows - 1 - rowsLeft) * width + x + steps;
		final long row = flat / width;
		long rest = row;
		rowStart = img.origin;
		for (int d = 1; d < n; d++) {
			position[d] = rest % dims[d];
			rest /= dims[d];
			rowStart += position[d] * strides[d];
		}
		rowsLeft = rows - 1 - row;
		enterRow();
		x = flat - row * width;
		if (x < 0) {
			// Before the first pixel (a jump back to the start): let fwd() enter the row.
			reset();
			return;
		}
		if (fast) {
			type.updateIndex((int) (rowStart + x * stride0 - lo));
		}
		else {
			point(rowStart + x * stride0);
		}
	}

	@Override
	public void reset() {
		for (int d = 0; d < position.length; d++) {
			position[d] = 0;
		}
		rowStart = img.origin;
		rowsLeft = rows;
		// Before the first pixel: the first fwd() enters row 0.
		x = last0;
		fast = false;
		stop = type.getIndex();
		if (rows > 0) {
			rowStart -= n > 1 ? strides[1] : 0;
			if (n > 1) {
				position[1] = -1;
			}
		}
	}

	@Override
	public void remove() {
		throw new UnsupportedOperationException("imglyb: images cannot remove pixels");
	}

	@Override
	public long getLongPosition(final int d) {
		return d == 0 ? x : position[d];
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
