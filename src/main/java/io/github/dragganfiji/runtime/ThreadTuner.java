package io.github.dragganfiji.runtime;

/**
 * Chooses, step by step, how many CPU threads an optimization loop uses, by measuring. On an idle machine all cores
 * are fastest; when other programs keep cores busy, a thread that the OS has descheduled holds up every parallel
 * operation of the step, and fewer threads are faster. The tuner tries the candidate counts for a few steps each,
 * keeps the fastest, and tries again every {@value #EVERY} steps or as soon as the chosen count gets slower. It runs
 * on the loop's own thread (libtorch's thread count is per calling thread) and does nothing on a GPU or when the
 * user fixed the thread count.
 */
public final class ThreadTuner {

	/** Steps at all cores before measuring: TorchScript's first runs are slow. */
	static final int WARM = 3;
	/** Steps per candidate when measuring. */
	static final int PROBE = 2;
	/** Steps between two measurements. */
	static final int EVERY = 40;
	/** The chosen count is measured again when a step takes this much longer than it did when chosen. */
	static final double SLOWER = 1.4;
	/**
	 * Fewer threads win only when this much faster (their best step at most this share of the more threads' best):
	 * on an idle machine two probe steps are noisy, and losing the idle speed costs more than a few ms under load.
	 */
	static final double FEWER = 0.9;

	/**
	 * The calling thread's share of the cores, where it shares them with other engine threads ({@link #withThreads},
	 * {@link #withShare}); read again at every step.
	 */
	private static final ThreadLocal<java.util.function.IntSupplier> SHARE = new ThreadLocal<>();

	private final int[] counts;
	private final long[] best;
	private int step;
	private int chosen;
	private int applied = -1;
	private int probing;
	private int probeStep;
	private int sinceChoice;
	private int slowSteps;
	private final int[] used;
	private boolean alternate;
	/** A loop inside a share: puts the thread at the share's current count before each step. */
	private boolean follow;
	private int followed;

	private ThreadTuner(final int[] counts) {
		this.counts = counts;
		best = new long[counts.length];
		used = new int[counts.length];
		probing = counts.length > 1 ? -1 : counts.length;
	}

	/**
	 * The tuner for a loop on a generator on this device: adaptive between all of the runtime's threads, half of them and one,
	 * when the runtime was started with adaptive threads and the generator is on the CPU; else one that keeps the
	 * runtime's thread count.
	 */
	public static ThreadTuner of(final ai.djl.Device device) {
		final DjlRuntime.Info info = DjlRuntime.current();
		if (info == null || device.isGpu()) return fixed();
		if (SHARE.get() != null) { // a share is the thread count, as a --threads is
			final ThreadTuner t = fixed();
			t.follow = true;
			t.beforeStep();
			return t;
		}
		if (info.threads() < 2) return fixed();
		if (ALTERNATE.equals(System.getProperty(PROPERTY))) return alternating(info.threads());
		if (!info.adaptiveThreads()) return fixed();
		return candidates(info.threads());
	}

	/**
	 * Runs work whose engine calls on the calling thread use at most {@code n} intra-op threads: a batch's task that
	 * shares an executor's cores with other tasks running at the same time (each gets its share, as Spark's
	 * spark.task.cpus says), or a test that needs an exact count. Loops started inside run at {@code n} threads and
	 * do not adapt; afterwards the thread is back at all of the runtime's threads.
	 */
	public static <T> T withThreads(final int n, final java.util.function.Supplier<T> work) {
		if (n < 1) throw new IllegalArgumentException("a thread share of at least 1, not " + n);
		return withShare(() -> n, work);
	}

	/**
	 * As {@link #withThreads}, with a share that may change while the work runs (a batch's task that gets more of the
	 * cores when fewer tasks run beside it): loops read it before every step, other engine work when it starts;
	 * values below 1 count as 1.
	 */
	public static <T> T withShare(final java.util.function.IntSupplier share, final java.util.function.Supplier<T> work) {
		final java.util.function.IntSupplier before = SHARE.get();
		SHARE.set(share);
		try {
			return work.get();
		}
		finally {
			if (before == null) SHARE.remove();
			else SHARE.set(before);
			final DjlRuntime.Info info = DjlRuntime.current();
			if (info != null) PyTorch.setThreads(before != null ? Math.max(1, before.getAsInt()) : info.threads());
		}
	}

