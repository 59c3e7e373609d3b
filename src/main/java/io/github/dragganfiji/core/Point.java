package io.github.dragganfiji.core;

/**
 * A point in image pixel coordinates: x to the right, y down, pixel centres at integers.
 *
 * @param x column
 * @param y row
 */
public record Point(double x, double y) {

	/** Euclidean distance to another point. */
	public double distance(final Point o) {
		return Math.hypot(o.x - x, o.y - y);
	}

	/** The pixel this point lies on: halves round up, as ImageJ does (a multi-point click may be stored at .5). */
	public Point rounded() {
		return new Point(Math.floor(x + 0.5), Math.floor(y + 0.5));
	}

	@Override
	public String toString() {
		return "(" + x + ", " + y + ")";
	}
}
