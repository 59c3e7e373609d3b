package io.github.dragganfiji.cli;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.core.TrackingNorm;
import io.github.dragganfiji.image.DragResultStack;
import io.github.dragganfiji.image.Inputs;
import io.github.dragganfiji.image.LatentImage;
import io.github.dragganfiji.image.Outputs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code draggan drag}: drags a generated or saved image and writes the stack, a GIF, a montage and a summary. */
final class DragCommand {

	static final List<String> OPTIONS = List.of("model", "seed", "psi", "class", "image", "points", "points-csv", "mask",
		"mask-rect", "steps", "lr", "lambda", "r1", "r2", "stop", "layers", "tracking", "every", "mode", "device",
		"threads", "region-radius", "slice", "out");
	static final List<String> FLAGS = List.of("w", "raw", "region-mask");
	static final String HELP = """
		draggan drag (--image FILE.tif | --model NAME|DIR --seed N [--psi P]) (--points "hx,hy,tx,ty;..." | --points-csv FILE)
		             [--mask FILE.png | --mask-rect x,y,w,h] [--steps 200] [--lr LR] [--lambda 20] [--r1 R] [--r2 R]
		             [--stop PX] [--w] [--layers K] [--tracking l1|l2] [--every N] [--mode MODE] [--device auto|cpu|gpu]
		             [--out DIR] [--raw] [--region-radius PX] [--region-mask] [--slice N]
		  Drags handles to targets. The image is a TIFF written by this tool or the plugin (it carries its latent),
		  or generated from a seed; of a stack (a result stack, say) the last slice, or --slice N. Points: pixel coordinates, handle then target. Mask: non-zero pixels may move.
		  Modes: paper (DragGAN as published), anchored, line, stable (see the README); default: %s. --lr and --r1
		  default to the mode's (the robust modes: three times the model's learning rate, r1 = 24 px at 512).
		  Writes DIR/drag.tif (one slice per step, with latents), DIR/drag.gif and DIR/montage.png (at most 100
		  evenly spaced steps), DIR/summary.txt;
		  the summary says where each handle's content was found in the last image (verified by NCC).
		  The image keeps its pixels outside the movable area (paste-back; --raw shows the generator's output
		  everywhere, the paper's): the --mask, or without one the pixels within --region-radius (1/8 of the side;
		  1 px to the image size) of each handle-to-target segment, a real (inverted) image's and a generated
		  one's alike. The drag itself runs unmasked and the area bounds the paste-back only, unless --region-mask
		  (or --raw) makes the area its mask too.
		""".formatted(DragConfig.DEFAULT_MODE.key());

	private DragCommand() {}

	static int run(final Args a) throws IOException {
		final Path out = Path.of(a.get("out", "out/drag"));
		final Path imageFile = a.has("image") ? Path.of(a.get("image", "")) : null;
		for (final String input : List.of("image", "mask", "points-csv"))
			if (a.has(input)) Outputs.refuseOverwriting(Path.of(a.get(input, "")), out, Outputs.DRAG_FILES);
		Outputs.requireFolder(out);
		final ImagePlus input = imageFile != null ? slice(Inputs.open(imageFile), a) : GenerateCommand.generate(a);
		final LatentImage image = LatentImage.of(input, CliModels.searchPath(a.get("model", null)));
		final int res = input.getWidth();
		final List<Point[]> pairs = points(a);
		final DragInput in = DragInput.of(pairs.stream().map(p -> p[0]).toList(), pairs.stream().map(p -> p[1])
			.toList(), mask(a, res), res, input.getHeight());
		for (final String note : in.notes())
			System.err.println("draggan drag: " + note);
		final var m = image.model().metadata();
		final DragMode mode;
		try {
			mode = DragMode.parse(a.get("mode", DragConfig.DEFAULT_MODE.key()));
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException(e.getMessage());
		}
		final DragConfig d = DragConfig.defaults(m.resolution(), m.learningRate(), m.dragLayers(), mode);
		final double stop = a.number("stop", 0);
		if (!Double.isFinite(stop)) throw new Args.UsageException("--stop needs a distance in pixels (0 = the paper's " +
			"rule), not " + a.get("stop", ""));
		final String tracking = a.get("tracking", "l1").toLowerCase(Locale.ROOT);
		if (!tracking.equals("l1") && !tracking.equals("l2")) throw new Args.UsageException("--tracking is l1 or l2");
		final DragConfig cfg = new DragConfig(a.integer("steps", d.maxSteps()), a.number("lr", d.learningRate()), a
			.number("lambda", d.lambdaMask()), a.integer("r1", d.r1()), a.integer("r2", d.r2()), stop == 0
				? Double.NaN : stop, !a.has("w"), a.integer("layers", d.layers()), tracking.equals("l1")
					? TrackingNorm.L1 : TrackingNorm.L2, a.integer("every", 1), mode);
		final RealImageOptions d0 = RealImageOptions.defaults(m.resolution());
		final RealImageOptions real = new RealImageOptions(!a.has("raw"), a.number("region-radius", d0.regionRadius()), a
			.has("region-mask") || d0.regionAsMask())
			.requireFits(m.resolution());
		Launch.startRuntime(a);
		return drag(image, in, cfg, Launch.device(a), out, real);
	}

