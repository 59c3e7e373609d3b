package io.github.dragganfiji.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generators lent one piece of work at a time: one generator normally (a second caller waits, another model
 * replaces it), one copy per caller for work side by side (a batch's tasks on one executor), whose backward passes
 * run at the same time on their own threads and give the gradients of one caller alone.
 */
class GeneratorCacheTest {

	private static final Path TINY = TestBundles.TINY;

	@BeforeAll
	static void start() {
		DjlRuntime.start(null);
	}

	/** The gradient of the mean of the drag's features with respect to the average latent, three times over. */
	private static float[] gradient(final Generator g) {
		PyTorch.prepareThread();
		float[] grad = null;
		for (int i = 0; i < 3; i++) {
			try (NDManager m = g.manager().newSubManager()) {
				final NDArray ws = g.averageLatent(m);
				ws.setRequiresGradient(true);
				try (GradientCollector gc = PyTorch.gradients()) {
					gc.backward(g.head(ws, true).features().mean());
				}
				final float[] now = ws.getGradient().toFloatArray();
				if (grad != null) assertArrayEquals(grad, now, 1e-6f, "the same gradient at every repetition");
				grad = now;
			}
		}
		return grad;
	}

	@Test
	void sideBySideCallersEachHaveTheirOwnCopyAndTheGradientsOfOneAlone() throws Exception {
		final float[] alone = GeneratorCache.use(TINY, Device.cpu(), GeneratorCacheTest::gradient);
		final CyclicBarrier together = new CyclicBarrier(2);
		final ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			final List<Future<float[]>> grads = new ArrayList<>();
			final int[] loadedInside = new int[2];
			for (int t = 0; t < 2; t++) {
				final int k = t;
				grads.add(pool.submit(() -> GeneratorCache.sideBySide(() -> ThreadTuner.withThreads(1,
					() -> GeneratorCache.use(TINY, Device.cpu(), g -> {
						try {
							together.await(60, TimeUnit.SECONDS); // both hold a generator now
							loadedInside[k] = GeneratorCache.loaded();
							assertEquals(1, ai.djl.pytorch.jni.JniUtils.getNumThreads(), "each at its share of the cores");
							final float[] grad = gradient(g); // the two backward passes overlap
							together.await(60, TimeUnit.SECONDS);
							return grad;
						}
						catch (final Exception e) {
							throw new IllegalStateException(e);
						}
					})))));
			}
			for (final Future<float[]> f : grads)
				assertArrayEquals(alone, f.get(120, TimeUnit.SECONDS), 1e-5f, "side by side, the gradient of one alone");
			assertEquals(2, loadedInside[0], "two callers side by side, two copies of the model");
			assertEquals(2, loadedInside[1]);
		}
		finally {
			pool.shutdownNow();
		}
		assertEquals(1, GeneratorCache.loaded(), "once they are done, one generator is kept");
	}

	@Test
	void withoutSideBySideOneCallerAtATimeAndAnotherModelReplacesTheFirst(@TempDir final Path tmp) throws Exception {
		final AtomicInteger inside = new AtomicInteger(), most = new AtomicInteger();
		final ExecutorService pool = Executors.newFixedThreadPool(3);
		try {
			final List<Future<?>> runs = new ArrayList<>();
			for (int t = 0; t < 3; t++)
				runs.add(pool.submit(() -> GeneratorCache.use(TINY, Device.cpu(), g -> {
					most.accumulateAndGet(inside.incrementAndGet(), Math::max);
					gradient(g);
					inside.decrementAndGet();
					return null;
				})));
			for (final Future<?> f : runs)
				f.get(120, TimeUnit.SECONDS);
		}
		finally {
			pool.shutdownNow();
		}
		assertEquals(1, most.get(), "callers took turns on the one generator");
		assertEquals(1, GeneratorCache.loaded());
		final Path other = TestBundles.copyTiny(tmp);
		GeneratorCache.use(other, Device.cpu(), GeneratorCacheTest::gradient);
		assertEquals(1, GeneratorCache.loaded(), "another model replaced the first");
	}
}
