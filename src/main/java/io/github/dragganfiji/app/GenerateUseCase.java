package io.github.dragganfiji.app;

import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;

import java.util.function.Consumer;

/** Generation: a seed (and a class, for a conditional model) and truncation psi become a latent and its image. */
public final class GenerateUseCase {

	/** Truncation psi outside this range is refused: 1 is no truncation, beyond it the model extrapolates. */
	public static final double MAX_PSI = 2;

	private GenerateUseCase() {}

	/**
	 * What to generate.
	 *
	 * @param model the bundle
	 * @param seed the seed of z (see model.Seeds)
	 * @param psi truncation psi, finite, |psi| &lt;= {@link #MAX_PSI}
	 * @param label the class of a conditional model (0 .. c_dim - 1); ignored by others
	 * @param device where to run
	 */
	public record Request(ModelSearchPath.Entry model, long seed, double psi, int label, DeviceChoice device) {

		public Request {
			if (!Double.isFinite(psi) || Math.abs(psi) > MAX_PSI) throw new IllegalArgumentException(
				"Truncation psi must be a number between -" + MAX_PSI + " and " + MAX_PSI + " (0.7 is typical), not " +
					psi + ".");
			final int classes = model.metadata().cDim();
			if (classes > 0 && (label < 0 || label >= classes)) throw new IllegalArgumentException("The class must be " +
				"0 to " + (classes - 1) + " for the model '" + model.name() + "', not " + label + ".");
		}
	}

	/**
	 * A generated image.
	 *
	 * @param request what was asked
	 * @param metadata the model's metadata
	 * @param latent the latent
	 * @param image [channels * res * res] row-major in generator units
	 */
	public record Result(Request request, ModelMetadata metadata, Latent latent, float[] image) {}

	/** Generates; {@code log} hears about the runtime and the device. */
	public static Result run(final Request r, final Consumer<String> log) {
		final ModelMetadata m = r.model().metadata();
		final float[][] out = GeneratorCache.use(r.model().dir(), DjlRuntime.device(r.device(), log), g -> {
			final float[] ws = g.latentOf(r.seed(), r.psi(), r.label());
			return new float[][] { ws, g.imageOf(ws) };
		});
		return new Result(r, m, new Latent(m.numWs(), m.wDim(), out[0]), out[1]);
	}
}