	/** The calling thread's share now, or 0 outside a share. */
	static int share() {
		final java.util.function.IntSupplier share = SHARE.get();
		return share == null ? 0 : Math.max(1, share.getAsInt());
	}

	/**
	 * Puts the calling thread at its share of the cores ({@link #withThreads}) once the runtime has started; does
	 * nothing outside a share. Engine work that runs outside a loop (rendering, generating) calls it first.
	 */
	public static void applyShare() {
		final int share = share();
		if (share > 0 && DjlRuntime.current() != null) PyTorch.setThreads(share);
	}

	/**
	 * The system property that, set to {@value #ALTERNATE}, makes every loop change its thread count at every step
	 * (all of the runtime's threads, then one, then all...): a check that results do not depend on it
	 * (docs/reproducibility.md).
	 */
	public static final String PROPERTY = "draggan.threadTuner", ALTERNATE = "alternate";

	/** Alternates between n threads and one at every step (after the warm-up), never measuring. */
	static ThreadTuner alternating(final int n) {
		final ThreadTuner t = new ThreadTuner(new int[] { n, 1 });
		t.alternate = true;
		return t;
	}

	/** A tuner that never changes the thread count. */
	public static ThreadTuner fixed() {
		return new ThreadTuner(new int[0]);
	}

	/** Adaptive over n, n / 2 (from 4 threads on) and 1. */
	static ThreadTuner candidates(final int n) {
		return new ThreadTuner(n >= 4 ? new int[] { n, n / 2, 1 } : new int[] { n, 1 });
	}

	/** Call before each step, on the loop's thread. */
	public void beforeStep() {
		if (follow) {
			final int share = share();
			if (share > 0 && share != followed) {
				PyTorch.setThreads(share);
				followed = share;
			}
			return;
		}
		if (counts.length == 0) return;
		if (alternate) {
			applied = step % 2;
			PyTorch.setThreads(counts[applied]);
			return;
		}
		final int want = step < WARM ? 0 : probing >= 0 && probing < counts.length ? probing : chosen;
		if (want != applied) {
			PyTorch.setThreads(counts[want]);
			applied = want;
		}
	}

	/** Call after each step with its duration. */
	public void afterStep(final long nanos) {
		if (counts.length == 0) return;
		used[applied]++;
		if (alternate) {
			step++;
			return;
		}
		if (step++ < WARM) return;
		if (probing == -1) startProbing();
		if (probing < counts.length) {
			best[probing] = Math.min(best[probing], nanos);
			if (++probeStep == PROBE) {
				probeStep = 0;
				if (++probing == counts.length) choose();
			}
			return;
		}
		slowSteps = nanos > SLOWER * best[chosen] ? slowSteps + 1 : 0;
		if (++sinceChoice >= EVERY || slowSteps >= 2) startProbing();
	}

	private void startProbing() {
		java.util.Arrays.fill(best, Long.MAX_VALUE);
		probing = 0;
		probeStep = 0;
	}

	private void choose() {
		chosen = 0;
		for (int i = 1; i < counts.length; i++)
			if (best[i] < FEWER * best[chosen]) chosen = i;
		sinceChoice = 0;
		slowSteps = 0;
	}

	/** Puts the calling thread back at all of the runtime's threads (call when the loop ends). */
	public void done() {
		if (applied > 0) PyTorch.setThreads(counts[0]);
		applied = counts.length == 0 ? -1 : 0;
	}

	/** The thread count of the last step (0 when the tuner is fixed). */
	public int threads() {
		return applied < 0 ? 0 : counts[applied];
	}

	/** Steps run so far at each candidate count, e.g. "2 threads: 40 steps, 1 thread: 12 steps"; "" when fixed. */
	public String usage() {
		final StringBuilder s = new StringBuilder();
		for (int i = 0; i < counts.length; i++)
			if (used[i] > 0) s.append(s.length() == 0 ? "" : ", ").append(counts[i]).append(counts[i] == 1 ? " thread: "
				: " threads: ").append(used[i]).append(" steps");
		return s.toString();
	}
}
