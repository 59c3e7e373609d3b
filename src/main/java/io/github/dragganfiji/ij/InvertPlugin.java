package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

import io.github.dragganfiji.app.InvertUseCase;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.image.InversionInput;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.util.Locale;

/**
 * Plugins › DragGAN › Invert…: finds a latent whose image matches the current image (W+ projection, MSE + MS-SSIM,
 * then pivotal tuning of a private copy of the model), so that a real image can be dragged. The image is made square
 * and scaled to the model (crop or pad), its intensities are mapped to the model's by percentiles and mapped back for
 * the result, which keeps the source's bit depth, range and (adjusted) calibration. The input is never modified.
 */
public class InvertPlugin implements PlugIn {

	static final String TITLE = "DragGAN Invert";

	@Override
	public void run(final String arg) {
		PluginSupport.guard(TITLE, () -> {
			final ImagePlus imp = WindowManager.getCurrentImage();
			if (imp == null) throw new PluginSupport.UserError("No image is open.");
			final Parameters p = ask();
			if (p == null) return;
			execute(imp, p.model(), p.framing(), p.projection(), p.tuning(), p.device(), p.showReconstruction()).show();
		});
	}

	/** The latent spaces of the dialog's choice (Projector.Space keys). */
	static final String[] SPACES = { Projector.Space.W.key(), Projector.Space.W_PLUS.key() };

	/** The dialog's answers. */
	private record Parameters(ModelSearchPath.Entry model, InversionInput.Framing framing, Projector.Options projection,
		PivotalTuner.Options tuning, DeviceChoice device, boolean showReconstruction) {}

	/** The parameter dialog (macro-recordable); null when cancelled. */
	private static Parameters ask() {
		final ModelSearchPath models = FijiModels.searchPath();
		final String[] names = models.bundles().keySet().toArray(new String[0]);
		if (names.length == 0) throw new PluginSupport.UserError("No DragGAN models found. Looked in: " + models
			.folders());
		final Projector.Options d = Projector.Options.defaults();
		PluginSupport.requireMacroChoice("Model", names, "DragGAN model");
		PluginSupport.requireMacroChoice("Geometry", InversionInput.Framing.labels(), "geometry");
		PluginSupport.requireMacroChoice("Latent space", SPACES, "latent space");
		PluginSupport.requireMacroChoice("Device", PluginSupport.DEVICES, "device");
		final GenericDialog gd = new GenericDialog(TITLE);
		gd.addChoice("Model", names, DialogMemory.get("draggan.invert.model", names[0]));
		gd.addChoice("Geometry", InversionInput.Framing.labels(), DialogMemory.get("draggan.invert.geometry", "center crop"));
		gd.addChoice("Latent space", SPACES, DialogMemory.get("draggan.invert.space", d.space().key()));
		gd.addNumericField("Steps", DialogMemory.get("draggan.invert.steps", d.steps()), 0);
		gd.addNumericField("Learning rate", DialogMemory.get("draggan.invert.lr", d.learningRate()), 4);
		gd.addNumericField("MS-SSIM weight", DialogMemory.get("draggan.invert.msssim", d.msssimWeight()), 2);
		gd.addNumericField("Starts (independent projections, the best is kept)", DialogMemory.get("draggan.invert.starts",
			d.starts()), 0);
		final PivotalTuner.Options t = PivotalTuner.Options.defaults();
		gd.addCheckbox("Pivotal tuning (fine-tune a copy of the model for this image)", DialogMemory.get("draggan.invert.pti",
			true));
		// Labels with underscores: a macro key is the label's first word, and these must differ.
		gd.addNumericField("Tuning_steps", DialogMemory.get("draggan.invert.ptiSteps", t.steps()), 0);
		gd.addNumericField("Tuning_rate", DialogMemory.get("draggan.invert.ptiLr", t.learningRate()), 5);
		gd.addNumericField("Show the projection every N steps (0 = no)", DialogMemory.get("draggan.invert.every", 0), 0);
		gd.addChoice("Device", PluginSupport.DEVICES, DialogMemory.device());
		gd.addNumericField("Locality weight (tuning keeps nearby latents like the model; 0 = off)", DialogMemory.get(
			"draggan.invert.locality", t.localityWeight()), 2);
		gd.addCheckbox("Reconstruction shown as its own image", DialogMemory.get("draggan.invert.reconstruction", true));
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		final String name = gd.getNextChoice();
		final InversionInput.Framing framing = InversionInput.Framing.parse(gd.getNextChoice());
		final String space = gd.getNextChoice();
		final double steps = gd.getNextNumber(), lr = gd.getNextNumber(), w = gd.getNextNumber();
		final double starts = gd.getNextNumber();
		final boolean pti = gd.getNextBoolean();
		final double ptiSteps = gd.getNextNumber(), ptiLr = gd.getNextNumber();
		final double every = gd.getNextNumber();
		final String device = gd.getNextChoice();
		final double locality = gd.getNextNumber();
		final boolean reconstruction = gd.getNextBoolean();
		if (Double.isNaN(steps) || steps < 1 || steps != Math.rint(steps)) throw new PluginSupport.UserError(
			"Steps must be a whole number of at least 1.");
		if (Double.isNaN(starts) || starts < 1 || starts != Math.rint(starts)) throw new PluginSupport.UserError(
			"Starts must be a whole number of at least 1.");
		if (Double.isNaN(every) || every < 0 || every != Math.rint(every)) throw new PluginSupport.UserError(
			"'Show the projection every N steps' must be a whole number, 0 or more.");
		final Projector.Options o = new Projector.Options((int) steps, lr, w, (int) every, (int) starts, Projector.Space
			.parse(space));
		if (pti && (Double.isNaN(ptiSteps) || ptiSteps < 1 || ptiSteps != Math.rint(ptiSteps))) throw new PluginSupport.UserError(
			"Tuning steps must be a whole number of at least 1.");
		if (!(locality >= 0) || !Double.isFinite(locality)) throw new PluginSupport.UserError("The locality weight must be " +
			"a number of 0 or more (0.1 is PTI's), not " + locality + ".");
		final PivotalTuner.Options tuning = pti ? new PivotalTuner.Options((int) ptiSteps, ptiLr, w).withLocality(
			locality) : null;
		final ModelSearchPath.Entry model = models.find(name);
		DialogMemory.set("draggan.invert.model", name);
		DialogMemory.set("draggan.invert.geometry", framing.toString());
		DialogMemory.set("draggan.invert.space", space);
		DialogMemory.set("draggan.invert.steps", steps);
		DialogMemory.set("draggan.invert.lr", lr);
		DialogMemory.set("draggan.invert.msssim", w);
		DialogMemory.set("draggan.invert.starts", starts);
		DialogMemory.set("draggan.invert.pti", pti);
		DialogMemory.set("draggan.invert.every", every);
		DialogMemory.set("draggan.invert.locality", locality);
		DialogMemory.set("draggan.invert.reconstruction", reconstruction);
		if (pti) {
			DialogMemory.set("draggan.invert.ptiSteps", ptiSteps);
			DialogMemory.set("draggan.invert.ptiLr", ptiLr);
		}
		DialogMemory.set(DialogMemory.DEVICE, device);
		return new Parameters(model, framing, o, tuning, DeviceChoice.parse(device), reconstruction);
	}

