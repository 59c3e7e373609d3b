package io.github.dragganfiji.cli;

import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.eval.InvertEval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * {@code draggan eval-invert}: how well inversion reconstructs images. Real images (a folder, e.g. simulator images
 * the model never saw) go through the plugin's own path (center crop and scaling, percentile intensity mapping), then
 * W+ projection, then pivotal tuning of a private copy of the model; the model's own images (seeds) are projected
 * only. PSNR and SSIM are measured in the model's intensity units against the target the plugin optimizes. Where an
 * image X.png has a noise-free twin X_clean.png beside it ({@code tools/simulate.py --clean}), PSNR is also taken
 * against that twin, mapped the same way: the truth, not one noisy exposure of it. Writes inversion.csv and
 * summary.txt.
 */
final class EvalInvertCommand {

	static final String HELP = """
		draggan eval-invert --bundle DIR [--images DIR] [--generated 10] [--steps 300] [--starts 1] [--tune-steps 350]
		                    [--tune-lr 3e-4] [--tune-locality 0] [--psi BUNDLE'S] [--out out/eval-invert] [--threads N]
		                    [--device cpu|auto|gpu]
		  Inverts every image in --images (projection, then pivotal tuning) and --generated of the model's own images
		  (seeds 9000, 9001, ...: projection only); writes inversion.csv and summary.txt with PSNR and SSIM (also
		  against X_clean.png, the noise-free twin of X.png, where there is one).
		""";

	static final List<String> OPTIONS = List.of("bundle", "images", "generated", "steps", "starts", "tune-steps", "tune-lr", "tune-locality",
		"psi", "out", "threads", "device");

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		final Args args = a.withDefault("device", "cpu");
		Launch.startRuntime(args);
		final List<Path> images = new ArrayList<>();
		if (a.has("images")) try (Stream<Path> s = Files.list(Path.of(a.get("images", "")))) {
			s.filter(p -> p.toString().matches("(?i).*\\.(png|tiff?)$") && !p.getFileName().toString().matches(
				"(?i).*_(clean|labels)\\.[a-z]+$")).sorted().forEach(images::add);
		}
		final Projector.Options d = Projector.Options.defaults();
		final Projector.Options proj = new Projector.Options(a.integer("steps", d.steps()), d.learningRate(), d
			.msssimWeight()).withStarts(a.integer("starts", d.starts()));
		final PivotalTuner.Options t = PivotalTuner.Options.defaults();
		final int tuneSteps = a.integer("tune-steps", t.steps());
		final PivotalTuner.Options tune = tuneSteps == 0 ? null : new PivotalTuner.Options(tuneSteps, a.number("tune-lr",
			t.learningRate()), t.msssimWeight()).withLocality(a.number("tune-locality", t.localityWeight()));
		final List<InvertEval.Row> rows = InvertEval.run(Path.of(a.get("bundle", "")), images, a.integer("generated", 10), a.number("psi",
			Double.NaN), proj, tune, Path.of(a.get("out", "out/eval-invert")), Launch.device(
				args), System.err::println);
		System.out.print(InvertEval.summary(rows));
		return 0;
	}

	private EvalInvertCommand() {}
}
