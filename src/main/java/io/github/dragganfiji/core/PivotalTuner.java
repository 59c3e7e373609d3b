package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.model.Adam;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.PyTorch;
import io.github.dragganfiji.model.ThreadTuner;

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
	 * @param steps optimizer steps (PTI: 350)
	 * @param learningRate Adam step size on the weights (PTI: 3e-4)
	 * @param msssimWeight lambda of the MS-SSIM term
	 */
	public record Options(int steps, double learningRate, double msssimWeight) {

		public Options {
			if (steps < 1) throw new IllegalArgumentException("tuning needs at least one step");
			if (!(learningRate > 0)) throw new IllegalArgumentException("the learning rate must be positive");
		}

		public static Options defaults() {
			return new Options(350, 3e-4, 1.0);
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
	 * Tunes; reports steps as {@link Projector.Step}s (ws fixed) and returns the best one (lowest loss), with its
	 * image, leaving the generator's weights at that step: the last step is not always the best (PTI's 350 steps
	 * diverged on one image of the sample model).
	 */
	public static Projector.Step tune(final Generator g, final float[] ws, final float[] target, final Options o,
		final Projector.Listener listener, final BooleanSupplier cancelled)
	{
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
			final ThreadTuner threads = ThreadTuner.of(g);
			for (int i = 0; i < o.steps(); i++) {
				final boolean end = i == o.steps() - 1 || cancelled.getAsBoolean();
				threads.beforeStep();
				final long s0 = System.nanoTime();
				try (NDManager sm = mm.newSubManager()) {
					sm.tempAttachAll(pivot, goal);
					final double loss, mse;
					float[] img = null;
					try (GradientCollector gc = PyTorch.gradients()) {
						final NDArray out = g.synthesis(pivot, true);
						final ImageLoss.Reconstruction rec = ImageLoss.reconstruction(out, goal, m.outputMin(), m.outputMax(),
							o.msssimWeight(), i);
						loss = rec.loss();
						mse = rec.mse();
						if (end) img = out.stopGradient().toFloatArray();
						else gc.backward(rec.total());
					}
					if (loss < bestLoss) {
						bestLoss = loss;
						bestIndex = i;
						if (!end) snapshot(weights, best, mm);
					}
					if (!end) adam.step();
					last = new Projector.Step(i, loss, ImageLoss.psnr(mse, range), end ? ws.clone() : null, img);
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
