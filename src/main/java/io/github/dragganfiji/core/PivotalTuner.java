package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Pivotal tuning (Roich et al., PTI): with the projected latent fixed as the pivot, fine-tunes the generator's
 * weights so that the pivot reproduces the target almost exactly (Adam, lr 3e-4 as PTI; MSE + lambda (1 - MS-SSIM)
 * instead of LPIPS). Changes the weights of the generator instance it is given: use a private instance, never the
 * shared one, and save it as its own bundle.
 */
public final class PivotalTuner {

	/**
	 * PTI's locality regularization: the distance from the pivot toward a random latent, 30 in PTI's 18 x 512 W+
	 * (FFHQ at 1024 px), where it is about a third of the distance between two random latents. It is scaled to a
	 * model's latent size by the square root of the ratio of the sizes (17 for the 12 x 256 sample model, where random
	 * latents lie about 34 apart).
	 */
	public static final double LOCALITY_ALPHA = 30;
	/** The W+ size PTI's alpha was set for. */
	static final double PTI_LATENT_SIZE = 18 * 512;
	/** The truncation of the random latents (PTI: 0.5). */
	static final double LOCALITY_PSI = 0.5;
	/** Seeds of the random latents: LOCALITY_SEED + step, so that a tuning can be repeated. */
	static final long LOCALITY_SEED = 77_000_000;

	/**
	 * @param steps optimizer steps (PTI: 350)
	 * @param learningRate Adam step size on the weights (PTI: 3e-4)
	 * @param msssimWeight lambda of the MS-SSIM term
	 * @param localityWeight weight of PTI's locality regularization (PTI: 0.1 for each of its two terms; here MSE +
	 *          (1 - MS-SSIM) in place of L2 + LPIPS); 0 = off
	 * @param localityAlpha how far from the pivot the regularized latents lie, at PTI's latent size (PTI: 30; see
	 *          {@link #localityDistance})
	 */
	public record Options(int steps, double learningRate, double msssimWeight, double localityWeight,
		double localityAlpha)
	{

		/** Without locality regularization. */
		public Options(final int steps, final double learningRate, final double msssimWeight) {
			this(steps, learningRate, msssimWeight, 0, LOCALITY_ALPHA);
		}

		/**
		 * The largest learning rate accepted (a typing slip such as 3e30 is refused; a merely too large one makes the
		 * tuning diverge, and its best step is kept).
		 */
		public static final double MAX_LEARNING_RATE = 10;

		public Options {
			if (steps < 1) throw new IllegalArgumentException("tuning needs at least one step");
			if (!(learningRate > 0 && learningRate <= MAX_LEARNING_RATE)) throw new IllegalArgumentException(
				"The tuning learning rate must be a number above 0 and at most " + MAX_LEARNING_RATE + " (0.0003 is " +
					"typical), not " + learningRate + ".");
			if (!(msssimWeight >= 0 && msssimWeight <= Projector.Options.MAX_MSSSIM_WEIGHT)) throw new IllegalArgumentException(
				"The MS-SSIM weight must be a number from 0 to " + (int) Projector.Options.MAX_MSSSIM_WEIGHT +
					" (1 is typical), not " + msssimWeight + ".");
			if (!(localityWeight >= 0) || !Double.isFinite(localityWeight)) throw new IllegalArgumentException(
				"The locality weight must be a number of 0 or more (0.1 is typical, 0 turns it off), not " +
					localityWeight + ".");
			if (!(localityAlpha > 0) || !Double.isFinite(localityAlpha)) throw new IllegalArgumentException(
				"The locality distance must be a number above 0 (" + (int) LOCALITY_ALPHA + " is typical), not " +
					localityAlpha + ".");
		}

		/**
		 * PTI's steps and learning rate; locality regularization off. Measured on 6 held-out simulator images of the
		 * sample model (draggan eval-real, 24 drags each way): with weight 0.1 the drags of the inverted images ended
		 * a median 6.22 px from their targets against 6.52 px without, the raw generator changed 0.11 % against 0.13 %
		 * outside the edit region (paste-back keeps it at exactly 0 either way), the reconstruction inside the region
		 * was 29.7 against 30.6 dB, and the inversion took 1.7x as long (148 against 89 s). Set a weight (0.1, as PTI)
		 * to keep nearby latents like the original model.
		 */
		public static Options defaults() {
			return new Options(350, 3e-4, 1.0, 0, LOCALITY_ALPHA);
		}

		public Options withLocality(final double weight) {
			return new Options(steps, learningRate, msssimWeight, weight, localityAlpha);
		}
	}

