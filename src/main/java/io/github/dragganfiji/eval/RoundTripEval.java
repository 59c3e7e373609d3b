package io.github.dragganfiji.eval;

import ij.ImagePlus;
import ij.io.FileSaver;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.app.InvertUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.image.Inputs;
import io.github.dragganfiji.image.InversionInput;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code draggan eval-roundtrip}: inversions measured against a known answer. Each image of the suite is generated
 * from a seed, its latent then thrown away: the image is written as a plain file (8- or 16-bit, no properties),
 * opened as a user's image is, and inverted with each method. The same drag (1 or 2 handles on object centroids,
 * targets 6-10 px away at 128 px, with and without a mask; without one the real-image default region) is run from
 * the true latent on the original model and from each inversion on the model it belongs to (a tuned copy when the
 * tuning was kept). Reported per drag: the verified final distance of both, whether each arrived, the
 * reconstruction's PSNR and SSIM against the file, how far the inversion's latent lies from the true one, and the
 * times. Writes roundtrip.csv, summary.txt and the images it inverted (images/).
 */
public final class RoundTripEval {

	private RoundTripEval() {}

	/** The two splits: parameters are chosen on tuning only; held-out is reported first. */
	public enum Split {
		TUNING(4000, 14_000), HELD_OUT(70_000, 80_000);

		final long seed, layoutSeed;

		Split(final long seed, final long layoutSeed) {
			this.seed = seed;
			this.layoutSeed = layoutSeed;
		}

		/** "tuning" or "held-out". */
		public static Split parse(final String s) {
			return switch (s.trim().toLowerCase(Locale.ROOT)) {
				case "tuning" -> TUNING;
				case "held-out", "heldout", "held_out" -> HELD_OUT;
				default -> throw new IllegalArgumentException("Unknown split '" + s + "': use tuning or held-out.");
			};
		}

		public String key() {
			return this == HELD_OUT ? "held-out" : "tuning";
		}
	}

	/**
	 * One drag: of the true latent and of one inversion of the same image, with the same points and the same mask.
	 * {@code region}: "mask" when the default region was the drag's mask, "free" when it only bounded the paste-back
	 * (a masked drag of the suite has the user's mask either way). {@code borderStart}/{@code borderEnd}: PSNR of the
	 * inversion's raw generator image against the file over the paste-back's blended border, before and after the
	 * drag (a seam shows where the end is much lower than the start).
	 */
	public record Row(Split split, String method, String region, long seed, int handles, boolean masked, double start,
		double trueDistance, boolean trueArrived, double distance, boolean arrived, double psnr, double ssim,
		double latentRms, double borderStart, double borderEnd, double inversionSeconds, double dragSeconds,
		int trueSteps, int steps) {}

	/** The suite's drags: 1 and 2 handles, each without and with a mask. */
	static EvalSuite.Spec spec(final Split split, final int i) {
		return new EvalSuite.Spec(split.seed + i, 1 + i % 2, (i / 2) % 2 == 1, split.layoutSeed + i);
	}