	/** {@link #execute(ImagePlus, ModelSearchPath.Entry, InversionInput.Framing, Projector.Options,
	 * PivotalTuner.Options, DeviceChoice, boolean)} without showing the reconstruction. */
	public static ImagePlus execute(final ImagePlus imp, final ModelSearchPath.Entry model,
		final InversionInput.Framing framing, final Projector.Options o, final PivotalTuner.Options tuning,
		final DeviceChoice device)
	{
		return execute(imp, model, framing, o, tuning, device, false);
	}

	/**
	 * Inverts the current plane of {@code imp}; returns the inverted image (not shown): the image's own pixels at the
	 * model's size, carrying the latent, so that a drag pastes its edits into them. The generator's reconstruction is
	 * shown as its own image on request. With
	 * {@code tuning}, a private copy of the model is fine-tuned around the projected latent and saved as its own
	 * bundle in the user's model folder; the reconstruction then refers to that bundle. The original bundle is never
	 * changed.
	 */
	public static ImagePlus execute(final ImagePlus imp, final ModelSearchPath.Entry model,
		final InversionInput.Framing framing, final Projector.Options o, final PivotalTuner.Options tuning,
		final DeviceChoice device, final boolean showReconstruction)
	{
		final ModelMetadata m = model.metadata();
		final int c = m.imageChannels(), r = m.resolution();
		final InversionInput in = InversionInput.of(imp, m, framing);
		IJ.log("DragGAN: inverting '" + imp.getTitle() + "': " + in.description());
		final InvertUseCase.Request request = new InvertUseCase.Request(model, in.flat(), imp.getTitle(), o, tuning,
			device, FijiModels.userFolder());
		final ImageStack frames = new ImageStack(r, r);
		IJ.resetEscape();
		final InvertUseCase.Result result = InvertUseCase.run(request, new InvertUseCase.Progress() {

			@Override
			public void projection(final Projector.Step s, final IntensityMapping map) {
				if (o.recordEvery() > 0 && s.image() != null) frames.addSlice(String.format(Locale.ROOT,
					"projection step %d, PSNR %.1f dB", s.index(), s.psnr()), Rendering.toProcessors(s.image(), c, r, map,
						Rendering.BitDepth.BIT32, false)[0]);
				IJ.showProgress(s.index() + 1, o.totalSteps());
				if (s.index() % 10 == 0) IJ.showStatus(String.format(Locale.ROOT,
					"DragGAN inversion step %d/%d, PSNR %.1f dB (Esc stops)", s.index(), o.totalSteps(), s.psnr()));
			}

			@Override
			public void tuning(final Projector.Step s) {
				IJ.showProgress(s.index() + 1, tuning.steps());
				if (s.index() % 10 == 0) IJ.showStatus(String.format(Locale.ROOT,
					"DragGAN pivotal tuning step %d/%d, PSNR %.1f dB (Esc stops)", s.index(), tuning.steps(), s.psnr()));
			}

			@Override
			public void log(final String line) {
				IJ.log(line);
			}
		}, IJ::escapePressed);
		if (result.tunedDir() != null) FijiModels.addFolderIfNeeded(result.tunedDir().getParent());
		final String summary = result.summary(request, in.description());
		IJ.log("DragGAN: inversion of '" + imp.getTitle() + "': " + summary);
		if (frames.getSize() > 0) new ImagePlus(imp.getTitle() + " projection steps", frames).show();
		IJ.showStatus("DragGAN: inverted, " + summary);
		final ResultsTable rt = ResultsTable.getResultsTable() == null ? new ResultsTable() : ResultsTable
			.getResultsTable();
		rt.incrementCounter();
		rt.addLabel(imp.getTitle());
		rt.addValue("PSNR (dB)", result.psnr());
		rt.addValue("SSIM", result.ssim());
		rt.addValue("Steps", result.steps(request));
		rt.addValue("Time (s)", result.seconds());
		rt.show("Results");
		if (showReconstruction) Rendering.reconstruction(result, summary, imp, in).show();
		return Rendering.inverted(result, summary, imp, in);
	}
}
