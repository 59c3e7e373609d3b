package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Reads a feature map as DragGAN does — bilinearly resized to the image size (PyTorch's
 * {@code F.interpolate(..., mode='bilinear', align_corners=False)}), then sampled at sub-pixel points with
 * {@code grid_sample(..., align_corners=True)} and zero padding — without materializing the resized map.
 * <p>
 * Both steps are linear, so a sample is a weighted sum of at most 4 x 4 feature-map cells: for each axis, the two
 * resized pixels around the point (grid_sample's corners; those outside the image weigh 0), each of which is
 * the interpolation of two feature cells (PyTorch's source index {@code max((X + 0.5) r / R - 0.5, 0)}, upper
 * neighbour clamped). The taps are computed here in plain Java; {@link #sample} applies them with one gather.
 */
public final class FeatureSampler {

	/** Taps per sampled point: 4 per axis. */
	public static final int TAPS = 16;

	private final int featureRes;
	private final int imageRes;
	private final int[] lo;
	private final int[] hi;
	private final double[] frac;

	public FeatureSampler(final int featureRes, final int imageRes) {
		if (featureRes < 1 || imageRes < 1) throw new IllegalArgumentException("sizes must be positive");
		this.featureRes = featureRes;
		this.imageRes = imageRes;
		lo = new int[imageRes];
		hi = new int[imageRes];
		frac = new double[imageRes];
		final double scale = (double) featureRes / imageRes;
		for (int x = 0; x < imageRes; x++) {
			final double src = Math.max(scale * (x + 0.5) - 0.5, 0);
			lo[x] = Math.min((int) src, featureRes - 1);
			hi[x] = lo[x] < featureRes - 1 ? lo[x] + 1 : lo[x];
			frac[x] = src - lo[x];
		}
	}

	/** Feature-map side. */
	public int featureRes() {
		return featureRes;
	}

	/** Image side. */
	public int imageRes() {
		return imageRes;
	}

	/**
	 * The taps of points in image coordinates.
	 *
	 * @param index [points x 16] flat feature-map cell indices (y * featureRes + x)
	 * @param weight [points x 16] weights
	 */
	public record Taps(long[] index, float[] weight) {

		public int points() {
			return index.length / TAPS;
		}
	}

	/** Taps of the points (xs[i], ys[i]). */
	public Taps taps(final double[] xs, final double[] ys) {
		final int n = xs.length;
		final long[] index = new long[n * TAPS];
		final float[] weight = new float[n * TAPS];
		final int[] ix = new int[4];
		final double[] wx = new double[4];
		final int[] iy = new int[4];
		final double[] wy = new double[4];
		for (int p = 0; p < n; p++) {
			axis(xs[p], ix, wx);
			axis(ys[p], iy, wy);
			int k = p * TAPS;
			for (int a = 0; a < 4; a++)
				for (int b = 0; b < 4; b++, k++) {
					index[k] = (long) iy[a] * featureRes + ix[b];
					weight[k] = (float) (wy[a] * wx[b]);
				}
		}
		return new Taps(index, weight);
	}

	/** One axis: 4 feature cells and weights for image coordinate x. */
	private void axis(final double x, final int[] idx, final double[] w) {
		final int x0 = (int) Math.floor(x);
		final double t = x - x0;
		for (int c = 0; c < 2; c++) {
			final int px = x0 + c;
			final double wc = c == 0 ? 1 - t : t;
			if (px < 0 || px >= imageRes || wc == 0) {
				idx[2 * c] = 0;
				idx[2 * c + 1] = 0;
				w[2 * c] = 0;
				w[2 * c + 1] = 0;
			}
			else {
				idx[2 * c] = lo[px];
				idx[2 * c + 1] = hi[px];
				w[2 * c] = wc * (1 - frac[px]);
				w[2 * c + 1] = wc * frac[px];
			}
		}
	}

	/**
	 * Applies taps to a flat feature map.
	 *
	 * @param flat [C, featureRes * featureRes]
	 * @return [C, points], in flat's manager
	 */
	public static NDArray sample(final NDArray flat, final Taps taps) {
		final NDManager m = flat.getManager();
		final long c = flat.getShape().get(0);
		final int k = taps.index().length;
		final NDArray idx = m.create(taps.index(), new Shape(1, k)).broadcast(new Shape(c, k));
		final NDArray w = m.create(taps.weight(), new Shape(1, k));
		return flat.gather(idx, 1).mul(w).reshape(c, taps.points(), TAPS).sum(new int[] { 2 });
	}
}
