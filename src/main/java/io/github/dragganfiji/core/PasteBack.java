package io.github.dragganfiji.core;

/**
 * Paste-back for real images: the result is the original outside the movable area, bit for bit, and the edited
 * generator output inside it, blended over a feathered border. Weights are 0 on every pixel outside the area (so
 * those pixels are copied, not computed) and rise to 1 over the first {@code feather} pixels inside it. The
 * seamless variant first adds a smooth correction that makes the edited output meet the original at the area's
 * edge ({@link #seamCorrection}).
 */
public final class PasteBack {

	/** Default width of the blended border, pixels. */
	public static final int FEATHER = 3;

	private PasteBack() {}

	/**
	 * Blend weights [width * height]: 0 outside the movable area, min(1, d / (feather + 1)) inside, where d is the
	 * chessboard distance (in pixels) to the nearest pixel outside it; null mask = everything movable (all 1).
	 */
	public static float[] weights(final boolean[] movable, final int width, final int height, final int feather) {
		final float[] w = new float[width * height];
		if (movable == null) {
			java.util.Arrays.fill(w, 1);
			return w;
		}
		// Two-pass chessboard distance to the nearest fixed pixel; the image border does not count as fixed.
		final int far = width + height;
		final int[] d = new int[w.length];
		for (int i = 0; i < d.length; i++)
			d[i] = movable[i] ? far : 0;
		for (int y = 0; y < height; y++)
			for (int x = 0; x < width; x++) {
				final int i = y * width + x;
				if (d[i] == 0) continue;
				if (x > 0) d[i] = Math.min(d[i], d[i - 1] + 1);
				if (y > 0) {
					d[i] = Math.min(d[i], d[i - width] + 1);
					if (x > 0) d[i] = Math.min(d[i], d[i - width - 1] + 1);
					if (x < width - 1) d[i] = Math.min(d[i], d[i - width + 1] + 1);
				}
			}
		for (int y = height - 1; y >= 0; y--)
			for (int x = width - 1; x >= 0; x--) {
				final int i = y * width + x;
				if (d[i] == 0) continue;
				if (x < width - 1) d[i] = Math.min(d[i], d[i + 1] + 1);
				if (y < height - 1) {
					d[i] = Math.min(d[i], d[i + width] + 1);
					if (x < width - 1) d[i] = Math.min(d[i], d[i + width + 1] + 1);
					if (x > 0) d[i] = Math.min(d[i], d[i + width - 1] + 1);
				}
			}
		for (int i = 0; i < w.length; i++)
			w[i] = d[i] == 0 ? 0 : (float) Math.min(1, d[i] / (feather + 1.0));
		return w;
	}

	/** {@link #seamCorrection} stops when no pixel changed by more than this share of the planes' value range. */
	static final double TOLERANCE = 1e-4;
	/** {@link #seamCorrection} stops after this many sweeps at most. */
	static final int MAX_SWEEPS = 200;

