/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.memory;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.imglyb.Contract;

/**
 * A block of native memory that images share: NumPy's array data, a C buffer, or memory imglyb
 * allocated for Java. Every native access points into one {@code Memory}, and holds it, so the
 * memory stays alive while any image, view or access that can reach it is alive.
 *
 * <p><b>Owner.</b> Wrapped memory belongs to a host object (for Python, the array); the host names
 * it by a {@code long} handle. When the {@code Memory} becomes unreachable, a {@link Cleaner}
 * calls {@link #release0} once, and the host drops its object. Memory imglyb allocated is freed
 * the same way, with {@link #free0}.
 *
 * <p><b>Windows.</b> ImgLib2 indexes pixels with {@code int}, and a {@link ByteBuffer} holds at
 * most 2 GiB, so an access sees the memory through a window: window {@code k} starts at byte
 * {@code k << WINDOW_SHIFT} and spans up to {@link #WINDOW_CAPACITY} bytes. Windows overlap by half,
 * so every pixel lies whole in the window its first byte selects. Memory smaller than one window
 * (up to 2 GiB) is one window, and images over it are plain {@code ArrayImg}s.
 *
 * <p><b>Memory path.</b> Accesses read through {@code sun.misc.Unsafe} or through direct
 * {@code ByteBuffer}s, chosen once per JVM by {@link #UNSAFE}. Unsafe is the faster path on every
 * JDK measured ({@code ci/bench}: as fast as heap arrays on Java 25, where ByteBuffers inside
 * ImgLib2's loops are several times slower), so it is used wherever it prints nothing: below
 * Java 24, and from Java 24 on when the JVM runs with {@code --sun-misc-unsafe-memory-access=allow},
 * which imglyb passes when it starts a Java 23 or newer. A JVM imglyb attaches to without that
 * option gets ByteBuffers, so Unsafe's deprecation warning is never triggered. The system property
 * {@code imglyb.memory} ({@code unsafe} or {@code buffer}) overrides the choice.
 */
public final class Memory {

	/** log2 of the byte distance between window starts. */
	public static final int WINDOW_SHIFT = 30;

	/** Bytes in a full window: just under 2 GiB, and a multiple of every pixel size. */
	public static final long WINDOW_CAPACITY = (1L << 31) - 16;

	private static final Cleaner CLEANER = Cleaner.create();

	/**
	 * True to read memory with Unsafe (the accesses call {@link UnsafeMemory}), false to read it
	 * through direct ByteBuffers.
	 */
	public static final boolean UNSAFE;

	/** The form of the accesses' index check; see {@link NativeAccess#checkIndex}. */
	static final boolean INTRINSIC_CHECK = intrinsicCheck();

	/**
	 * Java 21 and newer check indices with {@code Objects.checkIndex}, Java 17 with a plain
	 * comparison (see {@link NativeAccess#checkIndex}); {@code -Dimglyb.checkIndex=intrinsic} or
	 * {@code =plain} overrides, for measuring.
	 */
	private static boolean intrinsicCheck() {
		final String forced = System.getProperty("imglyb.checkIndex", "");
		return forced.equals("intrinsic") || (!forced.equals("plain") && Runtime.version().feature() >= 21);
	}

	static {
		final String choice = System.getProperty("imglyb.memory", "");
		final boolean quiet = Runtime.version().feature() < 24 || "allow".equals(System.getProperty("sun.misc.unsafe.memory.access"));
		final boolean wanted = choice.equals("unsafe") || (!choice.equals("buffer") && quiet);
		// UnsafeMemory is loaded only when wanted, so nothing of Unsafe is touched otherwise.
		UNSAFE = wanted && UnsafeMemory.available();
	}

	/** The lowest byte of the memory. */
	public final long address;

	/** Bytes in the memory. */
	public final long bytes;

	/** The pixel type stored here, as an {@link Images} type code. */
	public final int type;

	/** Writes through any access into this memory throw. */
	public final boolean readOnly;

	/** False for a pending cell's stand-in ({@link #placeholder}); see {@link NativeAccess#valid}. */
	final boolean valid;

