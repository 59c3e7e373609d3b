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
