package io.github.dragganfiji.app;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.core.ImageLoss;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Inversion: a real image, already squared and scaled to the model, becomes a latent. Its intensities are mapped to
 * the model's by percentiles (against a few of the model's own images); projection finds a latent (one w for every
 * layer by default, PTI's pivot; W+ on request); pivotal tuning
 * then fine-tunes a private copy of the model around it, and the better of the two is kept (a tuning with no step
 * better than the projection is dropped). A kept tuned copy is saved as its own bundle; the original never changes.
 */
public final class InvertUseCase {

	/** Seeds of the model images whose intensities define the model's side of the mapping. */
	public static final int REFERENCE_IMAGES = 8;

	private InvertUseCase() {}

	/**
	 * An inversion.
	 *
	 * @param model the bundle
	 * @param source [channels * res * res] the image's intensities at the model's resolution, channel-major
	 * @param title the image's name (names the tuned model)
	 * @param projection projection options
	 * @param tuning pivotal tuning options, or null for none
	 * @param device where to run
	 * @param tunedModels the folder a kept tuned model is saved in; null: measure the tuned copy and discard it
	 */
	public record Request(ModelSearchPath.Entry model, float[] source, String title, Projector.Options projection,
		PivotalTuner.Options tuning, DeviceChoice device, Path tunedModels)
	{

		public Request {
			final ModelMetadata m = model.metadata();
			final int n = m.imageChannels() * m.resolution() * m.resolution();
			if (source.length != n) throw new IllegalArgumentException("The image has " + source.length + " values; " +
				"the model '" + m.name() + "' makes " + m.imageChannels() + " x " + m.resolution() + " x " + m
					.resolution() + ".");
		}
	}

	/** Hears about the inversion as it goes, on the thread that runs it. */
	public interface Progress {

		/** A projection step; {@code map} turns its image (when it has one) back into source intensities. */
		default void projection(final Projector.Step s, final IntensityMapping map) {}

		default void tuning(final Projector.Step s) {}

		default void log(final String line) {}
	}

	/**
	 * What the inversion found.
	 *
	 * @param metadata the original model's metadata
	 * @param latent the latent of the result
	 * @param modelName the model the latent belongs to: the saved tuned copy's name, else the original's
	 * @param tunedDir the saved tuned copy's folder, or null
	 * @param mapping source intensities to generator units and back
	 * @param target the image in generator units, what was matched
	 * @param projection the projection's best step (latent and image)
	 * @param projectionSsim its SSIM against the target
	 * @param tuned the kept tuning step, or null when there was no tuning or it was dropped
	 * @param ssim SSIM of the result
	 * @param tuningSteps tuning steps run (0 without tuning)
	 * @param seconds wall time
	 */
	public record Result(ModelMetadata metadata, Latent latent, String modelName, Path tunedDir,
		IntensityMapping mapping, float[] target, Projector.Step projection, double projectionSsim, Projector.Step tuned,
		double ssim, int tuningSteps, double seconds)
	{

		/** The result's step: the kept tuning step, else the projection. */
		public Projector.Step last() {
			return tuned != null ? tuned : projection;
		}

		/** The result's image [channels * res * res] in generator units. */
		public float[] image() {
			return last().image();
		}

		/** The result's PSNR against the target, dB. */
		public double psnr() {
			return last().psnr();
		}

		/** Optimizer steps that made the result. */
		public int steps(final Request r) {
			return tuned != null ? r.projection().totalSteps() + tuningSteps : projection.index() + 1;
		}

		/** One line for the log and the image's properties, e.g. "PSNR 29.50 dB, SSIM 0.9012 after ...". */
		public String summary(final Request r, final String inputDescription) {
			final Projector.Options o = r.projection();
			final String projected = o.starts() > 1 ? o.starts() + " x " + o.steps() : String.valueOf(o.steps());
			return String.format(Locale.ROOT, "PSNR %.2f dB, SSIM %.4f after %s in %.1f s (%s)", psnr(), ssim,
				tuned != null ? projected + " projection and " + tuningSteps + " tuning steps" : (projection.index() +
					1) + " projection steps", seconds, inputDescription);
		}
	}

	/** Inverts on the calling thread; stops early (keeping what it has) when {@code cancelled} says so. */
	public static Result run(final Request r, final Progress progress, final BooleanSupplier userCancel) {
		final BooleanSupplier cancelled = () -> userCancel.getAsBoolean() || ShutdownGuard.stopping();
		final ModelMetadata m = r.model().metadata();
		final Device device = DjlRuntime.device(r.device(), progress::log);
		final long t0 = System.nanoTime();
		return GeneratorCache.use(r.model().dir(), device, g -> {
			// A model trained on a 'draggan dataset' set maps by the set's own rule; others fit by percentiles.
			final IntensityMapping trained = DatasetUseCase.sourceMapping(m);
			final IntensityMapping map = trained != null ? trained : IntensityMapping.fit(r.source(), reference(g), m
				.imageChannels());
			final float[] target = map.toModel(r.source(), m.outputMin(), m.outputMax());
			final Projector.Step projected = Projector.project(g, target, r.projection(), s -> progress.projection(s,
				map), cancelled);
			final double projectionSsim = ssim(g, projected.image(), target);
			Projector.Step tuned = null;
			Path tunedDir = null;
			String modelName = m.name();
			final int[] tuningSteps = { 0 };
			if (r.tuning() != null && !cancelled.getAsBoolean()) {
				try (Generator own = GeneratorBundle.load(r.model().dir(), device)) {
					final Projector.Step q = PivotalTuner.tune(own, g, projected.ws(), target, r.tuning(), s -> {
						tuningSteps[0] = s.index() + 1;
						progress.tuning(s);
					}, cancelled);
					if (PivotalTuner.improves(projected, q)) {
						tuned = q;
						if (r.tunedModels() != null) {
							modelName = m.name() + " tuned " + sanitize(r.title()) + " " + System.currentTimeMillis() % 100000;
							tunedDir = save(own, r.tunedModels(), modelName, "'" + m.name() + "' fine-tuned (pivotal " +
								"tuning) to reproduce '" + r.title() + "'");
						}
						progress.log(String.format(Locale.ROOT, "DragGAN: pivotal tuning: PSNR %.2f dB -> %.2f dB (the " +
							"best of %d steps: step %d%s)%s", projected.psnr(), q.psnr(), tuningSteps[0], q.index(),
							tuningSteps[0] < r.tuning().steps() && !cancelled.getAsBoolean() ? "; stopped early: it had " +
								"diverged, " + PivotalTuner.DIVERGED_DB + " dB below its best for " + PivotalTuner.DIVERGED_STEPS +
								" steps" : "", tunedDir == null ? "" : "; tuned model saved as " + tunedDir));
					}
					else progress.log(String.format(Locale.ROOT, "DragGAN: pivotal tuning dropped: no step was better " +
						"than the projection (PSNR %.2f dB -> %.2f dB); keeping the projection", projected.psnr(), q
							.psnr()));
				}
				catch (final IllegalStateException diverged) {
					// The private copy is discarded; the projection stands.
					progress.log("DragGAN: pivotal tuning stopped (" + diverged.getMessage() + "); keeping the projection");
					tuned = null;
					tunedDir = null;
					modelName = m.name();
				}
			}
			final Projector.Step last = tuned != null ? tuned : projected;
			final double ssim = tuned != null ? ssim(g, tuned.image(), target) : projectionSsim;
			return new Result(m, new Latent(m.numWs(), m.wDim(), last.ws()), modelName, tunedDir, map, target, projected,
				projectionSsim, tuned, ssim, tuningSteps[0], (System.nanoTime() - t0) / 1e9);
		});
	}

	/** Saves the tuned copy in a new folder (never over an existing one). */
	private static Path save(final Generator own, final Path folder, final String name, final String description) {
		final String base = name.replace(' ', '_');
		Path dir = folder.resolve(base);
		for (int k = 2; Files.exists(dir); k++)
			dir = folder.resolve(base + "_" + k);
		try {
			return GeneratorBundle.saveAs(own, dir, name, description);
		}
		catch (final IOException e) {
			throw new IllegalArgumentException("The tuned model could not be saved in " + folder + ": " + e
				.getMessage());
		}
	}

	private static String sanitize(final String title) {
		final String t = title.replaceAll("\\.[A-Za-z0-9]{1,5}$", "").replaceAll("[^A-Za-z0-9_-]", "_");
		return t.length() > 40 ? t.substring(0, 40) : t;
	}

	/** SSIM of two images [C, res, res] in the model's output units, over its output range. */
	public static double ssim(final Generator g, final float[] image, final float[] target) {
		final ModelMetadata m = g.metadata();
		final Shape shape = new Shape(1, m.imageChannels(), m.resolution(), m.resolution());
		try (NDManager mm = g.manager().newSubManager()) {
			return ImageLoss.ssim(mm.create(image, shape), mm.create(target, shape), m.outputMax() - m.outputMin())
				.getFloat();
		}
	}

	/** Generator outputs of a few of the model's own images, channel-major: [channel][image][pixel]. */
	static float[] reference(final Generator g) {
		final ModelMetadata m = g.metadata();
		final int c = m.imageChannels(), plane = m.resolution() * m.resolution();
		final float[] out = new float[c * REFERENCE_IMAGES * plane];
		for (int k = 0; k < REFERENCE_IMAGES; k++) {
			final float[] img = g.imageOf(g.latentOf(k, m.truncationPsi(), 0));
			for (int ch = 0; ch < c; ch++)
				System.arraycopy(img, ch * plane, out, (ch * REFERENCE_IMAGES + k) * plane, plane);
		}
		return out;
	}
}
