package io.github.dragganfiji.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import ij.ImagePlus;

import io.github.dragganfiji.core.ImageLoss;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.ij.InversionInput;
import io.github.dragganfiji.ij.InvertImage;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.Latents;
import io.github.dragganfiji.model.ModelMetadata;

import java.io.IOException;
import java.io.PrintWriter;
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
final class InvertEval {

	static final List<String> OPTIONS = List.of("bundle", "images", "generated", "steps", "starts", "tune-steps", "tune-lr",
		"psi", "out", "threads", "device");
	static final String HELP = """
		draggan eval-invert --bundle DIR [--images DIR] [--generated 10] [--steps 300] [--starts 1] [--tune-steps 350]
		                    [--tune-lr 3e-4] [--psi BUNDLE'S] [--out out/eval-invert] [--threads N]
		                    [--device cpu|auto|gpu]
		  Inverts every image in --images (projection, then pivotal tuning) and --generated of the model's own images
		  (seeds 9000, 9001, ...: projection only); writes inversion.csv and summary.txt with PSNR and SSIM (also
		  against X_clean.png, the noise-free twin of X.png, where there is one).
		""";
	/** First seed of the model's own images (away from the demo's and the eval suite's seeds). */
	static final int FIRST_SEED = 9000;

	private InvertEval() {}

