package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pivotal tuning on the real tiny bundle: a better reconstruction, saved as a new bundle, the original untouched. */
class PivotalTunerTest {

	@TempDir
	Path tmp;

	@Test
	void tuningImprovesTheReconstructionAndSavesAsANewBundle() throws IOException {
		final String shaBefore = GeneratorBundle.readMetadata(TestBundles.TINY).sha256();
		// A target the model cannot make exactly: a smooth pattern.
		final float[] target = new float[3 * 32 * 32];
		for (int c = 0; c < 3; c++)
			for (int y = 0; y < 32; y++)
				for (int x = 0; x < 32; x++)
					target[(c * 32 + y) * 32 + x] = (float) (0.8 * Math.sin(x / 5.0 + c) * Math.cos(y / 7.0));
		final Projector.Step projected;
		try (Generator shared = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			projected = Projector.project(shared, target, new Projector.Options(60, 0.05, 1.0), s -> {}, () -> false);
		}
		final Projector.Step tuned;
		final Path saved = tmp.resolve("tuned");
		try (Generator own = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			tuned = PivotalTuner.tune(own, projected.ws(), target, new PivotalTuner.Options(80, 3e-3, 1.0), s -> {},
				() -> false);
			GeneratorBundle.saveAs(own, saved, "tiny-tuned", "tuned for a test");
		}
		System.out.printf("pivotal tuning: PSNR %.1f dB after projection, %.1f dB after tuning%n", projected.psnr(),
			tuned.psnr());
		assertTrue(tuned.psnr() > projected.psnr() + 3, "tuning gained " + (tuned.psnr() - projected.psnr()) + " dB");
		assertEquals(shaBefore, GeneratorBundle.sha256(TestBundles.TINY.resolve("generator.pt")),
			"the original bundle is untouched");
		try (Generator back = GeneratorBundle.load(saved, Device.cpu()); NDManager m = back.manager()
			.newSubManager())
		{
			assertEquals("tiny-tuned", back.metadata().name());
			final float[] again = back.synthesis(m.create(projected.ws(), new Shape(1, 8, 32)), false).toFloatArray();
			double max = 0;
			for (int i = 0; i < again.length; i++)
				max = Math.max(max, Math.abs(again[i] - tuned.image()[i]));
			assertTrue(max < 1e-4, "the saved bundle reproduces the tuned image (max diff " + max + ")");
		}
		try (Generator fresh = GeneratorBundle.load(TestBundles.TINY, Device.cpu());
			NDManager m = fresh.manager().newSubManager())
		{
			final float[] orig = fresh.synthesis(m.create(projected.ws(), new Shape(1, 8, 32)), false).toFloatArray();
			assertEquals(projected.image() == null ? orig.length : orig.length, orig.length);
			double diff = 0;
			for (int i = 0; i < orig.length; i++)
				diff = Math.max(diff, Math.abs(orig[i] - tuned.image()[i]));
			assertTrue(diff > 1e-3, "a freshly loaded original generator is not the tuned one");
		}
	}

	@Test
	void aDivergedTuningStopsEarlyAtItsBestStep() {
		final float[] target;
		final Projector.Step projected;
		try (Generator shared = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			try (NDManager m = shared.manager().newSubManager()) {
				target = shared.synthesis(shared.mapping(m.randomNormal(new Shape(1, 32)), 0.7f), false).toFloatArray();
			}
			projected = Projector.project(shared, target, new Projector.Options(30, 0.05, 1.0), s -> {}, () -> false);
		}
		final java.util.List<Double> psnrs = new java.util.ArrayList<>();
		try (Generator own = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final int steps = 300;
			final Projector.Step tuned = PivotalTuner.tune(own, projected.ws(), target, new PivotalTuner.Options(steps,
				0.3, 1.0), s -> psnrs.add(s.psnr()), () -> false);
			final double best = psnrs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
			assertTrue(psnrs.size() < steps, "stopped after " + psnrs.size() + " of " + steps + " steps: " + psnrs);
			final int n = psnrs.size();
			for (int i = n - 1 - PivotalTuner.DIVERGED_STEPS; i < n - 1; i++)
				assertTrue(psnrs.get(i) < best - PivotalTuner.DIVERGED_DB, "step " + i + " was within " +
					PivotalTuner.DIVERGED_DB + " dB of the best " + best + ": " + psnrs);
			assertEquals(best, tuned.psnr(), 0.5, "the best step is returned");
		}
	}

