package io.github.dragganfiji.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.Point;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The objects suite's layout on synthetic images with known objects. */
class EvalSuiteTest {

	/** Flat-topped discs of radius 6 (scaled) on a dark background, with a faint ramp. */
	private static float[] discs(final int size, final List<Point> centres) {
		final float[] img = new float[size * size];
		final double r = 6 * size / 128.0;
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++) {
				img[y * size + x] = 0.05f * x / size;
				for (final Point c : centres)
					if (Math.hypot(x - c.x(), y - c.y()) <= r) img[y * size + x] = 1;
			}
		return img;
	}

	private static final List<Point> CENTRES = List.of(new Point(30, 30), new Point(90, 34), new Point(40, 95),
		new Point(100, 100), new Point(64, 64), new Point(20, 70));

	@Test
	void findsEveryObjectsCentroid() {
		final List<Point> found = EvalSuite.objects(discs(128, CENTRES), 128);
		assertEquals(CENTRES.size(), found.size(), found.toString());
		for (final Point c : CENTRES)
			assertTrue(found.stream().anyMatch(f -> f.distance(c) < 0.75), c + " in " + found);
	}

	@Test
	void ignoresSpecksAndObjectsAtTheBorder() {
		final float[] img = discs(128, List.of(new Point(64, 64), new Point(3, 60)));
		img[20 * 128 + 100] = 1; // a one-pixel speck
		assertEquals(List.of(new Point(64, 64)), EvalSuite.objects(img, 128));
	}

	@Test
	void handlesSitOnDistinctCentroidsWithTargetsSixToTenPixelsAway() {
		for (final int size : new int[] { 128, 256 }) {
			final List<Point> centres = CENTRES.stream().map(c -> new Point(c.x() * size / 128, c.y() * size / 128))
				.toList();
			final float[] img = discs(size, centres);
			for (final EvalSuite.Spec spec : EvalSuite.specs(EvalSuite.Kind.OBJECTS, 6)) {
				final EvalSuite.Case c = EvalSuite.layout(EvalSuite.Kind.OBJECTS, spec, img, size);
				assertNotNull(c, "6 objects are enough for " + spec);
				final DragInput d = c.input();
				assertEquals(spec.handles(), d.size());
				assertEquals(spec.masked(), d.masked());
				for (int i = 0; i < d.size(); i++) {
					final Point h = d.handles().get(i);
					assertTrue(centres.stream().anyMatch(o -> o.distance(h) < 1), h + " is a centroid");
					for (int j = 0; j < i; j++)
						assertTrue(h.distance(d.handles().get(j)) > 1, "one handle per object");
					final double len = h.distance(d.targets().get(i)) * 128 / size;
					assertTrue(len >= 6 - 0.75 && len <= 10 + 0.75, "offset " + len + " at " + size + " px");
				}
			}
		}
	}

	@Test
	void tooFewObjectsGiveNoDrag() {
		final float[] img = discs(128, List.of(new Point(64, 64)));
		assertNull(EvalSuite.layoutObjects(new EvalSuite.Spec(1, 2, false, 3), img, 128));
		assertNotNull(EvalSuite.layoutObjects(new EvalSuite.Spec(1, 1, false, 3), img, 128));
	}

	@Test
	void suitesByName() {
		assertEquals(EvalSuite.Kind.BRIGHT, EvalSuite.Kind.parse("default"));
		assertEquals(EvalSuite.Kind.OBJECTS, EvalSuite.Kind.parse("Objects"));
		assertThrows(IllegalArgumentException.class, () -> EvalSuite.Kind.parse("faces"));
		assertEquals(EvalSuite.defaults(12), EvalSuite.specs(EvalSuite.Kind.BRIGHT, 12), "the default suite as before");
	}
}
