package io.github.dragganfiji.ij;

import ij.Macro;
import ij.gui.GenericDialog;

import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.core.TrackingNorm;
import io.github.dragganfiji.model.ModelMetadata;

/** The Drag command's parameters: a GenericDialog (so macros record and replay it) remembering the last values. */
final class DragDialog {

	private static final String[] SPACES = { "W+", "W" };
	private static final String[] NORMS = { "L1 (paper)", "L2 (official code)" };
	private static final String[] MODES = java.util.Arrays.stream(DragMode.values()).map(DragMode::key).toArray(
		String[]::new);

	private DragDialog() {}

	/**
	 * The dialog's answers.
	 *
	 * @param config the drag's parameters
	 * @param realImage how a real (inverted) image is edited
	 * @param device where to run (auto, cpu, gpu)
	 */
	record Answer(DragConfig config, RealImageOptions realImage, String device) {}

	/**
	 * The parameter dialog (macro-recordable); null when cancelled. The learning rate and r1 default to the chosen
	 * mode's (remembered per mode): changing the mode in the dialog switches them, and a macro that names a mode but
	 * not these fields gets that mode's.
	 */
	static Answer show(final ModelMetadata m, final int handles, final boolean inverted) {
		final DragMode remembered = remembered();
		final DragConfig d = DragConfig.defaults(m.resolution(), m.learningRate(), m.dragLayers(), remembered);
		PluginSupport.requireMacroChoice("Latent space", SPACES, "latent space");
		PluginSupport.requireMacroChoice("Tracking distance", NORMS, "tracking distance");
		PluginSupport.requireMacroChoice("Device", PluginSupport.DEVICES, "device");
		final GenericDialog gd = new GenericDialog(DragPlugin.TITLE);
		gd.addMessage(handles + " handle(s); model '" + m.name() + "' (" + m.resolution() + " px)");
		gd.addNumericField("Max steps", DialogMemory.get("draggan.drag.steps", d.maxSteps()), 0);
		gd.addNumericField("Learning rate", learningRate(m, remembered), 4);
		gd.addNumericField("Mask lambda", DialogMemory.get("draggan.drag.lambda", d.lambdaMask()), 1);
		// Radii and layers scale with the model: remembered per resolution and layer count.
		final String per = "." + m.resolution();
		gd.addNumericField("r1 (supervision radius, px)", r1(m, remembered), 0);
		gd.addNumericField("r2 (tracking radius, px)", DialogMemory.get("draggan.drag.r2" + per, d.r2()), 0);
		gd.addNumericField("Stop distance (px, 0 = 1 px, 2 px with 5+ handles)", DialogMemory.get("draggan.drag.stop", 0),
			1);
		gd.addChoice("Latent space", SPACES, DialogMemory.get("draggan.drag.space", SPACES[0]));
		gd.addNumericField("Layers optimized", DialogMemory.get("draggan.drag.layers." + m.numWs(), d.layers()), 0);
		gd.addChoice("Tracking distance", NORMS, DialogMemory.get("draggan.drag.norm", NORMS[0]));
		gd.addNumericField("Record every N steps", DialogMemory.get("draggan.drag.every", 1), 0);
		gd.addChoice("Device", PluginSupport.DEVICES, DialogMemory.device());
		// Appended last, with a key of its own (mode=...), so that recorded macros keep working.
		gd.addChoice("Mode", MODES, remembered.key());
		gd.addDialogListener((dialog, e) -> {
			followTheMode(dialog, e, m);
			return true;
		});
		final RealImageOptions r = DialogMemory.realImage(m.resolution());
		gd.addMessage(inverted ? "Real (inverted) image:" : "What may change:");
		// Unchecked by default (and in macros that leave it out): results are pasted back unless asked otherwise.
		gd.addCheckbox("Raw generator output (no paste-back of the original outside the movable area)",
			!r.pasteBack());
		gd.addNumericField("Region radius without an area ROI (px)", r.regionRadius(), 0);
		// A label of its own first word (the macro key "hold"): the movable area also holds the drag's features.
		gd.addCheckbox("Hold the generator's features outside the movable area too (mask the drag, not only the paste-back)",
			r.regionAsMask());
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		final int steps = whole(gd.getNextNumber(), "Max steps", 0);
		double lr = gd.getNextNumber();
		final double lambda = gd.getNextNumber();
		int r1 = whole(gd.getNextNumber(), "r1", 1);
		final int r2 = whole(gd.getNextNumber(), "r2", 1);
		final double stop = gd.getNextNumber();
		final boolean wPlus = gd.getNextChoice().equals(SPACES[0]);
		final int layers = whole(gd.getNextNumber(), "Layers optimized", 1);
		final String norm = gd.getNextChoice();
		final int every = whole(gd.getNextNumber(), "Record every N steps", 1);
		final String device = gd.getNextChoice();
		DragMode mode = mode(gd.getNextChoice());
		final String macro = Macro.getOptions();
		// A macro's unknown mode would silently become the dialog's default: say so instead.
		if (macro != null && Macro.getValue(macro, "mode", null) != null) mode = mode(Macro.getValue(macro, "mode",
			null));
		if (macro != null && Macro.getValue(macro, "learning", null) == null) lr = learningRate(m, mode);
		if (macro != null && Macro.getValue(macro, "r1", null) == null) r1 = r1(m, mode);
		final boolean pasteBack = !gd.getNextBoolean();
		final double region = gd.getNextNumber();
		final boolean hold = gd.getNextBoolean();
		if (!(region >= 1) || region != Math.rint(region)) throw new PluginSupport.UserError("The region radius must " +
			"be a whole number of pixels, at least 1.");
		if (layers > m.numWs()) throw new PluginSupport.UserError("Layers optimized must be at most " + m.numWs() +
			" for this model.");
		if (r1 > m.resolution() || r2 > m.resolution()) throw new PluginSupport.UserError("r1 and r2 must be at " +
			"most the image size (" + m.resolution() + " px), not " + r1 + " and " + r2 + ".");
		if (!(lr > 0)) throw new PluginSupport.UserError("The learning rate must be positive.");
		if (!(lambda >= 0)) throw new PluginSupport.UserError("Mask lambda must be 0 or more.");
		if (!(stop == 0 || stop >= 1)) throw new PluginSupport.UserError("The stop distance must be 0 (the paper's rule) " +
			"or at least 1 pixel.");
		// Checked before anything is remembered.
		final DragConfig config = new DragConfig(steps, lr, lambda, r1, r2, stop == 0 ? Double.NaN : stop, wPlus,
			layers, norm.equals(NORMS[0]) ? TrackingNorm.L1 : TrackingNorm.L2, every, mode);
		final RealImageOptions realImage = new RealImageOptions(pasteBack, region, hold).requireFits(m
			.resolution());
		DialogMemory.set("draggan.drag.steps", steps);
		DialogMemory.set(key("draggan.drag.r1" + per, mode), r1);
		DialogMemory.set("draggan.drag.r2" + per, r2);
		DialogMemory.set("draggan.drag.layers." + m.numWs(), layers);
		DialogMemory.set(key("draggan.drag.lr", mode), lr);
		DialogMemory.set("draggan.drag.lambda", lambda);
		DialogMemory.set("draggan.drag.stop", stop);
		DialogMemory.set("draggan.drag.space", wPlus ? SPACES[0] : SPACES[1]);
		DialogMemory.set("draggan.drag.norm", norm);
		DialogMemory.set("draggan.drag.every", every);
		DialogMemory.set(DialogMemory.DEVICE, device);
		DialogMemory.set("draggan.drag.mode", mode.key());
		DialogMemory.realImage(m.resolution(), realImage);
		return new Answer(config, realImage, device);
	}

