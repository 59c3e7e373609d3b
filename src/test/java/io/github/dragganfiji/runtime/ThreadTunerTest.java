package io.github.dragganfiji.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thread tuner's choices, driven with step durations given by the test (not measured), through the real engine
 * (each choice really sets libtorch's thread count on this thread).
 */
class ThreadTunerTest {

	@BeforeAll
	static void engine() {
		DjlRuntime.start(null);
	}

	/** Runs {@code steps} steps whose duration depends on the thread count; returns the counts used, in order. */
	private static int[] run(final ThreadTuner t, final int steps, final IntToLongFunction nanosAt) {
		final int[] used = new int[steps];
		for (int i = 0; i < steps; i++) {
			t.beforeStep();
			used[i] = t.threads();
			t.afterStep(nanosAt.applyAsLong(used[i]));
		}
		t.done();
		return used;
	}

	@Test
	void idleKeepsAllCoresAndBusyGoesToOne() {
		final ThreadTuner idle = ThreadTuner.candidates(2);
		final int[] a = run(idle, 30, n -> n == 2 ? 45_000_000 : 80_000_000);
		for (int i = 0; i < ThreadTuner.WARM; i++)
			assertEquals(2, a[i], "warm-up at all cores");
		assertEquals(1, a[ThreadTuner.WARM + ThreadTuner.PROBE], "the second candidate is tried");
		assertEquals(2, a[29], "idle: all cores win");

		final ThreadTuner busy = ThreadTuner.candidates(2);
		final int[] b = run(busy, 30, n -> n == 2 ? 700_000_000 : 96_000_000);
		assertEquals(1, b[29], "contended: one thread wins");
		assertTrue(busy.usage().contains("1 thread: "), busy.usage());
	}

	@Test
	void aLoadThatAppearsLaterIsNoticedWithinAFewSteps() {
		final ThreadTuner t = ThreadTuner.candidates(2);
		final int[] step = { 0 };
		final int[] used = run(t, 40, n -> {
			final boolean busy = step[0]++ >= 15;
			return n == 2 ? busy ? 700_000_000 : 45_000_000 : busy ? 96_000_000 : 80_000_000;
		});
		assertEquals(2, used[14], "idle at first: all cores");
		int switched = -1;
		for (int i = 15; i < used.length && switched < 0; i++)
			if (used[i] == 1) switched = i;
		assertTrue(switched > 0 && switched <= 15 + 2 + ThreadTuner.PROBE + 1, "switched to one thread at step " +
			switched);
		assertEquals(1, used[39]);
	}

	@Test
	void nearlyAsFastWithFewerThreadsKeepsAllCores() {
		final ThreadTuner t = ThreadTuner.candidates(2);
		final int[] used = run(t, 30, n -> n == 2 ? 60_000_000 : 57_000_000);
		assertEquals(2, used[29], "5 % faster with one thread is within the noise: all cores stay");
		final ThreadTuner u = ThreadTuner.candidates(2);
		final int[] clearly = run(u, 30, n -> n == 2 ? 60_000_000 : 50_000_000);
		assertEquals(1, clearly[29], "17 % faster with one thread: one thread");
	}

	@Test
	void manyCoresTryHalfToo() {
		final ThreadTuner t = ThreadTuner.candidates(8);
		final int[] used = run(t, 20, n -> n == 4 ? 50_000_000 : 90_000_000);
		assertEquals(4, used[19], "half the cores won");
	}

	@Test
	void fixedNeverChanges() {
		final ThreadTuner t = ThreadTuner.fixed();
		final int[] used = run(t, 10, n -> 1);
		for (final int u : used)
			assertEquals(0, u);
		assertEquals("", t.usage());
	}

	@Test
	void aLoopInsideAShareFollowsItStepByStep() {
		final int[] share = { 1 };
		final int[] seen = ThreadTuner.withShare(() -> share[0], () -> {
			final ThreadTuner t = ThreadTuner.of(ai.djl.Device.cpu());
			final int[] at = new int[3];
			for (int i = 0; i < at.length; i++) {
				share[0] = i == 1 ? 2 : 1; // another task ends (2), then one starts beside this one again (1)
				t.beforeStep();
				at[i] = PyTorch.threads();
				t.afterStep(1_000_000);
			}
			t.done();
			return at;
		});
		assertEquals(1, seen[0]);
		assertEquals(2, seen[1], "the share grew: the next step has it");
		assertEquals(1, seen[2]);
		assertEquals(DjlRuntime.current().threads(), PyTorch.threads(), "after the share: all of the runtime's threads");
	}
}