	private PivotalTuner() {}

	/**
	 * Whether a tuning result is worth keeping over the projection it started from: some tuned step (index above 0;
	 * step 0 is the untouched generator) has a lower reconstruction loss (the same MSE + MS-SSIM loss). A tuning
	 * that never gets better (too high a learning rate) is dropped.
	 */
	public static boolean improves(final Projector.Step projected, final Projector.Step tuned) {
		return tuned.index() > 0 && tuned.loss() < projected.loss();
	}

	/**
	 * Tuning ends early when its reconstruction has stayed this many dB below its best for {@link #DIVERGED_STEPS}
	 * steps: it diverged (seen on held-out images of the sample model: from 28.9 dB at step 129 down to 10.7 dB by
	 * step 200, where the remaining steps only cost time). The best step is kept either way.
	 */
	public static final double DIVERGED_DB = 6;
	/** See {@link #DIVERGED_DB}. */
	public static final int DIVERGED_STEPS = 25;

	/** Tunes without locality regularization (no original to hold the rest of the latent space to). */
	public static Projector.Step tune(final Generator g, final float[] ws, final float[] target, final Options o,
		final Projector.Listener listener, final BooleanSupplier cancelled)
	{
		return tune(g, null, ws, target, o, listener, cancelled);
	}

	/**
	 * Tunes; reports steps as {@link Projector.Step}s (ws fixed) and returns the best one (lowest reconstruction
	 * loss), with its image, leaving the generator's weights at that step: the last step is not always the best (PTI's
	 * 350 steps diverged on one image of the sample model). With {@code original} and a locality weight, each step
	 * also holds the tuned generator to the original one at a latent {@code localityAlpha} away from the pivot toward
	 * a random latent (PTI's locality regularization), so that latents near the pivot, where a drag goes, keep
	 * behaving like the original model.
	 *
	 * @param g the private copy to tune (its weights change)
	 * @param original the untouched model, or null for no locality regularization
	 */
	public static Projector.Step tune(final Generator g, final Generator original, final float[] ws,
		final float[] target, final Options o, final Projector.Listener listener, final BooleanSupplier cancelled)
	{
		final boolean locality = original != null && o.localityWeight() > 0;
		final ModelMetadata m = g.metadata();
		final int c = m.imageChannels(), r = m.resolution();
		final double range = m.outputMax() - m.outputMin();
		PyTorch.prepareThread();
		g.setTrainable(true);
		try (NDManager mm = g.manager().newSubManager()) {
			final NDArray pivot = mm.create(ws, new Shape(1, m.numWs(), m.wDim()));
			final NDArray goal = mm.create(target, new Shape(1, c, r, r));
			final List<NDArray> weights = g.weights();
			final Adam adam = new Adam(weights, o.learningRate());
			final List<NDArray> best = new ArrayList<>();
			double bestLoss = Double.POSITIVE_INFINITY;
			int bestIndex = 0;
			Projector.Step last = null;
			final ThreadTuner threads = ThreadTuner.of(g.device());
			double bestPsnr = Double.NEGATIVE_INFINITY;
			int behind = 0;
			for (int i = 0; i < o.steps(); i++) {
				final boolean end = i == o.steps() - 1 || cancelled.getAsBoolean() || behind >= DIVERGED_STEPS;
				threads.beforeStep();
				final long s0 = System.nanoTime();
				try (NDManager sm = mm.newSubManager()) {
					sm.tempAttachAll(pivot, goal);
					final double loss, mse;
					float[] img = null;
					final NDArray near = locality && !end ? sm.create(morph(ws, original.latentOf(LOCALITY_SEED + i,
						LOCALITY_PSI, 0), localityDistance(o.localityAlpha(), m)), pivot.getShape()) : null;
					// The original's image as a plain array: an inference-mode output cannot enter a backward pass.
					final NDArray held = near == null ? null : sm.create(original.synthesis(near, false).toFloatArray(),
						goal.getShape());
					try (GradientCollector gc = PyTorch.gradients()) {
						final NDArray out = g.synthesis(pivot, true);
						final ImageLoss.Reconstruction rec = ImageLoss.reconstruction(out, goal, m.outputMin(), m.outputMax(),
							o.msssimWeight(), i);
						loss = rec.loss();
						mse = rec.mse();
						if (end) img = out.stopGradient().toFloatArray();
						else if (near == null) gc.backward(rec.total());
						else gc.backward(rec.total().add(ImageLoss.reconstruction(g.synthesis(near, true), held, m
							.outputMin(), m.outputMax(), o.msssimWeight(), i).total().mul((float) o.localityWeight())));
					}
					if (loss < bestLoss) {
						bestLoss = loss;
						bestIndex = i;
						if (!end) snapshot(weights, best, mm);
					}
					if (!end) adam.step();
					last = new Projector.Step(i, loss, ImageLoss.psnr(mse, range), end ? ws.clone() : null, img);
					bestPsnr = Math.max(bestPsnr, last.psnr());
					behind = last.psnr() < bestPsnr - DIVERGED_DB ? behind + 1 : 0; // a non-finite loss throws (ImageLoss)
				}
				threads.afterStep(System.nanoTime() - s0);
				listener.step(last);
				if (end) break;
			}
			threads.done();
			if (last == null || last.index() == bestIndex) return last;
			for (int k = 0; k < weights.size(); k++)
				weights.get(k).set(best.get(k).toByteBuffer());
			try (NDManager sm = mm.newSubManager()) {
				sm.tempAttachAll(pivot, goal);
				final NDArray out = g.synthesis(pivot, false);
				final double mse = ImageLoss.mse(out, goal).getFloat();
				return new Projector.Step(bestIndex, bestLoss, ImageLoss.psnr(mse, range), ws.clone(), out
					.toFloatArray());
			}
		}
		finally {
			g.setTrainable(false);
		}
	}

