package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.PyTorch;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Bilinear reading of the resized feature map: hand-computed values, and equality with materializing it. */
class FeatureSamplerTest {

	private static float[] sample(final float[] map, final int r, final int res, final double[] xs,
		final double[] ys)
	{
		DjlRuntime.start(null);
		try (NDManager m = NDManager.newBaseManager("PyTorch")) {
			final NDArray flat = m.create(map, new Shape(1, (long) r * r));
			return FeatureSampler.sample(flat, new FeatureSampler(r, res).taps(xs, ys)).toFloatArray();
		}
	}

	@Test
	void handComputedOneDimension() {
		// A 2-cell feature row [10, 20] resized to 4 pixels is [10, 12.5, 17.5, 20] (PyTorch, align_corners=False).
		final float[] map = { 10, 20, 10, 20 }; // 2 x 2, both rows equal
		final double[] xs = { 0, 1, 2, 3, 1.5, 2.25, 3.5, -0.5 };
		final double[] ys = new double[xs.length];
		final float[] got = sample(map, 2, 4, xs, ys);
		// 3.5 and -0.5 reach outside the 4-pixel image: grid_sample's zero padding halves the value.
		final float[] expected = { 10, 12.5f, 17.5f, 20, 15, 18.125f, 10, 5 };
		for (int i = 0; i < xs.length; i++)
			assertEquals(expected[i], got[i], 1e-5, "x = " + xs[i]);
	}

	@Test
	void handComputedTwoDimensions() {
		final float[] map = { 10, 20, 30, 40 }; // rows y = 0: [10, 20], y = 1: [30, 40]
		final float[] got = sample(map, 2, 4, new double[] { 1.5 }, new double[] { 2.25 });
		// x-weights on the cells (0.5, 0.5); y-weights 0.75 * (0.25, 0.75) + 0.25 * (0, 1) = (0.1875, 0.8125)
		assertEquals(0.1875 * 15 + 0.8125 * 35, got[0], 1e-5);
	}

	@Test
	void equalsResizeThenGridSample() {
		DjlRuntime.start(null);
		final int c = 3, r = 8, res = 32;
		final Random rnd = new Random(1);
		final float[] map = new float[c * r * r];
		for (int i = 0; i < map.length; i++)
			map[i] = (float) rnd.nextGaussian();
		final int n = 200;
		final double[] xs = new double[n], ys = new double[n];
		for (int i = 0; i < n; i++) {
			xs[i] = -1 + rnd.nextDouble() * (res + 1);
			ys[i] = -1 + rnd.nextDouble() * (res + 1);
		}
		try (NDManager m = NDManager.newBaseManager("PyTorch")) {
			final NDArray feat = m.create(map, new Shape(1, c, r, r));
			final float[] big = PyTorch.resizeBilinear(feat, res, res)
				.toFloatArray();
			final float[] got = FeatureSampler.sample(feat.reshape(c, r * r), new FeatureSampler(r, res).taps(xs, ys))
				.toFloatArray();
			for (int ch = 0; ch < c; ch++)
				for (int i = 0; i < n; i++)
					assertEquals(gridSample(big, ch, res, xs[i], ys[i]), got[ch * n + i], 1e-4, "point " + i);
		}
	}

	/** grid_sample(align_corners=True, zeros) written out on a materialized map. */
	private static double gridSample(final float[] big, final int ch, final int res, final double x, final double y) {
		final int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
		double v = 0;
		for (int dy = 0; dy < 2; dy++)
			for (int dx = 0; dx < 2; dx++) {
				final int px = x0 + dx, py = y0 + dy;
				if (px < 0 || py < 0 || px >= res || py >= res) continue;
				final double w = (dx == 0 ? 1 - (x - x0) : x - x0) * (dy == 0 ? 1 - (y - y0) : y - y0);
				v += w * big[(ch * res + py) * res + px];
			}
		return v;
	}
}