	/** Runs a drag from an image and writes its outputs (shared with demo); returns the exit code (0). */
	static int drag(final LatentImage image, final DragInput requested, final DragConfig cfg,
		final io.github.dragganfiji.runtime.DeviceChoice device, final Path out, final RealImageOptions real)
		throws IOException
	{
		final var m = image.model().metadata();
		final DragUseCase.Plan plan = DragUseCase.plan(requested, image.isInverted(), image.imp().getTitle(), real,
			System.err::println);
		final DragUseCase.Request request = new DragUseCase.Request(image.model(), image.latent(), plan.input(), cfg,
			device);
		Outputs.makeFolder(out); // after every check, before the drag: nothing made for a refused drag
		final DragResultStack stack = DragResultStack.of(image, plan, false);
		final ProgressBar bar = new ProgressBar(System.err, cfg.maxSteps());
		final DragUseCase.Result r = DragUseCase.run(request, step -> {
				stack.step(step);
				bar.step(step);
			}, () -> false, System.err::println);
		bar.done();
		final String note = r.note(cfg);
		if (note != null) System.err.println("draggan drag: " + note);
		return write(stack.finish(DragUseCase.params(cfg, plan, m.name()), r.drag().verification()), r, out, image
			.imp());
	}

	/** Writes the outputs of a finished drag and prints the summary; returns the exit code (0). */
	static int write(final ImagePlus stack, final DragUseCase.Result r, final Path out, final ImagePlus input)
		throws IOException
	{
		System.out.print(Outputs.drag(stack, r, out, input));
		return 0;
	}

	/**
	 * A stack's slice (or a hyperstack's frame) to drag from: --slice N, else the last one (where a result stack's
	 * drag ended), said on stderr; a single image as it is.
	 */
	static ImagePlus slice(final ImagePlus imp, final Args a) {
		final boolean frames = imp.isHyperStack() || imp.isComposite();
		final int n = frames ? imp.getNFrames() : imp.getStackSize();
		final int k = a.integer("slice", n);
		if (k < 1 || k > n) throw new Args.UsageException("--slice must be " + (n == 1 ? "1 for the single image '" +
			imp.getTitle() + "'" : "1 to " + n + " for '" + imp.getTitle() + "'") + ", not " + k);
		if (n == 1) return imp;
		if (frames) imp.setT(k);
		else imp.setSlice(k);
		System.err.println("draggan drag: '" + imp.getTitle() + "' is a stack of " + n + (frames ? " frames" : " slices") +
			"; dragging from " + (frames ? "frame " : "slice ") + k + (a.has("slice") ? "" : ", the last (--slice N " +
				"chooses another)") + ".");
		return imp;
	}

