package io.github.dragganfiji.core;

/**
 * Finds where a patch of one image went in another by normalized cross-correlation: the accuracy measure of the
 * eval harness, independent of the GAN's features. Images are single-channel, row-major, size x size.
 */
public final class TemplateMatcher {

	private TemplateMatcher() {}

	/**
	 * The centre in {@code after} within {@code searchRadius} (square) of {@code near} whose patch best matches
	 * the patch of {@code before} around {@code from} (half-width {@code patchRadius}, shrunk to fit the image).
	 *
	 * @return {x, y, ncc}
	 */
	public static double[] match(final float[] before, final float[] after, final int size, final int fromX,
		final int fromY, final int nearX, final int nearY, final int patchRadius, final int searchRadius)
	{
		return match(before, after, size, fromX, fromY, nearX - searchRadius, nearY - searchRadius, nearX +
			searchRadius, nearY + searchRadius, nearX, nearY, patchRadius);
	}

	/**
	 * The centre in {@code after} within the window [x0, x1] x [y0, y1] whose patch best matches the patch of
	 * {@code before} around {@code from} (half-width {@code patchRadius}, shrunk to fit the image); of equal matches,
	 * the one nearest {@code (prefX, prefY)}. A point on the image's edge has no 3 x 3 patch around it: its patch is
	 * the one beside it, inside the image, and what is found is moved back by the same offset.
	 *
	 * @return {x, y, ncc}
	 */
	public static double[] match(final float[] before, final float[] after, final int size, final int fromX,
		final int fromY, final int x0, final int y0, final int x1, final int y1, final int prefX, final int prefY,
		final int patchRadius)
	{
		final int r = Math.max(1, Math.min(patchRadius, Math.min(Math.min(fromX, fromY), Math.min(size - 1 - fromX,
			size - 1 - fromY))));
		// The patch's centre, and the offset from it to the point (0 unless the point is on the edge).
		final int px = Math.max(r, Math.min(size - 1 - r, fromX)), py = Math.max(r, Math.min(size - 1 - r, fromY));
		final int ox = fromX - px, oy = fromY - py;
		final int n = (2 * r + 1) * (2 * r + 1);
		final double[] tpl = new double[n];
		int k = 0;
		double mean = 0;
		for (int dy = -r; dy <= r; dy++)
			for (int dx = -r; dx <= r; dx++)
				mean += tpl[k++] = before[(py + dy) * size + px + dx];
		mean /= n;
		double norm = 0;
		for (int i = 0; i < n; i++) {
			tpl[i] -= mean;
			norm += tpl[i] * tpl[i];
		}
		double best = Double.NEGATIVE_INFINITY;
		int bx = prefX, by = prefY;
		for (int cy = Math.max(r, y0 - oy); cy <= Math.min(size - 1 - r, y1 - oy); cy++)
			for (int cx = Math.max(r, x0 - ox); cx <= Math.min(size - 1 - r, x1 - ox); cx++) {
				double m = 0;
				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++)
						m += after[(cy + dy) * size + cx + dx];
				m /= n;
				double dot = 0, var = 0;
				k = 0;
				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++) {
						final double v = after[(cy + dy) * size + cx + dx] - m;
						dot += v * tpl[k++];
						var += v * v;
					}
				final double ncc = dot / Math.sqrt(var * norm + 1e-12);
				final int fx = cx + ox, fy = cy + oy;
				// Ties go to the candidate nearest the preferred point.
				if (ncc > best + 1e-12 || Math.abs(ncc - best) <= 1e-12 && Math.hypot(fx - prefX, fy - prefY) < Math
					.hypot(bx - prefX, by - prefY))
				{
					best = ncc;
					bx = fx;
					by = fy;
				}
			}
		return new double[] { bx, by, best };
	}

	/** Mean |after - before| over pixels where {@code movable} is false, divided by the intensity range. */
	public static double leakage(final float[] before, final float[] after, final boolean[] movable,
		final double range)
	{
		double sum = 0;
		int count = 0;
		for (int i = 0; i < before.length; i++)
			if (!movable[i % movable.length]) {
				sum += Math.abs(after[i] - before[i]);
				count++;
			}
		return count == 0 ? 0 : sum / count / range;
	}

	/**
	 * The share of the pixels where {@code movable} is false whose |after - before| is larger than {@code threshold}
	 * of the intensity range (a mask holds when few pixels outside it change visibly).
	 */
	public static double changedOutside(final float[] before, final float[] after, final boolean[] movable,
		final double range, final double threshold)
	{
		int changed = 0, count = 0;
		for (int i = 0; i < before.length; i++)
			if (!movable[i % movable.length]) {
				if (Math.abs(after[i] - before[i]) > threshold * range) changed++;
				count++;
			}
		return count == 0 ? 0 : changed / (double) count;
	}
}
