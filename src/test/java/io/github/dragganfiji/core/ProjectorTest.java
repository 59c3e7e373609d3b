package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.Seeds;
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
				final NDArray z = m.create(Seeds.z(21, 32), new Shape(1, 32));
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
	void inWEveryLayerHasTheSameW() {
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final float[] target;
			try (NDManager m = g.manager().newSubManager()) {
				target = g.synthesis(g.mapping(m.create(Seeds.z(23, 32), new Shape(1, 32)), 0.7f), false).toFloatArray();
			}
			final List<Projector.Step> steps = new ArrayList<>();
			final Projector.Step last = Projector.project(g, target, new Projector.Options(120, 0.05, 1.0).withSpace(
				Projector.Space.W), steps::add, () -> false);
			System.out.printf("projection in W: PSNR %.1f dB at step 0, %.1f dB after %d steps%n", steps.get(0).psnr(),
				last.psnr(), steps.size());
			assertEquals(8 * 32, last.ws().length);
			for (int layer = 1; layer < 8; layer++)
				for (int k = 0; k < 32; k++)
					assertEquals(last.ws()[k], last.ws()[layer * 32 + k], 0f, "layer " + layer + " is layer 0's w");
			assertTrue(last.psnr() > steps.get(0).psnr() + 3, "PSNR rose by " + (last.psnr() - steps.get(0).psnr()));
			try (NDManager m = g.manager().newSubManager()) {
				final float[] again = g.synthesis(m.create(last.ws(), new Shape(1, 8, 32)), false).toFloatArray();
				for (int i = 0; i < again.length; i++)
					assertEquals(again[i], last.image()[i], 1e-6f, "the image is the latent's");
			}
			assertEquals(Projector.Space.W, Projector.Space.parse("w"));
			assertEquals(Projector.Space.W_PLUS, Projector.Space.parse("W+"));
			assertThrows(IllegalArgumentException.class, () -> Projector.Space.parse("z"));
		}
	}

	@Test
	void severalStartsEachRunInFullAndTheBestWins() {
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final float[] target;
			try (NDManager m = g.manager().newSubManager()) {
				target = g.synthesis(g.mapping(m.create(Seeds.z(22, 32), new Shape(1, 32)), 0.7f), false)
					.toFloatArray();
			}
			final List<Projector.Step> steps = new ArrayList<>();
			final Projector.Step best = Projector.project(g, target, new Projector.Options(20, 0.05, 1.0).withStarts(3),
				steps::add, () -> false);
			assertEquals(61, steps.size(), "3 x 20 steps and the result");
			for (int i = 0; i < 60; i++)
				assertEquals(i, steps.get(i).index(), "steps are counted over all starts");
			final double[] perStart = new double[3];
			for (int k = 0; k < 3; k++)
				perStart[k] = steps.subList(20 * k, 20 * k + 20).stream().mapToDouble(Projector.Step::loss).min()
					.orElseThrow();
			System.out.printf("projection from 3 starts: best losses %.4f %.4f %.4f%n", perStart[0], perStart[1],
				perStart[2]);
			assertTrue(perStart[1] != perStart[0] && perStart[2] != perStart[1], "the starts differ");
			assertEquals(Math.min(perStart[0], Math.min(perStart[1], perStart[2])), best.loss(), 0.0);
			try (NDManager m = g.manager().newSubManager()) {
				final float[] again = g.synthesis(m.create(best.ws(), new Shape(1, 8, 32)), false).toFloatArray();
				for (int i = 0; i < again.length; i++)
					assertEquals(again[i], best.image()[i], 1e-6f, "the image is the best latent's");
			}
		}
	}

	@Test
	void scheduleRampsUpAndDown() {
		assertEquals(0, Projector.schedule(0), 1e-12);
		assertEquals(1, Projector.schedule(0.5), 1e-12);
		assertTrue(Projector.schedule(0.9) < 0.5);
	}
}
