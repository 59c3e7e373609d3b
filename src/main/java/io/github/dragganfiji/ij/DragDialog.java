package io.github.dragganfiji.ij;

import ij.Prefs;
import ij.gui.GenericDialog;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.TrackingNorm;
import io.github.dragganfiji.model.ModelMetadata;

/** The Drag command's parameters: a GenericDialog (so macros record and replay it) remembering the last values. */
final class DragDialog {

	private static final String[] SPACES = { "W+", "W" };
	private static final String[] NORMS = { "L1 (paper)", "L2 (official code)" };

	private DragDialog() {}

	/**
	 * The dialog's answers.
	 *
	 * @param config the drag's parameters
	 * @param realImage how a real (inverted) image is edited
	 */
	record Answer(DragConfig config, RealImageOptions realImage) {}

	/** The parameter dialog (macro-recordable); null when cancelled. */
	static Answer show(final ModelMetadata m, final int handles, final boolean inverted) {
		final DragConfig d = DragConfig.defaults(m.resolution(), m.learningRate(), m.dragLayers());
		final GenericDialog gd = new GenericDialog(DragPlugin.TITLE);
		gd.addMessage(handles + " handle(s); model '" + m.name() + "' (" + m.resolution() + " px)");
		gd.addNumericField("Max steps", Prefs.get("draggan.drag.steps", d.maxSteps()), 0);
		gd.addNumericField("Learning rate", Prefs.get("draggan.drag.lr", d.learningRate()), 4);
		gd.addNumericField("Mask lambda", Prefs.get("draggan.drag.lambda", d.lambdaMask()), 1);
		// Radii and layers scale with the model: remembered per resolution and layer count.
		final String per = "." + m.resolution();
		gd.addNumericField("r1 (supervision radius, px)", Prefs.get("draggan.drag.r1" + per, d.r1()), 0);
		gd.addNumericField("r2 (tracking radius, px)", Prefs.get("draggan.drag.r2" + per, d.r2()), 0);
		gd.addNumericField("Stop distance (px, 0 = 1 px, 2 px with 5+ handles)", Prefs.get("draggan.drag.stop", 0),
			1);
		gd.addChoice("Latent space", SPACES, Prefs.get("draggan.drag.space", SPACES[0]));
		gd.addNumericField("Layers optimized", Prefs.get("draggan.drag.layers." + m.numWs(), d.layers()), 0);
		gd.addChoice("Tracking distance", NORMS, Prefs.get("draggan.drag.norm", NORMS[0]));
		gd.addNumericField("Record every N steps", Prefs.get("draggan.drag.every", 1), 0);
		gd.addChoice("Device", PluginSupport.DEVICES, Prefs.get("draggan.device", "auto"));
		final RealImageOptions r = RealImageOptions.defaults(m.resolution());
		if (inverted) gd.addMessage("Real (inverted) image:");
		gd.addCheckbox("Paste back the original outside the movable area (real images)", Prefs.get(
			"draggan.drag.pasteBack", r.pasteBack()));
		gd.addNumericField("Region radius without an area ROI (px, real images)", Prefs.get("draggan.drag.region." + m
			.resolution(), r.regionRadius()), 0);
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		final int steps = whole(gd.getNextNumber(), "Max steps", 0);
		final double lr = gd.getNextNumber();
		final double lambda = gd.getNextNumber();
		final int r1 = whole(gd.getNextNumber(), "r1", 1);
		final int r2 = whole(gd.getNextNumber(), "r2", 1);
		final double stop = gd.getNextNumber();
		final boolean wPlus = gd.getNextChoice().equals(SPACES[0]);
		final int layers = whole(gd.getNextNumber(), "Layers optimized", 1);
		final String norm = gd.getNextChoice();
		final int every = whole(gd.getNextNumber(), "Record every N steps", 1);
		final String device = gd.getNextChoice();
		final boolean pasteBack = gd.getNextBoolean();
		final double region = gd.getNextNumber();
		if (!(region >= 1) || region != Math.rint(region)) throw new PluginSupport.UserError("The region radius must " +
			"be a whole number of pixels, at least 1.");
		if (layers > m.numWs()) throw new PluginSupport.UserError("Layers optimized must be at most " + m.numWs() +
			" for this model.");
		if (!(lr > 0)) throw new PluginSupport.UserError("The learning rate must be positive.");
		if (!(lambda >= 0)) throw new PluginSupport.UserError("Mask lambda must be 0 or more.");
		if (!(stop == 0 || stop >= 1)) throw new PluginSupport.UserError("The stop distance must be 0 (the paper's rule) " +
			"or at least 1 pixel.");
		Prefs.set("draggan.drag.steps", steps);
		Prefs.set("draggan.drag.r1" + per, r1);
		Prefs.set("draggan.drag.r2" + per, r2);
		Prefs.set("draggan.drag.layers." + m.numWs(), layers);
		Prefs.set("draggan.drag.lr", lr);
		Prefs.set("draggan.drag.lambda", lambda);
		Prefs.set("draggan.drag.stop", stop);
		Prefs.set("draggan.drag.space", wPlus ? SPACES[0] : SPACES[1]);
		Prefs.set("draggan.drag.norm", norm);
		Prefs.set("draggan.drag.every", every);
		Prefs.set("draggan.device", device);
		Prefs.set("draggan.drag.pasteBack", pasteBack);
		Prefs.set("draggan.drag.region." + m.resolution(), region);
		return new Answer(new DragConfig(steps, lr, lambda, r1, r2, stop == 0 ? Double.NaN : stop, wPlus, layers, norm.equals(
			NORMS[0]) ? TrackingNorm.L1 : TrackingNorm.L2, every), new RealImageOptions(pasteBack, region));
	}

	private static int whole(final double v, final String what, final int min) {
		if (Double.isNaN(v) || v != Math.rint(v) || v < min) throw new PluginSupport.UserError(what +
			" must be a whole number of at least " + min + ".");
		return (int) v;
	}
}
