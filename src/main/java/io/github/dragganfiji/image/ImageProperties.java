package io.github.dragganfiji.image;

import ij.ImagePlus;

import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelSearchPath;

/**
 * The one home of the DragGAN metadata that images carry, as ImageJ image properties (saved in TIFF files): the
 * model's name and the latent of each slice, how the image was made, and for inverted images the intensity mapping.
 * A single image has {@code DragGAN.ws}; a result stack has {@code DragGAN.ws.<slice>} for every slice (1-based), so
 * Drag can continue from any of them.
 */
public final class ImageProperties {

	/** The model's name. */
	public static final String MODEL = "DragGAN.model";
	/** The model's bundle folder when the image was made: found again there when the search path lacks it. */
	public static final String MODEL_DIR = "DragGAN.modelDir";
	/** The latent of a single image (and, with ".N", of slice N of a stack). */
	public static final String WS = "DragGAN.ws";
	/** The seed a generated image was made from. */
	public static final String SEED = "DragGAN.seed";
	/** The truncation psi a generated image was made with. */
	public static final String PSI = "DragGAN.psi";
	/** The class of a conditional model's image. */
	public static final String CLASS = "DragGAN.class";
	/** A drag's parameters, on its result stack. */
	public static final String PARAMS = "DragGAN.drag";
	/** An inverted image's intensity mapping (source intensities to generator units and back). */
	public static final String INTENSITY = "DragGAN.intensity";
	/** An inversion's summary (PSNR, SSIM, steps, time). */
	public static final String INVERSION = "DragGAN.inversion";

	private ImageProperties() {}

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

	/** Marks an image as made by a model (named, in its bundle folder) from a latent. */
	public static void set(final ImagePlus imp, final String model, final java.nio.file.Path dir,
		final Latent latent)
	{
		imp.setProp(MODEL, model);
		if (dir != null) imp.setProp(MODEL_DIR, dir.toAbsolutePath().normalize().toString());
		imp.setProp(WS, latent.encode());
	}

	/** Marks an image as made by a model (by name only) from a latent. */
	public static void set(final ImagePlus imp, final String model, final Latent latent) {
		set(imp, model, null, latent);
	}

	/**
	 * The image's model: by name on the search path, else in the bundle folder the image remembers (when the bundle
	 * there still has that name); an IllegalArgumentException from the search path otherwise.
	 */
	public static ModelSearchPath.Entry findModel(final ImagePlus imp, final ModelSearchPath models) {
		final String name = model(imp);
		try {
			return models.find(name);
		}
		catch (final IllegalArgumentException notOnPath) {
			final String dir = imp.getProp(MODEL_DIR);
			if (dir != null && !dir.isBlank()) try {
				final ModelSearchPath.Entry e = ModelSearchPath.Entry.at(java.nio.file.Path.of(dir.trim()));
				if (e.name().equals(name)) return e;
			}
			catch (final RuntimeException gone) {
				// the folder moved or changed: report the search path's answer
			}
			throw notOnPath;
		}
	}

	/** Sets the latent of one slice (1-based) of a stack. */
	public static void setSlice(final ImagePlus imp, final int slice, final Latent latent) {
		imp.setProp(WS + "." + slice, latent.encode());
	}
}
