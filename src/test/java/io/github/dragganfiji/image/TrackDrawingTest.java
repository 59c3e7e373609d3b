package io.github.dragganfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.dragganfiji.core.Point;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Every slice of a result stack draws each handle's track so far: drawn as is, a 10,000-step drag would hold 50
 * million track points. Repeats are dropped and at most 200 evenly spaced points drawn, the first and last kept.
 */
class TrackDrawingTest {

	@Test
	void repeatsAreDroppedAndLongTracksThinned() {
		final List<Point> track = new ArrayList<>();
		for (int i = 0; i < 10_000; i++)
			track.add(new Point(i / 20, 5)); // 20 steps on each pixel: 500 distinct points
		final List<Point> drawn = EditOverlay.drawn(track);
		assertEquals(EditOverlay.MAX_TRACK_POINTS, drawn.size());
		assertEquals(new Point(0, 5), drawn.get(0));
		assertEquals(new Point(499, 5), drawn.get(drawn.size() - 1));
		final List<Point> still = EditOverlay.drawn(List.of(new Point(3, 3), new Point(3, 3), new Point(4, 3),
			new Point(4, 3), new Point(3, 3)));
		assertEquals(List.of(new Point(3, 3), new Point(4, 3), new Point(3, 3)), still, "only consecutive repeats go");
	}
}
