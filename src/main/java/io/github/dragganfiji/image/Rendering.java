package io.github.dragganfiji.image;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;

import io.github.dragganfiji.app.DatasetUseCase;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.app.InvertUseCase;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.PasteBack;
import io.github.dragganfiji.model.ModelMetadata;

import java.awt.Color;
import java.util.List;
import java.util.Locale;

/**
 * Generator output to ImageJ pixels by the bundle's intensity rule: {@code output_min} is black, {@code output_max}
 * full scale, values outside are clipped. One channel gives 8-bit, 16-bit or 32-bit grayscale; three give RGB; any
 * other count gives one processor per channel (shown as a composite).
 */
public final class Rendering {

	/** Pixel type of grayscale output. */
	public enum BitDepth {
		BIT8("8-bit"), BIT16("16-bit"), BIT32("32-bit");

		private final String label;

		BitDepth(final String label) {
			this.label = label;
		}

		@Override
		public String toString() {
			return label;
		}

		/** Parses "8-bit", "16-bit" or "32-bit". */
		public static BitDepth parse(final String s) {
			for (final BitDepth b : values())
				if (b.label.equalsIgnoreCase(s.trim())) return b;
			throw new IllegalArgumentException("Unknown bit depth '" + s + "': use 8-bit, 16-bit or 32-bit");
		}

		/** Labels for a dialog's choice. */
		public static String[] labels() {
			return new String[] { BIT8.label, BIT16.label, BIT32.label };
		}

		/** The bit depth of an ImageJ image type (ImagePlus.getBitDepth()). */
		public static BitDepth of(final int bitDepth) {
			return switch (bitDepth) {
				case 16 -> BIT16;
				case 32 -> BIT32;
				default -> BIT8;
			};
		}
	}

	private Rendering() {}

