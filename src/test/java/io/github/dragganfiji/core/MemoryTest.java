package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * 500 steps with a mask: the live NDArray count stays constant and resident memory stays flat (the Java heap's
 * garbage is collected every 20 steps, so that growth would be native: libtorch's tensors and caches).
 */
class MemoryTest {

	@Test
	void flatOver500Steps() throws IOException {
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
			final int[] arrays = new int[501];
			final long[] rss = new long[501];
			final DragConfig cfg = DragSessionTest.cfg(500).withLearningRate(1e-4).withRecordEvery(1);
			try (DragSession s = new DragSession(g, ws0, DragInput.of(List.of(new Point(2, 16), new Point(29, 16)),
				List.of(new Point(29, 16), new Point(2, 16)), movable, 32, 32), cfg))
			{
				s.run(step -> {
					// Collect Java garbage often so that the heap's resident pages stop growing early: what is
					// left is native memory (libtorch's tensors and caches).
					if (step.index() % 20 == 0) System.gc();
					arrays[step.index()] = live(g);
					rss[step.index()] = rssKb();
				}, () -> false);
				assertEquals(500, s.steps() - 1, "ran all 500 updates");
			}
			System.out.printf("memory: live arrays %d at step 10, %d at step 500; RSS %d MB at step " +
				"100, %d MB at step 500%n", arrays[10], arrays[500], rss[100] / 1024, rss[500] / 1024);
			assertEquals(arrays[10], arrays[250], "live arrays at step 250 vs step 10");
			assertEquals(arrays[10], arrays[499], "live arrays at step 499 vs step 10");
			assertTrue(rss[500] - rss[100] < 16 * 1024, "native memory grew by " + (rss[500] - rss[100]) / 1024 +
				" MB between steps 100 and 500");
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