	/**
	 * The seam correction of a paste-back: a smooth plane c over the movable area (weight above 0), harmonic (each
	 * pixel the mean of its four neighbours in the image) and equal to base - edited on the fixed pixels that border
	 * the area, 0 elsewhere. {@code edited + c} meets the original at the area's edge without a step while keeping
	 * every detail of the edited image inside it: Poisson image editing (Pérez, Gangnet and Blake 2003) with the
	 * edited image's own gradients as the guidance field. A free drag changes the generator's output everywhere, and
	 * without the correction its drift shows as a seam along the area's edge. Areas that touch no fixed pixel get 0.
	 *
	 * @param w paste-back weights ({@link #weights})
	 * @param start a first guess (the previous step's correction: consecutive steps differ little), or null for 0
	 * @return c, [width * height]
	 */
	public static float[] seamCorrection(final float[] base, final float[] edited, final float[] w, final int width,
		final int height, final float[] start)
	{
		final int n = width * height;
		int unknowns = 0;
		float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
		for (int i = 0; i < n; i++) {
			if (w[i] > 0) unknowns++;
			lo = Math.min(lo, Math.min(base[i], edited[i]));
			hi = Math.max(hi, Math.max(base[i], edited[i]));
		}
		final float[] v = new float[n];
		if (unknowns == 0 || unknowns == n) return v;
		// v holds the correction on the area and base - edited on the fixed pixels around it (the boundary values),
		// so that a sweep reads every neighbour from one array. Each unknown: its index, which neighbours the image
		// has (1 left, 2 right, 4 up, 8 down; an image border has no condition, Neumann), how many.
		final int[] index = new int[unknowns];
		final byte[] sides = new byte[unknowns];
		int u = 0, x0 = width, x1 = -1, y0 = height, y1 = -1, edge = 0;
		double edgeSum = 0;
		for (int y = 0; y < height; y++)
			for (int x = 0; x < width; x++) {
				final int i = y * width + x;
				if (w[i] <= 0) continue;
				int b = 0;
				if (x > 0) b |= 1;
				if (x < width - 1) b |= 2;
				if (y > 0) b |= 4;
				if (y < height - 1) b |= 8;
				for (final int j : new int[] { (b & 1) != 0 ? i - 1 : -1, (b & 2) != 0 ? i + 1 : -1, (b & 4) != 0 ? i - width
					: -1, (b & 8) != 0 ? i + width : -1 })
					if (j >= 0 && w[j] <= 0) {
						v[j] = base[j] - edited[j];
						edgeSum += v[j];
						edge++;
					}
				x0 = Math.min(x0, x);
				x1 = Math.max(x1, x);
				y0 = Math.min(y0, y);
				y1 = Math.max(y1, y);
				index[u] = i;
				sides[u] = (byte) b;
				u++;
			}
		if (edge == 0) return v; // no fixed pixel around the area: no condition, no correction (v is all 0 here)
		// The first guess: the last step's correction, else the mean of the boundary values (a drift is mostly an
		// offset, and that part is then right from the first sweep).
		final float mean = (float) (edgeSum / edge);
		for (u = 0; u < unknowns; u++)
			v[index[u]] = start != null && start.length == n ? start[index[u]] : mean;
		final double tol = TOLERANCE * Math.max(hi - lo, 1e-6);
		// Successive over-relaxation with the factor that is optimal for Laplace's equation on a square of the
		// area's bounding box (Young). Large areas stop at MAX_SWEEPS: the correction is then exact near the edge,
		// where a seam would show, and close to the first guess deep inside.
		final float sor = (float) (2 / (1 + Math.sin(Math.PI / (Math.max(x1 - x0, y1 - y0) + 2))));
		for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
			float most = 0;
			for (u = 0; u < unknowns; u++) {
				final int i = index[u], b = sides[u];
				final float mean4;
				if (b == 15) mean4 = 0.25f * (v[i - 1] + v[i + 1] + v[i - width] + v[i + width]);
				else {
					float sum = 0;
					int k = 0;
					if ((b & 1) != 0) { sum += v[i - 1]; k++; }
					if ((b & 2) != 0) { sum += v[i + 1]; k++; }
					if ((b & 4) != 0) { sum += v[i - width]; k++; }
					if ((b & 8) != 0) { sum += v[i + width]; k++; }
					mean4 = sum / k;
				}
				final float step = sor * (mean4 - v[i]);
				v[i] += step;
				if (step > most) most = step;
				else if (-step > most) most = -step;
			}
			if (most < tol) break;
		}
		final float[] out = new float[n];
		for (u = 0; u < unknowns; u++)
			out[index[u]] = v[index[u]];
		return out;
	}

	/**
	 * The seamless paste-back: {@link #blend} of base and edited + {@link #seamCorrection}; where w is 0 the base
	 * value is copied unchanged. Returns the correction (the next step's first guess).
	 */
	public static float[] blendSeamless(final float[] base, final float[] edited, final float[] w, final int width,
		final int height, final float[] start, final float[] out)
	{
		final float[] c = seamCorrection(base, edited, w, width, height, start);
		final float[] corrected = new float[edited.length];
		for (int i = 0; i < corrected.length; i++)
			corrected[i] = edited[i] + c[i];
		blend(base, corrected, w, out);
		return c;
	}

	/**
	 * base + w (edited - base) per pixel, written into {@code out}; where w is 0 the base value is copied unchanged.
	 * The arrays hold one plane of the same size.
	 */
	public static void blend(final float[] base, final float[] edited, final float[] w, final float[] out) {
		for (int i = 0; i < base.length; i++)
			out[i] = w[i] == 0 ? base[i] : w[i] == 1 ? edited[i] : base[i] + w[i] * (edited[i] - base[i]);
	}
}
