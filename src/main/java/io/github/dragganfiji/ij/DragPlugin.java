package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragResult;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.image.DragResultStack;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.LatentImage;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plugins › DragGAN › Drag…: point (or line/arrow) ROIs give handle → target pairs, area ROIs the movable region;
 * the drag runs on this command's thread (never the event thread) and returns a new stack with one slice per
 * recorded step. Esc stops it and keeps the steps done. The input image is never modified.
 */
public class DragPlugin implements PlugIn {

	static final String TITLE = "DragGAN Drag";

	@Override
	public void run(final String arg) {
		PluginSupport.guard(TITLE, () -> {
			final ImagePlus imp = WindowManager.getCurrentImage();
			if (imp == null) throw new PluginSupport.UserError("No image is open. Make one with Plugins > DragGAN > " +
				"Generate Image..., then add point ROIs: handle, target, handle, target...");
			if (offerInversion(imp)) return;
			final Prepared p = prepare(imp, rois(imp));
			final DragDialog.Answer a = DragDialog.show(p.image().model().metadata(), p.input().size(), p.image()
				.isInverted());
			if (a == null) return;
			execute(p, a.config(), a.device(), a.realImage());
		});
	}

	/** A real image, interactively: offers to invert it first (the points then go on the inverted image). */
	private static boolean offerInversion(final ImagePlus imp) {
		if (ImageProperties.latent(imp, 1) != null || IJ.isMacro() || java.awt.GraphicsEnvironment.isHeadless())
			return false;
		final ij.gui.YesNoCancelDialog ask = new ij.gui.YesNoCancelDialog(IJ.getInstance(), TITLE, "'" + imp
			.getTitle() + "' has no DragGAN latent. Invert it first (Plugins > DragGAN > Invert...)?\n" +
			"Then put the handle and target points on the inverted image and run Drag again.");
		if (ask.yesPressed()) IJ.run("Invert...");
		return true;
	}

	/** The image's ROI and the ROI Manager's. */
	private static List<Roi> rois(final ImagePlus imp) {
		final List<Roi> rois = new ArrayList<>();
		if (imp.getRoi() != null) rois.add(imp.getRoi());
		// With a display, getInstance also returns a batch-mode macro's hidden manager (roiManager("add") with
		// setBatchMode(true)); headless, getRawInstance, since getInstance would build a manager window and fail.
		final RoiManager rm = java.awt.GraphicsEnvironment.isHeadless() ? RoiManager.getRawInstance() : RoiManager
			.getInstance();
		if (rm != null) for (final Roi r : rm.getRoisAsArray())
			rois.add(r);
		return rois;
	}

	/**
	 * A checked request: the image with its model and latent, and the handles, targets and mask from its ROIs.
	 *
	 * @param image the input image (never modified) and what it carries
	 * @param input handles, targets, mask
	 */
	public record Prepared(LatentImage image, DragInput input) {

		/** The latent the drag starts from. */
		public Latent latent() {
			return image.latent();
		}
	}

	/** Checks the image and converts the ROIs; an IllegalArgumentException says what is wrong. */
	public static Prepared prepare(final ImagePlus imp, final List<Roi> rois) {
		final LatentImage image = LatentImage.of(imp, FijiModels.searchPath());
		if (image.isStack()) IJ.log("DragGAN: " + image.stackNote());
		final DragInput input = RoiConversion.convert(rois, imp.getWidth(), imp.getHeight());
		for (final String note : input.notes())
			IJ.log("DragGAN: " + note);
		return new Prepared(image, input);
	}

	/**
	 * What a drag made.
	 *
	 * @param stack the result stack
	 * @param table the Results table the drag's rows were added to
	 * @param result how the drag ended
	 * @param seconds its wall time
	 */
	public record Outcome(ImagePlus stack, ResultsTable table, DragResult result, double seconds) {}

	/** {@link #execute(Prepared, DragConfig, String, RealImageOptions)} with the real-image defaults. */
	public static Outcome execute(final Prepared p, final DragConfig config, final String deviceChoice) {
		return execute(p, config, deviceChoice, RealImageOptions.defaults(p.image().model().metadata().resolution()));
	}

