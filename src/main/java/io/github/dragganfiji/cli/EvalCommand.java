package io.github.dragganfiji.cli;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.EvalSuite;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.core.TemplateMatcher;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The accuracy harness: runs the default suite of drags on a bundle and measures arrival without the GAN's
 * features (NCC template matching of the start image's patch around each handle, searched in the final image
 * around its target), steps to arrival, time, and leakage outside the mask. Writes eval.csv and summary.txt.
 * <p>
 * Usage: {@code draggan eval --bundle DIR [--drags 54] [--max-steps 200] [--out DIR] [--device cpu|auto|gpu]}
 */
public final class EvalCommand {

	private EvalCommand() {}

	/**
	 * What a run measured.
	 *
	 * @param drags drags run
	 * @param handles handles measured
	 * @param medianDistance median NCC final distance to target, pixels
	 * @param within3 fraction of handles within 3 px of their target (NCC)
	 * @param medianTracked median distance of the engine's own tracked handles
	 * @param arrived fraction of drags whose tracked handles all arrived
	 * @param meanSteps mean updates per drag
	 * @param meanSeconds mean seconds per drag
	 * @param medianLeakage median leakage over masked drags (fraction of the intensity range), NaN if none
	 * @param maxLeakage largest leakage over masked drags
	 */
	public record Summary(int drags, int handles, double medianDistance, double within3, double medianTracked,
		double arrived, double meanSteps, double meanSeconds, double medianLeakage, double maxLeakage)
	{

		public String describe() {
			return String.format(Locale.ROOT, "%d drags, %d handles: median final distance %.2f px (NCC), %.0f%% " +
				"within 3 px, tracked median %.2f px, %.0f%% of drags arrived, %.1f steps and %.1f s per drag, " +
				"leakage median %.2f%% max %.2f%% of the intensity range", drags, handles, medianDistance, 100 *
					within3, medianTracked, 100 * arrived, meanSteps, meanSeconds, 100 * medianLeakage, 100 *
						maxLeakage);
		}
	}

	/** Runs the suite through the generation and drag use cases; writes eval.csv and summary.txt into {@code out}. */
	public static Summary run(final Path bundle, final int drags, final int maxSteps, final Path out,
		final DeviceChoice device, final Consumer<String> log) throws IOException
	{
		final ModelSearchPath.Entry model = ModelSearchPath.Entry.at(bundle);
		final ModelMetadata m = model.metadata();
		final int res = m.resolution();
		final int patch = Math.max(3, res / 32), search = Math.max(DragConfig.scaled(12, res), res / 16);
		final List<Double> ncc = new ArrayList<>(), tracked = new ArrayList<>(), leak = new ArrayList<>();
		int arrived = 0, steps = 0;
		double seconds = 0;
		final StringBuilder csv = new StringBuilder("drag,seed,handles,masked,handle,hx,hy,tx,ty,tracked_x,tracked_y," +
			"tracked_dist,ncc_x,ncc_y,ncc_dist,ncc_score,updates,arrived,seconds,leakage\n");
		int d = 0;
		for (final EvalSuite.Spec spec : EvalSuite.defaults(drags)) {
			Main.requireNotStopping();
			final GenerateUseCase.Result start = GenerateUseCase.run(new GenerateUseCase.Request(model, spec.seed(), m
				.truncationPsi(), 0, device), d == 0 ? log : null);
			final float[] before = start.image();
			final DragInput drag = EvalSuite.layout(spec, gray(before, res), res).input();
			final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers()).withMaxSteps(maxSteps)
				.withRecordEvery(Math.max(1, maxSteps));
			final float[][] last = new float[1][];
			final DragUseCase.Result run = DragUseCase.run(new DragUseCase.Request(model, start.latent(), drag, cfg,
				device), step -> last[0] = step.image(), () -> false, null);
			final DragResult r = run.drag();
			final double secs = run.seconds();
			final float[] after = last[0];
			final double leakage = drag.movable() == null ? Double.NaN : TemplateMatcher.leakage(before, after, drag
				.movable(), m.outputMax() - m.outputMin());
			if (drag.movable() != null) leak.add(leakage);
			final float[] g0 = gray(before, res), g1 = gray(after, res);
			for (int h = 0; h < drag.size(); h++) {
				final Point p = drag.handles().get(h), t = drag.targets().get(h), tr = r.last().handles().get(h);
				final double[] hit = TemplateMatcher.match(g0, g1, res, (int) p.x(), (int) p.y(), (int) t.x(), (int) t
					.y(), patch, search);
				final double dist = Math.hypot(hit[0] - t.x(), hit[1] - t.y());
				ncc.add(dist);
				tracked.add(tr.distance(t));
				csv.append(String.format(Locale.ROOT,
					"%d,%d,%d,%b,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f,%.0f,%.0f,%.3f,%.4f,%d,%b,%.2f,%.5f%n", d, spec
						.seed(), drag.size(), drag.masked(), h, p.x(), p.y(), t.x(), t.y(), tr.x(), tr.y(), tr.distance(t),
					hit[0], hit[1], dist, hit[2], r.updates(), r.arrived(), secs, leakage));
			}
			arrived += r.arrived() ? 1 : 0;
			steps += r.updates();
			seconds += secs;
			if (log != null) log.accept(String.format(Locale.ROOT, "drag %d/%d (seed %d, %d handles%s): %d steps, " +
				"%.1f s, arrived %b", d + 1, drags, spec.seed(), drag.size(), drag.masked() ? ", masked" : "", r
					.updates(), secs, r.arrived()));
			d++;
		}
		Outputs.text(csv.toString(), out.resolve("eval.csv"));
		final int n = ncc.size();
		final Summary s = new Summary(drags, n, median(ncc), ncc.stream().filter(v -> v <= 3).count() / (double) n,
			median(tracked), arrived / (double) drags, steps / (double) drags, seconds / drags, leak.isEmpty()
				? Double.NaN : median(leak), leak.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
		Outputs.text("bundle: " + bundle + "\nmax steps: " + maxSteps + "\n" + s.describe() + "\n", out.resolve(
			"summary.txt"));
		return s;
	}

	/** Channel mean of a [C, res, res] image. */
	static float[] gray(final float[] img, final int res) {
		final int plane = res * res, c = img.length / plane;
		final float[] out = Arrays.copyOf(img, plane);
		for (int k = 1; k < c; k++)
			for (int i = 0; i < plane; i++)
				out[i] += img[k * plane + i];
		if (c > 1) for (int i = 0; i < plane; i++)
			out[i] /= c;
		return out;
	}

	static double median(final List<Double> v) {
		if (v.isEmpty()) return Double.NaN;
		final double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
	}

	static final List<String> OPTIONS = List.of("bundle", "drags", "max-steps", "out", "threads", "device");
	static final String HELP = """
		draggan eval --bundle DIR [--drags 54] [--max-steps 200] [--out out/eval] [--threads N] [--device cpu|auto|gpu]
		  Runs the accuracy suite; writes eval.csv and summary.txt.
		""";

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		final Args args = a.withDefault("device", "cpu");
		Main.startRuntime(args);
		final Summary s = run(Path.of(a.get("bundle", "")), a.integer("drags", 54), a.integer("max-steps", 200), Path
			.of(a.get("out", "out/eval")), Main.device(args), System.err::println);
		System.out.println(s.describe());
		return 0;
	}
}
