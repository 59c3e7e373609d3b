package io.github.dragganfiji.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What to drag: handle points, their targets and the movable area, on a {@code width x height} image, validated
 * once by {@link #of}. Every front end builds one (from ROIs, from numbers, from the eval suite) and the engine takes
 * it as it is. Arrays are copied in and out.
 *
 * @param handles handle points, pixel centres at integers
 * @param targets their targets, as many
 * @param movable null for no mask (everything may move), else [width * height] row-major, true where the image may
 *          change
 * @param width image width
 * @param height image height
 * @param notes remarks for the user (handles or targets outside the movable area)
 */
public record DragInput(List<Point> handles, List<Point> targets, boolean[] movable, int width, int height,
	List<String> notes)
{

	public DragInput {
		handles = List.copyOf(handles);
		targets = List.copyOf(targets);
		movable = movable == null ? null : movable.clone();
		notes = List.copyOf(notes);
	}

	@Override
	public boolean[] movable() {
		return movable == null ? null : movable.clone();
	}

	/** The number of handle/target pairs. */
	public int size() {
		return handles.size();
	}

	/** Whether a movable mask restricts the drag. */
	public boolean masked() {
		return movable != null;
	}

	/**
	 * Checks and normalizes a drag: at least one handle, one target per handle, every point on the image (a point
	 * less than half a pixel outside the range of pixel centres is moved onto the nearest centre; farther out is an
	 * error), no handle on its own target, no two handles on one pixel, a movable area of the image's size with at
	 * least one pixel and at least one handle inside. Other handles or targets outside the movable area are allowed
	 * and noted. Errors are
	 * IllegalArgumentExceptions with a sentence for the user.
	 */
	public static DragInput of(final List<Point> handles, final List<Point> targets, final boolean[] movable,
		final int width, final int height)
	{
		if (width < 1 || height < 1) throw new IllegalArgumentException("Invalid image size " + width + " x " + height);
		if (handles.isEmpty()) throw new IllegalArgumentException("There are no handle points: give handle, target, " +
			"handle, target...");
		if (handles.size() != targets.size()) throw new IllegalArgumentException(handles.size() + " handles but " +
			targets.size() + " targets: every handle needs a target.");
		if (movable != null && movable.length != width * height) throw new IllegalArgumentException("The movable " +
			"area has " + movable.length + " pixels; the image has " + width + " x " + height + ".");
		if (movable != null && count(movable) == 0) throw new IllegalArgumentException("Nothing could move: the " +
			"movable area is empty (it covers no pixel of the " + width + " x " + height + " image).");
		final List<Point> hs = new ArrayList<>(), ts = new ArrayList<>();
		final List<String> notes = new ArrayList<>();
		for (int k = 0; k < handles.size(); k++) {
			final Point h = inside(handles.get(k), "handle " + (k + 1), width, height);
			final Point t = inside(targets.get(k), "target " + (k + 1), width, height);
			if (h.equals(t)) throw new IllegalArgumentException("Handle " + (k + 1) + " and target " + (k + 1) +
				" are both at " + fmt(h) + ": place the target where the handle should go.");
			for (int j = 0; j < hs.size(); j++)
				if (hs.get(j).rounded().equals(h.rounded())) throw new IllegalArgumentException("Handles " + (j + 1) +
					" and " + (k + 1) + " are both on the pixel " + fmt(h.rounded()) + ": one pixel cannot go two " +
					"ways. Remove one of them.");
			hs.add(h);
			ts.add(t);
			if (movable != null) {
				if (!movable[index(h, width)]) notes.add("handle " + (k + 1) + " at " + fmt(h) +
					" is outside the movable area");
				if (!movable[index(t, width)]) notes.add("target " + (k + 1) + " at " + fmt(t) +
					" is outside the movable area");
			}
		}
		if (movable != null && hs.stream().noneMatch(h -> movable[index(h, width)])) throw new IllegalArgumentException(
			"Every handle is outside the movable area, where the mask holds the image still: nothing could be " +
				"dragged. Put the area ROI around the handles (and where they should go).");
		return new DragInput(hs, ts, movable, width, height, notes);
	}

	/**
	 * The same drag with a movable area around each handle-to-target segment: every pixel within {@code radius} of a
	 * segment may move (a capsule per handle), nothing else. Used for real images, where every pixel outside the edit
	 * is data, when the user drew no area.
	 */
	public DragInput aroundSegments(final double radius) {
		if (!(radius >= 1)) throw new IllegalArgumentException("The region radius must be at least 1 pixel, not " +
			radius + ".");
		final boolean[] m = new boolean[width * height];
		for (int k = 0; k < handles.size(); k++) {
			final Point a = handles.get(k), b = targets.get(k);
			final int x0 = (int) Math.max(0, Math.floor(Math.min(a.x(), b.x()) - radius)), x1 = (int) Math.min(width - 1,
				Math.ceil(Math.max(a.x(), b.x()) + radius));
			final int y0 = (int) Math.max(0, Math.floor(Math.min(a.y(), b.y()) - radius)), y1 = (int) Math.min(height - 1,
				Math.ceil(Math.max(a.y(), b.y()) + radius));
			for (int y = y0; y <= y1; y++)
				for (int x = x0; x <= x1; x++)
					if (segmentDistance(x, y, a, b) <= radius) m[y * width + x] = true;
		}
		return of(handles, targets, m, width, height);
	}

	private static double segmentDistance(final double x, final double y, final Point a, final Point b) {
		final double dx = b.x() - a.x(), dy = b.y() - a.y(), len2 = dx * dx + dy * dy;
		final double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x()) * dx + (y - a.y()) * dy) / len2));
		return Math.hypot(x - (a.x() + t * dx), y - (a.y() + t * dy));
	}

	/** The point, moved onto the nearest pixel centre if less than half a pixel outside; otherwise an error. */
	private static Point inside(final Point p, final String what, final int width, final int height) {
		if (!(p.x() >= -0.5 && p.y() >= -0.5 && p.x() < width - 0.5 && p.y() < height - 0.5))
			throw new IllegalArgumentException("The " + what + " at " + fmt(p) + " is outside the " + width + " x " +
				height + " image.");
		return new Point(Math.min(Math.max(p.x(), 0), width - 1), Math.min(Math.max(p.y(), 0), height - 1));
	}

	private static int index(final Point p, final int width) {
		final Point r = p.rounded();
		return (int) r.y() * width + (int) r.x();
	}

	/** E.g. {@code (10, 20.5)}: up to 3 decimals, no trailing zeros. */
	public static String fmt(final Point p) {
		return "(" + fmt(p.x()) + ", " + fmt(p.y()) + ")";
	}

	private static String fmt(final double v) {
		if (!Double.isFinite(v)) return String.valueOf(v);
		final String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
		return s.equals("-0") ? "0" : s;
	}

	/** The number of true values of a mask (0 for null). */
	public static int count(final boolean[] mask) {
		int n = 0;
		if (mask != null) for (final boolean b : mask)
			if (b) n++;
		return n;
	}
}
