package io.github.dragganfiji.batch;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * System.out and System.err, routed by thread: a job running on an executor's thread writes its console lines into
 * its own buffer (the single-job commands print to System.out and System.err), every other thread to the console as
 * before. Many jobs share one JVM, so their lines would otherwise mix on the executor's console.
 */
final class ThreadStreams {

	private static final ThreadLocal<ByteArrayOutputStream[]> SINKS = new ThreadLocal<>();
	private static PrintStream out, err;

	private ThreadStreams() {}

	/** Routes System.out and System.err through this class (again where someone has replaced them since). */
	static synchronized void install() {
		if (System.out != out || out == null) System.setOut(out = routed(System.out, 0));
		if (System.err != err || err == null) System.setErr(err = routed(System.err, 1));
	}

	/** Captures this thread's System.out and System.err until {@link #release} (two buffers: out, err). */
	static ByteArrayOutputStream[] capture() {
		install();
		final ByteArrayOutputStream[] b = { new ByteArrayOutputStream(), new ByteArrayOutputStream() };
		SINKS.set(b);
		return b;
	}

	/** Ends this thread's capture. */
	static void release() {
		SINKS.remove();
	}

	static String text(final ByteArrayOutputStream b) {
		return b.toString(StandardCharsets.UTF_8);
	}

	private static PrintStream routed(final PrintStream console, final int which) {
		return new PrintStream(new OutputStream() {

			private OutputStream target() {
				final ByteArrayOutputStream[] b = SINKS.get();
				return b == null ? console : b[which];
			}

			@Override
			public void write(final int c) {
				try {
					target().write(c);
				}
				catch (final java.io.IOException e) {
					// the console is gone: nothing to tell it
				}
			}

			@Override
			public void write(final byte[] bytes, final int off, final int len) {
				try {
					target().write(bytes, off, len);
				}
				catch (final java.io.IOException e) {
					// the console is gone: nothing to tell it
				}
			}

			@Override
			public void flush() {
				if (SINKS.get() == null) console.flush();
			}
		}, true, StandardCharsets.UTF_8);
	}
}
