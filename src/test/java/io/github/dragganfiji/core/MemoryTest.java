package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * 1,000 steps with a mask: the live NDArray count stays constant, resident memory stays flat (the Java heap's garbage
 * is collected every 50 steps, so that growth would be native: libtorch's tensors and caches), and the Java garbage
 * a step makes stays small (it is what makes an uncollected heap grow over a long drag; docs/engine.md, "Resident memory over
 * a long drag").
 */
class MemoryTest {

	static final int STEPS = 1000;
	/**
	 * Java bytes a step may allocate on the tiny bundle with a mask, rendering every step: measured 140 KB (about 25 KB
	 * of it the step's image and latent handed to the listener, the rest DJL's Java side of each tensor operation).
	 */
	static final long MAX_BYTES_PER_STEP = 200 * 1024;

	@Test
	void flatOver1000Steps() throws IOException {
		final var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		final long me = Thread.currentThread().getId();
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final float[] ws0 = new float[8 * 32];
			try (var m = g.manager().newSubManager()) {
				System.arraycopy(g.mapping(m.randomNormal(new ai.djl.ndarray.types.Shape(1, 32)), 0.7f)
					.toFloatArray(), 0, ws0, 0, ws0.length);
			}
			final boolean[] movable = new boolean[32 * 32];
			for (int y = 4; y < 28; y++)
				for (int x = 4; x < 28; x++)
					movable[y * 32 + x] = true;
			final int[] arrays = new int[STEPS + 1];
			final long[] rss = new long[STEPS + 1], allocated = new long[STEPS + 1];
			final DragConfig cfg = DragSessionTest.cfg(STEPS).withLearningRate(1e-4).withRecordEvery(1);
			try (DragSession s = new DragSession(g, ws0, DragInput.of(List.of(new Point(5, 16), new Point(26, 16)),
				List.of(new Point(26, 16), new Point(5, 16)), movable, 32, 32), cfg))
			{
				s.run(step -> {
					allocated[step.index()] = threads.getThreadAllocatedBytes(me);
					// Collect Java garbage often so that the heap's resident pages stop growing early: what is
					// left is native memory (libtorch's tensors and caches).
					if (step.index() % 50 == 0) System.gc();
					final int i = step.index();
					if (i % 100 == 0 || i == 10 || i == STEPS - 1) { // probes allocate too: none within 101..199
						arrays[i] = live(g);
						rss[i] = rssKb();
					}
				}, () -> false);
				assertEquals(STEPS, s.steps() - 1, "ran all " + STEPS + " updates");
			}
			// Steps 101..199 run no probe (the probes allocate too).
			final long perStep = (allocated[199] - allocated[101]) / 98;
			System.out.printf("memory: live arrays %d at step 10, %d at step %d; RSS %d MB at step 500, %d MB at " +
				"step %d; %.1f KB of Java garbage per step%n", arrays[10], arrays[STEPS], STEPS, rss[500] / 1024,
				rss[STEPS] / 1024, STEPS, perStep / 1024.0);
			assertEquals(arrays[10], arrays[STEPS / 2], "live arrays at step " + STEPS / 2 + " vs step 10");
			assertEquals(arrays[10], arrays[STEPS - 1], "live arrays at step " + (STEPS - 1) + " vs step 10");
			assertTrue(rss[STEPS] - rss[500] < 16 * 1024, "native memory grew by " + (rss[STEPS] - rss[500]) / 1024 +
				" MB between steps 500 and " + STEPS);
			assertTrue(perStep < MAX_BYTES_PER_STEP, "a step made " + perStep / 1024 + " KB of Java garbage");
		}
	}

	/** Arrays alive anywhere under the engine's system manager. */
	private static int live(final Generator g) {
		try (NDManager probe = NDManager.newBaseManager(g.device(), "PyTorch")) {
			return probe.getParentManager().getManagedArrays().size();
		}
	}

	private static long rssKb() {
		try {
			for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
				if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
		}
		catch (final IOException e) {
			throw new IllegalStateException(e);
		}
		return 0;
	}
}
