/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

import java.lang.ref.Cleaner;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Java objects whose interface methods run native code: the host (Python, through imglyb-py)
 * registers {@link #invoke0} and {@link #release0} with JNI {@code RegisterNatives}.
 *
 * <p>A proxy carries a {@code long} handle naming the host object. When the proxy becomes
 * unreachable, a {@link Cleaner} calls {@link #release0} once, so the host can drop its object.
 * {@code equals}, {@code hashCode} and {@code toString} are answered here, by identity.
 */
public final class NativeProxy implements InvocationHandler {

	private static final Cleaner CLEANER = Cleaner.create();

	private final long handle;
	private final String description;

	private NativeProxy(final long handle, final String description) {
		this.handle = handle;
		this.description = description;
	}

	/** Calls the host object named by {@code handle}; returns its result converted to a Java object. */
	static native Object invoke0(long handle, String method, Object[] args);

	/** Tells the host that the proxy holding {@code handle} is gone. */
	static native void release0(long handle);

	/**
	 * A proxy implementing {@code interfaces}, calling the host object {@code handle}. On failure
	 * the handle is released before the exception propagates.
	 */
	public static Object create(final long handle, final Class<?>[] interfaces, final String description) {
		final Object proxy;
		try {
			ClassLoader loader = NativeProxy.class.getClassLoader();
			for (final Class<?> i : interfaces) {
				if (!i.isInterface()) {
					throw new IllegalArgumentException(i.getName() + " is not an interface");
				}
				loader = i.getClassLoader() != null ? i.getClassLoader() : loader;
			}
			proxy = Proxy.newProxyInstance(loader, interfaces, new NativeProxy(handle, description));
		}
		catch (final RuntimeException | Error e) {
			release0(handle);
			throw e;
		}
		CLEANER.register(proxy, () -> release0(handle));
		return proxy;
	}

	@Override
	public Object invoke(final Object proxy, final Method method, final Object[] args) {
		if (method.getDeclaringClass() == Object.class) {
			switch (method.getName()) {
				case "equals":
					return proxy == args[0];
				case "hashCode":
					return System.identityHashCode(proxy);
				default:
					return description + "@" + Integer.toHexString(System.identityHashCode(proxy));
			}
		}
		final Object result = invoke0(handle, method.getName(), args == null ? new Object[0] : args);
		return coerce(result, method.getReturnType(), method);
	}

	/**
	 * Converts what the host returned ({@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String},
	 * any object or {@code null}) to the method's return type, with range checks.
	 */
	/** The primitive type of a box class, or null. */
	private static Class<?> unboxed(final Class<?> type) {
		if (type == Integer.class) {
			return int.class;
		}
		if (type == Long.class) {
			return long.class;
		}
		if (type == Double.class) {
			return double.class;
		}
		if (type == Float.class) {
			return float.class;
		}
		if (type == Short.class) {
			return short.class;
		}
		if (type == Byte.class) {
			return byte.class;
		}
		if (type == Character.class) {
			return char.class;
		}
		if (type == Boolean.class) {
			return boolean.class;
		}
		return null;
	}

	static Object coerce(final Object r, final Class<?> type, final Method method) {
		if (type == void.class) {
			return null;
		}
		if (type.isPrimitive()) {
			if (r == null) {
				throw new NullPointerException(method + " must return a " + type.getName() + ", the implementation returned None");
			}
			if (type == boolean.class && r instanceof Boolean) {
				return r;
			}
			if (type == char.class && r instanceof String && ((String) r).length() == 1) {
				return ((String) r).charAt(0);
			}
			if (r instanceof Long || r instanceof Integer) {
				final long v = ((Number) r).longValue();
				if (type == long.class) {
					return v;
				}
				if (type == int.class && v == (int) v) {
					return (int) v;
				}
				if (type == short.class && v == (short) v) {
					return (short) v;
				}
				if (type == byte.class && v == (byte) v) {
					return (byte) v;
				}
				if (type == double.class) {
					return (double) v;
				}
				if (type == float.class) {
					return (float) v;
				}
			}
			if (r instanceof Double) {
				if (type == double.class) {
					return r;
				}
				if (type == float.class) {
					return ((Double) r).floatValue();
				}
			}
			throw new ClassCastException(method + " must return a " + type.getName() + ", the implementation returned " + r + " (" + r.getClass().getName() + ")");
		}
		if (r == null || type.isInstance(r)) {
			return r;
		}
		final Class<?> unboxed = unboxed(type);
		if (unboxed != null) {
			return coerce(r, unboxed, method);
		}
		throw new ClassCastException(method + " must return a " + type.getName() + ", the implementation returned " + r + " (" + r.getClass().getName() + ")");
	}
}
