package io.github.dragganfiji.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import org.junit.jupiter.api.Test;

/** Inversion on the real engine and the tiny bundle: a generated image is found again, better than where it started. */
class InvertUseCaseTest {

	private static final ModelSearchPath.Entry TINY = ModelSearchPath.Entry.at(TestBundles.TINY);

	@Test
	void aGeneratedImageIsReconstructed() {
		final GenerateUseCase.Result g = GenerateUseCase.run(new GenerateUseCase.Request(TINY, 9, 0.7, 0,
			DeviceChoice.CPU), s -> {});
		final ModelMetadata m = g.metadata();
		// The image in source intensities, as a plain file would hold it: the model's output range.
		final float[] source = g.image().clone();
		final Projector.Options o = new Projector.Options(40, Projector.Options.defaults().learningRate(), 0);
		final InvertUseCase.Request r = new InvertUseCase.Request(TINY, source, "seed 9", o, null, DeviceChoice.CPU,
			null);
		final double[] first = { Double.NaN };
		final InvertUseCase.Result out = InvertUseCase.run(r, new InvertUseCase.Progress() {

			@Override
			public void projection(final Projector.Step s, final io.github.dragganfiji.core.IntensityMapping map) {
				if (Double.isNaN(first[0])) first[0] = s.psnr();
			}
		}, () -> false);
		assertTrue(out.latent().fits(m));
		assertNull(out.tunedDir(), "no tuning asked: nothing saved");
		assertEquals(m.name(), out.modelName());
		assertTrue(out.psnr() > first[0], "the projection improves on its start: " + first[0] + " -> " + out.psnr());
		assertTrue(out.summary(r, "test").startsWith("PSNR "), out.summary(r, "test"));
	}

	@Test
	void anImageOfAnotherSizeIsRefused() {
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
			new InvertUseCase.Request(TINY, new float[7], "x", Projector.Options.defaults(), null, DeviceChoice.CPU,
				null));
		assertTrue(e.getMessage().startsWith("The image has 7 values"), e.getMessage());
	}
}
