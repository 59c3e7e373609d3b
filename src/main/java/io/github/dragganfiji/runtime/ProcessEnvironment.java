package io.github.dragganfiji.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Sets variables in this process's native environment, where native libraries read them (Java's own
 * {@code System.getenv} is a copy made at start-up and cannot be changed). Used before libtorch loads, because its
 * OpenMP runtime reads its wait policy only once, when it is loaded.
 */
final class ProcessEnvironment {

	/** The C library's setenv (POSIX). */
	private interface LibC extends Library {

		int setenv(String name, String value, int overwrite);

		String getenv(String name);
	}

	private ProcessEnvironment() {}

	/** The native value of a variable (what native libraries see), or null. */
	static String get(final String name) {
		if (Platform.isWindows()) return System.getenv(name);
		try {
			return Native.load("c", LibC.class).getenv(name);
		}
		catch (final UnsatisfiedLinkError | RuntimeException e) {
			return System.getenv(name);
		}
	}

	/**
	 * Sets a variable unless the user set it already; returns whether it was set. Not on Windows (libtorch's Windows
	 * builds use another OpenMP runtime) and never fatal: without JNA's native part the variable simply stays unset.
	 */
	static boolean setIfAbsent(final String name, final String value) {
		if (Platform.isWindows() || get(name) != null) return false;
		try {
			return Native.load("c", LibC.class).setenv(name, value, 0) == 0;
		}
		catch (final UnsatisfiedLinkError | RuntimeException e) {
			return false;
		}
	}
}
