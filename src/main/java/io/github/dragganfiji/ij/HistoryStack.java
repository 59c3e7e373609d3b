package io.github.dragganfiji.ij;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;

import io.github.dragganfiji.image.DragResultStack;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelSearchPath;

import java.util.List;

/**
 * The DragGAN tool's "Show history as stack": the result stacks of the edits that led to the current image (one
 * {@link DragResultStack} per edit, as Plugins › DragGAN › Drag… makes them), one after the other in one stack:
 * one slice (or frame of channels) per step, labelled with the edit and the step, with the edits' overlays and every
 * step's latent, so that Drag… can continue from any of them.
 */
final class HistoryStack {

	private HistoryStack() {}

	/**
	 * @param title the new stack's title
	 * @param edits the finished result stacks of the edits, oldest first (at least one)
	 * @param params each edit's parameters ({@link DragPlugin#describe}), as many
	 * @param model the model
	 */
	static ImagePlus of(final String title, final List<ImagePlus> edits, final List<String> params,
		final ModelSearchPath.Entry model)
	{
		final ImagePlus first = edits.get(0);
		final int channels = first.getNChannels();
		final ImageStack stack = new ImageStack(first.getWidth(), first.getHeight());
		final Overlay overlay = new Overlay();
		int frames = 0;
		final StringBuilder describe = new StringBuilder();
		final java.util.List<Latent> latents = new java.util.ArrayList<>();
		for (int e = 0; e < edits.size(); e++) {
			final ImagePlus part = edits.get(e);
			final int partFrames = part.getStackSize() / channels;
			for (int f = 1; f <= partFrames; f++) {
				for (int c = 1; c <= channels; c++) {
					final int index = (f - 1) * channels + c;
					stack.addSlice("edit " + (e + 1) + ", " + part.getStack().getSliceLabel(index), part.getStack()
						.getProcessor(index));
				}
				latents.add(ImageProperties.latent(part, f));
			}
			if (part.getOverlay() != null) for (final Roi r : part.getOverlay().toArray()) {
				final Roi copy = (Roi) r.clone();
				if (channels > 1) copy.setPosition(0, 1, r.getTPosition() + frames);
				else copy.setPosition(r.getPosition() + frames);
				overlay.add(copy);
			}
			frames += partFrames;
			describe.append(e == 0 ? "" : " | ").append(params.get(e));
		}
		ImagePlus imp = new ImagePlus(title, stack);
		if (channels > 1) {
			imp.setDimensions(channels, 1, frames);
			imp = new CompositeImage(imp, IJ.COMPOSITE);
		}
		imp.setOverlay(overlay);
		imp.setCalibration(first.getCalibration().copy());
		ImageProperties.set(imp, model.name(), model.dir(), latents.get(latents.size() - 1));
		for (int i = 0; i < latents.size(); i++)
			ImageProperties.setSlice(imp, i + 1, latents.get(i));
		imp.setProp(ImageProperties.PARAMS, describe.toString());
		final String intensity = first.getProp(ImageProperties.INTENSITY);
		if (intensity != null) imp.setProp(ImageProperties.INTENSITY, intensity);
		if (channels == 1 && first.getType() != ImagePlus.COLOR_RGB) imp.setDisplayRange(first.getDisplayRangeMin(),
			first.getDisplayRangeMax());
		return imp;
	}
}
