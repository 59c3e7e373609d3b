package io.github.dragganfiji.ij;

import ai.djl.Device;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.DragSession;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plugins › DragGAN › Drag…: point (or line/arrow) ROIs give handle → target pairs, area ROIs the movable region;
 * the drag runs on this command's thread (never the event thread) and returns a new stack with one slice per
 * recorded step. Esc stops it and keeps the steps done. The input image is never modified.
 */
public class Drag implements PlugIn {

	static final String TITLE = "DragGAN Drag";

	@Override
	public void run(final String arg) {
		Commands.guard(TITLE, this::drag);
	}

	private void drag() {
		final ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) throw new Commands.UserError("No image is open. Make one with Plugins > DragGAN > " +
			"Generate Image..., then add point ROIs: handle, target, handle, target...");
		if (ImageLatents.latent(imp, 1) == null && !IJ.isMacro() && !java.awt.GraphicsEnvironment.isHeadless()) {
			// A real image: offer to invert it first; the points then go on the inverted image.
			final ij.gui.YesNoCancelDialog ask = new ij.gui.YesNoCancelDialog(IJ.getInstance(), TITLE, "'" + imp
				.getTitle() + "' has no DragGAN latent. Invert it first (Plugins > DragGAN > Invert...)?\n" +
				"Then put the handle and target points on the inverted image and run Drag again.");
			if (ask.yesPressed()) IJ.run("Invert...");
			return;
		}
		final List<Roi> rois = new ArrayList<>();
		if (imp.getRoi() != null) rois.add(imp.getRoi());
		// With a display, getInstance also returns a batch-mode macro's hidden manager (roiManager("add") with
		// setBatchMode(true)); headless, getRawInstance, since getInstance would build a manager window and fail.
		final RoiManager rm = java.awt.GraphicsEnvironment.isHeadless() ? RoiManager.getRawInstance() : RoiManager
			.getInstance();
		if (rm != null) for (final Roi r : rm.getRoisAsArray())
			rois.add(r);
		final Prepared p = prepare(imp, rois);
		final DragConfig config = DragDialog.show(p.entry().metadata(), p.pairs().handles().size());
		if (config == null) return;
		execute(p, config, Prefs.get("draggan.device", "auto"));
	}

	/**
	 * A validated request: the image's model, latent and position, and the handles, targets and mask.
	 *
	 * @param imp the input image (never modified)
	 * @param entry its model
	 * @param latent the latent of its current slice
	 * @param pairs handles, targets, mask
	 * @param areas the area ROIs (drawn as the mask outline)
	 */
	public record Prepared(ImagePlus imp, ModelRegistry.Entry entry, Latent latent, RoiConversion.Result pairs,
		List<Roi> areas) {}

	/** Checks the image and converts the ROIs; a UserError or IllegalArgumentException says what is wrong. */
	public static Prepared prepare(final ImagePlus imp, final List<Roi> rois) {
		final int position = imp.isHyperStack() || imp.isComposite() ? imp.getFrame() : imp.getCurrentSlice();
		final Latent latent = ImageLatents.latent(imp, position);
		final String modelName = ImageLatents.model(imp);
		if (latent == null || modelName == null) throw new Commands.UserError("'" + imp.getTitle() +
			"' has no DragGAN latent, so it cannot be dragged. Generate an image with Plugins > DragGAN > " +
			"Generate Image..., invert this one with Plugins > DragGAN > Invert..., or open a TIFF saved from a " +
			"DragGAN result.");
		final ModelRegistry.Entry entry = ModelRegistry.find(modelName);
		checkFits(imp, entry.metadata(), latent);
		if (imp.getNFrames() > 1 || imp.getNSlices() > 1) IJ.log("DragGAN: '" + imp.getTitle() + "' is a stack; " +
			"dragging from its current " + (imp.isHyperStack() ? "frame " : "slice ") + position + ".");
		final RoiConversion.Result pairs = RoiConversion.convert(rois, imp.getWidth(), imp.getHeight());
		for (final String note : pairs.notes())
			IJ.log("DragGAN: " + note);
		final List<Roi> areas = new ArrayList<>();
		for (final Roi r : rois)
			if (r != null && r.isArea()) areas.add(r);
		return new Prepared(imp, entry, latent, pairs, areas);
	}

	/**
	 * What a drag made.
	 *
	 * @param stack the result stack
	 * @param table the Results table the drag's rows were added to
	 */
	public record Outcome(ImagePlus stack, ResultsTable table, DragResult result, double seconds) {}

	/** Runs the drag on the calling thread; the result stack is shown unless headless or in batch mode. */
	public static Outcome execute(final Prepared p, final DragConfig config, final String deviceChoice) {
		return execute(p, config, deviceChoice, null);
	}

	/** As {@link #execute(Prepared, DragConfig, String)}, also reporting each step to {@code progress}. */
	public static Outcome execute(final Prepared p, final DragConfig config, final String deviceChoice,
		final io.github.dragganfiji.core.DragListener progress)
	{
		final ModelMetadata m = p.entry().metadata();
		final Device device = Commands.device(deviceChoice);
		final boolean live = !java.awt.GraphicsEnvironment.isHeadless() && !ij.macro.Interpreter.isBatchMode();
		final DragResultStack out = new DragResultStack(p.imp(), m, p.pairs().targets(), p.areas(), live);
		final RoiConversion.Result pairs = p.pairs();
		final DragResult result;
		final long t0 = System.nanoTime();
		IJ.resetEscape();
		synchronized (GeneratorCache.lock()) {
			final Generator g = GeneratorCache.get(p.entry().dir(), device);
			try (DragSession s = new DragSession(g, p.latent().ws(), pairs.handles(), pairs.targets(), pairs.movable(),
				config))
			{
				result = s.run(step -> {
					out.add(step);
					if (progress != null) progress.step(step);
					IJ.showProgress(step.index(), Math.max(1, config.maxSteps()));
					IJ.showStatus(String.format(Locale.ROOT, "DragGAN step %d/%d, mean distance %.1f px (Esc stops)",
						step.index(), config.maxSteps(), step.meanDistance()));
				}, IJ::escapePressed);
			}
		}
		final double seconds = (System.nanoTime() - t0) / 1e9;
		IJ.showProgress(1.0);
		IJ.showStatus(String.format(Locale.ROOT, "DragGAN: %s after %d steps, %.1f s", result.arrived() ? "arrived"
			: result.cancelled() ? "stopped" : "max steps reached", result.updates(), seconds));
		final ImagePlus stack = out.finish(describe(config, pairs, m.name()));
		return new Outcome(stack, results(pairs, result, seconds), result, seconds);
	}

	private static void checkFits(final ImagePlus imp, final ModelMetadata m, final Latent latent) {
		if (imp.getWidth() != m.resolution() || imp.getHeight() != m.resolution()) throw new Commands.UserError(String
			.format(Locale.ROOT, "'%s' is %d x %d pixels, but the model '%s' makes %d x %d images.", imp.getTitle(), imp
				.getWidth(), imp.getHeight(), m.name(), m.resolution(), m.resolution()));
		final int channels = imp.getType() == ImagePlus.COLOR_RGB ? 3 : imp.getNChannels();
		if (channels != m.imageChannels()) throw new Commands.UserError(String.format(Locale.ROOT,
			"'%s' has %d channel(s), but the model '%s' makes %d.", imp.getTitle(), channels, m.name(), m
				.imageChannels()));
		if (!latent.fits(m)) throw new Commands.UserError("The latent stored in '" + imp.getTitle() + "' (" + latent
			.numWs() + " x " + latent.wDim() + ") does not fit the model '" + m.name() + "' (" + m.numWs() + " x " + m
				.wDim() + ").");
	}

	private static String describe(final DragConfig c, final RoiConversion.Result p, final String model) {
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"model=%s steps=%d lr=%g lambda=%g r1=%d r2=%d stop=%s space=%s layers=%d tracking=%s every=%d handles=",
			model, c.maxSteps(), c.learningRate(), c.lambdaMask(), c.r1(), c.r2(), Double.isNaN(c.stopDistance())
				? "paper" : c.stopDistance(), c.wPlus() ? "W+" : "W", c.layers(), c.trackingNorm(), c.recordEvery()));
		for (int i = 0; i < p.handles().size(); i++)
			s.append(i == 0 ? "" : ";").append(p.handles().get(i).x()).append(',').append(p.handles().get(i).y())
				.append("->").append(p.targets().get(i).x()).append(',').append(p.targets().get(i).y());
		s.append(" mask=").append(p.movable() != null);
		return s.toString();
	}

	private static ResultsTable results(final RoiConversion.Result p, final DragResult r, final double seconds) {
		// Headless there are no table windows: the rows go to the standard Results table (nResults, getResult).
		final boolean headless = java.awt.GraphicsEnvironment.isHeadless();
		final String title = headless ? "Results" : "DragGAN Results";
		ResultsTable rt = headless ? ResultsTable.getResultsTable() : ResultsTable.getResultsTable(title);
		if (rt == null) rt = new ResultsTable();
		final DragStep last = r.last();
		for (int i = 0; i < p.handles().size(); i++) {
			final Point h = p.handles().get(i), t = p.targets().get(i), f = last.handles().get(i);
			rt.incrementCounter();
			rt.addValue("Handle", i + 1);
			rt.addValue("Start X", h.x());
			rt.addValue("Start Y", h.y());
			rt.addValue("Target X", t.x());
			rt.addValue("Target Y", t.y());
			rt.addValue("Final X", f.x());
			rt.addValue("Final Y", f.y());
			rt.addValue("Distance", last.distances()[i]);
			rt.addValue("Steps", r.updates());
			rt.addValue("Time (s)", seconds);
			rt.addValue("Arrived", r.arrived() ? 1 : 0);
		}
		rt.show(title);
		return rt;
	}
}
