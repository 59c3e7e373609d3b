package io.github.dragganfiji.cli;

import ai.djl.engine.EngineException;

import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.model.InvalidBundleException;
import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ShutdownGuard;

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
		  draggan eval-roundtrip  inversions of generated images dragged against their true latents
		  draggan bench      time per drag step
		  draggan info       runtime, device and models
		  draggan convert    a StyleGAN2 checkpoint (NVIDIA .pkl, rosinality .pt) to a bundle
		  draggan dataset    images to a training set for NVIDIA's StyleGAN2-ADA train.py
		  draggan batch      a table of drag, invert and generate jobs, on Apache Spark (embedded or a cluster)
		'draggan COMMAND --help' describes each. --verbose (any command) also shows the engine's own log lines and
		the details of a failure.""";

	private Main() {}

	public static void main(final String[] args) {
		// Ctrl-C or SIGTERM: the engine stops at a step boundary and the command still writes what is done before the
		// JVM exits (ShutdownGuard waits for this section), so no step is lost and libtorch is never cut off mid-step.
		final int code = ShutdownGuard.run(() -> run(args));
		System.exit(code);
	}

	/** Runs a command; returns the exit code. */
	public static int run(final String[] given) {
		final String[] args = Launch.logging(given);
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
				case "dataset":
					return help ? usage(DatasetCommand.HELP) : DatasetCommand.run(rest);
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
				case "eval-roundtrip":
					return help ? usage(EvalRoundTripCommand.HELP) : EvalRoundTripCommand.run(new Args(rest,
						EvalRoundTripCommand.OPTIONS, List.of()));
				case "bench":
					return help ? usage(BenchCommand.HELP) : BenchCommand.run(new Args(rest, BenchCommand.OPTIONS,
						BenchCommand.FLAGS));
				case "batch":
					return batch(rest, help);
				default:
					System.err.println("Unknown command '" + cmd + "'.\n" + HELP);
					return 2;
			}
		}
		catch (final Args.UsageException e) {
			return Launch.fail(cmd, e, e.getMessage() + " (see 'draggan " + cmd + " --help')", 2);
		}
		catch (final IllegalArgumentException | InvalidBundleException | IllegalStateException e) {
			return Launch.fail(cmd, e, e.getMessage(), 3);
		}
		catch (final EngineException e) {
			return Launch.fail(cmd, e, "the PyTorch engine failed: " + PyTorch.oneLine(e) + Launch.DETAILS, 4);
		}
		catch (final IOException e) {
			return Launch.fail(cmd, e, Outputs.explain(e), 3);
		}
		catch (final UncheckedIOException e) {
			return Launch.fail(cmd, e, Outputs.explain(e.getCause()), 3);
		}
		catch (final OutOfMemoryError e) {
			return Launch.fail(cmd, e, "out of memory. Record fewer steps (--every N), or give Java more memory " +
				"(DRAGGAN_JAVA_OPTS=-Xmx8g ./draggan ...).", 4);
		}
		catch (final RuntimeException e) {
			return Launch.fail(cmd, e, "unexpected error (" + e.getClass().getSimpleName() + ": " + PyTorch.oneLine(e) + ")" +
				Launch.DETAILS, 4);
		}
	}

	/**
	 * The batch command, reached by name: it needs Apache Spark, which the plugin's jar and Fiji never carry
	 * (./draggan adds it to the class path for this command only; a cluster's spark-submit brings its own).
	 */
	private static int batch(final String[] rest, final boolean help) throws IOException {
		final Class<?> c;
		try {
			c = Class.forName("io.github.dragganfiji.batch.BatchCommand");
			Class.forName("org.apache.spark.SparkConf");
		}
		catch (final ClassNotFoundException | LinkageError e) {
			throw new IllegalStateException("this needs Apache Spark on the class path: run it as './draggan batch' " +
				"from a checkout, or with spark-submit (docs/batch.md)");
		}
		try {
			if (help) return usage((String) c.getField("HELP").get(null));
			return (Integer) c.getMethod("run", String[].class).invoke(null, (Object) rest);
		}
		catch (final java.lang.reflect.InvocationTargetException e) {
			if (e.getCause() instanceof IOException io) throw io;
			if (e.getCause() instanceof RuntimeException r) throw r;
			if (e.getCause() instanceof Error err) throw err;
			throw new IllegalStateException(e.getCause());
		}
		catch (final ReflectiveOperationException e) {
			throw new IllegalStateException("the batch command is missing from this build (" + e + ")");
		}
	}

	private static int usage(final String text) {
		System.out.println(text);
		return 0;
	}
}
