package io.github.dragganfiji.ij;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.Latents;
import io.github.dragganfiji.model.ModelMetadata;

import java.util.Locale;

/** Plugins › DragGAN › Generate Image…: model, seed, truncation psi → a new image that carries its latent. */
public class GenerateImage implements PlugIn {

	static final String TITLE = "DragGAN Generate";

	@Override
	public void run(final String arg) {
		Commands.guard(TITLE, this::generate);
	}

	private void generate() {
		final String[] names = ModelRegistry.bundles().keySet().toArray(new String[0]);
		if (names.length == 0) throw new Commands.UserError("No DragGAN models found. Looked in: " + ModelRegistry
			.searchPath() + ". Add a bundle folder with Plugins > DragGAN > Models...");
		final GenericDialog gd = new GenericDialog(TITLE);
		gd.addChoice("Model", names, Prefs.get("draggan.generate.model", names[0]));
		gd.addNumericField("Seed", Prefs.get("draggan.generate.seed", 0), 0);
		final String first = Prefs.get("draggan.generate.model", names[0]);
		final ModelRegistry.Entry preset = ModelRegistry.bundles().get(first);
		gd.addNumericField("Truncation psi", Prefs.get("draggan.generate.psi", preset != null && preset
			.metadata() != null ? preset.metadata().truncationPsi() : 0.7), 2);
		gd.addChoice("Bit depth", Rendering.BitDepth.labels(), Prefs.get("draggan.generate.depth", "8-bit"));
		gd.addNumericField("Class (conditional models only)", Prefs.get("draggan.generate.class", 0), 0);
		gd.addChoice("Device", Commands.DEVICES, Prefs.get("draggan.device", "auto"));
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final String name = gd.getNextChoice();
		final double seedValue = gd.getNextNumber();
		final double psiValue = gd.getNextNumber();
		final Rendering.BitDepth depth = Rendering.BitDepth.parse(gd.getNextChoice());
		final double label = gd.getNextNumber();
		final String device = gd.getNextChoice();
		if (Double.isNaN(seedValue) || seedValue != Math.rint(seedValue)) throw new Commands.UserError(
			"The seed must be a whole number.");
		final long seed = (long) seedValue;
		final ModelRegistry.Entry entry = ModelRegistry.find(name);
		if (Double.isNaN(psiValue)) throw new Commands.UserError("Truncation psi must be a number (0.7 is typical).");
		final double psi = psiValue;
		Prefs.set("draggan.generate.model", name);
		Prefs.set("draggan.generate.seed", seed);
		Prefs.set("draggan.generate.psi", psiValue);
		Prefs.set("draggan.generate.depth", depth.toString());
		Prefs.set("draggan.generate.class", label);
		Prefs.set("draggan.device", device);
		if (Double.isNaN(label) || label != Math.rint(label)) throw new Commands.UserError(
			"The class must be a whole number.");
		final Device dev = Commands.device(device);
		final ImagePlus imp = generate(entry, seed, psi, (int) label, depth, dev);
		imp.show();
		// While the user places points, get the engine past its slow first runs (not in macros: they go on at once).
		if (!IJ.isMacro()) {
			final Thread warm = new Thread(() -> {
				try {
					GeneratorCache.warmUp(entry.dir(), dev);
				}
				catch (final RuntimeException e) {
					IJ.log("DragGAN: warm-up skipped: " + e.getMessage());
				}
			}, "DragGAN warm-up");
			warm.setDaemon(true);
			warm.start();
		}
	}

	/** Generates the image of a seed (without showing it); unconditional models. */
	public static ImagePlus generate(final ModelRegistry.Entry entry, final long seed, final double psi,
		final Rendering.BitDepth depth, final Device device)
	{
		return generate(entry, seed, psi, 0, depth, device);
	}

	/** Generates the image of a seed and, for a conditional model, a class (ignored by unconditional ones). */
	public static ImagePlus generate(final ModelRegistry.Entry entry, final long seed, final double psi,
		final int label, final Rendering.BitDepth depth, final Device device)
	{
		final float[] ws;
		final float[] pixels;
		final ModelMetadata m;
		synchronized (GeneratorCache.lock()) {
			final Generator g = GeneratorCache.get(entry.dir(), device);
			m = g.metadata();
			try (NDManager mm = g.manager().newSubManager()) {
				final NDArray z = mm.create(Latents.z(seed, m.zDim()), new Shape(1, m.zDim()));
				final NDArray w = m.cDim() > 0 ? g.mappingC(z, label, (float) psi) : g.mapping(z, (float) psi);
				ws = w.toFloatArray();
				pixels = g.synthesis(w, false).toFloatArray();
			}
		}
		final String title = String.format(Locale.ROOT, "%s seed %d", m.name(), seed);
		final ImagePlus imp = image(title, pixels, m, depth);
		ImageLatents.set(imp, m.name(), new Latent(m.numWs(), m.wDim(), ws));
		imp.setProp(ImageLatents.SEED, Long.toString(seed));
		imp.setProp(ImageLatents.PSI, Double.toString(psi));
		if (m.cDim() > 0) imp.setProp("DragGAN.class", Integer.toString(label));
		return imp;
	}

	/** One generated image as an ImagePlus: grayscale, RGB, or a composite of the model's channels. */
	static ImagePlus image(final String title, final float[] pixels, final ModelMetadata m,
		final Rendering.BitDepth depth)
	{
		return Rendering.image(title, Rendering.toProcessors(pixels, m.imageChannels(), m.resolution(), m.outputMin(),
			m.outputMax(), depth));
	}
}
