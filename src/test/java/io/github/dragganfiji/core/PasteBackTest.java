package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Paste-back weights and blending, and the default region around handle-to-target segments. */
class PasteBackTest {

	@Test
	void weightsAreZeroOutsideAndRiseOverTheFeather() {
		final int w = 20, h = 10;
		final boolean[] m = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 5; x < 15; x++)
				m[y * w + x] = true;
		final float[] wt = PasteBack.weights(m, w, h, 3);
		for (int i = 0; i < m.length; i++)
			if (!m[i]) assertEquals(0f, wt[i], "outside: exactly 0 at " + i);
		assertEquals(0.25f, wt[5 * w + 5], 1e-6, "first pixel inside");
		assertEquals(0.5f, wt[5 * w + 6], 1e-6);
		assertEquals(0.75f, wt[5 * w + 7], 1e-6);
		assertEquals(1f, wt[5 * w + 8], 1e-6, "fully inside from the fourth pixel on");
		assertEquals(0.25f, wt[5 * w + 14], 1e-6, "the far border too");
		// The image border is not a border of the area.
		assertEquals(1f, wt[0 * w + 9], 1e-6);
		final float[] all = PasteBack.weights(null, w, h, 3);
		for (final float v : all)
			assertEquals(1f, v);
	}

	@Test
	void blendCopiesTheBaseWhereTheWeightIsZero() {
		final float[] base = { 1.25f, 7, 100, 3 }, edited = { 9, 9, 0, 5 }, w = { 0, 1, 0.5f, 0.25f };
		final float[] out = new float[4];
		PasteBack.blend(base, edited, w, out);
		assertEquals(1.25f, out[0]);
		assertEquals(9f, out[1]);
		assertEquals(50f, out[2], 1e-6);
		assertEquals(3.5f, out[3], 1e-6);
	}

	/** A 40 x 30 image with a rectangle (x 8..31, y 6..23) movable, the feather 3 px. */
	private static final int W = 40, H = 30;

	private static float[] rectangleWeights() {
		final boolean[] m = new boolean[W * H];
		for (int y = 6; y < 24; y++)
			for (int x = 8; x < 32; x++)
				m[y * W + x] = true;
		return PasteBack.weights(m, W, H, 3);
	}

	@Test
	void theSeamCorrectionTakesAwayASmoothDriftAndKeepsTheEditsDetail() {
		final float[] w = rectangleWeights(), base = new float[W * H], edited = new float[W * H];
		final java.util.Random r = new java.util.Random(7);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				final int i = y * W + x;
				base[i] = 100 + 20 * r.nextFloat();
				// The generator's output: the base drifted by a ramp (harmonic, so the correction is that ramp exactly)
				// plus an edit, a bump in the middle of the area.
				final double bump = 50 * Math.exp(-((x - 20) * (x - 20) + (y - 15) * (y - 15)) / 8.0);
				edited[i] = (float) (base[i] + 30 + 0.8 * x - 1.5 * y + bump);
			}
		final float[] seamless = new float[W * H], plain = new float[W * H];
		PasteBack.blendSeamless(base, edited, w, W, H, null, seamless);
		PasteBack.blend(base, edited, w, plain);
		double plainErr = 0;
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				final int i = y * W + x;
				if (w[i] == 0) {
					assertEquals(base[i], seamless[i], "outside the area: the base, bit for bit");
					continue;
				}
				final double bump = 50 * Math.exp(-((x - 20) * (x - 20) + (y - 15) * (y - 15)) / 8.0);
				assertEquals(base[i] + w[i] * bump, seamless[i], 0.01, "inside: the base plus the edit (feathered at the " +
					"edge), the drift gone, at " + x + "," + y);
				if (w[i] < 1) plainErr = Math.max(plainErr, Math.abs(plain[i] - base[i] - w[i] * bump));
			}
		assertTrue(plainErr > 10, "the plain blend shows the drift at the edge: " + plainErr);
	}

	@Test
	void theSeamCorrectionFromTheLastStepsGuessIsTheSame() {
		final float[] w = rectangleWeights(), base = new float[W * H], a = new float[W * H], b = new float[W * H];
		for (int i = 0; i < base.length; i++) {
			base[i] = (float) Math.sin(i * 0.37) * 10;
			a[i] = base[i] + 5 + (float) Math.cos(i * 0.11) * 4;
			b[i] = a[i] + 0.5f;
		}
		final float[] first = PasteBack.seamCorrection(base, a, w, W, H, null);
		final float[] cold = PasteBack.seamCorrection(base, b, w, W, H, null), warm = PasteBack.seamCorrection(base, b,
			w, W, H, first);
		for (int i = 0; i < base.length; i++)
			assertEquals(cold[i], warm[i], 0.01, "at " + i);
		assertTrue(java.util.stream.IntStream.range(0, base.length).allMatch(i -> w[i] > 0 || cold[i] == 0),
			"0 outside the area");
	}

	@Test
	void anAreaWithNoFixedPixelAroundItIsNotCorrected() {
		final float[] base = new float[W * H], edited = new float[W * H], all = PasteBack.weights(null, W, H, 3);
		java.util.Arrays.fill(edited, 9);
		for (final float c : PasteBack.seamCorrection(base, edited, all, W, H, null))
			assertEquals(0f, c);
	}

	@Test
	void theDefaultRegionIsACapsulePerHandle() {
		final DragInput in = DragInput.of(List.of(new Point(10, 10), new Point(30, 30)), List.of(new Point(20, 10),
			new Point(30, 35)), null, 40, 40);
		final DragInput r = in.aroundSegments(3);
		assertTrue(r.masked());
		final boolean[] m = r.movable();
		assertTrue(m[10 * 40 + 15], "on the segment");
		assertTrue(m[13 * 40 + 15], "3 px beside it");
		assertFalse(m[14 * 40 + 15], "4 px beside it");
		assertTrue(m[10 * 40 + 7] && !m[10 * 40 + 6], "3 px beyond the handle");
		assertTrue(m[38 * 40 + 30], "around the second segment's target");
		assertFalse(m[20 * 40 + 20], "between the two capsules");
		assertEquals(in.handles(), r.handles());
		assertTrue(r.notes().isEmpty(), "handles and targets lie in their own region");
	}
}
