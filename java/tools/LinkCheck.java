/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */

import java.io.DataInputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Links compiled classes against a classpath without running them: every class, method and field
 * that their constant pools name outside the classes themselves must exist on the classpath (or in
 * the JDK) with the same descriptor. The JVM links lazily, so a method whose return type changed
 * (ImgLib2 7's {@code Views.flatIterable}) fails only when first called; this finds it at build time.
 *
 * <p>Usage: {@code java LinkCheck.java CLASSES_DIR JAR...}. Prints each unresolved reference
 * with the class that makes it, and exits with 1 when there is any.
 */
public final class LinkCheck {

	public static void main(final String[] args) throws Exception {
		if (args.length < 1) {
			System.err.println("usage: java LinkCheck.java CLASSES_DIR JAR...");
			System.exit(2);
		}
		final Path classes = Paths.get(args[0]);
		final List<URL> urls = new ArrayList<>();
		urls.add(classes.toUri().toURL());
		for (int i = 1; i < args.length; i++) {
			urls.add(Paths.get(args[i]).toUri().toURL());
		}
		final URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
		final List<Path> files;
		try (Stream<Path> walk = Files.walk(classes)) {
			files = walk.filter(p -> p.toString().endsWith(".class")).sorted().collect(Collectors.toList());
		}
		final Set<String> own = new TreeSet<>();
		for (final Path f : files) {
			own.add(classes.relativize(f).toString().replace(".class", "").replace('\\', '/'));
		}
		final Set<String> errors = new TreeSet<>();
		int checked = 0;
		for (final Path f : files) {
			final String user = classes.relativize(f).toString().replace(".class", "");
			for (final String[] ref : references(f)) {
				final String owner = ref[1].startsWith("[") ? null : ref[1];
				if (owner == null || own.contains(owner)) {
					continue;
				}
				checked++;
				final String problem = resolve(loader, ref);
				if (problem != null) {
					errors.add(problem + "  (used by " + user + ")");
				}
			}
		}
		for (final String name : own) {
			final String problem = unimplemented(loader, name.replace('/', '.'));
			if (problem != null) {
				errors.add(problem);
			}
		}
		for (final String e : errors) {
			System.out.println("unresolved: " + e);
		}
		System.out.println("LinkCheck: " + files.size() + " classes, " + checked + " references, " + errors.size() + " unresolved");
		System.exit(errors.isEmpty() ? 0 : 1);
	}

	/**
	 * Null when concrete class {@code name} implements every abstract method it inherits (an
	 * abstract method added to a superclass or interface is an {@code AbstractMethodError} at run
	 * time), otherwise the first one missing.
	 */
	private static String unimplemented(final ClassLoader loader, final String name) {
		try {
			return unimplemented(Class.forName(name, false, loader));
		}
		catch (final ClassNotFoundException | LinkageError e) {
			return "class " + name + " does not link: " + e;
		}
	}

	private static String unimplemented(final Class<?> c) {
		final String name = c.getName();
		if (c.isInterface() || java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
			return null;
		}
		final Set<String> implemented = new TreeSet<>();
		final List<Method> abstracts = new ArrayList<>();
		final List<Class<?>> todo = new ArrayList<>();
		todo.add(c);
		for (int t = 0; t < todo.size(); t++) {
			final Class<?> k = todo.get(t);
			for (final Method m : k.getDeclaredMethods()) {
				final String key = m.getName() + descriptor(m.getParameterTypes(), m.getReturnType());
				if (java.lang.reflect.Modifier.isAbstract(m.getModifiers())) {
					abstracts.add(m);
				}
				else if (!java.lang.reflect.Modifier.isStatic(m.getModifiers()) && !java.lang.reflect.Modifier.isPrivate(m.getModifiers())) {
					implemented.add(key);
				}
			}
			if (k.getSuperclass() != null) {
				todo.add(k.getSuperclass());
			}
			for (final Class<?> i : k.getInterfaces()) {
				todo.add(i);
			}
		}
		for (final Method m : abstracts) {
			final String key = m.getName() + descriptor(m.getParameterTypes(), m.getReturnType());
			if (!implemented.contains(key)) {
				return "abstract method " + m.getDeclaringClass().getName() + "." + key + " is not implemented by " + name;
			}
		}
		return null;
	}

	/** {kind, owner, name, descriptor} for every Class, Fieldref, Methodref and InterfaceMethodref. */
	private static List<String[]> references(final Path file) throws IOException {
		try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
			if (in.readInt() != 0xCAFEBABE) {
				throw new IOException(file + " is not a class file");
			}
			in.readUnsignedShort();
			in.readUnsignedShort();
			final int count = in.readUnsignedShort();
			final Object[] pool = new Object[count];
			final int[][] refs = new int[count][];
			for (int i = 1; i < count; i++) {
				final int tag = in.readUnsignedByte();
				switch (tag) {
					case 1: pool[i] = in.readUTF(); break;
					case 3: case 4: in.readInt(); break;
					case 5: case 6: in.readLong(); i++; break;
					case 7: refs[i] = new int[] { 7, in.readUnsignedShort() }; break;
					case 8: case 16: case 19: case 20: in.readUnsignedShort(); break;
					case 9: case 10: case 11: refs[i] = new int[] { tag, in.readUnsignedShort(), in.readUnsignedShort() }; break;
					case 12: refs[i] = new int[] { 12, in.readUnsignedShort(), in.readUnsignedShort() }; break;
					case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
					case 17: case 18: in.readUnsignedShort(); in.readUnsignedShort(); break;
					default: throw new IOException(file + ": constant pool tag " + tag);
				}
			}
			final List<String[]> out = new ArrayList<>();
			for (int i = 1; i < count; i++) {
				final int[] r = refs[i];
				if (r == null) {
					continue;
				}
				if (r[0] == 7) {
					String name = (String) pool[r[1]];
					while (name.startsWith("[")) {
						name = name.substring(1);
					}
					if (name.startsWith("L") && name.endsWith(";")) {
						name = name.substring(1, name.length() - 1);
					}
					else if (name.length() == 1) {
						continue;
					}
					out.add(new String[] { "class", name, null, null });
				}
				else if (r[0] != 12) {
					final String owner = (String) pool[refs[r[1]][1]];
					final int[] nat = refs[r[2]];
					out.add(new String[] { r[0] == 9 ? "field" : "method", owner, (String) pool[nat[1]], (String) pool[nat[2]] });
				}
			}
			return out;
		}
	}

	/** Null when {@code ref} resolves, otherwise what is missing. */
	private static String resolve(final ClassLoader loader, final String[] ref) {
		final Class<?> c;
		try {
			c = Class.forName(ref[1].replace('/', '.'), false, loader);
		}
		catch (final ClassNotFoundException | LinkageError e) {
			return "class " + ref[1].replace('/', '.');
		}
		if (ref[0].equals("class")) {
			return null;
		}
		final String what = ref[1].replace('/', '.') + "." + ref[2] + ref[3];
		try {
			if (ref[0].equals("field")) {
				return findField(c, ref[2], ref[3]) ? null : "field " + what;
			}
			return findMethod(c, ref[2], ref[3]) ? null : "method " + what;
		}
		catch (final LinkageError e) {
			return what + " (" + e + ")";
		}
	}

	private static boolean findField(final Class<?> c, final String name, final String descriptor) {
		for (Class<?> k = c; k != null; k = k.getSuperclass()) {
			for (final Field f : k.getDeclaredFields()) {
				if (f.getName().equals(name) && descriptor(f.getType()).equals(descriptor)) {
					return true;
				}
			}
			for (final Class<?> i : k.getInterfaces()) {
				if (findField(i, name, descriptor)) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean findMethod(final Class<?> c, final String name, final String descriptor) {
		if (name.equals("<init>")) {
			for (final Constructor<?> k : c.getDeclaredConstructors()) {
				if (descriptor(k.getParameterTypes(), void.class).equals(descriptor)) {
					return true;
				}
			}
			return false;
		}
		if (c.isArray() || (name.equals("clone") && descriptor.equals("()Ljava/lang/Object;"))) {
			return true;
		}
		final List<Class<?>> todo = new ArrayList<>();
		todo.add(c);
		todo.add(Object.class);
		for (int t = 0; t < todo.size(); t++) {
			final Class<?> k = todo.get(t);
			for (final Method m : k.getDeclaredMethods()) {
				if (m.getName().equals(name) && descriptor(m.getParameterTypes(), m.getReturnType()).equals(descriptor)) {
					return true;
				}
			}
			if (k.getSuperclass() != null) {
				todo.add(k.getSuperclass());
			}
			for (final Class<?> i : k.getInterfaces()) {
				todo.add(i);
			}
		}
		// Signature-polymorphic methods (MethodHandle.invoke and friends) take any descriptor.
		if (c == java.lang.invoke.MethodHandle.class || c == java.lang.invoke.VarHandle.class) {
			for (final Method m : c.getDeclaredMethods()) {
				if (m.getName().equals(name) && m.isVarArgs() && java.lang.reflect.Modifier.isNative(m.getModifiers())) {
					return true;
				}
			}
		}
		return false;
	}

	private static String descriptor(final Class<?>[] params, final Class<?> ret) {
		final StringBuilder b = new StringBuilder("(");
		for (final Class<?> p : params) {
			b.append(descriptor(p));
		}
		return b.append(')').append(descriptor(ret)).toString();
	}

	private static String descriptor(final Class<?> c) {
		if (c.isArray()) {
			return c.getName().replace('.', '/');
		}
		if (c.isPrimitive()) {
			switch (c.getName()) {
				case "void": return "V";
				case "boolean": return "Z";
				case "byte": return "B";
				case "char": return "C";
				case "short": return "S";
				case "int": return "I";
				case "long": return "J";
				case "float": return "F";
				case "double": return "D";
				default: throw new IllegalArgumentException(c.getName());
			}
		}
		return "L" + c.getName().replace('.', '/') + ";";
	}
}
