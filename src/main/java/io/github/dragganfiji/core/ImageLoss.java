package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

/**
 * Image similarity as differentiable NDArray operations on [N, C, H, W] images: mean squared error, PSNR, SSIM and
 * multi-scale SSIM (Wang et al. 2003; an 11 x 11 Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03, the five
 * standard scale weights, fewer scales for small images). The perceptual term of GAN inversion without any
 * downloaded network; valid for any channel count.
 */
public final class ImageLoss {

	private static final double[] WEIGHTS = { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 };
	private static final int WINDOW = 11;

	private ImageLoss() {}

	/**
	 * The reconstruction loss of inversion and pivotal tuning, with its parts read out.
	 *
	 * @param total MSE + weight * (1 - MS-SSIM), still attached to the graph
	 * @param loss its value
	 * @param mse the mean squared error's value
	 */
	public record Reconstruction(NDArray total, double loss, double mse) {}

	/**
	 * MSE + weight * (1 - MS-SSIM) of an image against a goal in [outMin, outMax]; an IllegalStateException at
	 * {@code step} when the loss is not finite (a diverging optimization).
	 */
	public static Reconstruction reconstruction(final NDArray image, final NDArray goal, final double outMin,
		final double outMax, final double msssimWeight, final int step)
	{
		final NDArray l2 = mse(image, goal);
		NDArray total = l2;
		// SSIM on the visible (clipped) image: far outside the output range its variances lose all precision in
		// float32 and the quotients blow up.
		if (msssimWeight > 0) total = total.add(msssimLoss(image.clip(outMin, outMax), goal, outMax - outMin).mul(
			(float) msssimWeight));
		final double loss = total.getFloat();
		if (!Double.isFinite(loss)) throw new IllegalStateException("the optimization diverged at step " + step +
			" (the loss is not finite); try a smaller learning rate");
		return new Reconstruction(total, loss, l2.getFloat());
	}

	/** Mean of (a - b)^2. */
	public static NDArray mse(final NDArray a, final NDArray b) {
		return a.sub(b).square().mean();
	}

	/** PSNR in dB of a mean squared error for a data range (max - min). */
	public static double psnr(final double mse, final double range) {
		return 10 * Math.log10(range * range / Math.max(mse, 1e-20));
	}

	/** Mean SSIM over pixels and channels. */
	public static NDArray ssim(final NDArray a, final NDArray b, final double range) {
		return ssimAndCs(a, b, range, window(a))[0].mean();
	}

	/** How many scales MS-SSIM uses for this image side: at most 5, each scale at least the window's size. */
	public static int scales(final long side) {
		int n = 1;
		while (n < WEIGHTS.length && side >> n >= WINDOW)
			n++;
		return n;
	}

	/** Multi-scale SSIM in [0, 1] (1 = identical); scale weights renormalized when fewer than five fit. */
	public static NDArray msssim(final NDArray a, final NDArray b, final double range) {
		final NDArray[] terms = scaleTerms(a, b, range);
		final double total = weightTotal(terms.length);
		NDArray result = null;
		for (int i = 0; i < terms.length; i++) {
			// Negative values would make the power undefined; clamp them (as common implementations do).
			final NDArray t = terms[i].maximum(1e-6f).pow((float) (WEIGHTS[i] / total));
			result = result == null ? t : result.mul(t);
		}
		return result.mean();
	}

	/**
	 * 1 - MS-SSIM as an optimization loss, with the scales combined as a weighted mean instead of a weighted product:
	 * the product's powers have unbounded gradients near 0 and made Adam diverge now and then (NaN after ~30 steps
	 * at 256 px in one run of three, depending on thread timing); the mean has the same optimum (1 when identical)
	 * and bounded gradients. Reported figures use {@link #msssim} and {@link #ssim}.
	 */
	public static NDArray msssimLoss(final NDArray a, final NDArray b, final double range) {
		final NDArray[] terms = scaleTerms(a, b, range);
		final double total = weightTotal(terms.length);
		NDArray sum = null;
		for (int i = 0; i < terms.length; i++) {
			final NDArray t = terms[i].mul((float) (WEIGHTS[i] / total));
			sum = sum == null ? t : sum.add(t);
		}
		return sum.mean().neg().add(1f);
	}

