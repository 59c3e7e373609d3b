package io.github.dragganfiji.cli;

import ai.djl.engine.EngineException;

import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;
import io.github.dragganfiji.model.InvalidBundleException;
import io.github.dragganfiji.model.PyTorch;
import io.github.dragganfiji.model.ShutdownGuard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The command-line entry point ({@code ./draggan COMMAND ...}): builds each use case's input straight from numbers and
 * files. Exit codes: 0 done, 2 usage error, 3 bad input or model, 4 engine or internal failure; every failure is one
 * sentence on stderr (the stack trace only with DRAGGAN_DEBUG=1).
 */
public final class Main {

	static final String HELP = """
		DragGAN for Fiji, command line.
		  draggan demo       drag a nucleus on the sample model, write out/demo/
		  draggan generate   an image from a seed (TIFF carrying its latent)
		  draggan drag       drag handles to targets on a generated or saved image
		  draggan invert     find the latent of a real image (then drag it)
		  draggan eval       the accuracy suite (NCC template matching, leakage)
		  draggan eval-invert  how well inversion reconstructs images (PSNR, SSIM)
		  draggan eval-real  what drags do to real images (inversion, paste-back, verified arrival)
		  draggan bench      time per drag step
		  draggan info       runtime, device and models
		  draggan convert    a StyleGAN2 checkpoint (NVIDIA .pkl, rosinality .pt) to a bundle
		'draggan COMMAND --help' describes each.""";

	private Main() {}

	public static void main(final String[] args) {
		// Ctrl-C or SIGTERM: the engine stops at a step boundary and the command still writes what is done before the
		// JVM exits (ShutdownGuard waits for this section), so no step is lost and libtorch is never cut off mid-step.
		final int code = ShutdownGuard.run(() -> run(args));
		System.exit(code);
	}

	/** Runs a command; returns the exit code. */
	public static int run(final String[] args) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
			System.out.println(HELP);
			return args.length == 0 ? 2 : 0;
		}
		final String cmd = args[0];
		final String[] rest = Arrays.copyOfRange(args, 1, args.length);
		final boolean help = Arrays.asList(rest).contains("--help");
		try {
			switch (cmd) {
				case "demo":
					return help ? usage(DemoCommand.HELP) : DemoCommand.run(new Args(rest, DemoCommand.OPTIONS, List.of()));
				case "generate":
					return help ? usage(GenerateCommand.HELP) : GenerateCommand.run(new Args(rest, GenerateCommand.OPTIONS,
						List.of()));
				case "drag":
					return help ? usage(DragCommand.HELP) : DragCommand.run(new Args(rest, DragCommand.OPTIONS,
						DragCommand.FLAGS));
				case "convert":
					return help ? usage(ConvertCommand.HELP) : ConvertCommand.run(rest);
				case "invert":
					return help ? usage(InvertCommand.HELP) : InvertCommand.run(new Args(rest, InvertCommand.OPTIONS, List
						.of()));
				case "info":
					return help ? usage(InfoCommand.HELP) : InfoCommand.run(new Args(rest, InfoCommand.OPTIONS, List.of()));
				case "eval":
					return help ? usage(EvalCommand.HELP) : EvalCommand.run(new Args(rest, EvalCommand.OPTIONS,
						EvalCommand.FLAGS));
				case "eval-invert":
					return help ? usage(EvalInvertCommand.HELP) : EvalInvertCommand.run(new Args(rest,
						EvalInvertCommand.OPTIONS, List.of()));
				case "eval-real":
					return help ? usage(EvalRealCommand.HELP) : EvalRealCommand.run(new Args(rest, EvalRealCommand.OPTIONS,
						List.of()));
				case "bench":
					return help ? usage(BenchCommand.HELP) : BenchCommand.run(new Args(rest, BenchCommand.OPTIONS,
						BenchCommand.FLAGS));
				default:
					System.err.println("Unknown command '" + cmd + "'.\n" + HELP);
					return 2;
			}
		}
		catch (final Args.UsageException e) {
			return fail(cmd, e, e.getMessage() + " (see 'draggan " + cmd + " --help')", 2);
		}
		catch (final IllegalArgumentException | InvalidBundleException | IllegalStateException e) {
			return fail(cmd, e, e.getMessage(), 3);
		}
		catch (final EngineException e) {
			return fail(cmd, e, "the PyTorch engine failed: " + PyTorch.oneLine(e) + DETAILS, 4);
		}
		catch (final IOException e) {
			return fail(cmd, e, Outputs.explain(e), 3);
		}
		catch (final UncheckedIOException e) {
			return fail(cmd, e, Outputs.explain(e.getCause()), 3);
		}
		catch (final OutOfMemoryError e) {
			return fail(cmd, e, "out of memory. Record fewer steps (--every N), or give Java more memory " +
				"(DRAGGAN_JAVA_OPTS=-Xmx8g ./draggan ...).", 4);
		}
		catch (final RuntimeException e) {
			return fail(cmd, e, "unexpected error (" + e.getClass().getSimpleName() + ": " + PyTorch.oneLine(e) + ")" +
				DETAILS, 4);
		}
	}

	/** How the user gets a failure's stack trace (never shown otherwise). */
	static final String DETAILS = "; run with DRAGGAN_DEBUG=1 for the details";

	/** Whether to print stack traces and other details: DRAGGAN_DEBUG=1 or -Ddraggan.debug=true. */
	static boolean debug() {
		final String env = System.getenv("DRAGGAN_DEBUG");
		return Boolean.getBoolean("draggan.debug") || env != null && !env.isBlank() && !env.equals("0");
	}

	/** One sentence on stderr (the stack trace too when debugging); returns the exit code. */
	private static int fail(final String cmd, final Throwable e, final String message, final int code) {
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

	/** Between the items of a long command: an interrupt ends it without writing a partial report. */
	static void requireNotStopping() {
		if (ShutdownGuard.stopping()) throw new IllegalStateException("interrupted; no report was written.");
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

	private static int usage(final String text) {
		System.out.println(text);
		return 0;
	}
}
