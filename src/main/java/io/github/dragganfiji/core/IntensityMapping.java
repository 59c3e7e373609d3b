package io.github.dragganfiji.core;

import java.util.Arrays;
import java.util.Locale;

/**
 * A linear map between an image's intensities and the generator's output units, per channel, fitted by
 * percentiles: the source's low/high percentiles go to the same percentiles of the model's own images. So a
 * 16-bit camera image with its background at 100 counts and nuclei at 3000 lands where the model puts background
 * and nuclei, and results map back to the source's range with {@link #toSource}.
 *
 * @param srcLow per channel, source intensity at the low percentile
 * @param srcHigh per channel, source intensity at the high percentile
 * @param dstLow per channel, generator output at the same low percentile of the model's images
 * @param dstHigh per channel, generator output at the high percentile
 */
public record IntensityMapping(double[] srcLow, double[] srcHigh, double[] dstLow, double[] dstHigh) {

	/** The percentiles used by {@link #fit}. */
	public static final double LOW = 1, HIGH = 99.5;

	public IntensityMapping {
		final int n = srcLow.length;
		if (srcHigh.length != n || dstLow.length != n || dstHigh.length != n) throw new IllegalArgumentException(
			"one value per channel in each of the four arrays");
		srcLow = srcLow.clone();
		srcHigh = srcHigh.clone();
		dstLow = dstLow.clone();
		dstHigh = dstHigh.clone();
	}

	/**
	 * Fits the map of each channel.
	 *
	 * @param source [channels * plane] source intensities
	 * @param model [channels * k * plane'] generator outputs of the model's own images, channel-major per channel:
	 *          for channel c, the values model[c * n .. (c + 1) * n)
	 */
	public static IntensityMapping fit(final float[] source, final float[] model, final int channels) {
		final int ps = source.length / channels, pm = model.length / channels;
		final double[] sl = new double[channels], sh = new double[channels], dl = new double[channels],
			dh = new double[channels];
		for (int c = 0; c < channels; c++) {
			final float[] s = Arrays.copyOfRange(source, c * ps, (c + 1) * ps);
			final float[] m = Arrays.copyOfRange(model, c * pm, (c + 1) * pm);
			Arrays.sort(s);
			Arrays.sort(m);
			sl[c] = percentile(s, LOW);
			sh[c] = percentile(s, HIGH);
			if (sh[c] <= sl[c]) sh[c] = sl[c] + 1; // a flat image: any scale will do
			dl[c] = percentile(m, LOW);
			dh[c] = percentile(m, HIGH);
			if (dh[c] <= dl[c]) dh[c] = dl[c] + 1e-3;
		}
		for (int c = 0; c < channels; c++)
			if (!Double.isFinite(sl[c] + sh[c] + dl[c] + dh[c])) throw new IllegalArgumentException(
				"intensity percentiles are not finite (NaN or infinite pixels in channel " + (c + 1) + ")");
		return new IntensityMapping(sl, sh, dl, dh);
	}

	/** The p-th percentile (0..100) of sorted values, interpolated linearly. */
	static double percentile(final float[] sorted, final double p) {
		final double pos = p / 100 * (sorted.length - 1);
		final int i = (int) Math.floor(pos);
		final int j = Math.min(i + 1, sorted.length - 1);
		return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
	}

	/** Source intensity to generator units, clipped to [outMin, outMax]. */
	public float toModel(final int channel, final double v, final double outMin, final double outMax) {
		final double u = dstLow[channel] + (v - srcLow[channel]) * (dstHigh[channel] - dstLow[channel]) /
			(srcHigh[channel] - srcLow[channel]);
		return (float) Math.max(outMin, Math.min(outMax, u));
	}

	/**
	 * A whole image [channels * plane] of source intensities in generator units, each clipped to [outMin, outMax]:
	 * what inversion matches.
	 */
	public float[] toModel(final float[] source, final double outMin, final double outMax) {
		final int plane = source.length / srcLow.length;
		final float[] out = new float[source.length];
		for (int i = 0; i < source.length; i++)
			out[i] = toModel(i / plane, source[i], outMin, outMax);
		return out;
	}

	/** Generator units back to source intensity. */
	public double toSource(final int channel, final double u) {
		return srcLow[channel] + (u - dstLow[channel]) * (srcHigh[channel] - srcLow[channel]) / (dstHigh[channel] -
			dstLow[channel]);
	}

	/** A text form for image metadata: channels separated by ';', four numbers each. */
	public String encode() {
		final StringBuilder s = new StringBuilder();
		for (int c = 0; c < srcLow.length; c++)
			s.append(c == 0 ? "" : ";").append(String.format(Locale.ROOT, "%s %s %s %s", srcLow[c], srcHigh[c], dstLow[c],
				dstHigh[c]));
		return s.toString();
	}

	/** Parses {@link #encode()}'s form. */
	public static IntensityMapping decode(final String text) {
		final String[] ch = text.trim().split(";");
		final double[][] v = new double[4][ch.length];
		for (int c = 0; c < ch.length; c++) {
			final String[] f = ch[c].trim().split("\\s+");
			if (f.length != 4) throw new IllegalArgumentException("not an intensity mapping: " + text);
			for (int k = 0; k < 4; k++)
				v[k][c] = Double.parseDouble(f[k]);
		}
		return new IntensityMapping(v[0], v[1], v[2], v[3]);
	}
}
