package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.util.function.BooleanSupplier;

/**
 * GAN inversion by projection: finds ws whose image matches a target, by Adam from w_avg on one w for every layer
 * (W, PTI's pivot, the default) or on every layer's own w (W+),
 * minimizing MSE + lambda * (1 - MS-SSIM) (no downloaded network). The learning rate follows PTI's schedule: a
 * short ramp-up, then a cosine ramp-down over the last quarter. With several starts, the first is w_avg, the
 * others the latents of fixed seeds (psi 0.7), each optimized in full; the lowest loss wins.
 */
public final class Projector {

	/**
	 * @param steps optimizer steps
	 * @param learningRate peak Adam step size
	 * @param msssimWeight lambda of the MS-SSIM term
	 * @param recordEvery report the image every N steps too (0: only the last step's)
	 * @param starts independent projections (w_avg, then seeded latents); the best is returned
	 * @param space where the latent is sought: one w for every layer, or W+ (a w per layer)
	 */
	public record Options(int steps, double learningRate, double msssimWeight, int recordEvery, int starts,
		Space space)
	{

		/**
		 * The largest learning rate accepted (Adam moves each value of w by up to this much per step; a too large
		 * one only makes the projection keep an early step).
		 */
		public static final double MAX_LEARNING_RATE = 10;
		/** The largest MS-SSIM weight accepted. */
		public static final double MAX_MSSSIM_WEIGHT = 1000;

		public Options(final int steps, final double learningRate, final double msssimWeight) {
			this(steps, learningRate, msssimWeight, 0, 1, DEFAULT_SPACE);
		}

		public Options(final int steps, final double learningRate, final double msssimWeight, final int recordEvery) {
			this(steps, learningRate, msssimWeight, recordEvery, 1, DEFAULT_SPACE);
		}

		public Options(final int steps, final double learningRate, final double msssimWeight, final int recordEvery,
			final int starts)
		{
			this(steps, learningRate, msssimWeight, recordEvery, starts, DEFAULT_SPACE);
		}

		public Options {
			if (steps < 1) throw new IllegalArgumentException("projection needs at least one step");
			if (starts < 1) throw new IllegalArgumentException("projection needs at least one start");
			if (!(learningRate > 0 && learningRate <= MAX_LEARNING_RATE)) throw new IllegalArgumentException(
				"The projection's learning rate must be a number above 0 and at most " + MAX_LEARNING_RATE +
					" (0.03 is typical), not " + learningRate + ".");
			if (!(msssimWeight >= 0 && msssimWeight <= MAX_MSSSIM_WEIGHT)) throw new IllegalArgumentException(
				"The MS-SSIM weight must be a number from 0 to " + (int) MAX_MSSSIM_WEIGHT + " (1 is typical), not " +
					msssimWeight + ".");
			if (recordEvery < 0) throw new IllegalArgumentException("record every N steps needs N >= 0");
			if (space == null) throw new IllegalArgumentException("the projection needs a latent space (w or w+)");
		}

		public Options withRecordEvery(final int n) {
			return new Options(steps, learningRate, msssimWeight, n, starts, space);
		}

		public Options withStarts(final int n) {
			return new Options(steps, learningRate, msssimWeight, recordEvery, n, space);
		}

		public Options withSpace(final Space s) {
			return new Options(steps, learningRate, msssimWeight, recordEvery, starts, s);
		}

		/** Steps of all starts together. */
		public int totalSteps() {
			return steps * starts;
		}

		public static Options defaults() {
			return new Options(300, 0.03, 1.0);
		}
	}

	/** Where a projection looks for the latent. */
	public enum Space {
		/**
		 * One w, the same for every layer (PTI's pivot; the space the mapping network's latents lie in): reconstructs
		 * less closely than W+, drags like a generated latent.
		 */
		W("w"),
		/** A w for every layer: reconstructs closest, but lands where a drag of the first layers moves little. */
		W_PLUS("w+");

		private final String key;

		Space(final String key) {
			this.key = key;
		}

		/** Its name in the dialog, the macro keys and the command line. */
		public String key() {
			return key;
		}

