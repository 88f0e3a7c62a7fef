/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package net.imglib2.python;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/**
 * What scripts written against the original imglyb call on its {@code net.imglib2.python.Helpers}:
 * {@link #behaviours()} (an {@code org.scijava.ui.behaviour.util.Behaviours} to install into a
 * BigDataViewer window's trigger bindings) and class names.
 *
 * <p>ui-behaviour comes with BigDataViewer and is not a dependency of imglyb, so it is reached
 * by name: without it on the classpath, {@link #behaviours()} throws an
 * {@link IllegalStateException} that says so.
 */
public final class Helpers {

	private static final String BEHAVIOURS = "org.scijava.ui.behaviour.util.Behaviours";
	private static final String INPUT_TRIGGER_CONFIG = "org.scijava.ui.behaviour.io.InputTriggerConfig";

	private Helpers() {}

	/**
	 * A new {@code Behaviours} with a default {@code InputTriggerConfig}, as
	 * {@code new Behaviours(new InputTriggerConfig())}; to bind a behaviour to a key and mouse
	 * trigger, {@code behaviours.behaviour(behaviour, "name", "SPACE button1")}, and to enable it in
	 * a window, {@code behaviours.install(bdvHandle.getTriggerbindings(), "name")}.
	 */
	public static Object behaviours() {
		final ClassLoader loader = loader();
		try {
			final Class<?> configClass = Class.forName(INPUT_TRIGGER_CONFIG, true, loader);
			final Class<?> behavioursClass = Class.forName(BEHAVIOURS, true, loader);
			final Object config = configClass.getConstructor().newInstance();
			// Behaviours(InputTriggerConfig, String...) in older ui-behaviour,
			// Behaviours(InputTriggerAdder.Factory, String...) since, which the config implements.
			for (final Constructor<?> c : behavioursClass.getConstructors()) {
				final Class<?>[] p = c.getParameterTypes();
				if (p.length == 2 && p[0].isInstance(config) && p[1] == String[].class) {
					return c.newInstance(config, new String[0]);
				}
			}
			throw new NoSuchMethodException("Behaviours(InputTriggerConfig, String...)");
		} catch (final ClassNotFoundException e) {
			throw new IllegalStateException(
				"Helpers.behaviours() needs ui-behaviour (org.scijava:ui-behaviour), which comes with "
					+ "BigDataViewer: put BigDataViewer's jars on the classpath (imglyb.config.add_fiji or "
					+ "imglyb.config.add_classpath)", e);
		} catch (final InvocationTargetException e) {
			throw new IllegalStateException("new Behaviours(new InputTriggerConfig()) failed: " + e.getCause(),
				e.getCause());
		} catch (final ReflectiveOperationException e) {
			throw new IllegalStateException("this ui-behaviour has no Behaviours(InputTriggerConfig, String...): " + e,
				e);
		}
	}

	/** The class name of {@code o} ({@code java.lang.String}); {@code "null"} for null. */
	public static String className(final Object o) {
		return o == null ? "null" : o.getClass().getName();
	}

	/** The simple class name of {@code o} ({@code String}); {@code "null"} for null. */
	public static String classNameSimple(final Object o) {
		return o == null ? "null" : o.getClass().getSimpleName();
	}

	/** imglyb's class loader: its parent sees the JVM's classpath. */
	private static ClassLoader loader() {
		return Helpers.class.getClassLoader();
	}
}
