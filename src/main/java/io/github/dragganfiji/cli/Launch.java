package io.github.dragganfiji.cli;

import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;

/**
 * What every command does around its use case: starts the runtime with its --device and --threads, parses the
 * device, and turns a failure into one sentence and an exit code ({@link Main} dispatches to the commands).
 */
final class Launch {

	private Launch() {}

	/** How the user gets a failure's stack trace (never shown otherwise). */
	static final String DETAILS = "; run with DRAGGAN_DEBUG=1 for the details";

	/** Whether to print stack traces and other details: --verbose, DRAGGAN_DEBUG=1 or -Ddraggan.debug=true. */
	static boolean debug() {
		return Boolean.getBoolean("draggan.debug") || Boolean.getBoolean(VERBOSE) || on(System.getenv("DRAGGAN_DEBUG"));
	}

	/** The system property that --verbose sets (also -Ddraggan.verbose=true, or DRAGGAN_VERBOSE=1). */
	static final String VERBOSE = "draggan.verbose";

	private static boolean on(final String env) {
		return env != null && !env.isBlank() && !env.equals("0");
	}

	/**
	 * Quiet by default: the engine's own log lines (DJL's INFO about extracting libraries and thread counts, its WARN
	 * that there is no CUDA driver where there simply is none) are left out, since the runtime's one line says which
	 * libtorch, device and threads are used; libtorch's NNPACK warnings are off in {@code DjlRuntime} itself.
	 * {@code --verbose} (anywhere among the arguments) shows everything and the details of a failure. Returns the
	 * arguments without {@code --verbose}. Must run before DJL's first log line (its loggers read the level once).
	 */
	static String[] logging(final String[] args) {
		final boolean verbose = java.util.Arrays.asList(args).contains("--verbose") || Boolean.getBoolean(VERBOSE) ||
			on(System.getenv("DRAGGAN_VERBOSE"));
		if (verbose) System.setProperty(VERBOSE, "true");
		else if (System.getProperty(DJL_LEVEL) == null) System.setProperty(DJL_LEVEL, "error");
		return java.util.Arrays.stream(args).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
	}

	/** slf4j-simple's level for DJL's loggers (the command line's slf4j provider). */
	static final String DJL_LEVEL = "org.slf4j.simpleLogger.log.ai.djl";

	/** One sentence on stderr (the stack trace too when debugging); returns the exit code. */
	static int fail(final String cmd, final Throwable e, final String message, final int code) {
		if (debug()) e.printStackTrace();
		System.err.println("draggan " + cmd + ": " + message);
		return code;
	}

	/**
	 * Starts the runtime (once per process) with the command's --device and --threads (the JVM's -Ddraggan.*
	 * options otherwise); later calls return the first start's runtime.
	 */
	static DjlRuntime.Info startRuntime(final Args a) {
		final DjlRuntime.Options sys = DjlRuntime.Options.fromSystem();
		final int threads = a.integer("threads", sys.threads());
		if (threads < 0) throw new Args.UsageException("--threads needs 0 (all cores) or more, not " + threads);
		return DjlRuntime.start(new DjlRuntime.Options(a.has("device") ? device(a) : sys.device(), threads, sys
			.interopThreads(), sys.libtorchDir(), sys.allowDownload()), System.err::println);
	}

	/** The --device option (auto when not given). */
	static DeviceChoice device(final Args a) {
		try {
			return DeviceChoice.parse(a.get("device", "auto"));
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException(e.getMessage());
		}
	}

}