	private final ByteBuffer[] windows;

	/**
	 * Kept reachable for as long as this memory is (every access into it holds it): a chunked
	 * image's cache entry, so that a writable cell that left the cache is still offered to
	 * {@code flush()} while anyone can write into it.
	 */
	public volatile Object companion;

	/**
	 * What frees the memory or releases its owner, once neither this object nor any buffer from
	 * {@link #pinnedBuffer} is reachable; null when there is nothing to release.
	 */
	private volatile Release release;

	private Memory(final long address, final long bytes, final int type, final boolean readOnly) {
		this(address, bytes, type, readOnly, true);
	}

	private Memory(final long address, final long bytes, final int type, final boolean readOnly, final boolean valid) {
		this.address = address;
		this.bytes = bytes;
		this.type = type;
		this.readOnly = readOnly;
		this.valid = valid;
		this.windows = UNSAFE ? null : new ByteBuffer[windowCount(bytes)];
	}

	/**
	 * Memory the host owns, at {@code address} with {@code bytes} bytes, kept alive by the host
	 * object {@code owner} (0 for none: the caller keeps the memory alive for as long as Java can
	 * reach it). The owner handle is released when the memory becomes unreachable, or right away if
	 * this method throws.
	 */
	public static Memory host(final long address, final long bytes, final int type, final boolean readOnly, final long owner) {
		try {
			if (bytes < 0 || (address == 0 && bytes > 0)) {
				throw new IllegalArgumentException("imglyb: invalid memory block (address " + address + ", " + bytes + " bytes)");
			}
			final Memory memory = new Memory(address, bytes, type, readOnly);
			if (owner != 0) {
				memory.release = new Release(owner, false, address, bytes);
				CLEANER.register(memory, memory.release);
			}
			return memory;
		}
		catch (final RuntimeException | Error e) {
			if (owner != 0) {
				release0(owner);
			}
			throw e;
		}
	}

	/** New zeroed native memory of {@code bytes} bytes, freed when it becomes unreachable. */
	public static Memory allocate(final long bytes, final int type) {
		return allocate(bytes, type, true);
	}

	/**
	 * Zeroed, read-only memory whose accesses report {@code isValid() == false}: what a volatile
	 * view shows for a cell still being computed.
	 */
	public static Memory placeholder(final long bytes, final int type) {
		return allocate(bytes, type, false);
	}

	private static Memory allocate(final long bytes, final int type, final boolean valid) {
		if (bytes < 0) {
			throw new IllegalArgumentException("imglyb: negative allocation size " + bytes);
		}
		final long address = allocate0(Math.max(bytes, 1));
		if (address == 0) {
			throw new OutOfMemoryError("imglyb: cannot allocate " + bytes + " bytes of native memory");
		}
		final Memory memory;
		try {
			memory = new Memory(address, bytes, type, !valid, valid);
		}
		catch (final RuntimeException | Error e) {
			free0(address);
			throw e;
		}
		memory.release = new Release(address, true, address, bytes);
		CLEANER.register(memory, memory.release);
		return memory;
	}

	private static int windowCount(final long bytes) {
		return bytes == 0 ? 1 : (int) ((bytes - 1) >>> WINDOW_SHIFT) + 1;
	}

	/** The first window whose start is at or before byte {@code offset}, and that holds it. */
	public static int windowOf(final long offset) {
		return (int) (offset >>> WINDOW_SHIFT);
	}

	/** Bytes in window {@code k}. */
	long windowBytes(final int k) {
		return Math.min(bytes - ((long) k << WINDOW_SHIFT), WINDOW_CAPACITY);
	}

	/** The direct buffer of window {@code k} (buffer path only), made on first use. */
	ByteBuffer window(final int k) {
		synchronized (windows) {
			ByteBuffer b = windows[k];
			if (b == null) {
				final int capacity = (int) Math.max(0, windowBytes(k));
				b = buffer0(address + ((long) k << WINDOW_SHIFT), capacity);
				if (b == null) {
					throw new IllegalStateException("imglyb: the JVM refused a direct buffer over native memory");
				}
				b.order(ByteOrder.nativeOrder());
				windows[k] = b;
			}
			return b;
		}
	}