	/** The handle/target pairs of --points or --points-csv. */
	static List<Point[]> points(final Args a) throws IOException {
		String text = a.get("points", null);
		if (text == null && a.has("points-csv")) {
			final Path file = Path.of(a.get("points-csv", ""));
			if (!Files.isRegularFile(file)) throw new IllegalArgumentException("No such points file: " + file +
				" (give a CSV file with one hx,hy,tx,ty row per handle)");
			final List<String> lines;
			try {
				lines = Files.readAllLines(file, StandardCharsets.UTF_8);
			}
			catch (final java.nio.charset.CharacterCodingException e) {
				throw new IllegalArgumentException("The points file " + file + " is not a text file: give a CSV file " +
					"with one hx,hy,tx,ty row per handle");
			}
			final List<String> rows = new ArrayList<>();
			for (final String l : lines)
				if (!l.isBlank() && (Character.isDigit(l.trim().charAt(0)) || l.trim().startsWith("-"))) rows.add(l
					.trim()); // skips a header line
			text = String.join(";", rows);
		}
		if (text == null || text.isBlank()) throw new Args.UsageException("give --points \"hx,hy,tx,ty;...\" or " +
			"--points-csv FILE");
		final List<Point[]> pairs = new ArrayList<>();
		for (final String pair : text.split(";")) {
			final String[] v = pair.trim().split("[,\\s]+");
			if (v.length != 4) throw new Args.UsageException("each point pair is hx,hy,tx,ty, not '" + pair + "'");
			try {
				pairs.add(new Point[] { new Point(Float.parseFloat(v[0]), Float.parseFloat(v[1])), new Point(Float
					.parseFloat(v[2]), Float.parseFloat(v[3])) });
			}
			catch (final NumberFormatException e) {
				throw new Args.UsageException("not a number in '" + pair + "'");
			}
		}
		return pairs;
	}

	/** The movable mask of --mask-rect or --mask (non-zero pixels may move), or null. */
	static boolean[] mask(final Args a, final int res) {
		if (a.has("mask-rect")) {
			final String[] v = a.get("mask-rect", "").split(",");
			if (v.length != 4) throw new Args.UsageException("--mask-rect is x,y,w,h");
			final int[] r = new int[4];
			try {
				for (int i = 0; i < 4; i++)
					r[i] = Integer.parseInt(v[i].trim());
			}
			catch (final NumberFormatException e) {
				throw new Args.UsageException("--mask-rect is x,y,w,h in whole pixels, not '" + a.get("mask-rect", "") +
					"'");
			}
			if (r[2] < 1 || r[3] < 1) throw new Args.UsageException("--mask-rect needs a width and a height of at " +
				"least 1 pixel, not " + r[2] + " x " + r[3]);
			final boolean[] m = new boolean[res * res];
			for (int y = Math.max(0, r[1]); y < Math.min(res, (long) r[1] + r[3]); y++)
				for (int x = Math.max(0, r[0]); x < Math.min(res, (long) r[0] + r[2]); x++)
					m[y * res + x] = true;
			return m;
		}
		if (!a.has("mask")) return null;
		final Path file = Path.of(a.get("mask", ""));
		if (!Files.isRegularFile(file)) throw new IllegalArgumentException("No such mask image: " + file + " (give an " +
			"image of the drag's size whose non-zero pixels may move).");
		final ImagePlus img = Inputs.open(file);
		if (img.getWidth() != res || img.getHeight() != res) throw new IllegalArgumentException("The mask is " + img
			.getWidth() + " x " + img.getHeight() + " pixels; the image is " + res + " x " + res + ": give a mask of " +
			"the image's size.");
		final ImageProcessor ip = img.getProcessor();
		final boolean[] m = new boolean[res * res];
		for (int i = 0; i < m.length; i++)
			m[i] = ip.getf(i) != 0;
		if (DragInput.count(m) == 0) throw new IllegalArgumentException("The mask " + a.get("mask", "") +
			" has no non-zero pixel");
		return m;
	}
}
