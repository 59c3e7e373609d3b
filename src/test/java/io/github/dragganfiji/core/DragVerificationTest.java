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
