package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No drag in a robust mode ends farther than it began: on the tiny bundle, drags pushed hard (a learning rate far
 * above the model's, so content wanders) each end with every handle's verified distance at most its start, the
 * result rolled back to the best step without a farther handle when the last one had one; the paper mode, kept as
 * published, is never rolled back.
 */
class NeverFartherTest {

	private static Generator g;
	private static float[] ws0;

	@BeforeAll
	static void load() throws IOException {
		g = GeneratorBundle.load(TestBundles.TINY, Device.cpu());
		ws0 = TestBundles.parityLatent();
	}

	@AfterAll
	static void close() {
		g.close();
	}

	private static DragResult drag(final DragMode mode, final int i, final double lr, final List<DragStep> steps) {
		final List<Point> h = List.of(new Point(4 + 3 * i, 8 + 2 * i), new Point(26 - 2 * i, 24 - i));
		final List<Point> t = List.of(new Point(14 + 2 * i, 10 + i), new Point(18 - i, 14));
		final DragConfig cfg = DragConfig.defaults(32, lr, 6).withMaxSteps(40).withRadii(3, 4).withMode(mode);
		try (DragSession s = new DragSession(g, ws0, DragInput.of(h, t, null, 32, 32), cfg)) {
			return s.run(steps::add, () -> false);
		}
	}

	@Test
	void aRobustDragNeverEndsFartherThanItBegan() {
		for (final DragMode mode : List.of(DragMode.ANCHORED, DragMode.LINE, DragMode.STABLE))
			robustDragsNeverEndFarther(mode);
	}

	private static void robustDragsNeverEndFarther(final DragMode mode) {
		int rolledBack = 0;
		for (int i = 0; i < 6; i++) {
			final List<DragStep> steps = new ArrayList<>();
			final DragResult r = drag(mode, i, 0.3, steps);
			for (final DragVerification.Handle vh : r.verification().handles())
				assertFalse(vh.fartherThanStart(), mode + " drag " + i + ": " + vh);
			final DragStep last = steps.get(steps.size() - 1);
			assertEquals(r.last(), last, "the result is the last step reported (the result stack's last slice)");
			if (r.rolledBack()) {
				rolledBack++;
				assertEquals(r.rolledBackTo(), r.last().index());
				assertTrue(r.rolledBackTo() < r.updates(), "rolled back to an earlier step");
				final DragStep original = steps.stream().filter(s -> s.index() == r.rolledBackTo()).findFirst()
					.orElseThrow();
				assertArrayEquals(original.ws(), r.last().ws(), "the latent of the step rolled back to");
				assertArrayEquals(original.image(), r.last().image());
				assertFalse(r.arrived() && !r.verification().arrived());
			}
		}
		if (mode == DragMode.ANCHORED) assertTrue(rolledBack > 0, "at this learning rate some drags end farther than " +
			"they began and are rolled back");
	}

	@Test
	void thePaperModeIsNeverRolledBack() {
		for (int i = 0; i < 3; i++) {
			final DragResult r = drag(DragMode.PAPER, i, 0.3, new ArrayList<>());
			assertEquals(-1, r.rolledBackTo());
			assertFalse(r.movedAway());
		}
	}
}