	/**
	 * Runs {@code count} drags of a split with each method and each role of the default region ({@code regionAsMask}:
	 * true, false or both); {@code bits} 8 or 16 for the plain files.
	 */
	public static List<Row> run(final Path bundle, final Split split, final int count, final List<InversionMethod> methods,
		final List<Boolean> regionAsMask, final int maxSteps, final int bits, final Path out, final DeviceChoice device,
		final Consumer<String> log) throws IOException
	{
		final ModelSearchPath.Entry model = ModelSearchPath.Entry.at(bundle);
		final ModelMetadata m = model.metadata();
		final int res = m.resolution();
		final Path images = Files.createDirectories(out.resolve("images"));
		final Path tuned = Files.createDirectories(out.resolve("tuned-models"));
		final double range = m.outputMax() - m.outputMin();
		final List<Row> rows = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ShutdownGuard.requireNotStopping();
			final EvalSuite.Spec spec = spec(split, i);
			GenerateUseCase.Result truth = null;
			EvalSuite.Case c = null;
			for (int attempt = 0; c == null; attempt++) {
				if (attempt == 20) throw new IllegalStateException("Seeds " + spec.seed() + " ... have too few objects " +
					"for " + spec.handles() + " handles on the model '" + m.name() + "'.");
				truth = GenerateUseCase.run(new GenerateUseCase.Request(model, spec.seed() + 100_000L * attempt, m
					.truncationPsi(), 0, device), null);
				c = EvalSuite.layoutObjects(spec, DragVerification.gray(truth.image(), res), res);
			}
			final long seed = truth.request().seed();
			// The user's file: pixels only, no latent, no model.
			final Path file = images.resolve(String.format(Locale.ROOT, "seed%d.%s", seed, m.imageChannels() == 1 ||
				m.imageChannels() == 3 ? "png" : "tif"));
			plainFile(truth, bits, file);
			final ImagePlus imp = Inputs.open(file);
			final InversionInput in = InversionInput.of(imp, m, InversionInput.Framing.CROP);
			final List<InvertUseCase.Result> inversions = new ArrayList<>();
			for (final InversionMethod method : methods)
				inversions.add(InvertUseCase.run(new InvertUseCase.Request(model, in.flat(), file.getFileName().toString(),
					method.projection(), method.tuning(), device, tuned), new InvertUseCase.Progress() {}, () -> false));
			final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers()).withMaxSteps(maxSteps)
				.withRecordEvery(Math.max(1, maxSteps));
			for (final boolean asMask : regionAsMask) {
				// The real-image rule as the plugin applies it; the true latent's drag gets the same input.
				final DragUseCase.Plan plan = DragUseCase.plan(c.input(), true, imp.getTitle(), RealImageOptions.defaults(
					res).withRegionAsMask(asMask), s -> {});
				final DragUseCase.Result t = DragUseCase.run(new DragUseCase.Request(model, truth.latent(), plan.input(),
					cfg, device), s -> {}, () -> false, null);
				final DragVerification.Result tv = t.drag().verification();
				final float[] w = plan.pasteWeights();
				for (int k = 0; k < methods.size(); k++) {
					final InversionMethod method = methods.get(k);
					final InvertUseCase.Result inv = inversions.get(k);
					final ModelSearchPath.Entry own = inv.tunedDir() == null ? model : ModelSearchPath.Entry.at(inv
						.tunedDir());
					final DragUseCase.Result r = DragUseCase.run(new DragUseCase.Request(own, inv.latent(), plan.input(), cfg,
						device), s -> {}, () -> false, null);
					final DragResult d = r.drag();
					final DragVerification.Result v = d.verification();
					final Row row = new Row(split, method.name(), asMask ? "mask" : "free", seed, plan.input().size(), c
						.input().masked(), start(tv), tv.meanDistance(), tv.arrived(), v.meanDistance(), v.arrived(), inv
							.psnr(), inv.ssim(), rms(inv.latent(), truth.latent()), border(inv.image(), inv.target(), w, range),
						border(d.last().image(), inv.target(), w, range), inv.seconds(), r.seconds(), t.drag().updates(), d
							.updates());
					rows.add(row);
					if (log != null) log.accept(String.format(Locale.ROOT, "%s %d/%d seed %d (%d handle%s%s) %s, region " +
						"%s: %.1f dB, latent %.3f from the truth, %.1f s; drag %.2f -> %.2f px (true latent %.2f px)%s, " +
						"border %.1f -> %.1f dB", split.key(), i + 1, count, seed, row.handles(), row.handles() == 1 ? ""
							: "s", row.masked() ? ", masked" : "", method.name(), row.region(), row.psnr(), row.latentRms(), row
								.inversionSeconds(), row.start(), row.distance(), row.trueDistance(), row.arrived() ? ", arrived"
									: "", row.borderStart(), row.borderEnd()));
				}
			}
			for (final InvertUseCase.Result inv : inversions)
				Outputs.deleteTree(inv.tunedDir());
		}
		write(rows, out, bundle);
		return rows;
	}

	/**
	 * PSNR of an image against the target over the paste-back's blended border (weights strictly between 0 and 1),
	 * every channel; NaN without one.
	 */
	static double border(final float[] image, final float[] target, final float[] weights, final double range) {
		if (weights == null) return Double.NaN;
		final int plane = weights.length;
		double e = 0;
		int n = 0;
		for (int i = 0; i < image.length; i++) {
			final float w = weights[i % plane];
			if (w > 0 && w < 1) {
				e += (image[i] - target[i]) * (double) (image[i] - target[i]);
				n++;
			}
		}
		return n == 0 ? Double.NaN : io.github.dragganfiji.core.ImageLoss.psnr(e / n, range);
	}

	/** The generated image as a plain 8- or 16-bit file: the pixels and nothing else. */
	static void plainFile(final GenerateUseCase.Result truth, final int bits, final Path file) throws IOException {
		final ModelMetadata m = truth.metadata();
		final ImagePlus rendered = Rendering.image(file.getFileName().toString(), Rendering.toProcessors(truth.image(), m
			.imageChannels(), m.resolution(), m.outputMin(), m.outputMax(), bits == 16 ? Rendering.BitDepth.BIT16
				: Rendering.BitDepth.BIT8));
		final FileSaver fs = new FileSaver(rendered);
		final boolean ok = file.toString().endsWith(".png") ? fs.saveAsPng(file.toString()) : rendered.getStackSize() >
			1 ? fs.saveAsTiffStack(file.toString()) : fs.saveAsTiff(file.toString());
		if (!ok || !Files.isRegularFile(file)) throw new IOException("could not write " + file);
	}

	private static double start(final DragVerification.Result v) {
		return v.handles().stream().mapToDouble(DragVerification.Handle::startDistance).average().orElse(0);
	}

	/** Root-mean-square difference of two latents over all their values. */
	static double rms(final Latent a, final Latent b) {
		final float[] x = a.ws(), y = b.ws();
		double s = 0;
		for (int i = 0; i < x.length; i++)
			s += (x[i] - y[i]) * (double) (x[i] - y[i]);
		return Math.sqrt(s / x.length);
	}

	private static void write(final List<Row> rows, final Path out, final Path bundle) throws IOException {
		final StringBuilder csv = new StringBuilder("split,method,region,seed,handles,masked,start_distance," +
			"true_distance,true_arrived,distance,arrived,psnr,ssim,latent_rms,border_start,border_end," +
			"inversion_seconds,drag_seconds,true_steps,steps\n");
		for (final Row r : rows)
			csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%b,%.3f,%.3f,%b,%.3f,%b,%.2f,%.4f,%.4f,%.2f,%.2f,%.1f," +
				"%.1f,%d,%d%n", r.split().key(), r.method(), r.region(), r.seed(), r.handles(), r.masked(), r.start(), r
					.trueDistance(), r.trueArrived(), r.distance(), r.arrived(), r.psnr(), r.ssim(), r.latentRms(), r
						.borderStart(), r.borderEnd(), r.inversionSeconds(), r.dragSeconds(), r.trueSteps(), r.steps()));
		Outputs.text(csv.toString(), out.resolve("roundtrip.csv"));
		Outputs.text("bundle: " + bundle + "\n" + summary(rows), out.resolve("summary.txt"));
	}

	/** One line per split, method and region role, held-out first. */
	public static String summary(final List<Row> rows) {
		final StringBuilder sb = new StringBuilder();
		for (final Split s : List.of(Split.HELD_OUT, Split.TUNING))
			for (final String key : rows.stream().filter(r -> r.split() == s).map(r -> r.method() + ", region " + r
				.region()).distinct().toList()) {
				final List<Row> k = rows.stream().filter(r -> r.split() == s && key.equals(r.method() + ", region " + r
					.region())).toList();
				final long arrived = k.stream().filter(Row::arrived).count(), trueArrived = k.stream().filter(
					Row::trueArrived).count();
				sb.append(String.format(Locale.ROOT, "%s %s: %d drags from a median %.2f px; true latent %.2f px, %d " +
					"arrived; inversion %.2f px, %d arrived (%s of the true latent's); median inversion - true %+.2f px; " +
					"reconstruction %.2f dB, SSIM %.4f; latent %.3f from the truth; border %.1f -> %.1f dB (median); %.1f " +
					"s per inversion%n", s.key(), key, k.size(), DragEval.median(k.stream().map(Row::start).toList()), DragEval
						.median(k.stream().map(Row::trueDistance).toList()), trueArrived, DragEval.median(k.stream().map(
							Row::distance).toList()), arrived, trueArrived == 0 ? "-" : String.format(Locale.ROOT, "%.0f %%", 100.0 *
								arrived / trueArrived), DragEval.median(k.stream().map(r -> r.distance() - r.trueDistance()).toList()),
					DragEval.median(k.stream().map(Row::psnr).toList()), DragEval.median(k.stream().map(Row::ssim).toList()),
					DragEval.median(k.stream().map(Row::latentRms).toList()), DragEval.median(k.stream().map(Row::borderStart)
						.filter(Double::isFinite).toList()), DragEval.median(k.stream().map(Row::borderEnd).filter(
							Double::isFinite).toList()), k.stream().mapToDouble(Row::inversionSeconds).average().orElse(0)));
			}
		return sb.toString();
	}
}
