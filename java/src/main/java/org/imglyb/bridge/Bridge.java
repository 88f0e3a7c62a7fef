/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import net.imglib2.Cursor;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Static entry points that the Rust side calls through JNI.
 *
 * <p>Every method here is called with the bridge's own class loader as the context for class
 * lookups, so ImgLib2 is resolved from the classpath of the running JVM.
 */
public final class Bridge {

	private static final String IMGLIB2_POM = "META-INF/maven/net.imglib2/imglib2/pom.properties";

	private Bridge() {}

	/** The version of these embedded classes; equals the version of the Rust crates that embed them. */
	public static String version() {
		return BuildInfo.VERSION;
	}

	/**
	 * Facts about the running JVM, as alternating keys and values.
	 *
	 * <p>Keys: {@code java_version}, {@code java_vendor}, {@code java_vm}, {@code java_home},
	 * {@code classpath}, {@code imglib2_version}, {@code imglib2_location}, {@code bridge_version}.
	 * ImgLib2 entries are {@code null} when ImgLib2 is not loadable.
	 */
	public static String[] jvmInfo() {
		final List<String> kv = new ArrayList<>();
		kv.add("java_version");
		kv.add(System.getProperty("java.version"));
		kv.add("java_vendor");
		kv.add(System.getProperty("java.vendor"));
		kv.add("java_vm");
		kv.add(System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
		kv.add("java_home");
		kv.add(System.getProperty("java.home"));
		kv.add("classpath");
		kv.add(System.getProperty("java.class.path"));
		final Class<?> img = imglib2Class();
		kv.add("imglib2_version");
		kv.add(img == null ? null : imglib2Version(img));
		kv.add("imglib2_location");
		kv.add(img == null ? null : location(img));
		kv.add("bridge_version");
		kv.add(version());
		return kv.toArray(new String[0]);
	}

	/**
	 * The options the JVM was started with, or {@code null} when the {@code java.management}
	 * module is not in this runtime.
	 */
	public static String[] inputArguments() {
		try {
			return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
				.toArray(new String[0]);
		}
		catch (final LinkageError | RuntimeException e) {
			return null;
		}
	}

	/**
	 * Starts preparing, on a second thread, what a first image will need ({@link WarmUp}); called
	 * once, when the JVM is up and ImgLib2 is there. Returns whether the thread started.
	 */
	public static boolean warmUp() {
		return WarmUp.start();
	}

	/** Whether {@code net.imglib2.img.Img} can be loaded from the bridge's class loader. */
	public static boolean imglib2Available() {
		return imglib2Class() != null;
	}

	/**
	 * A first real use of ImgLib2: fills a 4x3 {@code ArrayImg} of floats with 0..11 through a cursor
	 * and returns the sum (66).
	 */
	public static double imglib2SelfTest() {
		final Img<FloatType> img = ArrayImgs.floats(4, 3);
		final Cursor<FloatType> c = img.cursor();
		float next = 0;
		while (c.hasNext()) {
			c.next().set(next++);
		}
		double sum = 0;
		for (final FloatType t : img) {
			sum += t.get();
		}
		return sum;
	}

	/**
	 * Describes a throwable for the Rust side: class name, message (may be {@code null}) and the
	 * full stack trace text including causes.
	 */
	public static String[] throwableText(final Throwable t) {
		final StringWriter w = new StringWriter();
		t.printStackTrace(new PrintWriter(w));
		return new String[] { t.getClass().getName(), t.getMessage(), w.toString() };
	}

	private static Class<?> imglib2Class() {
		try {
			return Class.forName("net.imglib2.img.Img", false, Bridge.class.getClassLoader());
		}
		catch (final ClassNotFoundException | LinkageError e) {
			return null;
		}
	}

	private static String location(final Class<?> c) {
		final CodeSource src = c.getProtectionDomain().getCodeSource();
		if (src == null || src.getLocation() == null) {
			return null;
		}
		try {
			return new File(src.getLocation().toURI()).getPath();
		}
		catch (final Exception e) {
			return src.getLocation().toString();
		}
	}

	/** The Maven version of the jar that holds {@code img}, read from its pom.properties. */
	private static String imglib2Version(final Class<?> img) {
		final String where = location(img);
		if (where != null) {
			final File f = new File(where);
			try {
				if (f.isDirectory()) {
					final File pom = new File(f, IMGLIB2_POM);
					if (pom.isFile()) {
						try (InputStream in = new FileInputStream(pom)) {
							return versionOf(in);
						}
					}
				}
				else if (f.isFile()) {
					try (JarFile jar = new JarFile(f)) {
						final ZipEntry e = jar.getEntry(IMGLIB2_POM);
						if (e != null) {
							try (InputStream in = jar.getInputStream(e)) {
								return versionOf(in);
							}
						}
					}
				}
			}
			catch (final Exception e) {
				// Fall through to the manifest.
			}
		}
		final Package p = img.getPackage();
		final String v = p == null ? null : p.getImplementationVersion();
		return v == null ? "unknown" : v;
	}

	private static String versionOf(final InputStream in) throws java.io.IOException {
		final Properties props = new Properties();
		props.load(in);
		return props.getProperty("version", "unknown");
	}
}
