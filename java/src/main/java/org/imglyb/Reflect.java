/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb;

import static org.imglyb.Contract.*;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes a class's public members for the Rust call machinery, in one call per class.
 *
 * <p>{@link #describe} returns {@code {String[] typeLines, Class<?>[] types, String[] memberLines,
 * Member[] members}}. Type lines are {@code name \t code \t flags \t componentIndex}, where code is
 * the JNI descriptor letter ({@code L} for classes, {@code [} for arrays). Member lines are
 * {@code kind \t name \t flags \t declaringIndex \t returnIndex \t paramIndex,paramIndex...} with
 * kind {@code M} (method), {@code C} (constructor) or {@code F} (field, whose type is the return
 * index). Type 0 is the described class itself.
 */
public final class Reflect {

	// Type flags (T_*) and member flags (M_*) are Contract's, generated from Rust.

	private static final Class<?>[] BOXES = { Boolean.class, Byte.class, Character.class, Short.class,
		Integer.class, Long.class, Float.class, Double.class };

	private Reflect() {}

	public static Object[] describe(final Class<?> c) {
		final Types types = new Types();
		types.index(c);
		final List<String> lines = new ArrayList<>();
		final List<Object> members = new ArrayList<>();
		for (final Method m : publicMethods(c)) {
			lines.add(line("M", m.getName(), m, types, m.getReturnType(), m.getParameterTypes()));
			members.add(m);
		}
		if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !c.isArray()) {
			for (final Constructor<?> k : c.getConstructors()) {
				lines.add(line("C", "<init>", k, types, void.class, k.getParameterTypes()));
				members.add(k);
			}
		}
		for (final Field f : c.getFields()) {
			lines.add(line("F", f.getName(), f, types, f.getType(), new Class<?>[0]));
			members.add(f);
		}
		return new Object[] { types.lines.toArray(new String[0]), types.classes.toArray(new Class<?>[0]),
			lines.toArray(new String[0]), members.toArray() };
	}

	/**
	 * Public methods, one per name and parameter list: a bridge method loses to the method it
	 * bridges, and among covariant returns the most specific return type wins. Interfaces get
	 * {@code Object}'s methods too, as every object has them. The order is the same on every JDK
	 * ({@code getMethods()}'s is not): by name, then number of parameters, then parameter types,
	 * primitives first in widening order ({@code abs(int)}, {@code abs(long)}, {@code abs(float)},
	 * {@code abs(double)}).
	 */
	static List<Method> publicMethods(final Class<?> c) {
		final Map<String, Method> best = new LinkedHashMap<>();
		final List<Method> all = new ArrayList<>(List.of(c.getMethods()));
		if (c.isInterface()) {
			all.addAll(List.of(Object.class.getMethods()));
		}
		for (final Method m : all) {
			final StringBuilder key = new StringBuilder(m.getName()).append('(');
			for (final Class<?> p : m.getParameterTypes()) {
				key.append(p.getName()).append(',');
			}
			final String k = key.toString();
			final Method old = best.get(k);
			if (old == null || better(m, old)) {
				best.put(k, m);
			}
		}
		final List<Method> out = new ArrayList<>(best.values());
		out.sort(Reflect::compareSignatures);
		return out;
	}

	private static final String WIDENING = "boolean byte short char int long float double";

	private static int compareSignatures(final Method a, final Method b) {
		int c = a.getName().compareTo(b.getName());
		if (c != 0) {
			return c;
		}
		final Class<?>[] pa = a.getParameterTypes();
		final Class<?>[] pb = b.getParameterTypes();
		c = Integer.compare(pa.length, pb.length);
		for (int i = 0; c == 0 && i < pa.length; i++) {
			c = Integer.compare(rank(pa[i]), rank(pb[i]));
			if (c == 0) {
				c = pa[i].getName().compareTo(pb[i].getName());
			}
		}
		return c;
	}

	/** Primitives in widening order, then everything else. */
	private static int rank(final Class<?> t) {
		return t.isPrimitive() ? WIDENING.indexOf(t.getName()) : WIDENING.length();
	}

	private static boolean better(final Method m, final Method old) {
		if (old.isBridge() != m.isBridge()) {
			return old.isBridge();
		}
		return old.getReturnType() != m.getReturnType() && old.getReturnType().isAssignableFrom(m.getReturnType());
	}

	private static String line(final String kind, final String name, final Member m, final Types types,
		final Class<?> ret, final Class<?>[] params)
	{
		int flags = 0;
		if (Modifier.isStatic(m.getModifiers())) {
			flags |= M_STATIC;
		}
		if (Modifier.isFinal(m.getModifiers())) {
			flags |= M_FINAL;
		}
		if (m instanceof Executable && ((Executable) m).isVarArgs()) {
			flags |= M_VARARGS;
		}
		final StringBuilder b = new StringBuilder();
		b.append(kind).append('\t').append(name).append('\t').append(flags).append('\t')
			.append(types.index(m.getDeclaringClass())).append('\t').append(types.index(ret)).append('\t');
		for (int i = 0; i < params.length; i++) {
			if (i > 0) {
				b.append(',');
			}
			b.append(types.index(params[i]));
		}
		return b.toString();
	}

	/** The flags of one type, as {@link Reflect} reports them. */
	public static int flags(final Class<?> t) {
		int f = 0;
		if (t.isPrimitive()) {
			return 0;
		}
		if (t.isAssignableFrom(String.class)) {
			f |= T_STRING;
		}
		for (int i = 0; i < BOXES.length; i++) {
			if (t.isAssignableFrom(BOXES[i])) {
				f |= T_BOOLEAN << i;
			}
		}
		if (t.isAssignableFrom(ArrayList.class)) {
			f |= T_LIST;
		}
		final Class<?> img = imgClass();
		if (img != null && t != Object.class && t.isAssignableFrom(img)) {
			f |= T_IMG;
		}
		if (t.isInterface()) {
			f |= T_INTERFACE;
		}
		if (Iterator.class.isAssignableFrom(t)) {
			f |= T_ITERATOR;
		}
		if (Iterable.class.isAssignableFrom(t)) {
			f |= T_ITERABLE;
		}
		if (Collection.class.isAssignableFrom(t)) {
			f |= T_COLLECTION;
		}
		if (List.class.isAssignableFrom(t)) {
			f |= T_LIST_CLASS;
		}
		if (Map.class.isAssignableFrom(t)) {
			f |= T_MAP;
		}
		if (Modifier.isAbstract(t.getModifiers())) {
			f |= T_ABSTRACT;
		}
		if (Throwable.class.isAssignableFrom(t)) {
			f |= T_THROWABLE;
		}
		return f;
	}

	private static Class<?> imgClass() {
		try {
			return Class.forName("net.imglib2.img.Img", false, Reflect.class.getClassLoader());
		}
		catch (final ClassNotFoundException | LinkageError e) {
			return null;
		}
	}

	/** The table of types one description refers to by index. */
	private static final class Types {
		final Map<Class<?>, Integer> ids = new IdentityHashMap<>();
		final List<String> lines = new ArrayList<>();
		final List<Class<?>> classes = new ArrayList<>();

		int index(final Class<?> t) {
			final Integer known = ids.get(t);
			if (known != null) {
				return known;
			}
			final int id = classes.size();
			ids.put(t, id);
			classes.add(t);
			lines.add(null);
			final int component = t.isArray() ? index(t.getComponentType()) : -1;
			lines.set(id, t.getName() + '\t' + code(t) + '\t' + flags(t) + '\t' + component);
			return id;
		}
	}

	private static final Map<Class<?>, Character> CODES = new HashMap<>();
	static {
		CODES.put(boolean.class, 'Z');
		CODES.put(byte.class, 'B');
		CODES.put(char.class, 'C');
		CODES.put(short.class, 'S');
		CODES.put(int.class, 'I');
		CODES.put(long.class, 'J');
		CODES.put(float.class, 'F');
		CODES.put(double.class, 'D');
		CODES.put(void.class, 'V');
	}

	private static char code(final Class<?> t) {
		if (t.isArray()) {
			return '[';
		}
		final Character c = CODES.get(t);
		return c == null ? 'L' : c;
	}
}
