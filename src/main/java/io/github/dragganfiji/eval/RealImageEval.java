package io.github.dragganfiji.eval;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.InvertUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.core.ImageLoss;
import io.github.dragganfiji.core.PasteBack;
import io.github.dragganfiji.eval.EvalSuite;
import io.github.dragganfiji.image.DragResultStack;
import io.github.dragganfiji.image.Inputs;
import io.github.dragganfiji.image.InversionInput;
import io.github.dragganfiji.image.LatentImage;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.image.Rendering;
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
import java.util.stream.Stream;

/**
 * {@code draggan eval-real}: what a drag does to real images. Each image (e.g. simulator images the model never
 * saw) is inverted as the plugin does it with each method ({@link InversionMethod}), then whole objects are dragged
 * by their centroids 6-10 px (1 and 2 handles) with the real-image defaults, the default region around each
 * handle-to-target segment and paste-back, with the region as the drag's mask or only as the paste-back's bound (each
 * role asked for). Per drag: the verified distance (NCC, {@link DragVerification}), how many pixels outside the
 * region changed in the pasted result (must be 0), how much the raw generator output changed there, the
 * reconstruction's fidelity inside the region before the drag and over the paste-back's blended border before and
 * after it (a seam risk shows as a drop), and the seam of the last step pasted plainly and with the seam correction
 * ({@link #seam}), with the verified distance in the seamless result. Writes real.csv and summary.txt.
 */
public final class RealImageEval {

	/** PTI's locality weight (the "+local" of a method). */
	static final double PTI_LOCALITY = 0.1;

	private RealImageEval() {}

	/** One drag's figures. */
	public record Row(String image, String method, String region, int handles, double startDistance, double verified,
		int changedOutside, double rawOutside, double insidePsnr, double psnr, double borderStart, double borderEnd,
		double seamPlain, double seamSeamless, double verifiedPlain, double verifiedPasted, int steps, double seconds) {}

