/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.img;

import net.imglib2.AbstractLocalizable;
import net.imglib2.Localizable;
import net.imglib2.RandomAccess;
import net.imglib2.type.NativeType;

import org.imglyb.memory.*;

/**
 * Random access of a {@link StridedImg}. Moves update a {@code long} pixel offset; {@link #get}
 * points the type at it, moving this access's window when needed. At a position whose pixel lies
 * outside the memory, the type's index is -1, so reading or writing it throws
 * {@link IndexOutOfBoundsException} (from the access) and never reaches memory.
 */
public final class StridedRandomAccess<T extends NativeType<T>> extends AbstractLocalizable implements RandomAccess<T>, StridedPixels.StridedSampler {

	private final StridedPixels<T, ?> img;
	private final NativeAccess access;
	private final T type;
	private final long[] strides;

	/** The image's dimensions: {@link #get} at a position outside them reads nothing. */
	private final long[] dims;

	private final long pixels;
	private final int shift;

	private long offset;
	private long lo;
	private long hi;

	StridedRandomAccess(final StridedPixels<T, ?> img) {
		super(img.numDimensions());
		this.img = img;
		this.access = img.memory.newAccess();
		this.type = img.createLinkedType();
		this.strides = img.strides;
		this.dims = new long[n];
		img.dimensions(dims);
		this.shift = img.shift;
		this.pixels = img.memory.bytes >> shift;
		this.offset = img.origin;
		type.updateContainer(this);
		window(0);
	}

	private StridedRandomAccess(final StridedRandomAccess<T> ra) {
		this(ra.img);
		setPosition(ra);
	}

	@Override
	public NativeAccess access() {
		return access;
	}

	private void window(final int k) {
		access.moveTo(k);
		lo = access.start >> shift;
		hi = lo + (((long) access.length() << access.shift) >> shift);
	}

	@Override
	public T get() {
		for (int d = 0; d < n; d++) {
			if (position[d] < 0 || position[d] >= dims[d]) {
				// Outside the image: the memory span of a slice also holds its parent array's
				// pixels, which no position outside the interval may reach. Reads and writes
				// throw IndexOutOfBoundsException in the access, as for a position outside the
				// memory.
				type.updateIndex(-1);
				return type;
			}
		}
		long i = offset - lo;
		if (i < 0 || offset >= hi) {
			if (offset < 0 || offset >= pixels) {
				// As ImgLib2's own images: get() hands out the type wherever the access stands
				// (code asks for the type before positioning it), and reading or writing a pixel
				// outside the memory throws IndexOutOfBoundsException in the access.
				type.updateIndex(-1);
				return type;
			}
			window(Memory.windowOf(offset << shift));
			i = offset - lo;
		}
		type.updateIndex((int) i);
		return type;
	}

	/**
	 * A copy at the same position. Declared to return {@code RandomAccess}, not this class: ImgLib2 5
	 * and newer declare {@code RandomAccess<T> copy()}, and only this descriptor (plus the bridge
	 * javac adds for {@code Sampler.copy()}) implements it in every version.
	 */
	@Override
	public RandomAccess<T> copy() {
		return new StridedRandomAccess<>(this);
	}

	@Override
	public RandomAccess<T> copyRandomAccess() {
		return copy();
	}

	@Override
	public void fwd(final int d) {
		++position[d];
		offset += strides[d];
	}

	@Override
	public void bck(final int d) {
		--position[d];
		offset -= strides[d];
	}

	@Override
	public void move(final int distance, final int d) {
		move((long) distance, d);
	}

	@Override
	public void move(final long distance, final int d) {
		position[d] += distance;
		offset += distance * strides[d];
	}

	@Override
	public void move(final Localizable localizable) {
		for (int d = 0; d < n; d++) {
			move(localizable.getLongPosition(d), d);
		}
	}

	@Override
	public void move(final int[] distance) {
		for (int d = 0; d < n; d++) {
			move((long) distance[d], d);
		}
	}

	@Override
	public void move(final long[] distance) {
		for (int d = 0; d < n; d++) {
			move(distance[d], d);
		}
	}

	@Override
	public void setPosition(final Localizable localizable) {
		for (int d = 0; d < n; d++) {
			setPosition(localizable.getLongPosition(d), d);
		}
	}

	@Override
	public void setPosition(final int[] pos) {
		for (int d = 0; d < n; d++) {
			setPosition((long) pos[d], d);
		}
	}

	@Override
	public void setPosition(final long[] pos) {
		for (int d = 0; d < n; d++) {
			setPosition(pos[d], d);
		}
	}

	@Override
	public void setPosition(final int pos, final int d) {
		setPosition((long) pos, d);
	}

	@Override
	public void setPosition(final long pos, final int d) {
		offset += (pos - position[d]) * strides[d];
		position[d] = pos;
	}
}
