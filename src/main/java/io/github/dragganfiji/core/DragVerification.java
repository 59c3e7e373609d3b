package io.github.dragganfiji.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the dragged content really went, measured in image space and not by the GAN's features: the patch around
 * each handle in the drag's first image is located in its last image by normalized cross-correlation
 * ({@link TemplateMatcher}), searched over a window that holds both the handle's start and its target. The engine's
 * own tracker can report a handle as arrived while the content stayed behind; this is the measure to trust. Used by
 * the Results table, the command line and the eval harness alike.
 */
public final class DragVerification {

	private DragVerification() {}

	/**
	 * One handle, verified.
	 *
	 * @param found where the start patch was found in the last image
	 * @param distance from there to the target, pixels
	 * @param startDistance from the handle's start to the target, pixels
	 * @param score the match's normalized cross-correlation (1 = the same pattern)
	 */
	public record Handle(Point found, double distance, double startDistance, double score) {

		/** Whether the content ended farther from its target than it started. */
		public boolean fartherThanStart() {
			return distance > startDistance + 1e-9;
		}
	}

	/**
	 * A drag, verified.
	 *
	 * @param handles per handle, in order
	 * @param tolerance a handle counts as arrived within this many pixels (the stop distance + 1 px)
	 */
	public record Result(List<Handle> handles, double tolerance) {

		public Result {
			handles = List.copyOf(handles);
		}

		/** Whether every handle's content is within the tolerance of its target. */
		public boolean arrived() {
			return handles.stream().allMatch(this::arrived);
		}

		/** Whether this handle's content is within the tolerance of its target. */
		public boolean arrived(final Handle h) {
			return h.distance() <= tolerance;
		}

		/** Mean verified distance. */
		public double meanDistance() {
			return handles.stream().mapToDouble(Handle::distance).average().orElse(0);
		}

		/** One sentence for the user: arrived, or how far the content is and why the tracker may disagree. */
		public String describe() {
			final long in = handles.stream().filter(this::arrived).count();
			final double worst = handles.stream().mapToDouble(Handle::distance).max().orElse(0);
			if (in == handles.size()) return String.format(Locale.ROOT, "arrived: the content of every handle is " +
				"within %.0f px of its target (verified in the image, worst %.1f px)", tolerance, worst);
			final long back = handles.stream().filter(Handle::fartherThanStart).count();
			return String.format(Locale.ROOT, "not arrived: %d of %d handles' content is more than %.0f px from its " +
				"target (verified in the image, worst %.1f px%s)", handles.size() - in, handles.size(), tolerance,
				worst, back == 0 ? "" : "; " + back + " ended farther than it started");
		}
	}

	/** The patch half-width for an image of this side: 1/32 of it, at least 3 px. */
	public static int patchRadius(final int res) {
		return Math.max(3, res / 32);
	}

	/** The search margin around the start-target box: 1/16 of the side, at least the paper's r2. */
	public static int searchMargin(final int res) {
		return Math.max(DragConfig.scaled(12, res), res / 16);
	}

	/**
	 * Verifies a drag.
	 *
	 * @param first the drag's first image [channels * res * res], any units (NCC ignores offset and scale)
	 * @param last its last image, the same layout
	 * @param res the image side
	 * @param handles the handles where the drag started
	 * @param targets their targets
	 * @param stopDistance the drag's stop distance; arrival is verified within it + 1 px
	 */
	public static Result verify(final float[] first, final float[] last, final int res, final List<Point> handles,
		final List<Point> targets, final double stopDistance)
	{
		final float[] g0 = gray(first, res), g1 = gray(last, res);
		final List<Handle> out = new ArrayList<>();
		for (int i = 0; i < handles.size(); i++)
			out.add(locate(g0, g1, res, handles.get(i).rounded(), targets.get(i)));
		return new Result(out, stopDistance + 1);
	}

	/** Where the patch around {@code from} in {@code before} is in {@code after}, relative to {@code target}. */
	static Handle locate(final float[] before, final float[] after, final int res, final Point from,
		final Point target)
	{
		final int margin = searchMargin(res);
		final int x0 = clamp(Math.min(from.x(), target.x()) - margin, res), x1 = clamp(Math.max(from.x(), target
			.x()) + margin, res);
		final int y0 = clamp(Math.min(from.y(), target.y()) - margin, res), y1 = clamp(Math.max(from.y(), target
			.y()) + margin, res);
		final Point t = target.rounded();
		final double[] hit = TemplateMatcher.match(before, after, res, (int) from.x(), (int) from.y(), x0, y0, x1, y1,
			(int) t.x(), (int) t.y(), patchRadius(res));
		final Point found = new Point(hit[0], hit[1]);
		return new Handle(found, found.distance(target), from.distance(target), hit[2]);
	}

	private static int clamp(final double v, final int res) {
		return (int) Math.max(0, Math.min(res - 1, Math.round(v)));
	}

	/** Channel mean of a [C, res, res] image. */
	public static float[] gray(final float[] img, final int res) {
		final int plane = res * res, c = img.length / plane;
		final float[] out = Arrays.copyOf(img, plane);
		for (int k = 1; k < c; k++)
			for (int i = 0; i < plane; i++)
				out[i] += img[k * plane + i];
		if (c > 1) for (int i = 0; i < plane; i++)
			out[i] /= c;
		return out;
	}
}
