package io.github.dragganfiji.eval;

import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.Point;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The accuracy suites: drags with 1, 2 and 5 handles, with and without a movable mask, on images generated from
 * fixed seeds.
 * <ul>
 * <li>{@link Kind#BRIGHT} (the default, the README's earlier figures): handles on bright structure (the brightest
 * pixel of a blurred random window: on a nucleus for the microscopy models), targets 1/32 to 1/10 of the image side
 * away in a random direction.</li>
 * <li>{@link Kind#OBJECTS}: whole-object moves, as a user drags a nucleus: handles on the centroids of objects
 * found by a threshold (Otsu's, on a lightly blurred image) and connected components, each handle on its own
 * object, targets 6 to 10 px away at 128 px (scaled by resolution) in a random direction.</li>
 * <li>{@link Kind#TUNING} and {@link Kind#HELD_OUT}: the two splits of the users' suite, drags as users place them
 * (handles on object centroids or on an object's edge, 1, 2 or 3 handles on different objects, targets 4 to 12 px
 * away at 128 px in any direction, as near the border as 2 px, with and without a mask), from seed ranges of their
 * own. Parameters are chosen on the tuning split only; the held-out split is reported first and never tuned on.</li>
 * <li>{@link Kind#LONG_TUNING} and {@link Kind#LONG_HELD_OUT}: the same drags with targets 12 to 24 px away at 128 px
 * (a nucleus moved by its own diameter), from seed ranges of their own, split the same way.</li>
 * </ul>
 */
public final class EvalSuite {

	private EvalSuite() {}

	/** Which suite. */
	public enum Kind {
		/** Handles on bright structure, targets 1/32 to 1/10 of the side away (the default suite). */
		BRIGHT,
		/** Handles on object centroids, targets 6 to 10 px away at 128 px. */
		OBJECTS,
		/** The users' suite, the split parameters may be chosen on (seeds 3000 on). */
		TUNING,
		/** The users' suite, the split no parameter is chosen on (seeds 50000 on). */
		HELD_OUT,
		/** Long drags (12 to 24 px at 128 px) as users place them, the split parameters may be chosen on (seeds 5000 on). */
		LONG_TUNING,
		/** Long drags, the split no parameter is chosen on (seeds 90000 on). */
		LONG_HELD_OUT;

		/** The suite of a name: "bright" (or "default"), "objects", "tuning", "held-out", "long-tuning" or "long-held-out". */
		public static Kind parse(final String name) {
			return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
				case "bright", "default" -> BRIGHT;
				case "objects" -> OBJECTS;
				case "tuning" -> TUNING;
				case "held-out", "heldout", "held_out" -> HELD_OUT;
				case "long-tuning", "long_tuning" -> LONG_TUNING;
				case "long-held-out", "long-heldout", "long_held_out" -> LONG_HELD_OUT;
				default -> throw new IllegalArgumentException("Unknown suite '" + name + "': use default, objects, " +
					"tuning, held-out, long-tuning or long-held-out.");
			};
		}

		/** Its name on the command line. */
		public String key() {
			return this == BRIGHT ? "default" : name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

		/** How many drags it has unless told otherwise. */
		public int size() {
			return this == BRIGHT ? 54 : 60;
		}
	}

	/**
	 * One drag of the suite, before the image is known.
	 *
	 * @param seed image seed (see model.Latents)
	 * @param handles number of handles
	 * @param masked whether a movable mask (the handles' and targets' box, grown by 1/8 of the side) is used
	 * @param layoutSeed seed of the handle windows and offsets
	 * @param edge (the users' suite) handles on an object's edge rather than its centroid
	 */
	public record Spec(long seed, int handles, boolean masked, long layoutSeed, boolean edge) {

		/** A spec with handles on centroids (or bright structure). */
		public Spec(final long seed, final int handles, final boolean masked, final long layoutSeed) {
			this(seed, handles, masked, layoutSeed, false);
		}
	}

	/**
	 * A drag of the suite laid out on its image.
	 *
	 * @param spec what it came from
	 * @param input handles, targets and mask (or none)
	 */
	public record Case(Spec spec, DragInput input) {}

	/** {@code count} specs cycling through 1, 2, 5 handles, each without and with a mask. */
	public static List<Spec> defaults(final int count) {
		return specs(count, 1000, 7000);
	}

	/** The specs of a suite: like {@link #defaults}, from seeds of its own. */
	public static List<Spec> specs(final Kind kind, final int count) {
		return switch (kind) {
			case BRIGHT -> defaults(count);
			case OBJECTS -> specs(count, 2000, 8000);
			case TUNING -> users(count, 3000, 9000);
			case HELD_OUT -> users(count, 50_000, 60_000);
			case LONG_TUNING -> users(count, 5000, 11_000);
			case LONG_HELD_OUT -> users(count, 90_000, 95_000);
		};
	}

	/** The users' suite: 1, 2, 3 handles, each without and with a mask, each on centroids and on edges (12 kinds). */
	private static List<Spec> users(final int count, final long seed, final long layoutSeed) {
		final List<Spec> out = new ArrayList<>();
		for (int i = 0; i < count; i++)
			out.add(new Spec(seed + i, 1 + i % 3, (i / 3) % 2 == 1, layoutSeed + i, (i / 6) % 2 == 1));
		return out;
	}

	private static List<Spec> specs(final int count, final long seed, final long layoutSeed) {
		final List<Spec> out = new ArrayList<>();
		final int[] handles = { 1, 2, 5 };
		for (int i = 0; i < count; i++)
			out.add(new Spec(seed + i, handles[i % 3], (i / 3) % 2 == 1, layoutSeed + i));
		return out;
	}

	/** Lays a spec out with the suite's rule; null when the image has too few objects for the objects suite. */
	public static Case layout(final Kind kind, final Spec spec, final float[] gray, final int size) {
		return switch (kind) {
			case BRIGHT -> layout(spec, gray, size);
			case OBJECTS -> layoutObjects(spec, gray, size);
			case TUNING, HELD_OUT -> layoutUsers(spec, gray, size, 4, 8);
			case LONG_TUNING, LONG_HELD_OUT -> layoutUsers(spec, gray, size, 12, 12);
		};
	}

	/**
	 * The users' suite: each handle on its own object (as {@link #layoutObjects} finds them), on its centroid or, for
	 * an edge spec, on the last pixel of the object along a random ray from the centroid; targets 4 to 12 px at 128 px
	 * away in any direction, at least 2 px from the border; null if the image has fewer objects than handles.
	 */
	public static Case layoutUsers(final Spec spec, final float[] gray, final int size) {
		return layoutUsers(spec, gray, size, 4, 8);
	}

	/** As {@link #layoutUsers(Spec, float[], int)}, targets {@code minLen} to {@code minLen + spanLen} px at 128 px away. */
	static Case layoutUsers(final Spec spec, final float[] gray, final int size, final double minLen,
		final double spanLen)
	{
		final Random r = new Random(spec.layoutSeed());
		final Objects found = find(gray, size);
		final List<Point> centroids = new ArrayList<>(found.centroids());
		if (centroids.size() < spec.handles()) return null;
		java.util.Collections.shuffle(centroids, r);
		return onObjects(spec, centroids, r, size, minLen, spanLen, 2, c -> spec.edge() ? found.edge(c, r.nextDouble() *
			2 * Math.PI) : c);
	}

	/**
	 * Places a spec's handles on the centroids of distinct objects (Otsu threshold of a lightly blurred image, 8-connected
	 * components of at least (size/32)^2 pixels whose centroid lies at least 1/16 of the side from the border), targets
	 * 6 to 10 px at 128 px away; null if the image has fewer such objects than handles.
	 */
	public static Case layoutObjects(final Spec spec, final float[] gray, final int size) {
		final Random r = new Random(spec.layoutSeed());
		final List<Point> centroids = objects(gray, size);
		if (centroids.size() < spec.handles()) return null;
		java.util.Collections.shuffle(centroids, r);
		return onObjects(spec, centroids, r, size, 6, 4, Math.max(2, size / 32), c -> c);
	}

	/**
	 * One handle per object, in the shuffled order, where {@code handleOf} puts it; each target {@code minLen} to
	 * {@code minLen + spanLen} px at 128 px away in a random direction, at least {@code margin} px from the border and
	 * 2 px from the other targets (20 tries per object); null if fewer handles than the spec's could be placed.
	 */
	private static Case onObjects(final Spec spec, final List<Point> centroids, final Random r, final int size,
		final double minLen, final double spanLen, final int margin, final java.util.function.UnaryOperator<Point> handleOf)
	{
		final double scale = size / 128.0;
		final List<Point> handles = new ArrayList<>(), targets = new ArrayList<>();
		for (final Point c : centroids) {
			if (handles.size() == spec.handles()) break;
			final Point h = handleOf.apply(c);
			for (int tries = 0; tries < 20; tries++) {
				final double angle = r.nextDouble() * 2 * Math.PI, len = (minLen + spanLen * r.nextDouble()) * scale;
				final Point t = new Point(Math.rint(h.x() + len * Math.cos(angle)), Math.rint(h.y() + len * Math.sin(
					angle)));
				if (t.x() < margin || t.y() < margin || t.x() > size - 1 - margin || t.y() > size - 1 - margin) continue;
				if (t.distance(h) < 2 || targets.stream().anyMatch(o -> o.distance(t) < 2)) continue;
				handles.add(h);
				targets.add(t);
				break;
			}
		}
		if (handles.size() < spec.handles()) return null;
		return new Case(spec, DragInput.of(handles, targets, spec.masked() ? box(handles, targets, size) : null, size,
			size));
	}

	/** Centroids (rounded) of the objects of a single-channel image: see {@link #layoutObjects}. */
	public static List<Point> objects(final float[] gray, final int size) {
		return find(gray, size).centroids();
	}

	/** The objects found in an image: their centroids and the pixels above the threshold. */
	private record Objects(List<Point> centroids, boolean[] inside, int size) {

		/** The last pixel inside the object along a ray from its centroid. */
		Point edge(final Point c, final double angle) {
			Point last = c;
			for (double t = 1; t < size; t += 0.5) {
				final int x = (int) Math.rint(c.x() + t * Math.cos(angle)), y = (int) Math.rint(c.y() + t * Math.sin(angle));
				if (x < 0 || y < 0 || x >= size || y >= size || !inside[y * size + x]) break;
				last = new Point(x, y);
			}
			return last;
		}
	}

	private static Objects find(final float[] gray, final int size) {
		final float[] blur = boxBlur(gray, size, Math.max(1, size / 128));
		final double level = otsu(blur);
		final boolean[] inside = new boolean[size * size];
		for (int i = 0; i < inside.length; i++)
			inside[i] = blur[i] > level;
		final int border = size / 16;
		final List<Point> out = new ArrayList<>();
		for (final int[] component : components(blur, size, level)) {
			double sx = 0, sy = 0;
			for (final int j : component) {
				sx += j % size;
				sy += j / size;
			}
			final Point c = new Point(Math.rint(sx / component.length), Math.rint(sy / component.length));
			if (c.x() >= border && c.y() >= border && c.x() < size - border && c.y() < size - border) out.add(c);
		}
		return new Objects(out, inside, size);
	}

	/**
	 * The pixels of each 8-connected component above {@code level} with at least (size/32)^2 of them (4 at the
	 * least), in the order a depth-first fill from its first pixel in row-major order visits them.
	 */
	static List<int[]> components(final float[] img, final int size, final double level) {
		final int minArea = Math.max(4, (size / 32) * (size / 32));
		final boolean[] seen = new boolean[img.length];
		final int[] stack = new int[img.length], pixels = new int[img.length];
		final List<int[]> out = new ArrayList<>();
		for (int i = 0; i < img.length; i++) {
			if (seen[i] || !(img[i] > level)) continue;
			int top = 0, area = 0;
			stack[top++] = i;
			seen[i] = true;
			while (top > 0) {
				final int j = stack[--top], x = j % size, y = j / size;
				pixels[area++] = j;
				for (int dy = -1; dy <= 1; dy++)
					for (int dx = -1; dx <= 1; dx++) {
						final int xx = x + dx, yy = y + dy;
						if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
						final int k = yy * size + xx;
						if (!seen[k] && img[k] > level) {
							seen[k] = true;
							stack[top++] = k;
						}
					}
			}
			if (area >= minArea) out.add(java.util.Arrays.copyOf(pixels, area));
		}
		return out;
	}

	/** Otsu's threshold over 256 bins between the image's minimum and maximum. */
	static double otsu(final float[] img) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (final float v : img) {
			lo = Math.min(lo, v);
			hi = Math.max(hi, v);
		}
		if (!(hi > lo)) return hi;
		final int bins = 256;
		final long[] hist = new long[bins];
		for (final float v : img)
			hist[(int) Math.min(bins - 1, (v - lo) / (hi - lo) * bins)]++;
		double total = 0;
		for (int b = 0; b < bins; b++)
			total += b * (double) hist[b];
		double sumB = 0, wB = 0, best = -1;
		int at = 0;
		for (int b = 0; b < bins; b++) {
			wB += hist[b];
			if (wB == 0) continue;
			final double wF = img.length - wB;
			if (wF == 0) break;
			sumB += b * (double) hist[b];
			final double mB = sumB / wB, mF = (total - sumB) / wF, between = wB * wF * (mB - mF) * (mB - mF);
			if (between > best) {
				best = between;
				at = b;
			}
		}
		return lo + (at + 1) * (hi - lo) / bins;
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
		return new Case(spec, DragInput.of(handles, targets, spec.masked() ? box(handles, targets, size) : null, size,
			size));
	}

	/** The movable mask of a masked drag: the handles' and targets' bounding box, grown by 1/8 of the side. */
	private static boolean[] box(final List<Point> handles, final List<Point> targets, final int size) {
		final int grow = size / 8;
		double x0 = size, y0 = size, x1 = 0, y1 = 0;
		for (final List<Point> ps : List.of(handles, targets))
			for (final Point p : ps) {
				x0 = Math.min(x0, p.x());
				y0 = Math.min(y0, p.y());
				x1 = Math.max(x1, p.x());
				y1 = Math.max(y1, p.y());
			}
		final boolean[] movable = new boolean[size * size];
		for (int y = (int) Math.max(0, y0 - grow); y <= Math.min(size - 1, y1 + grow); y++)
			for (int x = (int) Math.max(0, x0 - grow); x <= Math.min(size - 1, x1 + grow); x++)
				movable[y * size + x] = true;
		return movable;
	}

	private static double clamp(final double v, final int size) {
		return Math.max(2, Math.min(size - 3, v));
	}

	static float[] boxBlur(final float[] img, final int size, final int r) {
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
