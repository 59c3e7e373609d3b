package io.github.dragganfiji.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The default accuracy suite: drags with 1, 2 and 5 handles, with and without a movable mask, on images
 * generated from fixed seeds. Handles sit on bright structure (the brightest pixel of a blurred random window:
 * on a nucleus for the microscopy models), targets 1/32 to 1/10 of the image side away in a random direction.
 */
public final class EvalSuite {

	private EvalSuite() {}

	/**
	 * One drag of the suite, before the image is known.
	 *
	 * @param seed image seed (see model.Latents)
	 * @param handles number of handles
	 * @param masked whether a movable mask (the handles' and targets' box, grown by 1/8 of the side) is used
	 * @param layoutSeed seed of the handle windows and offsets
	 */
	public record Spec(long seed, int handles, boolean masked, long layoutSeed) {}

	/**
	 * A drag of the suite laid out on its image.
	 *
	 * @param spec what it came from
	 * @param input handles, targets and mask (or none)
	 */
	public record Case(Spec spec, DragInput input) {}

	/** {@code count} specs cycling through 1, 2, 5 handles, each without and with a mask. */
	public static List<Spec> defaults(final int count) {
		final List<Spec> out = new ArrayList<>();
		final int[] handles = { 1, 2, 5 };
		for (int i = 0; i < count; i++)
			out.add(new Spec(1000 + i, handles[i % 3], (i / 3) % 2 == 1, 7000 + i));
		return out;
	}

	/** Places a spec's handles on a single-channel image (row-major, size x size). */
	public static Case layout(final Spec spec, final float[] gray, final int size) {
		final Random r = new Random(spec.layoutSeed());
		final float[] blur = boxBlur(gray, size, Math.max(1, size / 64));
		final int win = Math.max(4, size / 4), lo = size / 8, hi = size - size / 8 - win;
		final int minSep = Math.max(3, size / 16);
		final List<Point> handles = new ArrayList<>(), targets = new ArrayList<>();
		for (int tries = 0; handles.size() < spec.handles() && tries < 1000; tries++) {
			final int x0 = lo + r.nextInt(Math.max(1, hi - lo)), y0 = lo + r.nextInt(Math.max(1, hi - lo));
			int bx = x0, by = y0;
			for (int y = y0; y < y0 + win; y++)
				for (int x = x0; x < x0 + win; x++)
					if (blur[y * size + x] > blur[by * size + bx]) {
						bx = x;
						by = y;
					}
			final Point h = new Point(bx, by);
			if (handles.stream().anyMatch(p -> p.distance(h) < minSep)) continue;
			final double angle = r.nextDouble() * 2 * Math.PI;
			final double len = size / 32.0 + r.nextDouble() * (size / 10.0 - size / 32.0);
			final Point t = new Point(clamp(Math.rint(bx + len * Math.cos(angle)), size), clamp(Math.rint(by + len *
				Math.sin(angle)), size));
			if (t.distance(h) < 2) continue;
			handles.add(h);
			targets.add(t);
		}
		boolean[] movable = null;
		if (spec.masked()) {
			final int grow = size / 8;
			double x0 = size, y0 = size, x1 = 0, y1 = 0;
			for (final List<Point> ps : List.of(handles, targets))
				for (final Point p : ps) {
					x0 = Math.min(x0, p.x());
					y0 = Math.min(y0, p.y());
					x1 = Math.max(x1, p.x());
					y1 = Math.max(y1, p.y());
				}
			movable = new boolean[size * size];
			for (int y = (int) Math.max(0, y0 - grow); y <= Math.min(size - 1, y1 + grow); y++)
				for (int x = (int) Math.max(0, x0 - grow); x <= Math.min(size - 1, x1 + grow); x++)
					movable[y * size + x] = true;
		}
		return new Case(spec, DragInput.of(handles, targets, movable, size, size));
	}

	private static double clamp(final double v, final int size) {
		return Math.max(2, Math.min(size - 3, v));
	}

	private static float[] boxBlur(final float[] img, final int size, final int r) {
		final float[] out = new float[img.length];
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++) {
				double s = 0;
				int n = 0;
				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++) {
						final int yy = y + dy, xx = x + dx;
						if (yy < 0 || xx < 0 || yy >= size || xx >= size) continue;
						s += img[yy * size + xx];
						n++;
					}
				out[y * size + x] = (float) (s / n);
			}
		return out;
	}
}
