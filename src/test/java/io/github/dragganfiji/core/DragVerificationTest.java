package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Image-space verification on synthetic images whose content moved by known amounts. */
class DragVerificationTest {

	/** Textured blobs; {@code moved} (if not null) is shifted by (dx, dy). */
	private static float[] scene(final int size, final int moved, final double dx, final double dy) {
		final Random r = new Random(3);
		final float[] img = new float[size * size];
		for (int b = 0; b < 10; b++) {
			double cx = 10 + r.nextDouble() * (size - 20), cy = 10 + r.nextDouble() * (size - 20);
			final double sx = 2 + r.nextDouble() * 3, sy = 2 + r.nextDouble() * 3, a = 0.5 + r.nextDouble();
			if (b == moved) {
				cx += dx;
				cy += dy;
			}
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++)
					img[y * size + x] += (float) (a * Math.exp(-(x - cx) * (x - cx) / (2 * sx * sx) - (y - cy) * (y - cy) /
						(2 * sy * sy)));
		}
		return img;
	}

	/** Centre of blob b of {@link #scene}, rounded. */
	private static Point centre(final int size, final int b) {
		final Random r = new Random(3);
		double cx = 0, cy = 0;
		for (int k = 0; k <= b; k++) {
			cx = 10 + r.nextDouble() * (size - 20);
			cy = 10 + r.nextDouble() * (size - 20);
			r.nextDouble();
			r.nextDouble();
			r.nextDouble();
		}
		return new Point(Math.rint(cx), Math.rint(cy));
	}

	@Test
	void findsContentThatArrived() {
		final int size = 96;
		final Point h = centre(size, 0);
		final Point t = new Point(h.x() + 8, h.y() - 4);
		final DragVerification.Result v = DragVerification.verify(scene(size, -1, 0, 0), scene(size, 0, 8, -4), size,
			List.of(h), List.of(t), 1);
		final DragVerification.Handle vh = v.handles().get(0);
		assertEquals(0, vh.distance(), 1.0, "found at " + vh.found());
		assertEquals(Math.hypot(8, 4), vh.startDistance(), 1e-9);
		assertEquals(2, v.tolerance(), 0.0, "stop distance + 1 px");
		assertTrue(v.arrived(), v.describe());
		assertTrue(v.describe().startsWith("arrived"), v.describe());
	}

	@Test
	void contentLeftBehindIsNotArrivedWhateverATrackerSays() {
		final int size = 96;
		final Point h = centre(size, 0);
		final Point t = new Point(h.x() + 9, h.y());
		// The blob moved only 2 px of 9: 7 px short.
		final DragVerification.Result v = DragVerification.verify(scene(size, -1, 0, 0), scene(size, 0, 2, 0), size,
			List.of(h), List.of(t), 1);
		assertEquals(7, v.handles().get(0).distance(), 1.0);
		assertFalse(v.arrived());
		assertFalse(v.handles().get(0).fartherThanStart());
		assertTrue(v.describe().startsWith("not arrived: 1 of 1"), v.describe());
	}

	@Test
	void contentThatWentTheWrongWayEndedFarther() {
		final int size = 96;
		final Point h = centre(size, 0);
		final Point t = new Point(h.x() + 6, h.y());
		final DragVerification.Result v = DragVerification.verify(scene(size, -1, 0, 0), scene(size, 0, -4, 0), size,
			List.of(h), List.of(t), 1);
		assertEquals(10, v.handles().get(0).distance(), 1.0, "the search window holds the start and the target");
		assertTrue(v.handles().get(0).fartherThanStart());
		assertTrue(v.describe().contains("1 ended farther than it started"), v.describe());
	}

	/** Noise shifted by (dx, dy); what comes in at the edge is other noise. */
	private static float[] shiftedNoise(final int size, final int dx, final int dy) {
		final Random a = new Random(5), b = new Random(6);
		final float[] base = new float[size * size], out = new float[size * size];
		for (int i = 0; i < base.length; i++)
			base[i] = a.nextFloat();
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++) {
				final int sx = x - dx, sy = y - dy;
				out[y * size + x] = sx >= 0 && sx < size && sy >= 0 && sy < size ? base[sy * size + sx] : b.nextFloat();
			}
		return out;
	}

	@Test
	void handlesOnTheImageEdgeAreLocated() {
		// A handle may be on the edge (the command line takes 0,0 and 31,31): its patch is the one beside it.
		final int size = 32;
		final float[] still = shiftedNoise(size, 0, 0);
		for (final Point p : List.of(new Point(0, 0), new Point(31, 31), new Point(0, 17), new Point(31, 0), new Point(
			12, 31), new Point(1, 0)))
		{
			final DragVerification.Handle vh = DragVerification.verify(still, still, size, List.of(p), List.of(new Point(
				16, 16)), 1).handles().get(0);
			assertEquals(p, vh.found(), "unchanged image, handle at " + p);
			assertEquals(1, vh.score(), 1e-6);
		}
		final DragVerification.Result right = DragVerification.verify(still, shiftedNoise(size, 2, 1), size, List.of(
			new Point(0, 0), new Point(0, 20)), List.of(new Point(2, 1), new Point(2, 21)), 1);
		assertEquals(new Point(2, 1), right.handles().get(0).found());
		assertEquals(new Point(2, 21), right.handles().get(1).found());
		assertTrue(right.arrived(), right.describe());
		final DragVerification.Result left = DragVerification.verify(still, shiftedNoise(size, -2, -1), size, List.of(
			new Point(31, 31), new Point(31, 10)), List.of(new Point(20, 20), new Point(20, 10)), 1);
		assertEquals(new Point(29, 30), left.handles().get(0).found());
		assertEquals(new Point(29, 9), left.handles().get(1).found());
	}

	@Test
	void windowAndPatchScaleWithTheImage() {
		assertEquals(3, DragVerification.patchRadius(32));
		assertEquals(4, DragVerification.patchRadius(128));
		assertEquals(16, DragVerification.patchRadius(512));
		assertEquals(8, DragVerification.searchMargin(128));
		assertEquals(32, DragVerification.searchMargin(512));
	}

	@Test
	void grayIsTheChannelMean() {
		final float[] rgb = { 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3 };
		final float[] g = DragVerification.gray(rgb, 2);
		assertEquals(2, g[0], 1e-6);
		assertEquals(5, g[3], 1e-6, "mean of 4, 8, 3");
	}
}
