package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Disk and square pixel sets, at image borders too, and the stop rule. */
class GeometryTest {

	@Test
	void diskIsStrict() {
		assertEquals(1, Geometry.disk(5, 5, 1, 16).size());
		assertEquals(9, Geometry.disk(5, 5, 2, 16).size()); // |q| < 2: the 3 x 3 block (corners at sqrt 2)
		assertEquals(25, Geometry.disk(10, 10, 3, 32).size()); // DragGAN's r1 = 3 disk
		for (final int[] q : Geometry.disk(10, 10, 3, 32))
			assertTrue((q[0] - 10) * (q[0] - 10) + (q[1] - 10) * (q[1] - 10) < 9);
	}

	@Test
	void diskAndSquareClipAtBorders() {
		final List<int[]> corner = Geometry.disk(0, 0, 3, 32);
		assertEquals(9, corner.size()); // the part of the 25-pixel disk with x, y >= 0
		for (final int[] q : corner)
			assertTrue(q[0] >= 0 && q[1] >= 0);
		assertEquals(25, Geometry.square(5, 5, 2, 32).size());
		final List<int[]> edge = Geometry.square(31, 0, 2, 32);
		assertEquals(9, edge.size());
		assertEquals(29, edge.get(0)[0]);
		assertEquals(0, edge.get(0)[1]);
		assertEquals(31, edge.get(8)[0]);
		assertEquals(2, edge.get(8)[1]);
	}

	@Test
	void stopRule() {
		final DragConfig c = DragConfig.defaults(256, 2e-3, 6);
		assertEquals(1.0, c.stopDistance(1));
		assertEquals(1.0, c.stopDistance(4));
		assertEquals(2.0, c.stopDistance(5));
		assertEquals(3.0, c.withStopDistance(3).stopDistance(5));
		assertThrows(IllegalArgumentException.class, () -> c.withStopDistance(0.5));
	}

	@Test
	void radiiScaleWithResolution() {
		final DragMode paper = DragMode.PAPER;
		assertEquals(3, DragConfig.defaults(512, 2e-3, 6, paper).r1());
		assertEquals(12, DragConfig.defaults(512, 2e-3, 6, paper).r2());
		assertEquals(2, DragConfig.defaults(256, 2e-3, 6, paper).r1());
		assertEquals(6, DragConfig.defaults(256, 2e-3, 6, paper).r2());
		assertEquals(1, DragConfig.defaults(128, 2e-3, 6, paper).r1());
		assertEquals(3, DragConfig.defaults(128, 2e-3, 6, paper).r2());
		assertEquals(24, DragConfig.defaults(1024, 2e-3, 6, paper).r2());
		assertEquals(2e-3, DragConfig.defaults(128, 2e-3, 6, paper).learningRate());
	}

	@Test
	void theRobustModesSuperviseAWholeObjectAtAHigherRate() {
		for (final DragMode m : new DragMode[] { DragMode.ANCHORED, DragMode.LINE, DragMode.STABLE }) {
			assertEquals(24, DragConfig.defaults(512, 2e-3, 6, m).r1());
			assertEquals(6, DragConfig.defaults(128, 2e-3, 6, m).r1());
			assertEquals(3, DragConfig.defaults(128, 2e-3, 6, m).r2(), "tracking radius as the paper's");
			assertEquals(6e-3, DragConfig.defaults(128, 2e-3, 6, m).learningRate(), 1e-12);
			assertEquals(m, DragConfig.defaults(128, 2e-3, 6, m).mode());
		}
		assertEquals(DragConfig.DEFAULT_MODE, DragConfig.defaults(128, 2e-3, 6).mode());
	}
}
