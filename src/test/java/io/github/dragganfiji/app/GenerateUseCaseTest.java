package io.github.dragganfiji.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Generation on the real engine and the tiny bundle: a seed is one latent and one image, the same every time. */
class GenerateUseCaseTest {

	private static final ModelSearchPath.Entry TINY = ModelSearchPath.Entry.at(TestBundles.TINY);

	private static GenerateUseCase.Result generate(final long seed, final double psi) {
		return GenerateUseCase.run(new GenerateUseCase.Request(TINY, seed, psi, 0, DeviceChoice.CPU), s -> {});
	}

	@Test
	void aSeedIsOneLatentAndOneImage() {
		final GenerateUseCase.Result a = generate(3, 0.7), b = generate(3, 0.7), c = generate(4, 0.7);
		final int res = a.metadata().resolution();
		assertEquals(a.metadata().imageChannels() * res * res, a.image().length);
		assertTrue(a.latent().fits(a.metadata()));
		assertArrayEquals(a.image(), b.image(), "the same seed renders the same image");
		assertArrayEquals(a.latent().ws(), b.latent().ws());
		assertFalse(Arrays.equals(a.image(), c.image()), "another seed, another image");
		assertTrue(Arrays.stream(toDouble(a.image())).allMatch(Double::isFinite));
	}

	@Test
	void psiZeroIsTheAverageLatentForEverySeed() {
		assertArrayEquals(generate(1, 0).latent().ws(), generate(2, 0).latent().ws(), 1e-6f);
	}

	@Test
	void aBadPsiIsRefusedWithASentence() {
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
			new GenerateUseCase.Request(TINY, 1, Double.NaN, 0, DeviceChoice.CPU));
		assertTrue(e.getMessage().startsWith("Truncation psi must be a number"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> new GenerateUseCase.Request(TINY, 1, 3, 0, DeviceChoice.CPU));
	}

	private static double[] toDouble(final float[] f) {
		final double[] d = new double[f.length];
		for (int i = 0; i < f.length; i++)
			d[i] = f[i];
		return d;
	}
}
