package io.github.dragganfiji.ij;

import ij.ImagePlus;

import io.github.dragganfiji.model.Latent;

/**
 * The DragGAN metadata carried by images, as ImageJ image properties (saved in TIFF files): the model's name and
 * the latent of each slice. A single image has {@code DragGAN.ws}; a result stack has {@code DragGAN.ws.<slice>}
 * for every slice (1-based), so Drag can continue from any of them.
 */
public final class ImageLatents {

	public static final String MODEL = "DragGAN.model";
	public static final String WS = "DragGAN.ws";
	public static final String SEED = "DragGAN.seed";
	public static final String PSI = "DragGAN.psi";
	public static final String PARAMS = "DragGAN.drag";

	private ImageLatents() {}

	/** The model name, or null. */
	public static String model(final ImagePlus imp) {
		final String s = imp.getProp(MODEL);
		return s == null || s.isBlank() ? null : s.trim();
	}

	/** The latent of a slice (1-based), falling back to the image's; null if the image has none. */
	public static Latent latent(final ImagePlus imp, final int slice) {
		String s = imp.getProp(WS + "." + slice);
		if (s == null || s.isBlank()) s = imp.getProp(WS);
		return s == null || s.isBlank() ? null : Latent.decode(s);
	}

	/** Marks an image as made by a model from a latent. */
	public static void set(final ImagePlus imp, final String model, final Latent latent) {
		imp.setProp(MODEL, model);
		imp.setProp(WS, latent.encode());
	}

	/** Sets the latent of one slice (1-based) of a stack. */
	public static void setSlice(final ImagePlus imp, final int slice, final Latent latent) {
		imp.setProp(WS + "." + slice, latent.encode());
	}
}
