package io.github.dragganfiji.eval;

import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.app.InvertUseCase;
import io.github.dragganfiji.core.ImageLoss;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.image.Inputs;
import io.github.dragganfiji.image.InversionInput;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.ShutdownGuard;

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
public final class InvertEval {

	/** First seed of the model's own images (away from the demo's and the eval suite's seeds). */
	static final int FIRST_SEED = 9000;

	private InvertEval() {}

	/**
	 * One image's result; {@code tunedPsnr} is NaN when it was not tuned. {@code noisePsnr}, {@code cleanPsnr} and
	 * {@code tunedCleanPsnr} (NaN without a noise-free twin): the input, the projection and the tuned reconstruction
	 * against the noise-free twin.
	 */
	public record Row(String kind, String name, double psnr, double ssim, double tunedPsnr, double tunedSsim, int tunedStep,
		double noisePsnr, double cleanPsnr, double tunedCleanPsnr, double seconds) {}


	/** Runs the evaluation; {@code psi} NaN = the bundle's truncation. */
	public static List<Row> run(final Path bundle, final List<Path> images, final int generated, final double psi,
		final Projector.Options proj, final PivotalTuner.Options tune, final Path out, final DeviceChoice device,
		final Consumer<String> log) throws IOException
	{
		final ModelSearchPath.Entry model = ModelSearchPath.Entry.at(bundle);
		final ModelMetadata m = model.metadata();
		final double range = m.outputMax() - m.outputMin();
		final List<Row> rows = new ArrayList<>();
		for (final Path file : images) {
			ShutdownGuard.requireNotStopping();
			// The plugin's own path: center crop and scaling, percentile mapping, projection, tuning, the better kept.
			final String name = file.getFileName().toString();
			final InversionInput in = InversionInput.of(Inputs.open(file), m, InversionInput.Framing.CROP);
			final InvertUseCase.Result r = InvertUseCase.run(new InvertUseCase.Request(model, in.flat(), name, proj,
				tune, device, null), new InvertUseCase.Progress() {

					@Override
					public void tuning(final Projector.Step s) {
						if (log != null && s.index() > 0 && s.index() % 50 == 0) log.accept(String.format(Locale.ROOT,
							"%s: tuning step %d, %.2f dB", name, s.index(), s.psnr()));
					}

					@Override
					public void log(final String line) {
						if (log != null) log.accept(name + ": " + line);
					}
				}, () -> false);
			final Path twin = cleanTwin(file);
			final float[] clean = twin == null ? null : r.mapping().toModel(InversionInput.of(Inputs.open(twin), m,
				InversionInput.Framing.CROP).flat(), m.outputMin(), m.outputMax());
			final Projector.Step p = r.projection();
			rows.add(log(log, new Row("held-out", name, p.psnr(), r.projectionSsim(), tune == null ? Double.NaN : r
				.psnr(), tune == null ? Double.NaN : r.ssim(), tune == null ? -1 : r.tuned() != null ? r.tuned().index()
					: 0, psnr(r.target(), clean, range), psnr(p.image(), clean, range), tune == null ? Double.NaN : psnr(r
						.image(), clean, range), r.seconds()), tune != null));
		}
		final double truncation = Double.isNaN(psi) ? m.truncationPsi() : psi;
		for (int k = 0; k < generated; k++) {
			ShutdownGuard.requireNotStopping();
			// The model's own images, projected as they are (no intensity mapping, no tuning).
			final long t0 = System.nanoTime();
			final GenerateUseCase.Result own = GenerateUseCase.run(new GenerateUseCase.Request(model, FIRST_SEED + k,
				truncation, 0, device), null);
			final float[] target = own.image();
			final double[] ssim = new double[1];
			final Projector.Step p = GeneratorCache.use(bundle, DjlRuntime.device(device, null), g -> {
				final Projector.Step q = Projector.project(g, target, proj, s -> {}, ShutdownGuard::stopping);
				ssim[0] = InvertUseCase.ssim(g, q.image(), target);
				return q;
			});
			rows.add(log(log, new Row("generated", "seed " + (FIRST_SEED + k), p.psnr(), ssim[0], Double.NaN, Double.NaN,
				-1, Double.NaN, Double.NaN, Double.NaN, (System.nanoTime() - t0) / 1e9), false));
		}
		final StringBuilder csv = new StringBuilder("kind,image,projection_psnr,projection_ssim,tuned_psnr,tuned_ssim," +
			"tuned_step,noise_psnr,projection_psnr_clean,tuned_psnr_clean,seconds\n");
		for (final Row r : rows)
			csv.append(String.format(Locale.ROOT, "%s,%s,%.3f,%.4f,%.3f,%.4f,%d,%.3f,%.3f,%.3f,%.1f%n", r.kind(), r.name(),
				r.psnr(), r.ssim(), r.tunedPsnr(), r.tunedSsim(), r.tunedStep(), r.noisePsnr(), r.cleanPsnr(), r
					.tunedCleanPsnr(), r.seconds()));
		Outputs.text(csv.toString(), out.resolve("inversion.csv"));
		Outputs.text("bundle: " + bundle + "\nprojection: " + proj + "\ntuning: " + tune + "\n" + summary(rows), out
			.resolve("summary.txt"));
		return rows;
	}

	private static Row log(final Consumer<String> log, final Row r, final boolean tuned) {
		if (log != null) log.accept(String.format(Locale.ROOT, "%s %s: projection %.2f dB (SSIM %.3f)%s, %.1f s", r
			.kind(), r.name(), r.psnr(), r.ssim(), !tuned ? "" : String.format(Locale.ROOT,
				", tuned %.2f dB (SSIM %.3f) at step %d", r.tunedPsnr(), r.tunedSsim(), r.tunedStep()), r.seconds()));
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
	public static String summary(final List<Row> rows) {
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
		return DragEval.median(rows.stream().map(r -> f.applyAsDouble(r)).filter(v -> !v.isNaN()).toList());
	}

	private static double min(final List<Row> rows, final ToDoubleFunction<Row> f) {
		return rows.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
	}

	private static double max(final List<Row> rows, final ToDoubleFunction<Row> f) {
		return rows.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
	}
}