	/**
	 * Runs the drag on the calling thread; the result stack is shown (registered for the macro when headless). An
	 * image without an area ROI gets the default region, and with paste-back its result keeps the start image
	 * outside the movable area ({@link DragUseCase#plan}).
	 */
	public static Outcome execute(final Prepared p, final DragConfig config, final String deviceChoice,
		final RealImageOptions real)
	{
		final ModelMetadata m = p.image().model().metadata();
		final boolean live = !java.awt.GraphicsEnvironment.isHeadless() && !ij.macro.Interpreter.isBatchMode();
		final DragUseCase.Plan plan = DragUseCase.plan(p.input(), p.image().isInverted(), p.image().imp().getTitle(),
			real, IJ::log);
		final DragInput input = plan.input();
		final DragResultStack out = DragResultStack.of(p.image(), plan, live);
		final DragUseCase.Request request = new DragUseCase.Request(p.image().model(), p.latent(), input, config,
			DeviceChoice.parse(deviceChoice));
		IJ.resetEscape();
		final DragUseCase.Result r = DragUseCase.run(request, step -> {
			out.step(step);
			IJ.showProgress(step.index(), Math.max(1, config.maxSteps()));
			IJ.showStatus(String.format(Locale.ROOT, "DragGAN step %d/%d, mean distance %.1f px (Esc stops)", step
				.index(), config.maxSteps(), step.meanDistance()));
		}, IJ::escapePressed, IJ::log);
		IJ.showProgress(1.0);
		final String note = r.note(config);
		if (note != null) IJ.log("DragGAN: " + note);
		final DragVerification.Result v = r.drag().verification();
		IJ.showStatus(String.format(Locale.ROOT, "DragGAN: %s after %d steps, %.1f s", r.outcome(), r.drag()
			.updates(), r.seconds()));
		IJ.log("DragGAN: " + v.describe() + ".");
		final ImagePlus stack = out.finish(DragUseCase.params(config, plan, m.name()), v);
		// Shown once more if no window has it: in batch mode and headless this registers it for the macro.
		if (stack.getWindow() == null) stack.show();
		return new Outcome(stack, results(input, r.drag(), r.seconds(), config), r.drag(), r.seconds());
	}

	/**
	 * One row per handle: start, target, the tracker's final position and distance, and where the content was found
	 * in the last image (the verified position and distance, {@link DragVerification}); "Arrived" is 1 only when
	 * the verified distance is within the stop distance + 1 px, and "Status" says it in words.
	 */
	private static ResultsTable results(final DragInput p, final DragResult r, final double seconds,
		final DragConfig config)
	{
		// Headless there are no table windows: the rows go to the standard Results table (nResults, getResult).
		final boolean headless = java.awt.GraphicsEnvironment.isHeadless();
		final String title = headless ? "Results" : "DragGAN Results";
		ResultsTable rt = headless ? ResultsTable.getResultsTable() : ResultsTable.getResultsTable(title);
		if (rt == null) rt = new ResultsTable();
		final DragStep last = r.last();
		final DragVerification.Result v = r.verification();
		for (int i = 0; i < p.size(); i++) {
			final Point h = p.handles().get(i), t = p.targets().get(i), f = last.handles().get(i);
			final DragVerification.Handle vh = v.handles().get(i);
			rt.incrementCounter();
			rt.addValue("Handle", i + 1);
			rt.addValue("Start X", h.x());
			rt.addValue("Start Y", h.y());
			rt.addValue("Target X", t.x());
			rt.addValue("Target Y", t.y());
			rt.addValue("Final X", f.x());
			rt.addValue("Final Y", f.y());
			rt.addValue("Distance", last.distances()[i]);
			rt.addValue("Verified X", vh.found().x());
			rt.addValue("Verified Y", vh.found().y());
			rt.addValue("Verified distance", vh.distance());
			rt.addValue("Steps", r.updates());
			rt.addValue("Time (s)", seconds);
			rt.addValue("Arrived", v.arrived(vh) ? 1 : 0);
			rt.addValue("Status", DragUseCase.status(vh, r, last.distances()[i]));
			rt.addValue("Mode", config.mode().key());
		}
		rt.show(title);
		return rt;
	}
}
