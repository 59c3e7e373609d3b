package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.Latents;
import io.github.dragganfiji.model.TestBundles;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** W+ projection on the real tiny bundle: recovering an image the model made itself. */
class ProjectorTest {

	@Test
	void recoversAnImageOfTheModel() {
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final float[] target;
			try (NDManager m = g.manager().newSubManager()) {
				final NDArray z = m.create(Latents.z(21, 32), new Shape(1, 32));
				target = g.synthesis(g.mapping(z, 0.7f), false).toFloatArray();
			}
			final List<Projector.Step> steps = new ArrayList<>();
			final Projector.Step last = Projector.project(g, target, new Projector.Options(150, 0.05, 1.0), steps::add,
				() -> false);
			System.out.printf("projection: PSNR %.1f dB at step 0, %.1f dB after %d steps%n", steps.get(0).psnr(), last
				.psnr(), steps.size());
			assertEquals(151, steps.size(), "150 steps and the result");
			assertNotNull(last.ws());
			assertEquals(8 * 32, last.ws().length);
			assertTrue(last.psnr() > steps.get(0).psnr() + 6, "PSNR rose by " + (last.psnr() - steps.get(0).psnr()));
		}
	}

	@Test
	void scheduleRampsUpAndDown() {
		assertEquals(0, Projector.schedule(0), 1e-12);
		assertEquals(1, Projector.schedule(0.5), 1e-12);
		assertTrue(Projector.schedule(0.9) < 0.5);
	}
}
