package io.github.dragganfiji.eval;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.core.PasteBack;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.core.TemplateMatcher;
import io.github.dragganfiji.eval.EvalSuite;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The accuracy harness: runs a suite of drags on a bundle in one or more drag modes and measures where the content
 * went without the GAN's features ({@link DragVerification}: NCC of the start image's patch around each handle,
 * searched in the final image), next to the engine's own tracked distance, steps, time per step, and leakage
 * outside the mask. Modes run interleaved, drag by drag on the same images, so their times compare. Writes eval.csv
 * and summary.txt.
 * <p>
 * Usage: {@code draggan eval --bundle DIR [--suite default|objects] [--modes paper,stable] [--drags 54]
 * [--max-steps 200] [--out DIR] [--device cpu|auto|gpu]}
 */
public final class DragEval {

	private DragEval() {}

	/**
	 * What a run measured, per mode.
	 *
	 * @param mode the drag mode
	 * @param drags drags run
	 * @param handles handles measured
	 * @param medianStart median distance from handle to target at the start, pixels
	 * @param medianDistance median verified (NCC) final distance to target, pixels
	 * @param within3 fraction of handles verified within 3 px of their target
	 * @param farther fraction of handles whose content ended farther from the target than it started
	 * @param medianTracked median distance of the engine's own tracked handles
	 * @param arrived fraction of drags verified as arrived (every handle within the stop distance + 1 px)
	 * @param trackerArrived fraction of drags whose tracker reported arrival
	 * @param meanSteps mean updates per drag
	 * @param meanSeconds mean seconds per drag
	 * @param msPerStep milliseconds per update over the whole suite
	 * @param medianLeakage median leakage over masked drags (fraction of the intensity range), NaN if none
	 * @param maxLeakage largest leakage over masked drags
	 * @param medianChanged median share, over masked drags, of the pixels outside the mask changed by more than
	 *          {@link #CHANGED} of the intensity range
	 * @param maxChanged the largest such share
	 * @param pastedDistance masked drags composed as real images are (the start image outside the mask, the drag's
	 *          last image inside it, seam-corrected: {@link io.github.dragganfiji.core.PasteBack}): the median verified
	 *          distance in that composite (every pixel outside the mask is then the start's); NaN if none
	 * @param pastedWithin3 the share of those handles within 3 px
	 * @param seamRaw median seam over the mask's blended border ({@link RealImageEval#seam}) of the raw last image
	 *          against the start, dB
	 * @param seamPasted the same of the composite
	 * @param ssimOutside median over drags of the SSIM start → end outside a band around the handles' paths
	 *          ({@link Fidelity}, on the raw last image)
	 * @param minSsimOutside the lowest such SSIM
	 * @param ssimBelow the share of drags with that SSIM below {@link #FIDELITY_SSIM}
	 * @param objectsChanged the share of drags whose image ends with a different count of objects than it started
	 * @param objectsLostOrNew the share of drags that lost an object, or made a new one, wholly outside the band
	 * @param massOutside median intensity mass outside the band, end / start
	 * @param minMassOutside the lowest such ratio
	 * @param regionDistance drags without a mask composed as a real image's are by default (the start image outside
	 *          the default region of {@link RealImageOptions#defaults} around the paths, the drag inside it,
	 *          seam-corrected): the median verified distance in that composite; NaN if none
	 * @param regionWithin3 the share of those handles within 3 px
	 * @param composedSsim median SSIM outside the band of every drag's composite (masked: into its mask; unmasked:
	 *          into the default region)
	 * @param minComposedSsim the lowest
	 * @param composedSsimBelow the share of drags whose composite is below {@link #FIDELITY_SSIM}
	 * @param composedLostOrNew the share of drags whose composite lost or made an object wholly outside the band
	 * @param composedMass median mass ratio outside the band of the composites
	 * @param minComposedMass the lowest
	 */
	public record Summary(DragMode mode, int drags, int handles, double medianStart, double medianDistance,
		double within3, double farther, double medianTracked, double arrived, double trackerArrived, double meanSteps,
		double meanSeconds, double msPerStep, double medianLeakage, double maxLeakage, double medianChanged,
		double maxChanged, double pastedDistance, double pastedWithin3, double seamRaw, double seamPasted,
		double ssimOutside, double minSsimOutside, double ssimBelow, double objectsChanged, double objectsLostOrNew,
		double massOutside, double minMassOutside, double regionDistance, double regionWithin3, double composedSsim,
		double minComposedSsim, double composedSsimBelow, double composedLostOrNew, double composedMass,
		double minComposedMass)
	{

		public String describe() {
			final StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "mode %s: %d drags, %d handles: median " +
				"verified distance %.2f px (NCC; %.2f px at the start), %.0f%% within 3 px, %.0f%% ended farther than " +
				"they started, tracked median %.2f px, %.0f%% of drags arrived (verified; the tracker said %.0f%%), %.1f " +
				"steps and %.1f s per drag, %.1f ms per step, leakage median %.2f%% max %.2f%% of the intensity range, " +
				"pixels outside the mask changed by more than %.0f%% of the range: median %.2f%% max %.2f%%", mode, drags,
				handles, medianDistance, medianStart, 100 * within3, 100 * farther, medianTracked, 100 * arrived, 100 *
					trackerArrived, meanSteps, meanSeconds, msPerStep, 100 * medianLeakage, 100 * maxLeakage, 100 * CHANGED,
				100 * medianChanged, 100 * maxChanged));
			if (!Double.isNaN(pastedDistance)) s.append(String.format(Locale.ROOT, "; masked drags composed into the " +
				"start image (0 pixels changed outside the mask): median verified distance %.2f px, %.0f%% within 3 px, " +
				"seam %.1f dB raw, %.1f dB composed", pastedDistance, 100 * pastedWithin3, seamRaw, seamPasted));
			s.append(String.format(Locale.ROOT, "; outside a %.0f-px band around the paths (at 128 px): SSIM median %.3f " +
				"(lowest %.3f, %.0f%% of drags below %.1f), the count of objects changed in %.0f%% of drags, an object " +
				"outside the band lost or new in %.0f%%, intensity mass median %.3f (lowest %.3f) of the start's", Fidelity
					.BAND, ssimOutside, minSsimOutside, 100 * ssimBelow, FIDELITY_SSIM, 100 * objectsChanged, 100 *
						objectsLostOrNew, massOutside, minMassOutside));
			if (!Double.isNaN(regionDistance)) s.append(String.format(Locale.ROOT, "; drags without a mask composed into " +
				"the start image outside the default region: median verified distance %.2f px, %.0f%% within 3 px",
				regionDistance, 100 * regionWithin3));
			return s.append(String.format(Locale.ROOT, "; every drag composed (mask or default region), outside the " +
				"band: SSIM median %.3f (lowest %.3f, %.0f%% below %.1f), an object lost or new in %.0f%%, intensity mass " +
				"median %.3f (lowest %.3f)", composedSsim, minComposedSsim, 100 * composedSsimBelow, FIDELITY_SSIM, 100 *
					composedLostOrNew, composedMass, minComposedMass)).toString();
		}
	}

	/** The default suite in the default mode (see {@link #run(Path, EvalSuite.Kind, int, int, List, Path, DeviceChoice, Consumer)}). */
	public static Summary run(final Path bundle, final int drags, final int maxSteps, final Path out,
		final DeviceChoice device, final Consumer<String> log) throws IOException
	{
		return run(bundle, EvalSuite.Kind.BRIGHT, drags, maxSteps, List.of(DragConfig.DEFAULT_MODE), out, device, log)
			.get(0);
	}

	/** A pixel outside the mask counts as changed when it moved by more than this share of the intensity range. */
	public static final double CHANGED = 0.02;

	/** The SSIM outside the band a drag should keep (issue #34's goal: what was not dragged stays). */
	public static final double FIDELITY_SSIM = 0.9;

	/** One mode's running totals. */
	private static final class Tally {

		final List<Double> start = new ArrayList<>(), verified = new ArrayList<>(), tracked = new ArrayList<>(),
			leak = new ArrayList<>(), changed = new ArrayList<>(), pasted = new ArrayList<>(), seamRaw = new ArrayList<>(),
			seamPasted = new ArrayList<>(), region = new ArrayList<>();
		/** What stayed outside the band: in the generator's last image, and in the drag composed into the start. */
		final Kept raw = new Kept(), composed = new Kept();
		int arrived, trackerArrived, steps, farther;
		double seconds;
	}

	/** What stayed outside the band ({@link Fidelity}) over a mode's drags, in one kind of image. */
	private static final class Kept {

		final List<Double> ssim = new ArrayList<>(), mass = new ArrayList<>();
		int countChanged, lostOrNew;

		void add(final Fidelity.Result f) {
			if (!Double.isNaN(f.ssimOutside())) ssim.add(f.ssimOutside());
			if (!Double.isNaN(f.massRatio())) mass.add(f.massRatio());
			countChanged += f.objectsStart() != f.objectsEnd() ? 1 : 0;
			lostOrNew += f.objectsLost() + f.objectsNew() > 0 ? 1 : 0;
		}

		/** The share of drags whose SSIM outside the band is below {@link #FIDELITY_SSIM}. */
		double below() {
			return ssim.stream().filter(v -> v < FIDELITY_SSIM).count() / (double) Math.max(1, ssim.size());
		}
	}

	/**
	 * Runs a suite through the generation and drag use cases in each mode (interleaved drag by drag); writes eval.csv
	 * and summary.txt into {@code out}.
	 */
	public static List<Summary> run(final Path bundle, final EvalSuite.Kind suite, final int drags, final int maxSteps,
		final List<DragMode> modes, final Path out, final DeviceChoice device, final Consumer<String> log)
		throws IOException
	{
		return run(bundle, suite, drags, maxSteps, modes, Settings.NONE, out, device, log);
	}

	/**
	 * Overrides of every mode's defaults, and whether to draw pictures.
	 *
	 * @param learningRate NaN for each mode's default
	 * @param r1 0 for each mode's default
	 * @param r2 0 for the default
	 * @param pictures write pictures/dragNNN-MODE.png: first and last image with handles (red), targets (blue), tracked
	 *          (yellow) and verified (green) positions
	 * @param areaAsMask whether a masked drag's movable area masks the drag itself (the paper's mask term; the
	 *          plugin's Hold option) or only bounds what is composed into the start image (the drag runs unmasked:
	 *          the plugin's default, {@link RealImageOptions#DEFAULT_REGION_AS_MASK})
	 */
	public record Settings(double learningRate, int r1, int r2, boolean pictures, boolean areaAsMask) {

		static final Settings NONE = new Settings(Double.NaN, 0, 0, false, RealImageOptions.DEFAULT_REGION_AS_MASK);

		/** Overrides with the area's role the plugin's default gives it. */
		public Settings(final double learningRate, final int r1, final int r2, final boolean pictures) {
			this(learningRate, r1, r2, pictures, RealImageOptions.DEFAULT_REGION_AS_MASK);
		}

		DragConfig apply(final DragConfig c) {
			DragConfig out = Double.isNaN(learningRate) ? c : c.withLearningRate(learningRate);
			return out.withRadii(r1 > 0 ? r1 : c.r1(), r2 > 0 ? r2 : c.r2());
		}
	}

	/** As above, with overrides of every mode's defaults. */
	public static List<Summary> run(final Path bundle, final EvalSuite.Kind suite, final int drags, final int maxSteps,
		final List<DragMode> modes, final Settings settings, final Path out, final DeviceChoice device,
		final Consumer<String> log) throws IOException
	{
		final ModelSearchPath.Entry model = ModelSearchPath.Entry.at(bundle);
		final ModelMetadata m = model.metadata();
		final int res = m.resolution();
		final Map<DragMode, Tally> tallies = new LinkedHashMap<>();
		for (final DragMode mode : modes)
			tallies.put(mode, new Tally());
		final StringBuilder csv = new StringBuilder("mode,drag,seed,handles,masked,edge,handle,hx,hy,tx,ty,start_dist," +
			"tracked_x,tracked_y,tracked_dist,verified_x,verified_y,verified_dist,ncc_score,farther,updates," +
			"tracker_arrived,verified_arrived,seconds,leakage,changed_outside,pasted_verified_dist,seam_raw,seam_pasted," +
			"ssim_outside_band,objects_start,objects_end,mass_outside_band,objects_lost,objects_new,region_verified_dist," +
			"composed_ssim_outside_band,composed_objects_lost,composed_objects_new,composed_mass_outside_band\n");
		int d = 0;
		for (final EvalSuite.Spec spec : EvalSuite.specs(suite, drags)) {
			ShutdownGuard.requireNotStopping();
			GenerateUseCase.Result start = null;
			DragInput drag = null;
			// The objects suite needs as many objects as handles: later seeds stand in for an image with too few.
			for (int attempt = 0; drag == null; attempt++) {
				if (attempt == 20) throw new IllegalStateException("Seeds " + spec.seed() + " ... found too few objects " +
					"for " + spec.handles() + " handles on the model '" + m.name() + "'.");
				final long seed = spec.seed() + 100_000L * attempt;
				start = GenerateUseCase.run(new GenerateUseCase.Request(model, seed, m.truncationPsi(), 0, device), d == 0 &&
					attempt == 0 ? log : null);
				final EvalSuite.Case c = EvalSuite.layout(suite, spec, DragVerification.gray(start.image(), res), res);
				drag = c == null ? null : c.input();
			}
			final float[] before = start.image();
			// Not counted: TorchScript's first runs are slow, and the first mode would pay for them.
			if (d == 0) DragUseCase.run(new DragUseCase.Request(model, start.latent(), drag, DragConfig.defaults(res, m
				.learningRate(), m.dragLayers(), modes.get(0)).withMaxSteps(3), device), step -> {}, () -> false, null);
			for (final DragMode mode : modes) {
				final Tally t = tallies.get(mode);
				final DragConfig cfg = settings.apply(DragConfig.defaults(res, m.learningRate(), m.dragLayers(), mode)
					.withMaxSteps(maxSteps).withRecordEvery(Math.max(1, maxSteps)));
				final DragInput engine = drag.masked() && !settings.areaAsMask() ? DragInput.of(drag.handles(), drag
					.targets(), null, res, res) : drag;
				final DragUseCase.Result run = DragUseCase.run(new DragUseCase.Request(model, start.latent(), engine, cfg,
					device), step -> {}, () -> false, null);
				final DragResult r = run.drag();
				final DragVerification.Result v = r.verification();
				final double secs = run.seconds();
				double leakage = Double.NaN, changed = Double.NaN, seamRaw = Double.NaN, seamPasted = Double.NaN;
				DragVerification.Result composed = null;
				float[] composite = null; // the drag composed into the start image (below: also without a mask)
				if (drag.movable() != null) {
					final double range = m.outputMax() - m.outputMin();
					leakage = TemplateMatcher.leakage(before, r.last().image(), drag.movable(), range);
					changed = TemplateMatcher.changedOutside(before, r.last().image(), drag.movable(), range, CHANGED);
					t.leak.add(leakage);
					t.changed.add(changed);
					// The same drag composed as a real image's is: exact outside the mask, seam-corrected inside.
					final float[] w = PasteBack.weights(drag.movable(), res, res, PasteBack.FEATHER);
					final float[] pasted = RealImageEval.pasted(before, r.last().image(), w, res, true);
					composite = pasted;
					composed = DragVerification.verify(before, pasted, res, drag.handles(), drag.targets(), cfg
						.stopDistance(drag.size()));
					seamRaw = RealImageEval.seam(r.last().image(), before, w, res, range);
					seamPasted = RealImageEval.seam(pasted, before, w, res, range);
					t.seamRaw.add(seamRaw);
					t.seamPasted.add(seamPasted);
				}
				// A drag without a mask composed as a real image's is by default: into the start image outside the
				// default region around the paths.
				DragVerification.Result inRegion = null;
				if (composite == null) {
					final boolean[] region = drag.aroundSegments(RealImageOptions.defaults(res).regionRadius()).movable();
					final float[] w = PasteBack.weights(region, res, res, PasteBack.FEATHER);
					composite = RealImageEval.pasted(before, r.last().image(), w, res, true);
					inRegion = DragVerification.verify(before, composite, res, drag.handles(), drag.targets(), cfg
						.stopDistance(drag.size()));
				}
				final Fidelity.Reference kept = new Fidelity.Reference(DragVerification.gray(before, res), drag.handles(),
					drag.targets(), res, m.outputMax() - m.outputMin());
				final Fidelity.Result f = kept.against(DragVerification.gray(r.last().image(), res)), fc = kept.against(
					DragVerification.gray(composite, res));
				t.raw.add(f);
				t.composed.add(fc);
				for (int h = 0; h < drag.size(); h++) {
					final Point p = drag.handles().get(h), tg = drag.targets().get(h), tr = r.last().handles().get(h);
					final DragVerification.Handle vh = v.handles().get(h);
					t.start.add(vh.startDistance());
					t.verified.add(vh.distance());
					t.tracked.add(tr.distance(tg));
					t.farther += vh.fartherThanStart() ? 1 : 0;
					final double pastedDist = composed == null ? Double.NaN : composed.handles().get(h).distance();
					if (composed != null) t.pasted.add(pastedDist);
					final double regionDist = inRegion == null ? Double.NaN : inRegion.handles().get(h).distance();
					if (inRegion != null) t.region.add(regionDist);
					csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%b,%b,%d,%.0f,%.0f,%.0f,%.0f,%.3f,%.2f,%.2f,%.3f," +
						"%.0f,%.0f,%.3f,%.4f,%b,%d,%b,%b,%.2f,%.5f,%.5f,%.3f,%.2f,%.2f,", mode, d, spec.seed(), drag.size(),
						drag.masked(), spec.edge(), h, p.x(), p.y(), tg.x(), tg.y(), vh.startDistance(), tr.x(), tr.y(), tr
							.distance(tg), vh.found().x(), vh.found().y(), vh.distance(), vh.score(), vh.fartherThanStart(), r
								.updates(), r.arrived(), v.arrived(), secs, leakage, changed, pastedDist, seamRaw, seamPasted))
						.append(String.format(Locale.ROOT, "%.4f,%d,%d,%.4f,%d,%d,%.3f,%.4f,%d,%d,%.4f%n", f.ssimOutside(), f
							.objectsStart(), f.objectsEnd(), f.massRatio(), f.objectsLost(), f.objectsNew(), regionDist, fc
								.ssimOutside(), fc.objectsLost(), fc.objectsNew(), fc.massRatio()));
				}
				t.arrived += v.arrived() ? 1 : 0;
				t.trackerArrived += r.arrived() ? 1 : 0;
				t.steps += r.updates();
				t.seconds += secs;
				if (settings.pictures()) picture(before, r.last().image(), res, drag, r.last().handles(), v, out.resolve(String.format(
					Locale.ROOT, "pictures/drag%03d-%s.png", d, mode.key())));
				if (log != null) log.accept(String.format(Locale.ROOT, "drag %d/%d (seed %d, %d handles%s) %s: %d steps, " +
					"%.1f s, verified mean %.2f px (tracked %.2f px), %s", d + 1, drags, spec.seed(), drag.size(), drag
						.masked() ? ", masked" : "", mode, r.updates(), secs, v.meanDistance(), r.last().meanDistance(), v
							.arrived() ? "arrived" : "not arrived"));
			}
			d++;
		}
		Outputs.text(csv.toString(), out.resolve("eval.csv"));
		final List<Summary> summaries = new ArrayList<>();
		final StringBuilder text = new StringBuilder("bundle: " + bundle + "\nsuite: " + suite.key() + "\nmax steps: " +
			maxSteps + "\noverrides: " + settings + "\n");
		for (final Map.Entry<DragMode, Tally> e : tallies.entrySet()) {
			final Tally t = e.getValue();
			final int n = t.verified.size();
			final Summary s = new Summary(e.getKey(), drags, n, median(t.start), median(t.verified), t.verified.stream()
				.filter(v -> v <= 3).count() / (double) n, t.farther / (double) n, median(t.tracked), t.arrived /
					(double) drags, t.trackerArrived / (double) drags, t.steps / (double) drags, t.seconds / drags, 1000 *
						t.seconds / Math.max(1, t.steps), median(t.leak), max(t.leak), median(t.changed), max(t.changed),
				median(t.pasted), t.pasted.isEmpty() ? Double.NaN : t.pasted.stream().filter(v -> v <= 3).count() /
					(double) t.pasted.size(), median(t.seamRaw), median(t.seamPasted), median(t.raw.ssim), min(t.raw.ssim), t.raw
						.below(), t.raw.countChanged / (double) drags, t.raw.lostOrNew / (double) drags, median(t.raw.mass), min(
							t.raw.mass), median(t.region), t.region.isEmpty() ? Double.NaN : t.region.stream().filter(v -> v <= 3)
								.count() / (double) t.region.size(), median(t.composed.ssim), min(t.composed.ssim), t.composed.below(),
				t.composed.lostOrNew / (double) drags, median(t.composed.mass), min(t.composed.mass));
			summaries.add(s);
			text.append(s.describe()).append('\n');
		}
		Outputs.text(text.toString(), out.resolve("summary.txt"));
		return summaries;
	}

	/**
	 * The drag's first and last image side by side, enlarged: handles red, targets blue, the tracker's final
	 * positions yellow, the verified positions green.
	 */
	private static void picture(final float[] first, final float[] last, final int res, final DragInput drag,
		final List<Point> tracked, final DragVerification.Result v, final Path file) throws IOException
	{
		final int z = Math.max(1, 384 / res);
		final ij.process.ColorProcessor cp = new ij.process.ColorProcessor(2 * res * z + z, res * z);
		final float[][] imgs = { DragVerification.gray(first, res), DragVerification.gray(last, res) };
		float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
		for (final float x : imgs[0]) {
			lo = Math.min(lo, x);
			hi = Math.max(hi, x);
		}
		for (int k = 0; k < 2; k++)
			for (int y = 0; y < res * z; y++)
				for (int x = 0; x < res * z; x++) {
					final int g = (int) Math.max(0, Math.min(255, 255 * (imgs[k][(y / z) * res + x / z] - lo) / (hi - lo)));
					cp.set(k * (res * z + z) + x, y, g << 16 | g << 8 | g);
				}
		for (int k = 0; k < 2; k++)
			for (int h = 0; h < drag.size(); h++) {
				final int off = k * (res * z + z);
				mark(cp, off, z, drag.handles().get(h), java.awt.Color.RED);
				mark(cp, off, z, drag.targets().get(h), java.awt.Color.BLUE);
				if (k == 1) {
					mark(cp, off, z, tracked.get(h), java.awt.Color.YELLOW);
					mark(cp, off, z, v.handles().get(h).found(), java.awt.Color.GREEN);
				}
			}
		java.nio.file.Files.createDirectories(file.getParent());
		new ij.io.FileSaver(new ij.ImagePlus(file.getFileName().toString(), cp)).saveAsPng(file.toString());
	}

	private static void mark(final ij.process.ColorProcessor cp, final int off, final int z, final Point p,
		final java.awt.Color c)
	{
		cp.setColor(c);
		final int cx = off + (int) Math.round((p.x() + 0.5) * z), cy = (int) Math.round((p.y() + 0.5) * z);
		cp.drawOval(cx - z, cy - z, 2 * z, 2 * z);
	}

	private static double min(final List<Double> v) {
		return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
	}

	private static double max(final List<Double> v) {
		return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
	}

	public static double median(final List<Double> v) {
		if (v.isEmpty()) return Double.NaN;
		final double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
	}


}
