package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.eval.EvalSuite;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The eval harness's measures on synthetic images with known answers, and the default suite's layout. */
class TemplateMatcherTest {

	private static float[] blobs(final int size, final double shiftX, final double shiftY) {
		final Random r = new Random(5);
		final float[] img = new float[size * size];
		for (int b = 0; b < 12; b++) {
			final double cx = 8 + r.nextDouble() * (size - 16) + shiftX, cy = 8 + r.nextDouble() * (size - 16) + shiftY;
			final double s = 2 + r.nextDouble() * 3, a = 0.5 + r.nextDouble();
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++)
					img[y * size + x] += (float) (a * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s *
						s)));
		}
		return img;
	}

	@Test
	void findsAKnownShift() {
		final int size = 64;
		final float[] before = blobs(size, 0, 0), after = blobs(size, 3, -2);
		// find a bright pixel to follow
		int best = 0;
		for (int i = 0; i < before.length; i++)
			if (before[i] > before[best]) best = i;
		final int hx = Math.min(Math.max(best % size, 6), size - 10), hy = Math.min(Math.max(best / size, 6), size - 10);
		final double[] m = TemplateMatcher.match(before, after, size, hx, hy, hx + 1, hy, 4, 6);
		assertEquals(hx + 3, m[0], 0.0);
		assertEquals(hy - 2, m[1], 0.0);
		assertTrue(m[2] > 0.99, "NCC " + m[2]);
	}

	@Test
	void leakageIsTheMeanChangeOutsideTheMask() {
		final float[] before = new float[16], after = new float[16];
		final boolean[] movable = new boolean[16];
		for (int i = 0; i < 8; i++)
			movable[i] = true;
		for (int i = 0; i < 16; i++)
			after[i] = i < 8 ? 5 : 0.5f; // big changes inside, 0.5 outside
		assertEquals(0.25, TemplateMatcher.leakage(before, after, movable, 2.0), 1e-9);
		after[12] = 1.5f; // one of the 8 outside pixels changes by more than half the range
		assertEquals(1 / 8.0, TemplateMatcher.changedOutside(before, after, movable, 2.0, 0.5), 1e-12);
		assertEquals(0, TemplateMatcher.changedOutside(before, after, movable, 2.0, 0.75), "under the threshold");
		assertEquals(1, TemplateMatcher.changedOutside(before, after, movable, 2.0, 0.1), 1e-12);
	}

	@Test
	void defaultSuiteCoversHandleCountsAndMasks() {
		final List<EvalSuite.Spec> specs = EvalSuite.defaults(54);
		for (final int h : new int[] { 1, 2, 5 })
			for (final boolean masked : new boolean[] { false, true })
				assertEquals(9, specs.stream().filter(s -> s.handles() == h && s.masked() == masked).count());
		final float[] img = blobs(256, 0, 0);
		final DragInput d = EvalSuite.layout(new EvalSuite.Spec(1, 5, true, 9), img, 256).input();
		assertEquals(5, d.handles().size());
		for (int i = 0; i < 5; i++) {
			final double len = d.handles().get(i).distance(d.targets().get(i));
			assertTrue(len >= 2 && len <= 256 / 10.0 + 1, "offset " + len);
			for (int j = 0; j < i; j++)
				assertTrue(d.handles().get(i).distance(d.handles().get(j)) >= 16);
			final Point h = d.handles().get(i);
			assertTrue(d.movable()[(int) h.y() * 256 + (int) h.x()], "handle inside the movable box");
		}
		assertEquals(d.handles(), EvalSuite.layout(new EvalSuite.Spec(1, 5, true, 9), img, 256).input().handles(),
			"deterministic");
	}
}
