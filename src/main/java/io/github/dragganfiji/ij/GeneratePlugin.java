package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;

/** Plugins › DragGAN › Generate Image…: model, seed, truncation psi → a new image that carries its latent. */
public class GeneratePlugin implements PlugIn {

	static final String TITLE = "DragGAN Generate";

	@Override
	public void run(final String arg) {
		PluginSupport.guard(TITLE, () -> {
			final Parameters p = ask();
			if (p == null) return;
			final ImagePlus imp = generate(p.request(), p.depth());
			imp.show();
			if (!IJ.isMacro()) warmUpInBackground(p.request());
		});
	}

	/** The dialog's answers: what to generate and in which bit depth. */
	private record Parameters(GenerateUseCase.Request request, Rendering.BitDepth depth) {}

	/** The parameter dialog (macro-recordable); null when cancelled. */
	private static Parameters ask() {
		final ModelSearchPath models = FijiModels.searchPath();
		final String[] names = models.bundles().keySet().toArray(new String[0]);
		if (names.length == 0) throw new PluginSupport.UserError("No DragGAN models found. Looked in: " + models
			.folders() + ". Add a bundle folder with Plugins > DragGAN > Models...");
		PluginSupport.requireMacroChoice("Model", names, "DragGAN model");
		PluginSupport.requireMacroChoice("Bit depth", Rendering.BitDepth.labels(), "bit depth");
		PluginSupport.requireMacroChoice("Device", PluginSupport.DEVICES, "device");
		final GenericDialog gd = new GenericDialog(TITLE);
		gd.addChoice("Model", names, DialogMemory.get("draggan.generate.model", names[0]));
		gd.addNumericField("Seed", DialogMemory.get("draggan.generate.seed", 0), 0);
		final ModelSearchPath.Entry preset = models.bundles().get(DialogMemory.get("draggan.generate.model", names[0]));
		gd.addNumericField("Truncation psi", DialogMemory.get("draggan.generate.psi", preset != null && preset
			.metadata() != null ? preset.metadata().truncationPsi() : 0.7), 2);
		gd.addChoice("Bit depth", Rendering.BitDepth.labels(), DialogMemory.get("draggan.generate.depth", "8-bit"));
		gd.addNumericField("Class (conditional models only)", DialogMemory.get("draggan.generate.class", 0), 0);
		gd.addChoice("Device", PluginSupport.DEVICES, DialogMemory.device());
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		final String name = gd.getNextChoice();
		final double seed = gd.getNextNumber();
		final double psi = gd.getNextNumber();
		final Rendering.BitDepth depth = Rendering.BitDepth.parse(gd.getNextChoice());
		final double label = gd.getNextNumber();
		final String device = gd.getNextChoice();
		if (Double.isNaN(seed) || seed != Math.rint(seed)) throw new PluginSupport.UserError(
			"The seed must be a whole number.");
		if (Double.isNaN(label) || label != Math.rint(label)) throw new PluginSupport.UserError(
			"The class must be a whole number.");
		final GenerateUseCase.Request request = new GenerateUseCase.Request(models.find(name), (long) seed, psi,
			(int) label, DeviceChoice.parse(device));
		DialogMemory.set("draggan.generate.model", name);
		DialogMemory.set("draggan.generate.seed", seed);
		DialogMemory.set("draggan.generate.psi", psi);
		DialogMemory.set("draggan.generate.depth", depth.toString());
		DialogMemory.set("draggan.generate.class", label);
		DialogMemory.set(DialogMemory.DEVICE, device);
		return new Parameters(request, depth);
	}

	/** Generates the image (without showing it). */
	public static ImagePlus generate(final GenerateUseCase.Request request, final Rendering.BitDepth depth) {
		return Rendering.generated(GenerateUseCase.run(request, IJ::log), depth);
	}

	/** While the user places points, gets the engine past its slow first runs (not in macros: they go on at once). */
	private static void warmUpInBackground(final GenerateUseCase.Request r) {
		final Thread warm = new Thread(() -> {
			try {
				GeneratorCache.warmUp(r.model().dir(), DjlRuntime.device(r.device(), null));
			}
			catch (final RuntimeException e) {
				IJ.log("DragGAN: warm-up skipped: " + e.getMessage());
			}
		}, "DragGAN warm-up");
		warm.setDaemon(true);
		warm.start();
	}
}
