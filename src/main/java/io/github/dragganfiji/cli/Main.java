package io.github.dragganfiji.cli;

import ai.djl.engine.EngineException;

import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;
import io.github.dragganfiji.model.InvalidBundleException;

import java.util.Arrays;
import java.util.List;

/**
 * The command-line entry point ({@code ./draggan COMMAND ...}): builds each use case's input straight from numbers and
 * files. Exit codes: 0 done, 2 usage error, 3 bad input or model, 4 engine failure.
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
		System.exit(run(args));
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
			System.err.println("draggan " + cmd + ": " + e.getMessage() + " (see 'draggan " + cmd + " --help')");
			return 2;
		}
		catch (final IllegalArgumentException | InvalidBundleException | IllegalStateException e) {
			System.err.println("draggan " + cmd + ": " + e.getMessage());
			return 3;
		}
		catch (final EngineException e) {
			System.err.println("draggan " + cmd + ": the PyTorch engine failed: " + e.getMessage());
			return 4;
		}
		catch (final java.io.IOException e) {
			System.err.println("draggan " + cmd + ": " + e.getMessage());
			return 3;
		}
	}

	/**
	 * Starts the runtime (once per process) with the command's --device and --threads (the JVM's -Ddraggan.*
	 * options otherwise); later calls return the first start's runtime.
	 */
	static DjlRuntime.Info startRuntime(final Args a) {
		final DjlRuntime.Options sys = DjlRuntime.Options.fromSystem();
		return DjlRuntime.start(new DjlRuntime.Options(a.has("device") ? device(a) : sys.device(), a.integer("threads",
			sys.threads()), sys.interopThreads(), sys.libtorchDir(), sys.allowDownload()), System.err::println);
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