	/** The locality distance for a model: alpha scaled by sqrt(num_ws * w_dim / (18 * 512)). */
	public static double localityDistance(final double alpha, final ModelMetadata m) {
		return alpha * Math.sqrt(m.numWs() * (double) m.wDim() / PTI_LATENT_SIZE);
	}

	/** pivot + alpha * (w - pivot) / |w - pivot| over the whole W+ latent (PTI's get_morphed_w_code). */
	static float[] morph(final float[] pivot, final float[] w, final double alpha) {
		double norm = 0;
		for (int i = 0; i < pivot.length; i++)
			norm += (w[i] - pivot[i]) * (double) (w[i] - pivot[i]);
		norm = Math.sqrt(norm);
		final float[] out = new float[pivot.length];
		for (int i = 0; i < pivot.length; i++)
			out[i] = (float) (pivot[i] + (norm == 0 ? 0 : alpha * (w[i] - pivot[i]) / norm));
		return out;
	}

	/** Replaces the copies in {@code into} by copies of the weights now, owned by {@code manager}. */
	private static void snapshot(final List<NDArray> weights, final List<NDArray> into, final NDManager manager) {
		for (int k = 0; k < weights.size(); k++) {
			final NDArray copy = weights.get(k).duplicate();
			copy.attach(manager);
			if (into.size() > k) into.set(k, copy).close();
			else into.add(copy);
		}
	}
}
