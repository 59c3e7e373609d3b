package io.github.dragganfiji.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a drag's steps spend their time: wall time per phase, summed over the steps of one {@link DragSession}, as
 * measured around each call (the CPU engine runs each call to its end before it returns; on a GPU a phase may also
 * pay for work queued by the one before it). Mutable, used by the session's thread only; read it after the drag.
 */
public final class StepProfile {

	/** The phases of a step, in the order they run. */
	public enum Phase {
		/** Assembling W+ from the optimized and the fixed layers, and reading it back. */
		LATENT("latent"),
		/** The synthesis network up to the feature block, with autograd (the "head"). */
		HEAD("head"),
		/** Point tracking on the detached features (the start's reference features on step 0). */
		TRACK("track"),
		/** The motion-supervision loss (and the mask term) to a number. */
		LOSS("loss"),
		/** Backpropagation to the optimized layers. */
		BACKWARD("backward"),
		/** The Adam update. */
		ADAM("adam"),
		/** The rest of the synthesis to the image, read back (recorded, verified or last steps only). */
		RENDER("render"),
		/** Locating the handles' content in a rendered image (arrival checks, the never-farther rule). */
		VERIFY("verify"),
		/** Everything else in the step: the listener (result stack, live view), bookkeeping, thread tuning. */
		OTHER("other");

		private final String key;

		Phase(final String key) {
			this.key = key;
		}

		/** Its name in the benchmark's output. */
		public String key() {
			return key;
		}
	}

	private static final int PHASES = Phase.values().length;

	/** Per step: nanoseconds of each phase, then the step's whole time. */
	private final List<long[]> steps = new ArrayList<>();
	private long[] current = new long[PHASES + 1];

	StepProfile() {}

	void add(final Phase phase, final long ns) {
		current[phase.ordinal()] += ns;
	}

	/** One step done, {@code ns} from its start to the next step's start. */
	void step(final long ns) {
		current[PHASES] = ns;
		long known = 0;
		for (int p = 0; p < PHASES; p++)
			if (p != Phase.OTHER.ordinal()) known += current[p];
		current[Phase.OTHER.ordinal()] = Math.max(0, ns - known);
		steps.add(current);
		current = new long[PHASES + 1];
	}

	/** Steps measured. */
	public int steps() {
		return steps.size();
	}

	/**
	 * Mean milliseconds per step in a phase over the steps from {@code from} on (every step counts, also one that
	 * skipped the phase); OTHER is what the others leave of the step's time.
	 */
	public double millisPerStep(final Phase phase, final int from) {
		return mean(phase.ordinal(), from);
	}

	/** How many of the steps from {@code from} on ran a phase (RENDER and VERIFY run on some steps only). */
	public long count(final Phase phase, final int from) {
		return steps.subList(Math.min(from, steps.size()), steps.size()).stream().filter(a -> a[phase.ordinal()] > 0)
			.count();
	}

	/** Mean milliseconds per step over all phases, from step {@code from} on. */
	public double totalMillisPerStep(final int from) {
		return mean(PHASES, from);
	}

	private double mean(final int column, final int from) {
		final int n = steps.size() - Math.min(from, steps.size());
		if (n == 0) return Double.NaN;
		long sum = 0;
		for (int k = steps.size() - n; k < steps.size(); k++)
			sum += steps.get(k)[column];
		return sum / 1e6 / n;
	}

	/** The profile from step {@code from} on as a JSON object: mean milliseconds per step of each phase, the total. */
	public String json(final int from) {
		final StringBuilder s = new StringBuilder("{");
		for (final Phase p : Phase.values())
			s.append(String.format(Locale.ROOT, "\"%s_ms\": %.2f, ", p.key(), millisPerStep(p, from)));
		s.append(String.format(Locale.ROOT, "\"rendered_steps\": %d, \"total_ms\": %.2f, \"steps\": %d}", count(
			Phase.RENDER, from), totalMillisPerStep(from), steps.size() - Math.min(from, steps.size())));
		return s.toString();
	}

	/** The profile from step {@code from} on in words, one phase after the other. */
	public String describe(final int from) {
		final StringBuilder s = new StringBuilder();
		for (final Phase p : Phase.values())
			s.append(String.format(Locale.ROOT, "%s %.1f, ", p.key(), millisPerStep(p, from)));
		return s.append(String.format(Locale.ROOT, "total %.1f ms per step over %d steps", totalMillisPerStep(from),
			steps.size() - Math.min(from, steps.size()))).toString();
	}
}
