package io.github.dragganfiji.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;

import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.image.Inputs;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inversion a user gets drags like the true latent: an image of the sample model, saved as a plain 8-bit PNG
 * (its latent thrown away), inverted with the default method (shortened), then the same drag from the true latent
 * and from the inversion, with the real-image defaults.
 */
class RoundTripTest {

	static final Path SAMPLE = Path.of("sample-models/nuclei-128");

	@Test
	void anInvertedKnownImageDragsLikeItsTrueLatent(@TempDir final Path dir) throws Exception {
		final Projector.Options d = Projector.Options.defaults();
		final PivotalTuner.Options t = PivotalTuner.Options.defaults();
		// The default method, shortened: the same space and tuning, fewer steps.
		final InversionMethod method = new InversionMethod("default", new Projector.Options(150, d.learningRate(), d
			.msssimWeight()).withSpace(d.space()), new PivotalTuner.Options(80, t.learningRate(), t.msssimWeight())
				.withLocality(t.localityWeight()));
		final List<RoundTripEval.Row> rows = RoundTripEval.run(SAMPLE, RoundTripEval.Split.TUNING, 1, List.of(method),
			List.of(io.github.dragganfiji.app.RealImageOptions.DEFAULT_REGION_AS_MASK), 100, 8, dir, DeviceChoice.CPU,
			System.out::println);
		assertEquals(1, rows.size());
		final RoundTripEval.Row r = rows.get(0);
		final Path png = dir.resolve("images/seed" + r.seed() + ".png");
		assertTrue(Files.isRegularFile(png), "the user's file");
		final ImagePlus file = Inputs.open(png);
		assertEquals(8, file.getBitDepth());
		assertEquals(null, file.getProp(ImageProperties.WS), "the plain file carries no latent");
		assertTrue(r.psnr() > 35, "the inversion reconstructs the model's own image: " + r.psnr() + " dB");
		assertTrue(r.trueDistance() < r.start() - 3, "the true latent's drag moves the content: " + r);
		assertTrue(r.distance() < r.start() - 3, "the inversion's drag moves the content too: " + r);
		assertTrue(r.distance() <= r.trueDistance() + 1.5, "and ends near where the true latent's does: " + r);
		assertTrue(Files.isRegularFile(dir.resolve("roundtrip.csv")) && Files.readString(dir.resolve("summary.txt"))
			.contains("tuning default, region "), "the tables");
		try (var s = Files.list(dir.resolve("tuned-models"))) {
			assertEquals(0, s.count(), "tuned copies are removed after their drags");
		}
	}
}
