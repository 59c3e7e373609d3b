package io.github.dragganfiji.app;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragListener;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.DragSession;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.core.PasteBack;
import io.github.dragganfiji.core.StepProfile;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The drag: a latent of a model, handles, targets and a movable area, run through the DragGAN loop. The rules every
 * front end (command line, Drag..., the DragGAN tool, batch) shares live here: the real-image policy ({@link #plan}:
 * the default region and paste-back), the parameters line a result stack records ({@link #params}) and the
 * outcome's wording ({@link Result#outcome}, {@link Result#summary}, {@link #status}).
 */
public final class DragUseCase {

	private DragUseCase() {}

	/**
	 * What a drag will do with its image, decided once by {@link #plan}.
	 *
	 * @param input the handles, targets and the mask the drag itself uses
	 * @param pasteBack whether the result keeps the original's pixels outside the movable area
	 * @param area the movable area: what may change in the result (pasted into, drawn as an outline), or null for
	 *          all of the image; the input's mask where it has one
	 * @param drawn whether the area is the user's (an area ROI, a --mask) rather than the default region
	 */
	public record Plan(DragInput input, boolean pasteBack, boolean[] area, boolean drawn) {

		/** A plan whose movable area is the input's mask (the user's, where it has one). */
		public Plan(final DragInput input, final boolean pasteBack) {
			this(input, pasteBack, input.movable(), input.masked());
		}

		/** The paste-back weights (1 inside the movable area, feathered at its edge), or null without paste-back. */
		public float[] pasteWeights() {
			return pasteBack ? PasteBack.weights(area, input.width(), input.height(), PasteBack.FEATHER) : null;
		}

		/** The input with the movable area as its mask: what the result shows (its outline) and records. */
		public DragInput shown() {
			return area == input.movable() ? input : DragInput.of(input.handles(), input.targets(), area, input.width(),
				input.height());
		}
	}

	/**
	 * The movable-area rule ({@link RealImageOptions}): an image without a movable area gets the region around each
	 * handle-to-target segment (a note to {@code log} says so), and with paste-back on the result keeps the start
	 * image outside the movable area, a real image's and a generated one's alike; with paste-back off a generated
	 * image is dragged as requested, raw (the paper's behaviour).
	 *
	 * @param requested handles, targets and the user's movable area (or none)
	 * @param realImage whether the image is a real one (it carries an inversion)
	 * @param title the image's name, for the note
	 * @param real the real-image options
	 */
	public static Plan plan(final DragInput requested, final boolean realImage, final String title,
		final RealImageOptions real, final Consumer<String> log)
	{
		final DragInput movable = real.movable(realImage, title, requested, log);
		return new Plan(real.engineInput(requested, movable), real.pasteBack(), movable
			.movable(), requested.masked());
	}

	/** The drag's parameters as one line, as a result stack records them. */
	public static String params(final DragConfig c, final Plan plan, final String model) {
		// An unmasked drag pasted into a movable area says which (mask= is the drag's own): the user's or the region.
		return describe(c, plan.input(), model) + (plan.area() != null && !plan.input().masked() ? " pasteArea=" + (plan
			.drawn() ? "roi" : "region") : "") + " pasteBack=" + plan.pasteBack();
	}

	/** The drag's parameters without the paste-back flag (one edit of the DragGAN tool's history). */
	public static String describe(final DragConfig c, final DragInput p, final String model) {
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"model=%s steps=%d lr=%g lambda=%g r1=%d r2=%d stop=%s space=%s layers=%d tracking=%s every=%d mode=%s " +
				"handles=", model, c.maxSteps(), c.learningRate(), c.lambdaMask(), c.r1(), c.r2(), Double.isNaN(c
					.stopDistance()) ? "paper" : c.stopDistance(), c.wPlus() ? "W+" : "W", c.layers(), c.trackingNorm(), c
						.recordEvery(), c.mode().key()));
		for (int i = 0; i < p.size(); i++)
			s.append(i == 0 ? "" : ";").append(p.handles().get(i).x()).append(',').append(p.handles().get(i).y())
				.append("->").append(p.targets().get(i).x()).append(',').append(p.targets().get(i).y());
		s.append(" mask=").append(p.masked());
		return s.toString();
	}

	/**
	 * A handle's outcome in words (the Results table's Status column), with how the drag ended when it stopped
	 * because content moved away from its target or was rolled back to an earlier step.
	 */
	public static String status(final DragVerification.Handle vh, final DragResult r, final double tracked) {
		final String s = status(vh, r.verification(), tracked);
		return s + (r.movedAway() ? "; stopped: moving away from the target" : "") + (r.rolledBack()
			? "; rolled back to step " + r.rolledBackTo() : "");
	}

	/** A handle's outcome in words, from the verification alone. */
	public static String status(final DragVerification.Handle vh, final DragVerification.Result v,
		final double tracked)
	{
		if (v.arrived(vh)) return "arrived";
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "not arrived: content %.1f px from the " +
			"target", vh.distance()));
		if (tracked <= v.tolerance()) s.append(String.format(Locale.ROOT, " (the tracker says %.1f px)", tracked));
		if (vh.fartherThanStart()) s.append(String.format(Locale.ROOT, ", farther than at the start (%.1f px)", vh
			.startDistance()));
		return s.toString();
	}

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
	 * @param threadUsage how many steps ran at each intra-op thread count (the adaptive tuner's record)
	 * @param profile where the steps spent their time, phase by phase
	 */
	public record Result(DragResult drag, double seconds, String threadUsage, StepProfile profile) {

		/** Why the drag stopped early, as a sentence for the user, or null when it arrived or ran its steps. */
		public String note(final DragConfig config) {
			if (drag.diverged()) return String.format(java.util.Locale.ROOT, "The drag diverged after step %d (its " +
				"loss or latent stopped being finite), so it stopped there: the result ends at the last good step. " +
				"Try a smaller learning rate than %g or a smaller mask lambda than %g.", drag.last().index(), config
					.learningRate(), config.lambdaMask());
			if (drag.rolledBack()) return String.format(java.util.Locale.ROOT, "%s a handle's content %s farther from " +
				"its target than at the start, so the result is step %d, the best step without one (the last slice; " +
				"the steps after it come before it in the stack).", drag.movedAway() ? "Stopped after step " + drag
					.updates() + ":" : "After step " + drag.updates() + ",", drag.movedAway() ? "kept moving" : "ended",
				drag.rolledBackTo());
			if (drag.cancelled()) return "Stopped after step " + drag.last().index() + "; the steps done are kept.";
			return null;
		}

		/**
		 * How the drag ended, in a few words: "arrived" (verified by image matching; by the tracker where the image
		 * was not measured), "diverged, stopped, not arrived", "stopped, not arrived" or "not arrived".
		 */
		public String outcome() {
			final String how = (drag.verification() != null ? drag.verification().arrived() : drag.arrived()) ? "arrived"
				: drag.diverged() ? "diverged, stopped, not arrived" : drag.movedAway()
					? "stopped: moving away from the target, not arrived" : drag.cancelled() ? "stopped, not arrived"
						: "not arrived";
			return how + (drag.rolledBack() ? ", rolled back to step " + drag.rolledBackTo() : "");
		}

		/** The drag's summary: the outcome, the time, the verification and one line per handle. */
		public String summary() {
			final DragStep last = drag.last();
			final DragVerification.Result v = drag.verification();
			final String how = outcome();
			final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
				"%s after %d steps in %.1f s (%.0f ms per step)%n", Character.toUpperCase(how.charAt(0)) + how.substring(
					1), drag.updates(), seconds, 1000 * seconds / Math.max(1, drag.updates())));
			s.append(Character.toUpperCase(v.describe().charAt(0))).append(v.describe().substring(1)).append(".\n");
			for (int i = 0; i < last.handles().size(); i++) {
				final DragVerification.Handle vh = v.handles().get(i);
				s.append(String.format(Locale.ROOT, "handle %d: now at (%.1f, %.1f), %.2f px from its target " +
					"(tracked); content found at (%.0f, %.0f), %.2f px from its target (verified, NCC %.2f): %s%n", i + 1,
					last.handles().get(i).x(), last.handles().get(i).y(), last.distances()[i], vh.found().x(), vh.found()
						.y(), vh.distance(), vh.score(), v.arrived(vh) ? "arrived" : vh.fartherThanStart()
							? "not arrived, farther than at the start" : "not arrived"));
			}
			return s.toString();
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
		final String[] usage = new String[1];
		final StepProfile[] profile = new StepProfile[1];
		final DragResult result = GeneratorCache.use(r.model().dir(), DjlRuntime.device(r.device(), log), g -> {
			try (DragSession s = new DragSession(g, r.start().ws(), r.input(), r.config())) {
				final DragResult d = s.run(steps, () -> cancelled.getAsBoolean() || ShutdownGuard.stopping());
				usage[0] = s.threadUsage();
				profile[0] = s.profile();
				return d;
			}
		});
		return new Result(result, (System.nanoTime() - t0) / 1e9, usage[0], profile[0]);
	}
}
