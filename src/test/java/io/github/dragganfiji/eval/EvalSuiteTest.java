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

	/** {@link #CENTRES} at another image size. */
	private static List<Point> centres(final int size) {
		return CENTRES.stream().map(c -> new Point(c.x() * size / 128, c.y() * size / 128)).toList();
	}

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
			final List<Point> centres = centres(size);
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
	void theUsersSuiteHasTwoSplitsOfDisjointSeedsAndEveryKindOfDrag() {
		final List<EvalSuite.Spec> tuning = EvalSuite.specs(EvalSuite.Kind.TUNING, 60), heldOut = EvalSuite.specs(
			EvalSuite.Kind.HELD_OUT, 60);
		assertEquals(60, EvalSuite.Kind.HELD_OUT.size());
		for (final EvalSuite.Spec t : tuning)
			assertTrue(heldOut.stream().noneMatch(h -> h.seed() == t.seed() || h.layoutSeed() == t.layoutSeed() || h
				.seed() + 100_000L * 19 >= t.seed() && h.seed() <= t.seed() + 100_000L * 19 && (h.seed() - t.seed()) %
					100_000L == 0), "no image of one split stands in for the other's: " + t);
		for (final List<EvalSuite.Spec> split : List.of(tuning, heldOut))
			for (int handles = 1; handles <= 3; handles++)
				for (final boolean masked : new boolean[] { false, true })
					for (final boolean edge : new boolean[] { false, true }) {
						final int n = handles;
						assertEquals(5, split.stream().filter(x -> x.handles() == n && x.masked() == masked && x.edge() ==
							edge).count(), n + " handles, masked " + masked + ", edge " + edge);
					}
	}

	@Test
	void usersPlaceHandlesOnCentroidsOrEdgesWithTargetsFourToTwelvePixelsAway() {
		for (final int size : new int[] { 128, 256 }) {
			final List<Point> centres = centres(size);
			final float[] img = discs(size, centres);
			final double radius = 6 * size / 128.0;
			int edges = 0;
			for (final EvalSuite.Spec spec : EvalSuite.specs(EvalSuite.Kind.HELD_OUT, 24)) {
				final EvalSuite.Case c = EvalSuite.layout(EvalSuite.Kind.HELD_OUT, spec, img, size);
				assertNotNull(c, "6 objects are enough for " + spec);
				final DragInput d = c.input();
				assertEquals(spec.handles(), d.size());
				assertEquals(spec.masked(), d.masked());
				for (int i = 0; i < d.size(); i++) {
					final Point h = d.handles().get(i);
					final double fromCentre = centres.stream().mapToDouble(o -> o.distance(h)).min().orElseThrow();
					if (spec.edge()) {
						assertTrue(fromCentre >= radius - 1.5 && fromCentre <= radius + 0.5, h + " on an edge (" +
							fromCentre + " px from the centre)");
						edges++;
					}
					else assertTrue(fromCentre < 1, h + " is a centroid");
					for (int j = 0; j < i; j++)
						assertTrue(h.distance(d.handles().get(j)) > 3, "one handle per object");
					final Point t = d.targets().get(i);
					final double len = h.distance(t) * 128 / size;
					assertTrue(len >= 4 - 0.75 && len <= 12 + 0.75, "offset " + len + " at " + size + " px");
					assertTrue(t.x() >= 2 && t.y() >= 2 && t.x() <= size - 3 && t.y() <= size - 3, t + " inside");
				}
			}
			assertTrue(edges >= 12, "half of the drags' handles on edges: " + edges);
		}
	}

	@Test
	void suitesByName() {
		assertEquals(EvalSuite.Kind.BRIGHT, EvalSuite.Kind.parse("default"));
		assertEquals(EvalSuite.Kind.OBJECTS, EvalSuite.Kind.parse("Objects"));
		assertEquals(EvalSuite.Kind.HELD_OUT, EvalSuite.Kind.parse("held-out"));
		assertEquals(EvalSuite.Kind.TUNING, EvalSuite.Kind.parse(EvalSuite.Kind.TUNING.key()));
		for (final EvalSuite.Kind k : EvalSuite.Kind.values())
			assertEquals(k, EvalSuite.Kind.parse(k.key()), k.key());
		assertEquals("long-held-out", EvalSuite.Kind.LONG_HELD_OUT.key());
		assertThrows(IllegalArgumentException.class, () -> EvalSuite.Kind.parse("faces"));
		assertEquals(EvalSuite.defaults(12), EvalSuite.specs(EvalSuite.Kind.BRIGHT, 12), "the default suite as before");
	}

	@Test
	void longDragsComeFromSeedsOfTheirOwnWithTargetsTwelveToTwentyFourPixelsAway() {
		final List<EvalSuite.Kind> users = List.of(EvalSuite.Kind.TUNING, EvalSuite.Kind.HELD_OUT, EvalSuite.Kind
			.LONG_TUNING, EvalSuite.Kind.LONG_HELD_OUT);
		for (final EvalSuite.Kind a : users)
			for (final EvalSuite.Kind b : users) {
				if (a == b) continue;
				for (final EvalSuite.Spec x : EvalSuite.specs(a, 60))
					for (final EvalSuite.Spec y : EvalSuite.specs(b, 60)) {
						final long d = x.seed() - y.seed();
						assertTrue(d % 100_000L != 0 && x.layoutSeed() != y.layoutSeed(), a + " and " + b +
							" share an image or a layout (stand-ins included): " + x + ", " + y);
					}
			}
		for (final EvalSuite.Kind a : users)
			for (final RoundTripEval.Split split : RoundTripEval.Split.values())
				for (final EvalSuite.Spec x : EvalSuite.specs(a, 60))
					assertTrue(Math.abs(x.seed() - split.seed) >= 100 && (x.seed() - split.seed) % 100_000L != 0, a +
						" shares images with the round trips' " + split + " split: " + x);
		for (final int size : new int[] { 128, 256 }) {
			final float[] img = discs(size, centres(size));
			int placed = 0;
			for (final EvalSuite.Spec spec : EvalSuite.specs(EvalSuite.Kind.LONG_HELD_OUT, 24)) {
				final EvalSuite.Case c = EvalSuite.layout(EvalSuite.Kind.LONG_HELD_OUT, spec, img, size);
				if (c == null) continue;
				placed++;
				for (int i = 0; i < c.input().size(); i++) {
					final Point h = c.input().handles().get(i), t = c.input().targets().get(i);
					final double len = h.distance(t) * 128 / size;
					assertTrue(len >= 12 - 0.75 && len <= 24 + 0.75, "offset " + len + " at " + size + " px");
					assertTrue(t.x() >= 2 && t.y() >= 2 && t.x() <= size - 3 && t.y() <= size - 3, t + " inside");
				}
			}
			assertTrue(placed >= 20, "long targets fit on most layouts: " + placed + " of 24");
		}
	}
}
