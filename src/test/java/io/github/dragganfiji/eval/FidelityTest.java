package io.github.dragganfiji.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.core.Point;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What a drag kept outside the band around its paths, on synthetic images whose changes are known. */
class FidelityTest {

	private static final int SIZE = 128;

	/** Discs of radius 5 and brightness 1 (or {@code level} for the last one) on a background of 0.1. */
	private static float[] discs(final List<Point> centres, final float last) {
		final float[] img = new float[SIZE * SIZE];
		java.util.Arrays.fill(img, 0.1f);
		for (int k = 0; k < centres.size(); k++)
			for (int y = 0; y < SIZE; y++)
				for (int x = 0; x < SIZE; x++)
					if (Math.hypot(x - centres.get(k).x(), y - centres.get(k).y()) <= 5) img[y * SIZE + x] = k ==
						centres.size() - 1 ? last : 1;
		return img;
	}

	private static final Point A = new Point(30, 30), B = new Point(90, 90), C = new Point(30, 100);
	private static final List<Point> HANDLE = List.of(A), TARGET = List.of(new Point(46, 30));

	@Test
	void theBandHoldsEachPathAndItsWidth() {
		final boolean[] band = Fidelity.band(HANDLE, TARGET, SIZE);
		assertTrue(band[30 * SIZE + 38], "on the path");
		assertTrue(band[(30 + 11) * SIZE + 38], "11 px beside it");
		assertFalse(band[(30 + 13) * SIZE + 38], "13 px beside it");
		assertTrue(band[30 * SIZE + 46 + 11] && !band[30 * SIZE + 46 + 13], "12 px beyond the target");
		final boolean[] at256 = Fidelity.band(List.of(new Point(60, 60)), List.of(new Point(92, 60)), 256);
		assertTrue(at256[(60 + 23) * 256 + 76] && !at256[(60 + 25) * 256 + 76], "24 px at 256 px");
	}

	@Test
	void nothingChangedIsOneAndAnObjectMovedAlongItsPathKeepsTheRest() {
		final float[] start = discs(List.of(A, B, C), 1);
		final Fidelity.Result same = Fidelity.measure(start, start, HANDLE, TARGET, SIZE, 1);
		assertEquals(1, same.ssimOutside(), 1e-9);
		assertEquals(3, same.objectsStart());
		assertEquals(3, same.objectsEnd());
		assertEquals(1, same.massRatio(), 1e-9);
		assertEquals(0, same.objectsLost() + same.objectsNew());

		final Fidelity.Result moved = Fidelity.measure(start, discs(List.of(TARGET.get(0), B, C), 1), HANDLE, TARGET, SIZE,
			1);
		assertEquals(1, moved.ssimOutside(), 1e-6, "the move stays inside the band");
		assertEquals(3, moved.objectsEnd());
		assertEquals(1, moved.massRatio(), 1e-6);
		assertEquals(0, moved.objectsLost() + moved.objectsNew(), "the moved object is inside the band");
	}

	@Test
	void anObjectThatFadedOrVanishedOutsideTheBandIsSeen() {
		final float[] start = discs(List.of(A, B, C), 1);
		final Fidelity.Result faded = Fidelity.measure(start, discs(List.of(A, B, C), 0.75f), HANDLE, TARGET, SIZE, 1);
		assertEquals(3, faded.objectsEnd(), "a quarter dimmer: still above the threshold");
		assertTrue(faded.massRatio() < 0.88 && faded.massRatio() > 0.84, "one of two objects outside at 0.65 of 0.9 above the background: " +
			faded.massRatio());
		assertTrue(faded.ssimOutside() < 1, "" + faded.ssimOutside());

		final Fidelity.Result gone = Fidelity.measure(start, discs(List.of(A, B), 1), HANDLE, TARGET, SIZE, 1);
		assertEquals(2, gone.objectsEnd(), "one object fewer");
		assertEquals(1, gone.objectsLost());
		assertEquals(0, gone.objectsNew());
		final Fidelity.Result appeared = Fidelity.measure(discs(List.of(A, B), 1), start, HANDLE, TARGET, SIZE, 1);
		assertEquals(1, appeared.objectsNew(), "an object where there was none");
		assertEquals(0, appeared.objectsLost());
		assertEquals(0.5, gone.massRatio(), 1e-6);
		assertTrue(gone.ssimOutside() < faded.ssimOutside(), gone.ssimOutside() + " vs " + faded.ssimOutside());
	}
}