	/** Per scale, the mean [N, C] contrast-structure term (the SSIM term at the coarsest scale). */
	private static NDArray[] scaleTerms(final NDArray a, final NDArray b, final double range) {
		final int n = scales(Math.min(a.getShape().get(2), a.getShape().get(3)));
		final NDArray w = window(a);
		final NDArray[] terms = new NDArray[n];
		NDArray x = a, y = b;
		for (int i = 0; i < n; i++) {
			final NDArray[] sc = ssimAndCs(x, y, range, w);
			terms[i] = (i == n - 1 ? sc[0] : sc[1]).mean(new int[] { 3 }).mean(new int[] { 2 });
			if (i < n - 1) {
				x = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
				y = Pool.avgPool2d(y, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
			}
		}
		return terms;
	}

	private static double weightTotal(final int scales) {
		double total = 0;
		for (int i = 0; i < scales; i++)
			total += WEIGHTS[i];
		return total;
	}

	/** The SSIM map and the contrast-structure map, both [N, C, H', W'] ("valid" filtering). */
	private static NDArray[] ssimAndCs(final NDArray a, final NDArray b, final double range, final NDArray w) {
		final float c1 = (float) Math.pow(0.01 * range, 2), c2 = (float) Math.pow(0.03 * range, 2);
		final NDArray muA = blur(a, w), muB = blur(b, w);
		final NDArray muA2 = muA.square(), muB2 = muB.square(), muAB = muA.mul(muB);
		// Variances cannot be negative; float rounding can make them so, which the quotients below do not survive.
		final NDArray sA = blur(a.square(), w).sub(muA2).maximum(0f), sB = blur(b.square(), w).sub(muB2).maximum(0f);
		final NDArray sAB = blur(a.mul(b), w).sub(muAB);
		final NDArray cs = sAB.mul(2).add(c2).div(sA.add(sB).add(c2));
		final NDArray ssim = muAB.mul(2).add(c1).div(muA2.add(muB2).add(c1)).mul(cs);
		return new NDArray[] { ssim, cs };
	}

	/**
	 * Each channel filtered with the window (depthwise). One channel is filtered as two copies and the first kept:
	 * a convolution with one input and one output channel runs on oneDNN kernels whose results depend on the thread
	 * count on some CPUs, a depthwise one does not (docs/reproducibility.md; the generator does the same).
	 */
	private static NDArray blur(final NDArray x, final NDArray w) {
		final long c = x.getShape().get(1);
		if (c == 1) return blur(x.repeat(1, 2), w).get(":, :1");
		return Conv2d.conv2d(x, w.repeat(0, c), null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), (int) c)
			.singletonOrThrow();
	}

	/** The normalized 2-D Gaussian window [1, 1, 11, 11] in the image's manager. */
	private static NDArray window(final NDArray like) {
		final float[] g = new float[WINDOW];
		double s = 0;
		for (int i = 0; i < WINDOW; i++) {
			final double d = i - WINDOW / 2;
			g[i] = (float) Math.exp(-d * d / (2 * 1.5 * 1.5));
			s += g[i];
		}
		final float[] w2 = new float[WINDOW * WINDOW];
		for (int i = 0; i < WINDOW; i++)
			for (int j = 0; j < WINDOW; j++)
				w2[i * WINDOW + j] = (float) (g[i] * g[j] / (s * s));
		final NDManager m = like.getManager();
		return m.create(w2, new Shape(1, 1, WINDOW, WINDOW)).toType(like.getDataType(), false);
	}
}
