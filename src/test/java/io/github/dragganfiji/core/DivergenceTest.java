package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A drag whose update leaves the range of a latent stops at the last good step (rendered, finite) and says so,
 * instead of writing black slices; values that would make it diverge are refused up front.
 */
class DivergenceTest {

	@Test
	void aDragThatLeavesTheLatentRangeStopsAtTheLastGoodStep() {
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			// A latent near the edge of the plausible range: a few full-size Adam steps (lr 1, about 1 per step) leave
			// it, between two recorded steps.
			final float[] ws0 = new float[8 * 32];
			Arrays.fill(ws0, Latent.MAX_ABS - 4.5f);
			final DragInput in = DragInput.of(List.of(new Point(6, 16)), List.of(new Point(26, 16)), null, 32, 32);
			final DragConfig cfg = DragSessionTest.cfg(50).withLearningRate(1)
				.withRecordEvery(10);
			final List<DragStep> steps = new ArrayList<>();
			final DragResult r;
			try (DragSession s = new DragSession(g, ws0, in, cfg)) {
				r = s.run(steps::add, () -> false);
			}
			assertTrue(r.diverged(), "diverged");
			assertFalse(r.arrived() || r.cancelled());
			assertTrue(r.last().index() < 50, "stopped early: " + r.last().index());
			assertNotNull(r.last().image(), "the last good step is rendered, even between recorded steps");
			for (final float v : r.last().image())
				assertTrue(Float.isFinite(v), "finite image");
			for (final float v : r.last().ws())
				assertTrue(Float.isFinite(v) && Math.abs(v) <= Latent.MAX_ABS, "plausible latent");
			assertEquals(r.last(), steps.get(steps.size() - 1), "the listener heard the last good step last");
		}
	}

	@Test
	void valuesThatCannotWorkAreRefused() {
		final DragConfig d = DragSessionTest.cfg(10);
		for (final double lr : new double[] { 1e30, Double.POSITIVE_INFINITY, Double.NaN, 0, -1 })
			assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withLearningRate(lr)).getMessage()
				.startsWith("The learning rate must be a number above 0 and at most 1.0"), "lr " + lr);
		for (final double lambda : new double[] { Double.POSITIVE_INFINITY, Double.NaN, -1, 1e7 })
			assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withLambdaMask(lambda)).getMessage()
				.startsWith("Mask lambda must be a number from 0 to 1000000"), "lambda " + lambda);
		for (final double stop : new double[] { Double.POSITIVE_INFINITY, 0.5, -1 })
			assertThrows(IllegalArgumentException.class, () -> d.withStopDistance(stop), "stop " + stop);
		assertThrows(IllegalArgumentException.class, () -> new Projector.Options(10, Double.POSITIVE_INFINITY, 1));
		assertThrows(IllegalArgumentException.class, () -> new Projector.Options(10, 0.03, Double.NaN));
		assertThrows(IllegalArgumentException.class, () -> new PivotalTuner.Options(10, 100, 1));
	}
}
