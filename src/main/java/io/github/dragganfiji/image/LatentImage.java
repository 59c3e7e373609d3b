package io.github.dragganfiji.image;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;

import java.util.Locale;

/**
 * An image that can be dragged: it carries a latent (generated, inverted, or a saved result), its model is found,
 * and its size and channels are the model's. The latent is the one of the current slice (or frame).
 *
 * @param imp the image (never modified)
 * @param model its model
 * @param latent the latent of its current slice or frame
 * @param position that slice or frame, 1-based
 */
public record LatentImage(ImagePlus imp, ModelSearchPath.Entry model, Latent latent, int position) {

	/** Reads and checks an image; an IllegalArgumentException says what is wrong and what to do. */
	public static LatentImage of(final ImagePlus imp, final ModelSearchPath models) {
		final int position = imp.isHyperStack() || imp.isComposite() ? imp.getFrame() : imp.getCurrentSlice();
		final Latent latent = ImageProperties.latent(imp, position);
		final String modelName = ImageProperties.model(imp);
		if (latent == null || modelName == null) throw new IllegalArgumentException("'" + imp.getTitle() +
			"' has no DragGAN latent, so it cannot be dragged. Generate an image with Plugins > DragGAN > " +
			"Generate Image..., invert this one with Plugins > DragGAN > Invert..., or open a TIFF saved from a " +
			"DragGAN result.");
		final ModelSearchPath.Entry entry = ImageProperties.findModel(imp, models);
		final ModelMetadata m = entry.metadata();
		if (imp.getWidth() != m.resolution() || imp.getHeight() != m.resolution()) throw new IllegalArgumentException(
			String.format(Locale.ROOT, "'%s' is %d x %d pixels, but the model '%s' makes %d x %d images.", imp.getTitle(),
				imp.getWidth(), imp.getHeight(), m.name(), m.resolution(), m.resolution()));
		final int channels = InversionInput.channelsOf(imp);
		if (channels != m.imageChannels()) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"'%s' has %d channel(s), but the model '%s' makes %d.", imp.getTitle(), channels, m.name(), m
				.imageChannels()));
		if (!latent.fits(m)) throw new IllegalArgumentException("The latent stored in '" + imp.getTitle() + "' (" +
			latent.numWs() + " x " + latent.wDim() + ") does not fit the model '" + m.name() + "' (" + m.numWs() +
			" x " + m.wDim() + ").");
		return new LatentImage(imp, entry, latent, position);
	}

	/** Whether the image is a real image inverted into the model (it carries its intensity mapping). */
	public boolean isInverted() {
		final String map = imp.getProp(ImageProperties.INTENSITY);
		return map != null && !map.isBlank();
	}

	/** The pixels of its current slice or frame, one processor per channel (one for RGB). */
	public ImageProcessor[] processors() {
		if (imp.getType() == ImagePlus.COLOR_RGB || imp.getNChannels() == 1) return new ImageProcessor[] { imp
			.getStack().getProcessor(imp.isHyperStack() ? imp.getStackIndex(1, imp.getSlice(), position) : position) };
		final ImageProcessor[] ps = new ImageProcessor[imp.getNChannels()];
		for (int c = 0; c < ps.length; c++)
			ps[c] = imp.getStack().getProcessor(imp.getStackIndex(c + 1, imp.getSlice(), position));
		return ps;
	}

	/** Whether the image is a stack, so that the drag starts from one of its slices or frames. */
	public boolean isStack() {
		return imp.getNFrames() > 1 || imp.getNSlices() > 1;
	}

	/** E.g. "'x.tif' is a stack; dragging from its current slice 3." */
	public String stackNote() {
		return "'" + imp.getTitle() + "' is a stack; dragging from its current " + (imp.isHyperStack() ? "frame "
			: "slice ") + position + ".";
	}
}