	/** The mode used last, or the default. */
	private static DragMode remembered() {
		try {
			return DragMode.parse(DialogMemory.get("draggan.drag.mode", DragConfig.DEFAULT_MODE.key()));
		}
		catch (final IllegalArgumentException e) {
			return DragConfig.DEFAULT_MODE;
		}
	}

	/** A remembered value's key: the paper mode keeps the keys from before modes existed. */
	private static String key(final String base, final DragMode mode) {
		return mode == DragMode.PAPER ? base : base + "." + mode.key();
	}

	private static double learningRate(final ModelMetadata m, final DragMode mode) {
		return DialogMemory.get(key("draggan.drag.lr", mode), DragConfig.defaults(m.resolution(), m.learningRate(), m
			.dragLayers(), mode).learningRate());
	}

	private static int r1(final ModelMetadata m, final DragMode mode) {
		return (int) DialogMemory.get(key("draggan.drag.r1." + m.resolution(), mode), DragConfig.defaults(m.resolution(), m
			.learningRate(), m.dragLayers(), mode).r1());
	}

	/** When the user picks another mode, the learning rate and r1 fields show that mode's values. */
	private static void followTheMode(final GenericDialog gd, final java.awt.AWTEvent e, final ModelMetadata m) {
		if (e == null || gd.getChoices() == null || gd.getNumericFields() == null) return;
		final java.awt.Choice choice = (java.awt.Choice) gd.getChoices().get(gd.getChoices().size() - 1);
		if (e.getSource() != choice) return;
		final DragMode mode = DragMode.parse(choice.getSelectedItem());
		final java.awt.TextField lr = (java.awt.TextField) gd.getNumericFields().get(1);
		final java.awt.TextField r1 = (java.awt.TextField) gd.getNumericFields().get(3);
		lr.setText(ij.IJ.d2s(learningRate(m, mode), 4));
		r1.setText(Integer.toString(r1(m, mode)));
	}

	/** A macro may give any mode name, in any case; anything else is one clear sentence. */
	private static DragMode mode(final String choice) {
		try {
			return DragMode.parse(choice);
		}
		catch (final IllegalArgumentException e) {
			throw new PluginSupport.UserError(e.getMessage());
		}
	}

	private static int whole(final double v, final String what, final int min) {
		if (Double.isNaN(v) || v != Math.rint(v) || v < min) throw new PluginSupport.UserError(what +
			" must be a whole number of at least " + min + ".");
		return (int) v;
	}
}