	public static List<Row> run(final Path bundle, final List<Path> images, final int drags,
		final List<InversionMethod> methods, final List<Boolean> regionAsMask, final int maxSteps, final Path out,
		final DeviceChoice device, final Consumer<String> log) throws IOException
	{
		final ModelSearchPath.Entry model = ModelSearchPath.Entry.at(bundle);
		final ModelMetadata m = model.metadata();
		final int res = m.resolution();
		final Path tuned = Files.createDirectories(out.resolve("tuned-models"));
		final List<Row> rows = new ArrayList<>();
		for (final Path file : images) {
			ShutdownGuard.requireNotStopping();
			final ImagePlus imp = Inputs.open(file);
			final InversionInput in = InversionInput.of(imp, m, InversionInput.Framing.CROP);
			for (final InversionMethod method : methods) {
				final InvertUseCase.Request req = new InvertUseCase.Request(model, in.flat(), file.getFileName().toString(),
					method.projection(), method.tuning(), device, tuned);
				final InvertUseCase.Result inv = InvertUseCase.run(req, new InvertUseCase.Progress() {}, () -> false);
				final ImagePlus inverted = Rendering.inverted(inv, inv.summary(req, in.description()), imp, in);
				final LatentImage image = new LatentImage(inverted, inv.tunedDir() == null ? model : ModelSearchPath.Entry
					.at(inv.tunedDir()), inv.latent(), 1);
				if (log != null) log.accept(String.format(Locale.ROOT, "%s (%s): %s", file.getFileName(), method.name(), inv
					.summary(req, in.description())));
				final float[] gray = DragVerification.gray(inv.target(), res);
				for (final boolean asMask : regionAsMask) {
					int done = 0;
					for (int k = 0; done < drags && k < 4 * drags; k++) {
						final EvalSuite.Case c = EvalSuite.layoutObjects(new EvalSuite.Spec(0, 1 + k % 2, false, 9100 + k), gray,
							res);
						if (c == null) continue;
						rows.add(drag(file.getFileName().toString(), method.name(), asMask, image, c.input(), inv, maxSteps,
							device, log));
						done++;
					}
				}
				Outputs.deleteTree(inv.tunedDir());
			}
		}
		final StringBuilder csv = new StringBuilder("image,method,region,handles,start_distance,verified_distance," +
			"changed_outside_pasted,raw_change_outside,inside_psnr,psnr,border_start,border_end,seam_plain,seam_seamless," +
			"verified_plain,verified_pasted,steps,seconds\n");
		for (final Row r : rows)
			csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.2f,%.3f,%d,%.5f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f," +
				"%d,%.2f%n", r.image(), r.method(), r.region(), r.handles(), r.startDistance(), r.verified(), r.changedOutside(), r
					.rawOutside(), r.insidePsnr(), r.psnr(), r.borderStart(), r.borderEnd(), r.seamPlain(), r.seamSeamless(), r
						.verifiedPlain(), r.verifiedPasted(), r.steps(), r.seconds()));
		Outputs.text(csv.toString(), out.resolve("real.csv"));
		Outputs.text("bundle: " + bundle + "\n" + summary(rows), out.resolve("summary.txt"));
		return rows;
	}

	/** One drag of a real image with the real-image defaults, measured. */
	private static Row drag(final String name, final String method, final boolean asMask, final LatentImage image,
		final DragInput requested, final InvertUseCase.Result inv, final int maxSteps, final DeviceChoice device,
		final Consumer<String> log)
	{
		final ModelMetadata m = image.model().metadata();
		final int res = m.resolution();
		final RealImageOptions real = RealImageOptions.defaults(res).withRegionAsMask(asMask);
		final DragUseCase.Plan plan = DragUseCase.plan(requested, image.isInverted(), image.imp().getTitle(), real,
			s -> {});
		final DragInput in = plan.input();
		final DragResultStack stack = DragResultStack.of(image, plan, false);
		final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers()).withMaxSteps(maxSteps);
		final float[][] raw = new float[2][];
		final DragUseCase.Result r = DragUseCase.run(new DragUseCase.Request(image.model(), image.latent(), in, cfg,
			device), step -> {
				stack.step(step);
				if (step.image() != null) raw[raw[0] == null ? 0 : 1] = step.image();
			}, () -> false, null);
		final ImagePlus result = stack.finish("eval");
		// Pixels outside the region that differ from the real image, over every slice of the pasted result.
		final boolean[] region = plan.area();
		final ImageProcessor[] original = image.processors();
		int changed = 0;
		for (int s = 1; s <= result.getStackSize(); s++) {
			final ImageProcessor p = result.getStack().getProcessor(s), o = original[(s - 1) % original.length];
			for (int i = 0; i < region.length; i++)
				if (!region[i] && p.get(i) != o.get(i)) changed++;
		}
		final double range = m.outputMax() - m.outputMin();
		final float[] first = raw[0], last = raw[1] == null ? raw[0] : raw[1];
		double rawOut = 0, inErr = 0;
		int nOut = 0, nIn = 0;
		final int plane = res * res;
		for (int i = 0; i < first.length; i++) {
			if (!region[i % plane]) {
				rawOut += Math.abs(last[i] - first[i]) / range;
				nOut++;
			}
			else {
				inErr += (first[i] - inv.target()[i]) * (double) (first[i] - inv.target()[i]);
				nIn++;
			}
		}
		final DragVerification.Result v = DragVerification.verify(first, last, res, in.handles(), in.targets(), cfg
			.stopDistance(in.size()));
		final float[] w = plan.pasteWeights();
		// The last step pasted into the image plainly (the feathered blend alone) and seamlessly (with the seam
		// correction, as results are now), compared with the image over the blended border; the seamless result's
		// own verified distance.
		final float[] target = inv.target();
		final float[] plainFirst = pasted(target, first, w, res, false), plainLast = pasted(target, last, w, res, false),
			seamFirst = pasted(target, first, w, res, true), seamLast = pasted(target, last, w, res, true);
		final double verifiedPlain = DragVerification.verify(plainFirst, plainLast, res, in.handles(), in.targets(), cfg
			.stopDistance(in.size())).meanDistance(), verifiedPasted = DragVerification.verify(seamFirst, seamLast, res, in
				.handles(), in.targets(), cfg.stopDistance(in.size())).meanDistance();
		final Row row = new Row(name, method, asMask ? "mask" : "free", in.size(), v.handles().stream().mapToDouble(
			DragVerification.Handle::startDistance).average().orElse(0), v.meanDistance(), changed, nOut == 0 ? 0 : rawOut /
				nOut, ImageLoss.psnr(inErr / Math.max(1, nIn), range), inv.psnr(), RoundTripEval.border(first, target, w,
					range), RoundTripEval.border(last, target, w, range), seam(plainLast, target, w, res, range),
			seam(seamLast, target, w, res, range), verifiedPlain, verifiedPasted, r.drag().updates(), r.seconds());
		if (log != null) log.accept(String.format(Locale.ROOT, "  drag (%d handle%s, region %s): %.1f -> %.1f px " +
			"verified, %d pixels changed outside the region (pasted), raw change there %.2f %%, inside %.1f dB, border " +
			"%.1f -> %.1f dB, seam plain %.1f dB, seamless %.1f dB, verified in the pasted result plain %.1f px, " +
			"seamless %.1f px, %d steps", row.handles(), row.handles() == 1 ? "" : "s", row.region(), row.startDistance(),
			row.verified(), changed, 100 * row.rawOutside(), row.insidePsnr(), row.borderStart(), row.borderEnd(), row
				.seamPlain(), row.seamSeamless(), row.verifiedPlain(), row.verifiedPasted(), row.steps()));
		return row;
	}

	/** The window of {@link #seam}: 7 x 7 pixels. */
	static final int SEAM_RADIUS = 3;

	/**
	 * The seam of a pasted image: PSNR of its local mean difference from the target (over a 7 x 7 window, so that
	 * the generator's own noise and texture, which differ from the image's pixel by pixel, average out and a step in
	 * brightness remains) over the blended border, every channel; NaN without one.
	 */
	static double seam(final float[] image, final float[] target, final float[] w, final int res, final double range) {
		if (w == null) return Double.NaN;
		final int plane = res * res;
		double e = 0;
		int n = 0;
		for (int c = 0; c < image.length / plane; c++)
			for (int y = 0; y < res; y++)
				for (int x = 0; x < res; x++) {
					final float wi = w[y * res + x];
					if (!(wi > 0 && wi < 1)) continue;
					double sum = 0;
					int k = 0;
					for (int yy = Math.max(0, y - SEAM_RADIUS); yy <= Math.min(res - 1, y + SEAM_RADIUS); yy++)
						for (int xx = Math.max(0, x - SEAM_RADIUS); xx <= Math.min(res - 1, x + SEAM_RADIUS); xx++) {
							final int i = c * plane + yy * res + xx;
							sum += image[i] - target[i];
							k++;
						}
					final double mean = sum / k;
					e += mean * mean;
					n++;
				}
		return n == 0 ? Double.NaN : ImageLoss.psnr(e / n, range);
	}

	/** An image [C * res * res] pasted into the target by the weights, plainly or with the seam correction. */
	static float[] pasted(final float[] target, final float[] image, final float[] w, final int res,
		final boolean seamless)
	{
		final int plane = res * res;
		final float[] out = new float[image.length];
		for (int c = 0; c < image.length / plane; c++) {
			final float[] b = java.util.Arrays.copyOfRange(target, c * plane, (c + 1) * plane), e = java.util.Arrays
				.copyOfRange(image, c * plane, (c + 1) * plane), o = new float[plane];
			if (seamless) PasteBack.blendSeamless(b, e, w, res, res, null, o);
			else PasteBack.blend(b, e, w, o);
			System.arraycopy(o, 0, out, c * plane, plane);
		}
		return out;
	}

	public static String summary(final List<Row> rows) {
		final StringBuilder sb = new StringBuilder();
		for (final String t : rows.stream().map(r -> r.method() + ", region " + r.region()).distinct().toList()) {
			final List<Row> k = rows.stream().filter(r -> t.equals(r.method() + ", region " + r.region())).toList();
			sb.append(String.format(Locale.ROOT, "%s: %d drags, verified distance median %.2f px (start %.2f), %.0f %% " +
				"within 3 px, pixels changed outside the region (pasted) %d in all, raw generator change there median " +
				"%.2f %% (max %.2f %%), reconstruction median %.1f dB (inside the region %.1f dB), blended border %.1f -> " +
				"%.1f dB (median), seam (local mean over the border) plain %.1f dB, seamless %.1f dB (median), verified " +
				"in the pasted result plain %.2f px, seamless %.2f px (median), %.1f s per drag%n", t, k.size(), DragEval
					.median(k.stream().map(Row::verified).toList()),
				DragEval.median(k.stream().map(Row::startDistance).toList()), 100.0 * k.stream().filter(r -> r
					.verified() <= 3).count() / k.size(), k.stream().mapToInt(Row::changedOutside).sum(), 100 * DragEval
						.median(k.stream().map(Row::rawOutside).toList()), 100 * k.stream().mapToDouble(Row::rawOutside).max()
							.orElse(0), DragEval.median(k.stream().map(Row::psnr).toList()), DragEval.median(k.stream().map(
								Row::insidePsnr).toList()), DragEval.median(k.stream().map(Row::borderStart).filter(
									Double::isFinite).toList()), DragEval.median(k.stream().map(Row::borderEnd).filter(
										Double::isFinite).toList()), DragEval.median(k.stream().map(Row::seamPlain).filter(
											Double::isFinite).toList()), DragEval.median(k.stream().map(Row::seamSeamless).filter(
												Double::isFinite).toList()), DragEval.median(k.stream().map(Row::verifiedPlain).toList()), DragEval
													.median(k.stream().map(Row::verifiedPasted).toList()), k.stream()
													.mapToDouble(Row::seconds).average().orElse(0)));
		}
		return sb.toString();
	}
}
