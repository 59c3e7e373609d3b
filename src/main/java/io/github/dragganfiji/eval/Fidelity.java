package io.github.dragganfiji.eval;

import io.github.dragganfiji.core.Point;

import java.util.Arrays;
import java.util.List;

/**
 * What a drag did to the content it was not asked to move (issue #34 item 5), measured on single-channel images
 * (the channel mean) outside a band around each handle's path: the pixels within {@link #BAND} px at 128 px
 * (scaled by resolution) of the segment from a handle to its target, which hold the dragged object at its start and
 * at its end.
 * <ul>
 * <li><b>SSIM outside the band</b>: the mean of the SSIM map (Wang et al. 2004: an 11 x 11 Gaussian window with
 * sigma 1.5, K1 = 0.01, K2 = 0.03, over the model's intensity range; the window is cut at the image's border and
 * renormalized) of the start image against the end image, over the pixels outside the band.</li>
 * <li><b>Objects</b>: the 8-connected components, of at least (side/32)^2 pixels, above the start image's Otsu
 * threshold of the lightly blurred image ({@link EvalSuite#components}, anywhere in the image), counted in the start
 * and in the end image with the same threshold; and of those that lie wholly outside the band, the ones <b>lost</b>
 * (a start object of which less than half the pixels are still above the threshold in the end image) and the ones
 * <b>new</b> (an end object of which less than half the pixels were above it in the start image). The counts
 * react to any object near the threshold; lost and new say whether an object the drag was not asked to move
 * vanished or appeared.</li>
 * <li><b>Intensity mass outside the band</b>: the sum over those pixels of what lies above the start image's median
 * (its background), end over start: 1 when nothing faded or brightened.</li>
 * </ul>
 */
public final class Fidelity {

	private Fidelity() {}

	/** The band's half-width around each handle's path at 128 px, in pixels. */
	public static final double BAND = 12;

	/**
	 * What a drag did outside its band.
	 *
	 * @param ssimOutside mean SSIM start → end over the pixels outside the band (NaN if the band covers the image)
	 * @param objectsStart objects in the start image
	 * @param objectsEnd objects in the end image, at the start's threshold
	 * @param massRatio intensity mass outside the band above the start's background, end / start
	 * @param objectsLost objects wholly outside the band in the start image that the end image lost
	 * @param objectsNew objects wholly outside the band in the end image that the start image did not have
	 */
	public record Result(double ssimOutside, int objectsStart, int objectsEnd, double massRatio, int objectsLost,
		int objectsNew)
	{}

	/** The pixels within the band of any handle's path (row-major, size x size). */
	public static boolean[] band(final List<Point> handles, final List<Point> targets, final int size) {
		final double w = BAND * size / 128.0;
		final boolean[] in = new boolean[size * size];
		for (int h = 0; h < handles.size(); h++) {
			final Point a = handles.get(h), b = targets.get(h);
			final double dx = b.x() - a.x(), dy = b.y() - a.y(), len2 = dx * dx + dy * dy;
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++) {
					final double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((x - a.x()) * dx + (y - a.y()) * dy) / len2));
					final double ex = x - (a.x() + t * dx), ey = y - (a.y() + t * dy);
					if (ex * ex + ey * ey <= w * w) in[y * size + x] = true;
				}
		}
		return in;
	}

	/**
	 * Measures a drag from its start and end image (single-channel, row-major, size x size, in the model's units).
	 *
	 * @param range the model's intensity range (outputMax - outputMin)
	 */
	public static Result measure(final float[] start, final float[] end, final List<Point> handles,
		final List<Point> targets, final int size, final double range)
	{
		return new Reference(start, handles, targets, size, range).against(end);
	}

	/**
	 * A drag's start image with what every measure of an end image needs of it (its band, its objects, its threshold
	 * and background, its mass): one drag's raw image and its composite are measured against one reference.
	 */
	public static final class Reference {

		private final float[] start, blurred;
		private final boolean[] band;
		private final int size;
		private final double range, level, background, mass;
		private final List<int[]> objects;

		/** The start image (single-channel, row-major, size x size), the drag's paths, the model's intensity range. */
		public Reference(final float[] start, final List<Point> handles, final List<Point> targets, final int size,
			final double range)
		{
			this.start = start;
			this.size = size;
			this.range = range;
			band = band(handles, targets, size);
			blurred = blur(start);
			level = EvalSuite.otsu(blurred);
			objects = EvalSuite.components(blurred, size, level);
			final float[] sorted = start.clone();
			Arrays.sort(sorted);
			background = sorted[sorted.length / 2];
			mass = mass(start);
		}

		/** What the drag did outside the band, from its end image. */
		public Result against(final float[] end) {
			final double[] map = ssimMap(start, end, size, range);
			double s = 0;
			int n = 0;
			for (int i = 0; i < map.length; i++)
				if (!band[i]) {
					s += map[i];
					n++;
				}
			final float[] blurEnd = blur(end);
			final List<int[]> endObjects = EvalSuite.components(blurEnd, size, level);
			final double massEnd = mass(end);
			return new Result(n == 0 ? Double.NaN : s / n, objects.size(), endObjects.size(), mass > 0 ? massEnd / mass
				: Double.NaN, unmatched(objects, blurEnd), unmatched(endObjects, blurred));
		}

		private float[] blur(final float[] img) {
			return EvalSuite.boxBlur(img, size, Math.max(1, size / 128));
		}

		/** The sum outside the band of what lies above the start's background. */
		private double mass(final float[] img) {
			double m = 0;
			for (int i = 0; i < img.length; i++)
				if (!band[i]) m += Math.max(0, img[i] - background);
			return m;
		}

		/**
		 * Of {@code components}, those wholly outside the band of which less than half the pixels are above the level
		 * in {@code other}.
		 */
		private int unmatched(final List<int[]> components, final float[] other) {
			int n = 0;
			for (final int[] c : components) {
				boolean outside = true;
				int kept = 0;
				for (final int i : c) {
					outside &= !band[i];
					kept += other[i] > level ? 1 : 0;
				}
				if (outside && 2 * kept < c.length) n++;
			}
			return n;
		}
	}

	/** The SSIM map of two images (see the class comment). */
	static double[] ssimMap(final float[] a, final float[] b, final int size, final double range) {
		final int r = 5;
		final double[] g = new double[2 * r + 1];
		for (int k = -r; k <= r; k++)
			g[k + r] = Math.exp(-k * k / (2 * 1.5 * 1.5));
		final double c1 = Math.pow(0.01 * range, 2), c2 = Math.pow(0.03 * range, 2);
		final double[] out = new double[size * size];
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++) {
				double w = 0, ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
				for (int dy = -r; dy <= r; dy++) {
					final int yy = y + dy;
					if (yy < 0 || yy >= size) continue;
					for (int dx = -r; dx <= r; dx++) {
						final int xx = x + dx;
						if (xx < 0 || xx >= size) continue;
						final double k = g[dy + r] * g[dx + r], va = a[yy * size + xx], vb = b[yy * size + xx];
						w += k;
						ma += k * va;
						mb += k * vb;
						aa += k * va * va;
						bb += k * vb * vb;
						ab += k * va * vb;
					}
				}
				ma /= w;
				mb /= w;
				final double sa = aa / w - ma * ma, sb = bb / w - mb * mb, sab = ab / w - ma * mb;
				out[y * size + x] = (2 * ma * mb + c1) * (2 * sab + c2) / ((ma * ma + mb * mb + c1) * (sa + sb + c2));
			}
		return out;
	}
}
