package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.runtime.DjlRuntime;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** SSIM against a plain loop written from the definition; MS-SSIM and PSNR properties. */
class ImageLossTest {

	private static float[] smooth(final int size, final long seed) {
		final Random r = new Random(seed);
		final float[] img = new float[size * size];
		for (int b = 0; b < 6; b++) {
			final double cx = r.nextDouble() * size, cy = r.nextDouble() * size, s = 2 + 4 * r.nextDouble();
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++)
					img[y * size + x] += (float) Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
		}
		return img;
	}

	/** SSIM from the definition: Gaussian-weighted statistics over every valid 11 x 11 window. */
	private static double ssimLoop(final float[] a, final float[] b, final int size, final double range) {
		final double[] g = new double[11];
		double sum = 0;
		for (int i = 0; i < 11; i++)
			sum += g[i] = Math.exp(-(i - 5) * (i - 5) / 4.5);
		final double c1 = Math.pow(0.01 * range, 2), c2 = Math.pow(0.03 * range, 2);
		double total = 0;
		int n = 0;
		for (int y = 0; y + 11 <= size; y++)
			for (int x = 0; x + 11 <= size; x++) {
				double ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
				for (int i = 0; i < 11; i++)
					for (int j = 0; j < 11; j++) {
						final double w = g[i] * g[j] / (sum * sum);
						final double va = a[(y + i) * size + x + j], vb = b[(y + i) * size + x + j];
						ma += w * va;
						mb += w * vb;
						saa += w * va * va;
						sbb += w * vb * vb;
						sab += w * va * vb;
					}
				saa -= ma * ma;
				sbb -= mb * mb;
				sab -= ma * mb;
				total += (2 * ma * mb + c1) * (2 * sab + c2) / ((ma * ma + mb * mb + c1) * (saa + sbb + c2));
				n++;
			}
		return total / n;
	}

	@Test
	void ssimMatchesTheDefinition() {
		DjlRuntime.start(null);
		final int size = 32;
		final float[] a = smooth(size, 1), b = smooth(size, 2);
		try (NDManager m = NDManager.newBaseManager("PyTorch")) {
			final NDArray x = m.create(a, new Shape(1, 1, size, size)), y = m.create(b, new Shape(1, 1, size, size));
			assertEquals(ssimLoop(a, b, size, 2.0), ImageLoss.ssim(x, y, 2.0).getFloat(), 1e-4);
			assertEquals(1.0, ImageLoss.ssim(x, x, 2.0).getFloat(), 1e-5);
			assertEquals(1.0, ImageLoss.msssim(x, x, 2.0).getFloat(), 1e-5);
			final float ms = ImageLoss.msssim(x, y, 2.0).getFloat();
			assertTrue(ms > 0 && ms < 1, "ms-ssim " + ms);
			final NDArray noisy = x.add(m.randomNormal(0, 0.05f, x.getShape(), x.getDataType()));
			assertTrue(ImageLoss.msssim(x, noisy, 2.0).getFloat() > ms, "a noisy copy is closer than another image");
		}
	}

	@Test
	void psnrAndScales() {
		assertEquals(20 * Math.log10(2 / 0.1), ImageLoss.psnr(0.01, 2), 1e-9);
		assertEquals(1, ImageLoss.scales(16));
		assertEquals(2, ImageLoss.scales(32));
		assertEquals(4, ImageLoss.scales(128));
		assertEquals(5, ImageLoss.scales(256));
	}
}
