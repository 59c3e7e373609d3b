package io.github.dragganfiji.cli;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.eval.InversionMethod;
import io.github.dragganfiji.eval.RealImageEval;
import io.github.dragganfiji.image.Outputs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code draggan eval-real}: what a drag does to real images. Each image (e.g. simulator images the model never
 * saw) is inverted as the plugin does it (projection, pivotal tuning with and without PTI's locality
 * regularization), then whole objects are dragged by their centroids 6-10 px (1 and 2 handles) with the real-image
 * defaults: the default region around each handle-to-target segment and paste-back. Per drag: the verified distance
 * (NCC, {@link DragVerification}), how many pixels outside the region changed in the pasted result (must be 0), how
 * much the raw generator output changed there, and the reconstruction's fidelity inside the region before the drag.
 * Writes real.csv and summary.txt.
 */
final class EvalRealCommand {

	static final String HELP = """
		draggan eval-real --bundle DIR --images DIR [--drags 4] [--methods w+pti,wplus+pti] [--region free,mask]
		                  [--steps 300] [--tune-steps 350] [--max-steps 200] [--out out/eval-real] [--threads N]
		                  [--device cpu|auto|gpu]
		  Inverts each image of --images with each method (as eval-roundtrip names them), drags --drags of its
		  objects (1 and 2 handles, centroids moved 6-10 px, the real-image defaults: default region, paste-back;
		  --region: the region as the drag's mask too, or only bounding the paste-back) and reports the verified
		  distance, pixels changed outside the region (pasted and raw), the fidelity inside it and at the blended
		  border before and after, and the seam of the pasted result with and without the seam correction; writes
		  real.csv and summary.txt.
		""";

	static final List<String> OPTIONS = List.of("bundle", "images", "drags", "methods", "region", "steps", "tune-steps", "max-steps", "out",
		"threads", "device");

	static int run(final Args a) throws IOException {
		if (!a.has("bundle") || !a.has("images")) throw new Args.UsageException("--bundle DIR and --images DIR are " +
			"required");
		final Args args = a.withDefault("device", "cpu");
		// Every input checked before the engine starts: a typing slip costs no inversion.
		final Path folder = Path.of(a.get("images", ""));
		if (!Files.isDirectory(folder)) throw new IllegalArgumentException("No such folder of images: " + folder +
			" (give --images a folder of PNG or TIFF images).");
		final List<Path> images = new ArrayList<>();
		try (Stream<Path> s = Files.list(folder)) {
			s.filter(p -> p.toString().matches("(?i).*\\.(png|tiff?)$") && !p.getFileName().toString().matches(
				"(?i).*_(clean|labels)\\.[a-z]+$")).sorted().forEach(images::add);
		}
		if (images.isEmpty()) throw new IllegalArgumentException("The folder " + folder + " holds no PNG or TIFF " +
			"image to invert (files ending in _clean or _labels are left out).");
		final int drags = a.integer("drags", 4);
		if (drags < 1) throw new Args.UsageException("--drags needs 1 or more, not " + drags);
		final List<InversionMethod> methods = new ArrayList<>();
		try {
			for (final String name : a.get("methods", "w+pti,wplus+pti").split(","))
				methods.add(InversionMethod.parse(name, a.integer("steps", 300), a.integer("tune-steps", 350)));
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException(e.getMessage());
		}
		final List<Boolean> regions = EvalRoundTripCommand.regions(a.get("region", "free,mask"));
		final Path out = Path.of(a.get("out", "out/eval-real"));
		Outputs.requireFolder(out);
		Launch.startRuntime(args);
		final List<RealImageEval.Row> rows = RealImageEval.run(Path.of(a.get("bundle", "")), images, drags, methods, regions, a.integer(
			"max-steps", 200), out, Launch.device(args), System.err::println);
		System.out.print(RealImageEval.summary(rows));
		return 0;
	}

	private EvalRealCommand() {}
}
