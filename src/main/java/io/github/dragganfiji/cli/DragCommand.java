package io.github.dragganfiji.cli;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.TrackingNorm;
import io.github.dragganfiji.ij.Drag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code draggan drag}: drags a generated or saved image and writes the stack, a GIF, a montage and a summary. */
final class DragCommand {

	static final List<String> OPTIONS = List.of("model", "seed", "psi", "class", "image", "points", "points-csv", "mask",
		"mask-rect", "steps", "lr", "lambda", "r1", "r2", "stop", "layers", "tracking", "every", "device", "out");
	static final List<String> FLAGS = List.of("w");
	static final String HELP = """
		draggan drag (--image FILE.tif | --model NAME|DIR --seed N [--psi P]) (--points "hx,hy,tx,ty;..." | --points-csv FILE)
		             [--mask FILE.png | --mask-rect x,y,w,h] [--steps 200] [--lr LR] [--lambda 20] [--r1 R] [--r2 R]
		             [--stop PX] [--w] [--layers K] [--tracking l1|l2] [--every N] [--device auto|cpu|gpu] [--out DIR]
		  Drags handles to targets. The image is a TIFF written by this tool or the plugin (it carries its latent),
		  or generated from a seed. Points: pixel coordinates, handle then target. Mask: non-zero pixels may move.
		  Writes DIR/drag.tif (one slice per step, with latents), DIR/drag.gif, DIR/montage.png, DIR/summary.txt.
		""";

	private DragCommand() {}

	static int run(final Args a) throws IOException {
		final ImagePlus input = a.has("image") ? open(Path.of(a.get("image", ""))) : GenerateCommand.generate(a);
		final List<Roi> rois = new ArrayList<>();
		rois.add(points(a));
		final Roi mask = mask(a, input);
		if (mask != null) rois.add(mask);
		final Drag.Prepared p = Drag.prepare(input, rois);
		final var m = p.entry().metadata();
		final DragConfig d = DragConfig.defaults(m.resolution(), m.learningRate(), m.dragLayers());
		final double stop = a.number("stop", 0);
		final String tracking = a.get("tracking", "l1").toLowerCase(Locale.ROOT);
		if (!tracking.equals("l1") && !tracking.equals("l2")) throw new Args.UsageException("--tracking is l1 or l2");
		final DragConfig cfg = new DragConfig(a.integer("steps", d.maxSteps()), a.number("lr", d.learningRate()), a
			.number("lambda", d.lambdaMask()), a.integer("r1", d.r1()), a.integer("r2", d.r2()), stop == 0
				? Double.NaN : stop, !a.has("w"), a.integer("layers", d.layers()), tracking.equals("l1")
					? TrackingNorm.L1 : TrackingNorm.L2, a.integer("every", 1));
		final Path out = Path.of(a.get("out", "out/drag"));
		return write(Drag.execute(p, cfg, a.get("device", "auto"), new ProgressBar(System.err, cfg.maxSteps())), out,
			input);
	}

	/** Writes the outputs of a finished drag and prints the summary; returns the exit code (0). */
	static int write(final Drag.Outcome o, final Path out, final ImagePlus input) throws IOException {
		System.err.println();
		Files.createDirectories(out);
		Outputs.tiff(input, out.resolve("start.tif"));
		Outputs.tiff(o.stack(), out.resolve("drag.tif"));
		final ImagePlus flat = Outputs.flattened(o.stack());
		Outputs.gif(flat, out.resolve("drag.gif"));
		Outputs.montage(flat, out.resolve("montage.png"));
		final DragStep last = o.result().last();
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"%s after %d steps in %.1f s (%.0f ms per step)%n", o.result().arrived() ? "Arrived" : o.result()
				.cancelled() ? "Stopped" : "Max steps reached", o.result().updates(), o.seconds(), 1000 * o.seconds() /
					Math.max(1, o.result().updates())));
		for (int i = 0; i < last.handles().size(); i++)
			s.append(String.format(Locale.ROOT, "handle %d: now at (%.0f, %.0f), %.2f px from its target%n", i + 1, last
				.handles().get(i).x(), last.handles().get(i).y(), last.distances()[i]));
		s.append("Wrote ").append(out.resolve("drag.tif")).append(", drag.gif, montage.png, start.tif\n");
		Files.writeString(out.resolve("summary.txt"), s.toString());
		System.out.print(s);
		return 0;
	}

	static ImagePlus open(final Path file) {
		if (!Files.isRegularFile(file)) throw new IllegalArgumentException("No such image: " + file);
		final ImagePlus imp = IJ.openImage(file.toString());
		if (imp == null) throw new IllegalArgumentException("Cannot open " + file + " as an image");
		return imp;
	}

	static PointRoi points(final Args a) throws IOException {
		String text = a.get("points", null);
		if (text == null && a.has("points-csv")) {
			final List<String> lines = Files.readAllLines(Path.of(a.get("points-csv", "")));
			final List<String> rows = new ArrayList<>();
			for (final String l : lines)
				if (!l.isBlank() && (Character.isDigit(l.trim().charAt(0)) || l.trim().startsWith("-"))) rows.add(l
					.trim()); // skips a header line
			text = String.join(";", rows);
		}
		if (text == null || text.isBlank()) throw new Args.UsageException("give --points \"hx,hy,tx,ty;...\" or " +
			"--points-csv FILE");
		final List<Float> xs = new ArrayList<>(), ys = new ArrayList<>();
		for (final String pair : text.split(";")) {
			final String[] v = pair.trim().split("[,\\s]+");
			if (v.length != 4) throw new Args.UsageException("each point pair is hx,hy,tx,ty, not '" + pair + "'");
			try {
				xs.add(Float.parseFloat(v[0]));
				ys.add(Float.parseFloat(v[1]));
				xs.add(Float.parseFloat(v[2]));
				ys.add(Float.parseFloat(v[3]));
			}
			catch (final NumberFormatException e) {
				throw new Args.UsageException("not a number in '" + pair + "'");
			}
		}
		final float[] x = new float[xs.size()], y = new float[ys.size()];
		for (int i = 0; i < x.length; i++) {
			x[i] = xs.get(i);
			y[i] = ys.get(i);
		}
		return new PointRoi(x, y, x.length);
	}

	static Roi mask(final Args a, final ImagePlus input) {
		if (a.has("mask-rect")) {
			final String[] v = a.get("mask-rect", "").split(",");
			if (v.length != 4) throw new Args.UsageException("--mask-rect is x,y,w,h");
			return new Roi(Integer.parseInt(v[0].trim()), Integer.parseInt(v[1].trim()), Integer.parseInt(v[2].trim()),
				Integer.parseInt(v[3].trim()));
		}
		if (!a.has("mask")) return null;
		final ImagePlus m = open(Path.of(a.get("mask", "")));
		if (m.getWidth() != input.getWidth() || m.getHeight() != input.getHeight()) throw new IllegalArgumentException(
			"The mask is " + m.getWidth() + " x " + m.getHeight() + "; the image is " + input.getWidth() + " x " + input
				.getHeight());
		final var ip = m.getProcessor().convertToByte(false);
		ip.setThreshold(1, 255, ij.process.ImageProcessor.NO_LUT_UPDATE);
		final Roi r = ThresholdToSelection.run(new ImagePlus("mask", ip));
		if (r == null) throw new IllegalArgumentException("The mask " + a.get("mask", "") + " has no non-zero pixel");
		return r;
	}
}