		/** The space of a name: "w" or "w+" (also "wplus"). */
		public static Space parse(final String name) {
			return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
				case "w" -> W;
				case "w+", "wplus", "w_plus" -> W_PLUS;
				default -> throw new IllegalArgumentException("Unknown latent space '" + name + "': use w or w+.");
			};
		}
	}

	/** The space a projection uses unless told otherwise. */
	public static final Space DEFAULT_SPACE = Space.W;

	/**
	 * One step's report.
	 *
	 * @param index step, counted over all starts
	 * @param loss total loss
	 * @param psnr PSNR of the current image, dB (over the model's output range)
	 * @param ws current latent, or null except on the last step
	 * @param image current image, or null except on the last step and every recordEvery steps
	 */
	public record Step(int index, double loss, double psnr, float[] ws, float[] image) {}

	/** Receives each step. */
	@FunctionalInterface
	public interface Listener {

		void step(Step s);
	}

	private Projector() {}

	/** PTI's learning-rate schedule at fraction t of the run. */
	static double schedule(final double t) {
		final double rampDown = Math.min(1, (1 - t) / 0.25), rampUp = Math.min(1, t / 0.05);
		return (0.5 - 0.5 * Math.cos(rampDown * Math.PI)) * rampUp;
	}

	/**
	 * Projects a target image [channels * res * res] in generator units; returns the best latent seen (lowest loss,
	 * over all starts) with its image. Stops early on cancel, or when the loss stops being finite.
	 */
	public static Step project(final Generator g, final float[] target, final Options o, final Listener listener,
		final BooleanSupplier cancelled)
	{
		final ModelMetadata m = g.metadata();
		final int c = m.imageChannels(), r = m.resolution();
		if (target.length != c * r * r) throw new IllegalArgumentException("the target has " + target.length +
			" values; the model makes " + c + " x " + r + " x " + r);
		final double range = m.outputMax() - m.outputMin();
		PyTorch.prepareThread();
		try (NDManager mm = g.manager().newSubManager()) {
			final NDArray goal = mm.create(target, new Shape(1, c, r, r));
			float[] best = null;
			double bestLoss = Double.POSITIVE_INFINITY;
			int index = 0;
			for (int k = 0; k < o.starts() && !cancelled.getAsBoolean(); k++) {
				final Run run = run(g, mm, goal, start(g, mm, k), o, k * o.steps(), listener, cancelled);
				index = run.next();
				if (best == null || run.loss() < bestLoss) {
					best = run.ws();
					bestLoss = run.loss();
				}
			}
			if (best == null) best = g.averageLatent(mm).toFloatArray();
			// The result is the best latent seen (Adam's last step is not always the best, and a diverging run stops).
			try (NDManager sm = mm.newSubManager()) {
				final NDArray bestWs = sm.create(best, new Shape(1, m.numWs(), m.wDim()));
				final NDArray out = g.synthesis(bestWs, false);
				final double mse = ImageLoss.mse(out, goal).getFloat();
				final Step last = new Step(Math.max(0, index - 1), bestLoss, ImageLoss.psnr(mse, range), best, out
					.toFloatArray());
				listener.step(last);
				return last;
			}
		}
	}

	/** Start k: w_avg for k = 0, else the latent of seed k (as Generate Image makes it) at psi 0.7. */
	private static NDArray start(final Generator g, final NDManager mm, final int k) {
		if (k == 0) return g.averageLatent(mm);
		// A plain array: the mapping's output cannot get a gradient.
		return mm.create(g.latentOf(k, 0.7, 0), new Shape(1, g.metadata().numWs(), g.metadata().wDim()));
	}

	/** One start's result: its best latent and loss, and the step index after its last step. */
	private record Run(float[] ws, double loss, int next) {}

	private static Run run(final Generator g, final NDManager mm, final NDArray goal, final NDArray ws,
		final Options o, final int first, final Listener listener, final BooleanSupplier cancelled)
	{
		final ModelMetadata m = g.metadata();
		final double range = m.outputMax() - m.outputMin();
		final Shape full = new Shape(1, m.numWs(), m.wDim());
		// In W the optimized value is one w [1, 1, wDim], broadcast to every layer inside the graph.
		final NDArray param = o.space() == Space.W ? ws.get(":, 0:1, :").duplicate() : ws;
		param.setRequiresGradient(true);
		final Adam adam = new Adam(param, o.learningRate());
		float[] best = latent(param, full).toFloatArray();
		double bestLoss = Double.POSITIVE_INFINITY;
		int index = first;
		final ThreadTuner threads = ThreadTuner.of(g.device());
		for (; index < first + o.steps() && !cancelled.getAsBoolean(); index++) {
			final int i = index - first;
			final Step report;
			threads.beforeStep();
			final long s0 = System.nanoTime();
			try (NDManager sm = mm.newSubManager()) {
				sm.tempAttachAll(param, goal);
				final ImageLoss.Reconstruction rec;
				float[] img = null;
				final NDArray now;
				try (GradientCollector gc = PyTorch.gradients()) {
					now = latent(param, full);
					final NDArray out = g.synthesis(now, true);
					try {
						rec = ImageLoss.reconstruction(out, goal, m.outputMin(), m.outputMax(), o.msssimWeight(), index);
					}
					catch (final IllegalStateException diverged) {
						break; // keep the best latent found so far
					}
					if (o.recordEvery() > 0 && i % o.recordEvery() == 0) img = out.stopGradient().toFloatArray();
					gc.backward(rec.total());
				}
				if (rec.loss() < bestLoss) {
					bestLoss = rec.loss();
					best = now.stopGradient().toFloatArray();
				}
				adam.step(o.learningRate() * schedule((double) i / o.steps()));
				report = new Step(index, rec.loss(), ImageLoss.psnr(rec.mse(), range), null, img);
			}
			threads.afterStep(System.nanoTime() - s0);
			listener.step(report);
		}
		threads.done();
		return new Run(best, bestLoss, index);
	}

	/** The full latent [1, numWs, wDim] of the optimized value: itself in W+, one w broadcast to every layer in W. */
	private static NDArray latent(final NDArray param, final Shape full) {
		return param.getShape().equals(full) ? param : param.broadcast(full);
	}
}
