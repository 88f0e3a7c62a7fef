/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Class loader for the bridge classes that imglyb embeds in its native library.
 *
 * <p>Rust defines this one class through JNI {@code DefineClass}, then hands it the bytes of every
 * other bridge class with {@link #addClass}. Embedded classes are loaded child-first, so a stale
 * copy of imglyb's classes elsewhere on the classpath can never shadow the ones this build was
 * compiled with. Everything else (the JDK, ImgLib2, user jars) is delegated to the parent, which is
 * the system class loader of the JVM imglyb started or attached to.
 *
 * <p>This class depends on {@code java.base} only, because it is defined before ImgLib2 is known
 * to be loadable.
 */
public final class BridgeClassLoader extends ClassLoader {

	static {
		registerAsParallelCapable();
	}

	private final ConcurrentHashMap<String, byte[]> classes = new ConcurrentHashMap<>();

	public BridgeClassLoader(final ClassLoader parent) {
		super(parent);
	}

	/** Registers the class file of an embedded class, by binary name ({@code org.imglyb.bridge.Bridge}). */
	public void addClass(final String binaryName, final byte[] classFile) {
		classes.put(binaryName, classFile);
	}

	@Override
	protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException {
		if (!classes.containsKey(name)) {
			return super.loadClass(name, resolve);
		}
		synchronized (getClassLoadingLock(name)) {
			Class<?> c = findLoadedClass(name);
			if (c == null) {
				c = findClass(name);
			}
			if (resolve) {
				resolveClass(c);
			}
			return c;
		}
	}

	@Override
	protected Class<?> findClass(final String name) throws ClassNotFoundException {
		final byte[] b = classes.get(name);
		if (b == null) {
			throw new ClassNotFoundException(name);
		}
		return defineClass(name, b, 0, b.length);
	}
}
