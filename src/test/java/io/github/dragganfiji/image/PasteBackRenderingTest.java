package io.github.dragganfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import io.github.dragganfiji.core.PasteBack;

import org.junit.jupiter.api.Test;

/**
 * The paste-back as result slices get it (Rendering.pasteBack on ImageJ processors): the source outside the movable
 * area bit for bit, the generator's output inside it with its drift taken away at the edge, and the 16-bit range
 * kept (a correction that would step past 0 or 65535 is clipped, never wrapped).
 */
class PasteBackRenderingTest {

	@Test
	void a16BitSliceKeepsTheSourceOutsideAndLosesTheDriftInside() {
		final int w = 48, h = 40;
		final ShortProcessor base = new ShortProcessor(w, h), generated = new ShortProcessor(w, h);
		final java.util.Random r = new java.util.Random(3);
		for (int i = 0; i < w * h; i++) {
			final int v = 300 + r.nextInt(400);
			base.set(i, v);
			generated.set(i, v + 900); // the generator's output drifted brighter everywhere
		}
		generated.set(20, 20, 100); // and one dark pixel, which the correction (-900) takes below 0: clipped to 0
		final boolean[] area = new boolean[w * h];
		for (int y = 8; y < 32; y++)
			for (int x = 0; x < 36; x++)
				area[y * w + x] = true;
		final float[] weights = PasteBack.weights(area, w, h, PasteBack.FEATHER);
		final ImageProcessor out = Rendering.pasteBack(new ImageProcessor[] { generated }, new ImageProcessor[] {
			base }, weights)[0];
		int inside = 0;
		for (int i = 0; i < w * h; i++) {
			if (!area[i]) {
				assertEquals(base.get(i), out.get(i), "outside the area: the source, bit for bit, at " + i);
				continue;
			}
			if (i == 20 * w + 20) {
				assertEquals(0, out.get(i), "below the range: 0, not wrapped to 65535");
				continue;
			}
			assertTrue(Math.abs(out.get(i) - base.get(i)) <= 2, "inside: the source's level, the drift gone, at " + i +
				": " + out.get(i) + " against " + base.get(i));
			inside++;
		}
		assertTrue(inside > 0);
	}
}
