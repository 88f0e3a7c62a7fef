/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

import static org.imglyb.Contract.*;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes a class's public members for the Rust call machinery, in one call per class:
 * {@link #inspect} returns a {@link Description}, a table of the types it mentions and one row
 * per member, which Rust reads through field ids. Type 0 is the described class itself.
 */
public final class Reflect {

	// Type flags (T_*) and member flags (M_*) are Contract's, generated from Rust.

	/** The box classes, each with the flag of a type that can take it. */
	private static final Class<?>[] BOXES = { Boolean.class, Byte.class, Character.class, Short.class,
		Integer.class, Long.class, Float.class, Double.class };
	private static final int[] BOX_FLAGS = { T_BOOLEAN, T_BYTE, T_CHAR, T_SHORT, T_INT, T_LONG, T_FLOAT,
		T_DOUBLE };

	private Reflect() {}

	/** One type a description mentions. */
	public static final class TypeRow {
		/** The binary name: {@code int}, {@code java.lang.String}, {@code [J}. */
		public final String name;
		/** The JNI descriptor letter: {@code L} for classes, {@code [} for arrays. */
		public final char code;
		/** The {@link Contract} type flags ({@code T_*}). */
		public final int flags;
		/** The row of the element type, for arrays; -1 otherwise. */
		public final int component;
		/** The type itself. */
		public final Class<?> type;

		TypeRow(final Class<?> type, final int component) {
			this.name = type.getName();
			this.code = code(type);
			this.flags = flags(type);
			this.component = component;
			this.type = type;
		}
	}

	/** One public method, constructor or field. */
	public static final class MemberRow {
		/** {@code M} (method), {@code C} (constructor) or {@code F} (field). */
		public final char kind;
		/** The name; {@code <init>} for constructors. */
		public final String name;
		/** The {@link Contract} member flags ({@code M_*}). */
		public final int flags;
		/** The type row of the declaring class. */
		public final int declaring;
		/** The type row of the return type, or of a field's type. */
		public final int ret;
		/** The type rows of the parameters. */
		public final int[] params;
		/** The member, for its JNI id. */
		public final Member member;

		MemberRow(final char kind, final String name, final Member member, final Types types, final Class<?> ret, final Class<?>[] params) {
			int f = 0;
			if (Modifier.isStatic(member.getModifiers())) {
				f |= M_STATIC;
			}
			if (Modifier.isFinal(member.getModifiers())) {
				f |= M_FINAL;
			}
			if (member instanceof Executable && ((Executable) member).isVarArgs()) {
				f |= M_VARARGS;
			}
			this.kind = kind;
			this.name = name;
			this.flags = f;
			this.declaring = types.index(member.getDeclaringClass());
			this.ret = types.index(ret);
			this.params = new int[params.length];
			for (int i = 0; i < params.length; i++) {
				this.params[i] = types.index(params[i]);
			}
			this.member = member;
		}
	}

	/** A class's description: its type table and its members. */
	public static final class Description {
		/** Every type the members mention; row 0 is the class. */
		public final TypeRow[] types;
		/** The public members. */
		public final MemberRow[] members;

		Description(final TypeRow[] types, final MemberRow[] members) {
			this.types = types;
			this.members = members;
		}
	}

	/**
	 * The public methods, constructors and fields of {@code c}, with the types they mention: the
	 * one {@link WarmUp} prepared, when it did.
	 */
	public static Description inspect(final Class<?> c) {
		final Description prepared = WarmUp.take(c);
		return prepared != null ? prepared : describe(c);
	}

	/** {@link #inspect}, made now. */
	static Description describe(final Class<?> c) {
		final Types types = new Types();
		types.index(c);
		final List<MemberRow> members = new ArrayList<>();
		for (final Method m : publicMethods(c)) {
			members.add(new MemberRow('M', m.getName(), m, types, m.getReturnType(), m.getParameterTypes()));
		}
		if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !c.isArray()) {
			for (final Constructor<?> k : c.getConstructors()) {
				members.add(new MemberRow('C', "<init>", k, types, void.class, k.getParameterTypes()));
			}
		}
		for (final Field f : c.getFields()) {
			members.add(new MemberRow('F', f.getName(), f, types, f.getType(), new Class<?>[0]));
		}
		return new Description(types.rows.toArray(new TypeRow[0]), members.toArray(new MemberRow[0]));
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
		out.sort(BY_SIGNATURE);
		return out;
	}

	private static final String WIDENING = "boolean byte short char int long float double";

	/**
	 * {@link #compareSignatures} as a class, not a method reference: a new JVM describes its first
	 * class here, and a first lambda costs milliseconds to bootstrap.
	 */
	private static final Comparator<Method> BY_SIGNATURE = new Comparator<Method>() {
		@Override
		public int compare(final Method a, final Method b) {
			return compareSignatures(a, b);
		}
	};

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
				f |= BOX_FLAGS[i];
			}
		}
		if (t.isAssignableFrom(ArrayList.class)) {
			f |= T_LIST;
		}
		final Class<?> img = ImgClass.IMG;
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

	/**
	 * ImgLib2's {@code Img} interface, or null without ImgLib2: looked up once, not per type (a
	 * class loader look-up per type was a good part of describing a class).
	 */
	private static final class ImgClass {
		static final Class<?> IMG = find();

		private static Class<?> find() {
			try {
				return Class.forName("net.imglib2.img.Img", false, Reflect.class.getClassLoader());
			}
			catch (final ClassNotFoundException | LinkageError e) {
				return null;
			}
		}
	}

	/** The table of types one description refers to by index. */
	static final class Types {
		final Map<Class<?>, Integer> ids = new IdentityHashMap<>();
		final List<TypeRow> rows = new ArrayList<>();

		int index(final Class<?> t) {
			final Integer known = ids.get(t);
			if (known != null) {
				return known;
			}
			final int id = rows.size();
			ids.put(t, id);
			rows.add(null);
			final int component = t.isArray() ? index(t.getComponentType()) : -1;
			rows.set(id, new TypeRow(t, component));
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
