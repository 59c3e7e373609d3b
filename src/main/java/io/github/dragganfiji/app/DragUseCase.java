package io.github.dragganfiji.app;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragListener;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.DragSession;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.ShutdownGuard;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** The drag: a latent of a model, handles, targets and a movable area, run through the DragGAN loop. */
public final class DragUseCase {

	private DragUseCase() {}

	/**
	 * A drag, checked once: the latent fits the model and holds plausible numbers, the points lie on an image of the
	 * model's size, the radii and layers fit the model.
	 *
	 * @param model the bundle
	 * @param start the latent to start from
	 * @param input handles, targets, movable area
	 * @param config the drag's parameters
	 * @param device where to run
	 */
	public record Request(ModelSearchPath.Entry model, Latent start, DragInput input, DragConfig config,
		DeviceChoice device)
	{

		public Request {
			final ModelMetadata m = model.metadata();
			final int res = m.resolution();
			if (!start.fits(m)) throw new IllegalArgumentException("The latent (" + start.numWs() + " x " + start
				.wDim() + ") does not fit the model '" + m.name() + "' (" + m.numWs() + " x " + m.wDim() + ").");
			start.requirePlausible();
			if (input.width() != res || input.height() != res) throw new IllegalArgumentException("The points are on a " +
				input.width() + " x " + input.height() + " image, but the model '" + m.name() + "' makes " + res + " x " +
				res + " images.");
			if (config.layers() > m.numWs()) throw new IllegalArgumentException("Layers optimized must be at most " + m
				.numWs() + " for the model '" + m.name() + "', not " + config.layers() + ".");
			if (config.r1() > res || config.r2() > res) throw new IllegalArgumentException("r1 and r2 must be at most " +
				"the image size (" + res + " px), not " + config.r1() + " and " + config.r2() + ".");
		}
	}

	/**
	 * How a drag went.
	 *
	 * @param drag the engine's result (last step, updates, arrived, cancelled)
	 * @param seconds wall time of the loop
	 */
	public record Result(DragResult drag, double seconds) {

		/** Why the drag stopped early, as a sentence for the user, or null when it arrived or ran its steps. */
		public String note(final DragConfig config) {
			if (drag.diverged()) return String.format(java.util.Locale.ROOT, "The drag diverged after step %d (its " +
				"loss or latent stopped being finite), so it stopped there: the result ends at the last good step. " +
				"Try a smaller learning rate than %g or a smaller mask lambda than %g.", drag.last().index(), config
					.learningRate(), config.lambdaMask());
			if (drag.cancelled()) return "Stopped after step " + drag.last().index() + "; the steps done are kept.";
			return null;
		}
	}

	/**
	 * Runs the drag on the calling thread (never the event thread), reporting every step to {@code steps} on this
	 * thread; stops at a step boundary when {@code cancelled} says so or the JVM is exiting (Ctrl-C, SIGTERM).
	 * {@code log} hears about the runtime and device.
	 */
	public static Result run(final Request r, final DragListener steps, final BooleanSupplier cancelled,
		final Consumer<String> log)
	{
		final long t0 = System.nanoTime();
		final DragResult result = GeneratorCache.use(r.model().dir(), DjlRuntime.device(r.device(), log), g -> {
			try (DragSession s = new DragSession(g, r.start().ws(), r.input(), r.config())) {
				return s.run(steps, () -> cancelled.getAsBoolean() || ShutdownGuard.stopping());
			}
		});
		return new Result(result, (System.nanoTime() - t0) / 1e9);
	}
}
