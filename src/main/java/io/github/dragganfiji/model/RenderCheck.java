package io.github.dragganfiji.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.LibtorchContext;
import io.github.dragganfiji.runtime.PyTorch;

import java.util.Locale;

/**
 * Whether a generator's image depends on the thread count, checked when a one-channel bundle exported before
 * {@code architecture.one_channel} is loaded onto the CPU (docs/reproducibility.md). Such a bundle computes its
 * image with convolutions of one input or one output channel, which libtorch 2.7.1 runs on oneDNN, and on some
 * CPUs (AVX-512) their results depended on the thread count. The check renders the average latent at one thread
 * and at the runtime's count; when they differ by more than one level of 255, oneDNN is turned off for the process
 * (every result then equal at any thread count, drag steps slower) and the user is told to re-export the bundle
 * once with tools/reexport.py. Bundles of today's export, and models of 2 or more channels, are not checked.
 */
public final class RenderCheck {

	/** The largest difference allowed, in levels of 255 over the bundle's output range. */
	public static final double LEVELS = 1.0;

	private RenderCheck() {}

	/**
	 * The result of a check.
	 *
	 * @param levels the largest difference between the two renders, in levels of 255
	 * @param oneDnnOff whether oneDNN was turned off because of it
	 * @param levelsAfter the difference after that (NaN when nothing was turned off)
	 */
	public record Result(double levels, boolean oneDnnOff, double levelsAfter) {

		/** The sentence for the log, or null when there is nothing to say. */
		public String notice(final ModelMetadata m) {
			if (!oneDnnOff) return null;
			return String.format(Locale.ROOT, "%s is a one-channel bundle of an earlier export: on this CPU its " +
				"image differed by %.0f levels of 255 between 1 and %d threads, so oneDNN is off for this session " +
				"(now %.1f levels; drag steps slower). Re-export it once to keep the speed: /usr/bin/python3 " +
				"tools/reexport.py OLD_BUNDLE NEW_BUNDLE", m.name(), levels, threads(), levelsAfter);
		}
	}

	/** Whether a bundle on this device needs the check. */
	static boolean needed(final Generator g) {
		final DjlRuntime.Info info = DjlRuntime.current();
		return !g.metadata().oneChannelAsTwo() && !g.device().isGpu() && info != null && info.threads() >= 2;
	}

	/** Checks when {@link #needed}; null otherwise. Sends the notice, if any, to {@link DjlRuntime#notice}. */
	static Result checkOnLoad(final Generator g) {
		if (!needed(g)) return null;
		final Result r = check(g);
		final String notice = r.notice(g.metadata());
		if (notice != null) DjlRuntime.notice(notice);
		return r;
	}

	/** Renders the average latent at 1 thread and at the runtime's, and turns oneDNN off if they disagree. */
	public static Result check(final Generator g) {
		final double levels = difference(g);
		if (levels <= LEVELS || !LibtorchContext.setOneDnn(false)) return new Result(levels, false, Double.NaN);
		return new Result(levels, true, difference(g));
	}

	/** The largest difference between the average latent's image at 1 thread and at the runtime's thread count. */
	public static double difference(final Generator g) {
		final float[] one = render(g, 1), many = render(g, threads());
		final ModelMetadata m = g.metadata();
		double worst = 0;
		for (int i = 0; i < one.length; i++) {
			final double d = Math.abs(one[i] - many[i]);
			worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
		}
		return worst * 255 / (m.outputMax() - m.outputMin());
	}

	private static int threads() {
		final DjlRuntime.Info info = DjlRuntime.current();
		return info == null ? 1 : info.threads();
	}

	private static float[] render(final Generator g, final int threads) {
		PyTorch.setThreads(threads);
		try (NDManager m = g.manager().newSubManager()) {
			final NDArray ws = g.averageLatent(m);
			return g.synthesis(ws, false).toFloatArray();
		}
		finally {
			PyTorch.setThreads(threads());
		}
	}
}