	/**
	 * One image of generator output as processors: one RGB processor for 3 channels, else one per channel.
	 *
	 * @param img [channels * res * res] row-major in generator units
	 */
	public static ImageProcessor[] toProcessors(final float[] img, final int channels, final int res,
		final double outMin, final double outMax, final BitDepth depth)
	{
		final int plane = res * res;
		if (img.length != channels * plane) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"%d values are not %d channels of %d x %d", img.length, channels, res, res));
		final double scale = 1.0 / (outMax - outMin);
		if (channels == 3) {
			final int[] rgb = new int[plane];
			for (int i = 0; i < plane; i++) {
				final int r = byteOf(img[i], outMin, scale), g = byteOf(img[plane + i], outMin, scale), b = byteOf(
					img[2 * plane + i], outMin, scale);
				rgb[i] = 0xff000000 | r << 16 | g << 8 | b;
			}
			return new ImageProcessor[] { new ColorProcessor(res, res, rgb) };
		}
		final ImageProcessor[] out = new ImageProcessor[channels];
		for (int c = 0; c < channels; c++) {
			final int off = c * plane;
			switch (depth) {
				case BIT8 -> {
					final byte[] p = new byte[plane];
					for (int i = 0; i < plane; i++)
						p[i] = (byte) byteOf(img[off + i], outMin, scale);
					out[c] = new ByteProcessor(res, res, p);
				}
				case BIT16 -> {
					final short[] p = new short[plane];
					for (int i = 0; i < plane; i++)
						p[i] = (short) Math.round(unit(img[off + i], outMin, scale) * 65535);
					out[c] = new ShortProcessor(res, res, p, null);
					out[c].setMinAndMax(0, 65535);
				}
				default -> {
					final float[] p = new float[plane];
					for (int i = 0; i < plane; i++)
						p[i] = (float) unit(img[off + i], outMin, scale);
					out[c] = new FloatProcessor(res, res, p);
					out[c].setMinAndMax(0, 1);
				}
			}
		}
		return out;
	}

	/**
	 * Generator output back to the intensities of an inverted image by its {@link IntensityMapping}: the same bit
	 * depth and range as the source (8- and 16-bit values clipped to their range; RGB for 3 channels).
	 */
	public static ImageProcessor[] toProcessors(final float[] img, final int channels, final int res,
		final IntensityMapping map, final BitDepth depth, final boolean rgb)
	{
		final int plane = res * res;
		final float[][] v = new float[channels][plane];
		for (int c = 0; c < channels; c++)
			for (int i = 0; i < plane; i++)
				v[c][i] = (float) map.toSource(c, img[c * plane + i]);
		return sourceProcessors(v, res, depth, rgb);
	}

	/**
	 * Planes of source intensities [channel][res * res] as processors of the source's type: RGB for 3 channels of an
	 * RGB source, else one per channel in its bit depth (8- and 16-bit values rounded and clipped to their range).
	 */
	public static ImageProcessor[] sourceProcessors(final float[][] v, final int res, final BitDepth depth,
		final boolean rgb)
	{
		final int channels = v.length, plane = res * res;
		if (rgb && channels == 3) {
			final int[] px = new int[plane];
			for (int i = 0; i < plane; i++)
				px[i] = 0xff000000 | clip(v[0][i], 255) << 16 | clip(v[1][i], 255) << 8 | clip(v[2][i], 255);
			return new ImageProcessor[] { new ColorProcessor(res, res, px) };
		}
		final ImageProcessor[] out = new ImageProcessor[channels];
		for (int c = 0; c < channels; c++) {
			switch (depth) {
				case BIT8 -> {
					final byte[] p = new byte[plane];
					for (int i = 0; i < plane; i++)
						p[i] = (byte) clip(v[c][i], 255);
					out[c] = new ByteProcessor(res, res, p);
				}
				case BIT16 -> {
					final short[] p = new short[plane];
					for (int i = 0; i < plane; i++)
						p[i] = (short) clip(v[c][i], 65535);
					out[c] = new ShortProcessor(res, res, p, null);
				}
				default -> out[c] = new FloatProcessor(res, res, v[c].clone());
			}
			out[c].resetMinAndMax();
		}
		return out;
	}

	/**
	 * A generated image as an ImagePlus ("MODEL seed N"): grayscale of the chosen depth, RGB, or a composite of the
	 * model's channels, carrying its model, latent, seed, psi (and class) as image properties.
	 */
	public static ImagePlus generated(final GenerateUseCase.Result r, final BitDepth depth) {
		final ModelMetadata m = r.metadata();
		// A model trained on a 'draggan dataset' set: its images in the source's intensities and bit depth (32-bit
		// when asked for), carrying the mapping, so that a drag of them maps back the same way.
		final IntensityMapping source = DatasetUseCase.sourceMapping(m);
		final ImagePlus imp = image(String.format(Locale.ROOT, "%s seed %d", m.name(), r.request().seed()),
			source != null ? toProcessors(r.image(), m.imageChannels(), m.resolution(), source, depth == BitDepth.BIT32
				? depth : BitDepth.of(m.sourceIntensity().bitDepth()), false) : toProcessors(r.image(), m.imageChannels(),
					m.resolution(), m.outputMin(), m.outputMax(), depth));
		if (source != null) imp.setProp(ImageProperties.INTENSITY, source.encode());
		applyChannels(imp, m);
		ImageProperties.set(imp, m.name(), r.request().model().dir(), r.latent());
		imp.setProp(ImageProperties.SEED, Long.toString(r.request().seed()));
		imp.setProp(ImageProperties.PSI, Double.toString(r.request().psi()));
		if (m.cDim() > 0) imp.setProp(ImageProperties.CLASS, Integer.toString(r.request().label()));
		return imp;
	}

	/**
	 * An inverted image, ready to drag ("TITLE inverted"): the source's own pixels at the model's size (cropped or
	 * padded and scaled as the inversion saw them; unchanged when the source already had the model's size) in its bit
	 * depth and type, with the calibration adjusted to the model's pixel size, carrying the latent, its model, the
	 * intensity mapping and the summary as image properties. A drag of it pastes its edits into these pixels.
	 */
	public static ImagePlus inverted(final InvertUseCase.Result r, final String summary, final ImagePlus source,
		final InversionInput in)
	{
		return withInversion(image(source.getTitle() + " inverted", sourceProcessors(in.channels(), in.res(), BitDepth
			.of(source.getBitDepth()), source.getType() == ImagePlus.COLOR_RGB)), r, summary, source, in);
	}

	/**
	 * The inversion's reconstruction ("TITLE reconstruction"): the generator's image of the latent, back in the
	 * source's intensities and type, with the same properties (dragging it edits the generator's image everywhere).
	 */
	public static ImagePlus reconstruction(final InvertUseCase.Result r, final String summary, final ImagePlus source,
		final InversionInput in)
	{
		final ModelMetadata m = r.metadata();
		return withInversion(image(source.getTitle() + " reconstruction", toProcessors(r.image(), m.imageChannels(), m
			.resolution(), r.mapping(), BitDepth.of(source.getBitDepth()), source.getType() == ImagePlus.COLOR_RGB)), r,
			summary, source, in);
	}

	private static ImagePlus withInversion(final ImagePlus out, final InvertUseCase.Result r, final String summary,
		final ImagePlus source, final InversionInput in)
	{
		channelsLike(source, out, r.metadata());
		out.setCalibration(in.calibration(source.getCalibration()));
		ImageProperties.set(out, r.modelName(), r.tunedDir(), r.latent());
		out.setProp(ImageProperties.INTENSITY, r.mapping().encode());
		out.setProp(ImageProperties.INVERSION, summary);
		return out;
	}

	/**
	 * Paste-back: each generated processor blended into the matching base processor (same type and size) by
	 * {@link PasteBack#blend} weights, after {@link PasteBack#seamCorrection} has made it meet the base at the movable
	 * area's edge; pixels of weight 0 keep the base's value exactly. RGB is blended per channel.
	 */
	public static ImageProcessor[] pasteBack(final ImageProcessor[] generated, final ImageProcessor[] base,
		final float[] weights)
	{
		return pasteBack(generated, base, weights, null);
	}

	/**
	 * {@link #pasteBack(ImageProcessor[], ImageProcessor[], float[])} with each plane's seam correction kept in
	 * {@code seams} (one slot a plane: a channel, or an RGB component), read as the first guess and replaced: the
	 * slices of one drag reuse the previous slice's correction.
	 */
	public static ImageProcessor[] pasteBack(final ImageProcessor[] generated, final ImageProcessor[] base,
		final float[] weights, final float[][] seams)
	{
		final ImageProcessor[] out = new ImageProcessor[generated.length];
		for (int c = 0; c < generated.length; c++) {
			final ImageProcessor g = generated[c], b = base[c];
			final int width = g.getWidth(), height = g.getHeight();
			if (g instanceof ColorProcessor cg) {
				final ColorProcessor cb = (ColorProcessor) b, co = new ColorProcessor(width, height);
				final byte[][] gc = rgb(cg), bc = rgb(cb), oc = new byte[3][];
				for (int k = 0; k < 3; k++) {
					final float[] o = blend(toFloat(bc[k]), toFloat(gc[k]), weights, width, height, seams, k);
					oc[k] = new byte[o.length];
					for (int i = 0; i < o.length; i++)
						oc[k][i] = (byte) clip(o[i], 255);
				}
				co.setRGB(oc[0], oc[1], oc[2]);
				out[c] = co;
				continue;
			}
			final float[] o = blend((float[]) b.convertToFloatProcessor().getPixels(), (float[]) g.convertToFloat()
				.getPixels(), weights, width, height, seams, c);
			final ImageProcessor r = g.duplicate();
			final int most = r instanceof ShortProcessor ? 65535 : 255; // the correction may step past the range
			for (int i = 0; i < o.length; i++)
				r.setf(i, r instanceof FloatProcessor ? o[i] : clip(o[i], most));
			r.setMinAndMax(g.getMin(), g.getMax());
			out[c] = r;
		}
		return out;
	}

	private static float[] blend(final float[] base, final float[] edited, final float[] w, final int width,
		final int height, final float[][] seams, final int slot)
	{
		final float[] out = new float[base.length];
		final boolean kept = seams != null && slot < seams.length;
		final float[] c = PasteBack.blendSeamless(base, edited, w, width, height, kept ? seams[slot] : null, out);
		if (kept) seams[slot] = c;
		return out;
	}

	private static byte[][] rgb(final ColorProcessor cp) {
		final int n = cp.getPixelCount();
		final byte[][] c = { new byte[n], new byte[n], new byte[n] };
		cp.getRGB(c[0], c[1], c[2]);
		return c;
	}

	private static float[] toFloat(final byte[] b) {
		final float[] f = new float[b.length];
		for (int i = 0; i < b.length; i++)
			f[i] = b[i] & 0xff;
		return f;
	}

	/** One image from processors: itself for one (gray or RGB), else a composite with one channel each. */
	public static ImagePlus image(final String title, final ImageProcessor[] ps) {
		if (ps.length == 1) return new ImagePlus(title, ps[0]);
		final ImageStack stack = new ImageStack(ps[0].getWidth(), ps[0].getHeight());
		for (final ImageProcessor p : ps)
			stack.addSlice(p);
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(ps.length, 1, 1);
		return new CompositeImage(imp, IJ.COMPOSITE);
	}

	/**
	 * The model's channel colours (model.json {@code channel_colors}) as the channels' LUTs and its channel names
	 * ({@code channel_names}) as the slice labels of a composite; nothing for a bundle that names neither, or for RGB.
	 */
	public static void applyChannels(final ImagePlus imp, final ModelMetadata m) {
		if (imp.getType() == ImagePlus.COLOR_RGB || m.imageChannels() != imp.getNChannels()) return;
		final List<String> colors = m.channelColors(), names = m.channelNames();
		if (imp instanceof CompositeImage ci) {
			if (!colors.isEmpty()) for (int c = 0; c < colors.size(); c++)
				setChannelLut(ci, c + 1, LUT.createLutFromColor(color(colors.get(c))));
			if (!names.isEmpty() && imp.getStackSize() == names.size()) for (int c = 0; c < names.size(); c++)
				imp.getStack().setSliceLabel(names.get(c), c + 1);
		}
		else if (!colors.isEmpty()) {
			final double min = imp.getDisplayRangeMin(), max = imp.getDisplayRangeMax();
			imp.getProcessor().setLut(LUT.createLutFromColor(color(colors.get(0))));
			imp.setDisplayRange(min, max);
		}
	}

	/**
	 * The channel colours of an image made from {@code source} (a drag's result, an inversion): the source's own
	 * when both are composites with as many channels (the user's colours stay), otherwise the model's.
	 */
	public static void channelsLike(final ImagePlus source, final ImagePlus imp, final ModelMetadata m) {
		if (!copyChannelColors(source, imp)) applyChannels(imp, m);
	}

	/**
	 * A composite's channel colours (LUTs) onto another composite with as many channels, keeping the target's
	 * display ranges.
	 *
	 * @return whether both are composites with the same channel count (and the colours were copied)
	 */
	private static boolean copyChannelColors(final ImagePlus from, final ImagePlus to) {
		if (!(from instanceof CompositeImage src) || !(to instanceof CompositeImage dst) || src.getNChannels() != dst
			.getNChannels()) return false;
		for (int c = 1; c <= src.getNChannels(); c++)
			setChannelLut(dst, c, (LUT) src.getChannelLut(c).clone());
		dst.setMode(src.getMode());
		return true;
	}

	/** Channel c's colours become {@code lut}'s; its display range stays as it was. */
	private static void setChannelLut(final CompositeImage ci, final int c, final LUT lut) {
		lut.min = ci.getChannelLut(c).min;
		lut.max = ci.getChannelLut(c).max;
		ci.setChannelLut(lut, c);
	}

	/** A channel colour of model.json (a {@link ModelMetadata#COLORS} name or #rrggbb). */
	static Color color(final String c) {
		return switch (c.toLowerCase(Locale.ROOT)) {
			case "red" -> Color.RED;
			case "green" -> Color.GREEN;
			case "blue" -> Color.BLUE;
			case "cyan" -> Color.CYAN;
			case "magenta" -> Color.MAGENTA;
			case "yellow" -> Color.YELLOW;
			case "orange" -> Color.ORANGE;
			case "gray", "white" -> Color.WHITE;
			default -> Color.decode(c);
		};
	}

	private static int clip(final float v, final int max) {
		return (int) Math.max(0, Math.min(max, Math.round(v)));
	}

	private static double unit(final float v, final double min, final double scale) {
		final double u = (v - min) * scale;
		return u < 0 ? 0 : u > 1 ? 1 : u;
	}

	private static int byteOf(final float v, final double min, final double scale) {
		return (int) Math.round(unit(v, min, scale) * 255);
	}
}
