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

	/** The nearest pixel centre. */
	public Point rounded() {
		return new Point(Math.rint(x), Math.rint(y));
	}

	@Override
	public String toString() {
		return "(" + x + ", " + y + ")";
	}
}