	/**
	 * A direct buffer over {@code capacity} bytes from byte {@code offset}, in native byte order
	 * and read-only when this memory is, that keeps the memory alive by itself: the memory is
	 * released only when neither this object nor the buffer (nor any buffer derived from it, which
	 * holds it as its attachment) is reachable. For code that keeps a buffer and nothing else,
	 * such as ImgLib2's {@code PrimitiveBlocks}.
	 */
	public ByteBuffer pinnedBuffer(final long offset, final int capacity) {
		if (offset < 0 || capacity < 0 || offset + capacity > bytes) {
			throw new IndexOutOfBoundsException("imglyb: bytes " + offset + " to " + (offset + capacity) + " are outside " + this);
		}
		final ByteBuffer root = buffer0(address + offset, capacity);
		if (root == null) {
			throw new IllegalStateException("imglyb: the JVM refused a direct buffer over native memory");
		}
		if (release != null) {
			release.pin();
			CLEANER.register(root, release);
		}
		java.lang.ref.Reference.reachabilityFence(this);
		return (readOnly ? root.asReadOnlyBuffer() : root).order(ByteOrder.nativeOrder());
	}

	/** The exception for a write into read-only memory. */
	UnsupportedOperationException readOnlyError() {
		return new UnsupportedOperationException("imglyb: this image shares a read-only array; Java may not write to it");
	}

	/** A new access of the primitive type this memory's pixels are stored in, at window 0. */
	public NativeAccess newAccess() {
		return (NativeAccess) access();
	}

	/**
	 * {@link #newAccess}'s switch, typed {@code Object} so that verifying it loads none of the six
	 * access classes: the first wrap in a new JVM loads only the one it needs.
	 */
	private Object access() {
		switch (PixelTypes.primitive(type)) {
			case Contract.P_BYTE:
				if (type == Contract.BOOL && NativeBools.supported()) {
					return NativeBools.access(this);
				}
				return new NativeByteAccess(this);
			case Contract.P_SHORT:
				return new NativeShortAccess(this);
			case Contract.P_INT:
				return new NativeIntAccess(this);
			case Contract.P_LONG:
				return new NativeLongAccess(this);
			case Contract.P_FLOAT:
				return new NativeFloatAccess(this);
			default:
				return new NativeDoubleAccess(this);
		}
	}

	@Override
	public String toString() {
		return "imglyb memory of " + bytes + " bytes at 0x" + Long.toHexString(address) + (readOnly ? " (read-only)" : "");
	}

	/** A direct ByteBuffer of {@code capacity} bytes at {@code address} (JNI NewDirectByteBuffer). */
	static native ByteBuffer buffer0(long address, int capacity);

	/** Tells the host that Java no longer reaches the memory of owner {@code handle}. */
	static native void release0(long handle);

	/** Zeroed native memory of {@code bytes} bytes, or 0. */
	static native long allocate0(long bytes);

	/** Frees memory from {@link #allocate0}. */
	static native void free0(long address);

	/**
	 * The cleaning action, shared by the memory and its pinned buffers: it runs once per object it
	 * was registered for and acts on the last run. It must not reach the Memory it cleans.
	 */
	private static final class Release implements Runnable {

		private final long value;
		private final boolean free;

		/** The memory's address and size, for {@link Pressure}. */
		private final long address;
		private final long bytes;

		/** Registered objects that are still reachable. */
		private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger(1);

		Release(final long value, final boolean free, final long address, final long bytes) {
			this.value = value;
			this.free = free;
			this.address = address;
			this.bytes = bytes;
			Pressure.held(address, bytes);
		}

		/** One more object holds the memory; call before registering it. */
		void pin() {
			holders.incrementAndGet();
		}

		@Override
		public void run() {
			if (holders.decrementAndGet() != 0) {
				return;
			}
			Pressure.released(address);
			if (free) {
				free0(value);
			}
			else {
				release0(value);
			}
		}
	}
}
