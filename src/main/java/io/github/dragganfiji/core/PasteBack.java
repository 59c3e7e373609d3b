package io.github.dragganfiji.core;

/**
 * Paste-back for real images: the result is the original outside the movable area, bit for bit, and the edited
 * generator output inside it, blended over a feathered border. Weights are 0 on every pixel outside the area (so
 * those pixels are copied, not computed) and rise to 1 over the first {@code feather} pixels inside it.
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

	/**
	 * base + w (edited - base) per pixel, written into {@code out}; where w is 0 the base value is copied unchanged.
	 * The arrays hold one plane of the same size.
	 */
	public static void blend(final float[] base, final float[] edited, final float[] w, final float[] out) {
		for (int i = 0; i < base.length; i++)
			out[i] = w[i] == 0 ? base[i] : w[i] == 1 ? edited[i] : base[i] + w[i] * (edited[i] - base[i]);
	}
}