	/**
	 * One image's result; {@code tunedPsnr} is NaN when it was not tuned. {@code noisePsnr}, {@code cleanPsnr} and
	 * {@code tunedCleanPsnr} (NaN without a noise-free twin): the input, the projection and the tuned reconstruction
	 * against the noise-free twin.
	 */
	record Row(String kind, String name, double psnr, double ssim, double tunedPsnr, double tunedSsim, int tunedStep,
		double noisePsnr, double cleanPsnr, double tunedCleanPsnr, double seconds) {}

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		if (a.has("threads")) System.setProperty("draggan.threads", a.get("threads", ""));
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
		final PivotalTuner.Options tune = tuneSteps == 0 ? null : new PivotalTuner.Options(tuneSteps, Double.parseDouble(a
			.get("tune-lr", Double.toString(t.learningRate()))), t.msssimWeight());
		final String psi = a.get("psi", null);
		final List<Row> rows = run(Path.of(a.get("bundle", "")), images, a.integer("generated", 10), psi == null
			? Double.NaN : Double.parseDouble(psi), proj, tune, Path.of(a.get("out", "out/eval-invert")), DeviceChoice
				.parse(a.get("device", "cpu")), System.err::println);
		System.out.print(summary(rows));
		return 0;
	}

	/** Runs the evaluation; {@code psi} NaN = the bundle's truncation. */
	static List<Row> run(final Path bundle, final List<Path> images, final int generated, final double psi,
		final Projector.Options proj, final PivotalTuner.Options tune, final Path out, final DeviceChoice choice,
		final Consumer<String> log) throws IOException
	{
		final DjlRuntime.Info info = DjlRuntime.start(log);
		final Device device = DjlRuntime.Info.djlDevice(info.device(choice));
		Files.createDirectories(out);
		final List<Row> rows = new ArrayList<>();
		try (Generator g = GeneratorBundle.load(bundle, device)) {
			final ModelMetadata m = g.metadata();
			final float[] reference = InvertImage.reference(g);
			for (final Path file : images) {
				final ImagePlus imp = DragCommand.open(file);
				final InversionInput in = InversionInput.of(imp, m.resolution(), InversionInput.Geometry.CROP);
				final IntensityMapping map = IntensityMapping.fit(in.flat(), reference, m.imageChannels());
				final float[] target = InvertImage.target(in, map, m);
				final Path twin = cleanTwin(file);
				final float[] clean = twin == null ? null : InvertImage.target(InversionInput.of(DragCommand.open(twin), m
					.resolution(), InversionInput.Geometry.CROP), map, m);
				rows.add(invert(g, bundle, device, "held-out", file.getFileName().toString(), target, clean, proj, tune,
					log));
			}
			final float truncation = (float) (Double.isNaN(psi) ? m.truncationPsi() : psi);
			for (int k = 0; k < generated; k++) {
				final float[] target;
				try (NDManager mm = g.manager().newSubManager()) {
					final NDArray z = mm.create(Latents.z(FIRST_SEED + k, m.zDim()), new Shape(1, m.zDim()));
					target = g.synthesis(g.mapping(z, truncation), false).toFloatArray();
				}
				rows.add(invert(g, bundle, device, "generated", "seed " + (FIRST_SEED + k), target, null, proj, null, log));
			}
		}
		try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("inversion.csv")))) {
			csv.println("kind,image,projection_psnr,projection_ssim,tuned_psnr,tuned_ssim,tuned_step,noise_psnr," +
				"projection_psnr_clean,tuned_psnr_clean,seconds");
			for (final Row r : rows)
				csv.printf(Locale.ROOT, "%s,%s,%.3f,%.4f,%.3f,%.4f,%d,%.3f,%.3f,%.3f,%.1f%n", r.kind(), r.name(), r
					.psnr(), r.ssim(), r.tunedPsnr(), r.tunedSsim(), r.tunedStep(), r.noisePsnr(), r.cleanPsnr(), r
						.tunedCleanPsnr(), r.seconds());
		}
		Files.writeString(out.resolve("summary.txt"), "bundle: " + bundle + "\nprojection: " + proj + "\ntuning: " +
			tune + "\n" + summary(rows));
		return rows;
	}

	private static Row invert(final Generator g, final Path bundle, final Device device, final String kind,
		final String name, final float[] target, final float[] clean, final Projector.Options proj,
		final PivotalTuner.Options tune,
		final Consumer<String> log) throws IOException
	{
		final long t0 = System.nanoTime();
		final Projector.Step p = Projector.project(g, target, proj, s -> {}, () -> false);
		final double ssim = InvertImage.ssim(g, p.image(), target);
		double tunedPsnr = Double.NaN, tunedSsim = Double.NaN;
		int tunedStep = -1;
		float[] tunedImage = p.image();
		if (tune != null) try (Generator own = GeneratorBundle.load(bundle, device)) {
			// As the plugin does: the best tuned step is kept; a tuning with no step better than the projection is dropped.
			final Projector.Step q = PivotalTuner.tune(own, p.ws(), target, tune, s -> {
				if (log != null && s.index() > 0 && s.index() % 50 == 0) log.accept(String.format(Locale.ROOT,
					"%s: tuning step %d, %.2f dB", name, s.index(), s.psnr()));
			}, () -> false);
			final boolean kept = PivotalTuner.improves(p, q);
			if (!kept && log != null) log.accept(String.format(Locale.ROOT, "%s: no tuning step beat the projection (%.2f dB), dropped",
				name, q.psnr()));
			tunedPsnr = kept ? q.psnr() : p.psnr();
			tunedSsim = kept ? InvertImage.ssim(g, q.image(), target) : ssim;
			tunedStep = kept ? q.index() : 0;
			if (kept) tunedImage = q.image();
		}
		final double range = g.metadata().outputMax() - g.metadata().outputMin();
		final Row r = new Row(kind, name, p.psnr(), ssim, tunedPsnr, tunedSsim, tunedStep, psnr(target, clean, range),
			psnr(p.image(), clean, range), tune == null ? Double.NaN : psnr(tunedImage, clean, range), (System.nanoTime() -
				t0) / 1e9);
		if (log != null) log.accept(String.format(Locale.ROOT, "%s %s: projection %.2f dB (SSIM %.3f)%s, %.1f s", kind,
			name, r.psnr(), r.ssim(), tune == null ? "" : String.format(Locale.ROOT, ", tuned %.2f dB (SSIM %.3f) at step %d", r
				.tunedPsnr(), r.tunedSsim(), r.tunedStep()), r.seconds()));
		return r;
	}

	/** X_clean.png beside X.png (same extension), or null. */
	static Path cleanTwin(final Path file) {
		final String name = file.getFileName().toString();
		final int dot = name.lastIndexOf('.');
		final Path twin = file.resolveSibling(name.substring(0, dot) + "_clean" + name.substring(dot));
		return Files.isRegularFile(twin) ? twin : null;
	}

	/** PSNR of a against b over {@code range}; NaN when b is null. */
	static double psnr(final float[] a, final float[] b, final double range) {
		if (b == null) return Double.NaN;
		double sum = 0;
		for (int i = 0; i < a.length; i++)
			sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
		return ImageLoss.psnr(sum / a.length, range);
	}

	/** Medians and ranges per kind. */
	static String summary(final List<Row> rows) {
		final StringBuilder sb = new StringBuilder();
		for (final String kind : List.of("held-out", "generated")) {
			final List<Row> k = rows.stream().filter(r -> r.kind().equals(kind)).toList();
			if (k.isEmpty()) continue;
			sb.append(String.format(Locale.ROOT, "%s images (%d): projection PSNR median %.2f dB (min %.2f, max %.2f), " +
				"SSIM median %.3f", kind, k.size(), median(k, Row::psnr), min(k, Row::psnr), max(k, Row::psnr), median(k,
					Row::ssim)));
			if (k.stream().anyMatch(r -> !Double.isNaN(r.tunedPsnr()))) sb.append(String.format(Locale.ROOT,
				"; after pivotal tuning median %.2f dB (min %.2f, max %.2f), SSIM median %.3f", median(k,
					Row::tunedPsnr), min(k, Row::tunedPsnr), max(k, Row::tunedPsnr), median(k, Row::tunedSsim)));
			if (k.stream().anyMatch(r -> !Double.isNaN(r.noisePsnr()))) sb.append(String.format(Locale.ROOT,
				"; against the noise-free twins: projection median %.2f dB, tuned %.2f dB (min %.2f), the noisy input " +
					"itself %.2f dB", median(k, Row::cleanPsnr), median(k, Row::tunedCleanPsnr), min(k,
						Row::tunedCleanPsnr), median(k, Row::noisePsnr)));
			sb.append(String.format(Locale.ROOT, "; %.1f s per image%n", k.stream().mapToDouble(Row::seconds).average()
				.orElse(Double.NaN)));
		}
		return sb.toString();
	}

	/** Over the rows where f is a number. */
	private static double median(final List<Row> rows, final ToDoubleFunction<Row> f) {
		return Eval.median(rows.stream().map(r -> f.applyAsDouble(r)).filter(v -> !v.isNaN()).toList());
	}

	private static double min(final List<Row> rows, final ToDoubleFunction<Row> f) {
		return rows.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
	}

	private static double max(final List<Row> rows, final ToDoubleFunction<Row> f) {
		return rows.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
	}
}