	@Test
	void aWreckingLearningRateLeavesTheGeneratorAtItsBestStep() {
		final float[] target;
		final Projector.Step projected;
		final float[] original;
		try (Generator shared = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			try (NDManager m = shared.manager().newSubManager()) {
				target = shared.synthesis(shared.mapping(m.randomNormal(new Shape(1, 32)), 0.7f), false).toFloatArray();
			}
			projected = Projector.project(shared, target, new Projector.Options(30, 0.05, 1.0), s -> {}, () -> false);
			try (NDManager m = shared.manager().newSubManager()) {
				original = shared.synthesis(m.create(projected.ws(), new Shape(1, 8, 32)), false).toFloatArray();
			}
		}
		final java.util.List<Double> losses = new java.util.ArrayList<>();
		try (Generator own = GeneratorBundle.load(TestBundles.TINY, Device.cpu()); NDManager m = own.manager()
			.newSubManager())
		{
			// A learning rate 10,000 times PTI's: every step after the first is worse than the untouched weights.
			final Projector.Step tuned = PivotalTuner.tune(own, projected.ws(), target, new PivotalTuner.Options(6, 3.0,
				1.0), s -> losses.add(s.loss()), () -> false);
			assertEquals(6, losses.size());
			assertEquals(losses.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), tuned.loss(), 0.0,
				"the best step is returned");
			assertTrue(losses.get(5) > tuned.loss(), "the last step was worse: " + losses);
			final float[] now = own.synthesis(m.create(projected.ws(), new Shape(1, 8, 32)), false).toFloatArray();
			double toImage = 0, toOriginal = 0;
			for (int i = 0; i < now.length; i++) {
				toImage = Math.max(toImage, Math.abs(now[i] - tuned.image()[i]));
				if (tuned.index() == 0) toOriginal = Math.max(toOriginal, Math.abs(now[i] - original[i]));
			}
			assertTrue(toImage < 1e-5, "the generator is left at the returned step (max diff " + toImage + ")");
			assertTrue(toOriginal < 1e-5, "step 0 is the untouched generator (max diff " + toOriginal + ")");
			assertEquals(tuned.index() > 0 && tuned.loss() < projected.loss(), PivotalTuner.improves(projected, tuned));
		}
	}

	/**
	 * PTI's locality regularization: the same tuning with and without it, then the tuned generator's distance to the
	 * original at latents away from the pivot (where a drag goes) that the regularizer never saw. With it, the tuned
	 * model stays closer to the original there, and the pivot is still reconstructed better than by the projection.
	 */
	@Test
	void localityKeepsTheRestOfTheLatentSpaceLikeTheOriginal() {
		final float[] target = new float[3 * 32 * 32];
		for (int c = 0; c < 3; c++)
			for (int y = 0; y < 32; y++)
				for (int x = 0; x < 32; x++)
					target[(c * 32 + y) * 32 + x] = (float) (0.8 * Math.sin(x / 5.0 + c) * Math.cos(y / 7.0));
		try (Generator original = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final Projector.Step p = Projector.project(original, target, new Projector.Options(40, 0.05, 1.0), s -> {},
				() -> false);
			final PivotalTuner.Options o = new PivotalTuner.Options(60, 3e-3, 1.0);
			final double[] plain = drift(original, p, target, o), local = drift(original, p, target, o.withLocality(
				1.0));
			System.out.printf("locality: pivot %.1f -> %.1f dB; drift away from the pivot (MSE to the original) %.5f " +
				"-> %.5f%n", plain[0], local[0], plain[1], local[1]);
			assertTrue(local[1] < 0.7 * plain[1], "drift " + local[1] + " vs " + plain[1] + " without locality");
			assertTrue(local[0] > p.psnr() + 1, "the pivot still gains: " + local[0] + " dB vs projection " + p.psnr());
		}
	}

	/** Tunes a fresh copy; {PSNR at the pivot, mean MSE to the original at 4 unseen latents near the pivot}. */
	private static double[] drift(final Generator original, final Projector.Step p, final float[] target,
		final PivotalTuner.Options o)
	{
		try (Generator own = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final Projector.Step t = PivotalTuner.tune(own, original, p.ws(), target, o, s -> {}, () -> false);
			double mse = 0;
			for (int k = 0; k < 4; k++) {
				final float[] near = PivotalTuner.morph(p.ws(), original.latentOf(500 + k, 0.5, 0), PivotalTuner
					.localityDistance(PivotalTuner.LOCALITY_ALPHA, original.metadata()));
				final float[] a = own.imageOf(near), b = original.imageOf(near);
				for (int i = 0; i < a.length; i++)
					mse += (a[i] - b[i]) * (double) (a[i] - b[i]) / a.length / 4;
			}
			return new double[] { t.psnr(), mse };
		}
	}
}
