package io.github.dragganfiji.image;

import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import io.github.dragganfiji.model.ModelMetadata;

import java.util.Locale;

/**
 * The current plane of an image made square and scaled to the model's resolution: a centered square crop, or padding
 * to a square with the image's lowest intensity; then bilinear resizing (averaging when shrinking). Channels: RGB
 * gives 3, a composite its channel count, grayscale 1.
 *
 * @param channels [channels][res * res] float intensities of the source's scale
 * @param res the model's resolution
 * @param scale source pixels per model pixel (for the calibration)
 * @param description what was done, for the log
 */
public record InversionInput(float[][] channels, int res, double scale, String description) {

	/** The two ways to make a non-square image square. */
	public enum Framing {
		CROP("center crop"), PAD("pad");

		private final String label;

		Framing(final String label) {
			this.label = label;
		}

		@Override
		public String toString() {
			return label;
		}

		public static Framing parse(final String s) {
			for (final Framing g : values())
				if (g.label.equalsIgnoreCase(s.trim())) return g;
			throw new IllegalArgumentException("Unknown geometry '" + s + "': use 'center crop' or 'pad'");
		}

		public static String[] labels() {
			return new String[] { CROP.label, PAD.label };
		}
	}

	/** Channel count of an image as the models count them. */
	public static int channelsOf(final ImagePlus imp) {
		return imp.getType() == ImagePlus.COLOR_RGB ? 3 : imp.getNChannels();
	}

	/** The smallest side (after cropping or padding) an image may have to be inverted. */
	public static final int MIN_SIDE = 8;
	/** The most an image may be enlarged to the model's resolution. */
	public static final int MAX_UPSCALE = 8;

	/**
	 * Reads the current plane (all channels) of an image and fits it to the model's resolution; an
	 * IllegalArgumentException when its channels are not the model's or it is too small to invert.
	 */
	public static InversionInput of(final ImagePlus imp, final ModelMetadata m, final Framing geometry) {
		final int n = channelsOf(imp), w = imp.getWidth(), h = imp.getHeight(), res = m.resolution();
		if (n != m.imageChannels()) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"'%s' has %d channel(s), but the model '%s' makes %d.", imp.getTitle(), n, m.name(), m.imageChannels()));
		final int square = geometry == Framing.CROP ? Math.min(w, h) : Math.max(w, h);
		if (square < MIN_SIDE || (long) square * MAX_UPSCALE < res) throw new IllegalArgumentException(String.format(
			Locale.ROOT, "'%s' is %d x %d pixels: too small to invert with the model '%s' (%d x %d). Its %s side " +
				"must be at least %d pixels (at most %dx enlargement).", imp.getTitle(), w, h, m.name(), res, res,
			geometry == Framing.CROP ? "shorter" : "longer", Math.max(MIN_SIDE, (res + MAX_UPSCALE - 1) / MAX_UPSCALE),
			MAX_UPSCALE));
		final FloatProcessor[] planes = new FloatProcessor[n];
		if (imp.getType() == ImagePlus.COLOR_RGB) {
			final ColorProcessor cp = (ColorProcessor) imp.getProcessor();
			for (int c = 0; c < 3; c++)
				planes[c] = cp.toFloat(c, null);
		}
		else for (int c = 0; c < n; c++) {
			final int index = imp.getStackIndex(c + 1, imp.getSlice(), imp.getFrame());
			planes[c] = imp.getStack().getProcessor(index).convertToFloatProcessor();
		}
		final int side = geometry == Framing.CROP ? Math.min(w, h) : Math.max(w, h);
		final float[][] out = new float[n][];
		for (int c = 0; c < n; c++) {
			ImageProcessor sq;
			if (geometry == Framing.CROP) {
				planes[c].setRoi((w - side) / 2, (h - side) / 2, side, side);
				sq = planes[c].crop();
			}
			else {
				sq = new FloatProcessor(side, side);
				sq.setValue(planes[c].getStatistics().min);
				sq.fill();
				sq.insert(planes[c], (side - w) / 2, (side - h) / 2);
			}
			sq.setInterpolationMethod(ImageProcessor.BILINEAR);
			final ImageProcessor r = side == res ? sq : sq.resize(res, res, side > res);
			out[c] = (float[]) r.convertToFloatProcessor().getPixels();
		}
		final String what = String.format(Locale.ROOT, "%d x %d %s%s to %d x %d", w, h, w == h ? "" : geometry ==
			Framing.CROP ? "center-cropped to " + side + " x " + side + ", " : "padded to " + side + " x " + side + ", ",
			side == res ? "kept" : "scaled", res, res);
		return new InversionInput(out, res, (double) side / res, what);
	}

	/** The source calibration adjusted to the model's pixel size. */
	public Calibration calibration(final Calibration source) {
		final Calibration c = source.copy();
		c.pixelWidth *= scale;
		c.pixelHeight *= scale;
		c.xOrigin /= scale;
		c.yOrigin /= scale;
		return c;
	}

	/** All channels concatenated, [channels * res * res]. */
	public float[] flat() {
		final int plane = res * res;
		final float[] out = new float[channels.length * plane];
		for (int c = 0; c < channels.length; c++)
			System.arraycopy(channels[c], 0, out, c * plane, plane);
		return out;
	}
}
