/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package org.imglyb.bridge;

import java.io.File;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;

import javax.management.ObjectName;

/**
 * Writes the class-data-sharing archive that imglyb's next start with the same Java, classpath and
 * options maps (crates/imglyb-core/src/runtime/cds.rs). Called once, from a C exit hook, in a JVM
 * started with {@code -XX:+RecordDynamicDumpInfo}: HotSpot's {@code VM.cds dynamic_dump}
 * diagnostic command archives every class linked by then.
 */
public final class ClassArchive {

	/** The archives kept in the cache folder; older ones are deleted after a dump. */
	static final int KEEP = 8;

	private ClassArchive() {}

	/**
	 * Dumps the archive into {@code temporary}, then renames it to {@code path}, waiting at most
	 * {@code timeoutMillis}; returns whether {@code path} now holds it. Never throws: without an
	 * archive the next start is only slower.
	 */
	public static boolean dump(final String path, final String temporary, final long timeoutMillis) {
		final Dump dump = new Dump(path, temporary);
		final Thread thread = new Thread(dump, "imglyb class archive");
		thread.setDaemon(true);
		thread.start();
		try {
			thread.join(timeoutMillis);
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		return dump.done;
	}

	/** The dump, on a thread of its own so that the exit hook can stop waiting for it. */
	private static final class Dump implements Runnable {

		private final File path;

		private final File temporary;

		volatile boolean done;

		Dump(final String path, final String temporary) {
			this.path = new File(path);
			this.temporary = new File(temporary);
		}

		@Override
		public void run() {
			// The JDK reports the dump on System.out, naming the file ("Dynamic dump to file ..."
			// on Java 17, "The process was attached by jcmd and dumped a dynamic archive ..." on
			// 25); that line, and only that line, is kept off the user's output.
			final PrintStream out = System.out;
			System.setOut(new Quiet(out, temporary.getName()));
			try {
				ManagementFactory.getPlatformMBeanServer().invoke(
						new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
						new Object[] { new String[] { "dynamic_dump", temporary.getPath() } },
						new String[] { String[].class.getName() });
				if (temporary.length() > 0) {
					Files.move(temporary.toPath(), path.toPath(), StandardCopyOption.ATOMIC_MOVE,
							StandardCopyOption.REPLACE_EXISTING);
					done = true;
					prune(path.getParentFile());
				}
			}
			catch (final Exception | LinkageError e) {
				// No archive this time (no java.management in a trimmed runtime, a full disk):
				// the next start records again.
			}
			finally {
				System.setOut(out);
				temporary.delete();
			}
		}
	}

	/**
	 * Deletes all but the {@link #KEEP} newest archives in {@code folder}, and temporary files an
	 * hour old (left by a process killed while it dumped).
	 */
	static void prune(final File folder) {
		if (folder == null) {
			return;
		}
		final long hourAgo = System.currentTimeMillis() - 3_600_000L;
		final File[] stale = folder.listFiles((dir, name) -> name.endsWith(".tmp"));
		for (final File f : stale == null ? new File[0] : stale) {
			if (f.lastModified() < hourAgo) {
				f.delete();
			}
		}
		final File[] archives = folder.listFiles((dir, name) -> name.endsWith(".jsa"));
		if (archives == null || archives.length <= KEEP) {
			return;
		}
		Arrays.sort(archives, Comparator.comparingLong(File::lastModified).reversed());
		for (int i = KEEP; i < archives.length; i++) {
			archives[i].delete();
		}
	}

	/** System.out without the JDK's report of the dump: the line that names the dump's file. */
	private static final class Quiet extends PrintStream {

		private final String file;

		Quiet(final PrintStream out, final String file) {
			super(out, true, stdoutCharset());
			this.file = file;
		}

		/**
		 * The charset {@code System.out} encodes with, so that other threads' text passes
		 * unchanged: {@code stdout.encoding} (Java 19 and newer), {@code sun.stdout.encoding} (a
		 * console on older Javas), else the default charset.
		 */
		private static Charset stdoutCharset() {
			for (final String key : new String[] { "stdout.encoding", "sun.stdout.encoding" }) {
				final String name = System.getProperty(key);
				try {
					if (name != null && Charset.isSupported(name)) {
						return Charset.forName(name);
					}
				}
				catch (final IllegalArgumentException e) {
					// an illegal charset name: try the next
				}
			}
			return Charset.defaultCharset();
		}

		@Override
		public void println(final String line) {
			if (line == null || !line.contains(file)) {
				super.println(line);
			}
		}
	}
}
