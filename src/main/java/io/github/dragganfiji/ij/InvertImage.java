package io.github.dragganfiji.ij;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import ij.process.ImageProcessor;

import io.github.dragganfiji.core.ImageLoss;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.Latents;
import io.github.dragganfiji.model.ModelMetadata;

import java.util.Locale;

/**
 * Plugins › DragGAN › Invert…: finds a latent whose image matches the current image (W+ projection, MSE + MS-SSIM),
 * so that a real image can be dragged. The image is made square and scaled to the model (crop or pad), its
 * intensities are mapped to the model's by percentiles and mapped back for the result, which keeps the source's bit
 * depth, range and (adjusted) calibration. The input is never modified.
 */
public class InvertImage implements PlugIn {

	static final String TITLE = "DragGAN Invert";
	static final String INTENSITY = "DragGAN.intensity";
	static final String INVERSION = "DragGAN.inversion";
	/** Seeds of the model images whose intensities define the model's side of the mapping. */
	static final int REFERENCE_IMAGES = 8;

	@Override
	public void run(final String arg) {
		Commands.guard(TITLE, this::invert);
	}

	private void invert() {
		final ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) throw new Commands.UserError("No image is open.");
		final String[] names = ModelRegistry.bundles().keySet().toArray(new String[0]);
		if (names.length == 0) throw new Commands.UserError("No DragGAN models found. Looked in: " + ModelRegistry
			.searchPath());
		final Projector.Options d = Projector.Options.defaults();
		final GenericDialog gd = new GenericDialog(TITLE);
		gd.addChoice("Model", names, Prefs.get("draggan.invert.model", names[0]));
		gd.addChoice("Geometry", InversionInput.Geometry.labels(), Prefs.get("draggan.invert.geometry", "center crop"));
		gd.addNumericField("Steps", Prefs.get("draggan.invert.steps", d.steps()), 0);
		gd.addNumericField("Learning rate", Prefs.get("draggan.invert.lr", d.learningRate()), 4);
		gd.addNumericField("MS-SSIM weight", Prefs.get("draggan.invert.msssim", d.msssimWeight()), 2);
		gd.addNumericField("Starts (independent projections, the best is kept)", Prefs.get("draggan.invert.starts",
			d.starts()), 0);
		final PivotalTuner.Options t = PivotalTuner.Options.defaults();
		gd.addCheckbox("Pivotal tuning (fine-tune a copy of the model for this image)", Prefs.get("draggan.invert.pti",
			true));
		// Labels with underscores: a macro key is the label's first word, and these must differ.
		gd.addNumericField("Tuning_steps", Prefs.get("draggan.invert.ptiSteps", t.steps()), 0);
		gd.addNumericField("Tuning_rate", Prefs.get("draggan.invert.ptiLr", t.learningRate()), 5);
		gd.addNumericField("Show the projection every N steps (0 = no)", Prefs.get("draggan.invert.every", 0), 0);
		gd.addChoice("Device", Commands.DEVICES, Prefs.get("draggan.device", "auto"));
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final String name = gd.getNextChoice();
		final InversionInput.Geometry geometry = InversionInput.Geometry.parse(gd.getNextChoice());
		final double steps = gd.getNextNumber(), lr = gd.getNextNumber(), w = gd.getNextNumber();
		final double starts = gd.getNextNumber();
		final boolean pti = gd.getNextBoolean();
		final double ptiSteps = gd.getNextNumber(), ptiLr = gd.getNextNumber();
		final double every = gd.getNextNumber();
		final String device = gd.getNextChoice();
		if (Double.isNaN(steps) || steps < 1 || steps != Math.rint(steps)) throw new Commands.UserError(
			"Steps must be a whole number of at least 1.");
		if (Double.isNaN(starts) || starts < 1 || starts != Math.rint(starts)) throw new Commands.UserError(
			"Starts must be a whole number of at least 1.");
		if (Double.isNaN(every) || every < 0 || every != Math.rint(every)) throw new Commands.UserError(
			"'Show the projection every N steps' must be a whole number, 0 or more.");
		final Projector.Options o = new Projector.Options((int) steps, lr, w, (int) every, (int) starts);
		if (pti && (Double.isNaN(ptiSteps) || ptiSteps < 1 || ptiSteps != Math.rint(ptiSteps))) throw new Commands.UserError(
			"Tuning steps must be a whole number of at least 1.");
		final PivotalTuner.Options tuning = pti ? new PivotalTuner.Options((int) ptiSteps, ptiLr, w) : null;
		Prefs.set("draggan.invert.model", name);
		Prefs.set("draggan.invert.geometry", geometry.toString());
		Prefs.set("draggan.invert.steps", steps);
		Prefs.set("draggan.invert.lr", lr);
		Prefs.set("draggan.invert.msssim", w);
		Prefs.set("draggan.invert.starts", starts);
		Prefs.set("draggan.invert.pti", pti);
		Prefs.set("draggan.invert.every", every);
		if (pti) {
			Prefs.set("draggan.invert.ptiSteps", ptiSteps);
			Prefs.set("draggan.invert.ptiLr", ptiLr);
		}
		Prefs.set("draggan.device", device);
		execute(imp, ModelRegistry.find(name), geometry, o, tuning, Commands.device(device)).show();
	}

	/**
	 * Inverts the current plane of {@code imp}; returns the reconstruction, carrying its latent (not shown). With
	 * {@code tuning}, a private copy of the model is fine-tuned around the projected latent and saved as its own
	 * bundle in the user's model folder; the reconstruction then refers to that bundle. The original bundle is never
	 * changed.
	 */
	public static ImagePlus execute(final ImagePlus imp, final ModelRegistry.Entry entry,
		final InversionInput.Geometry geometry, final Projector.Options o, final PivotalTuner.Options tuning,
		final Device device)
	{
		final ModelMetadata m = entry.metadata();
		final int c = m.imageChannels(), r = m.resolution();
		if (InversionInput.channelsOf(imp) != c) throw new Commands.UserError(String.format(Locale.ROOT,
			"'%s' has %d channel(s), but the model '%s' makes %d.", imp.getTitle(), InversionInput.channelsOf(imp), m
				.name(), c));
		final InversionInput in = InversionInput.of(imp, r, geometry);
		IJ.log("DragGAN: inverting '" + imp.getTitle() + "': " + in.description());
		final long t0 = System.nanoTime();
		Projector.Step last;
		String tunedName = null;
		final int[] tuningSteps = {0};
		final ImageStack frames = new ImageStack(r, r);
		final IntensityMapping map;
		final double ssim;
		IJ.resetEscape();
		synchronized (GeneratorCache.lock()) {
			final Generator g = GeneratorCache.get(entry.dir(), device);
			map = IntensityMapping.fit(in.flat(), reference(g), c);
			final float[] target = target(in, map, m);
			last = Projector.project(g, target, o, s -> {
				if (o.recordEvery() > 0 && s.image() != null) frames.addSlice(String.format(Locale.ROOT,
					"projection step %d, PSNR %.1f dB", s.index(), s.psnr()), Rendering.toProcessors(s.image(), c, r, map,
						Rendering.BitDepth.BIT32, false)[0]);
				IJ.showProgress(s.index() + 1, o.totalSteps());
				if (s.index() % 10 == 0) IJ.showStatus(String.format(Locale.ROOT,
					"DragGAN inversion step %d/%d, PSNR %.1f dB (Esc stops)", s.index(), o.totalSteps(), s.psnr()));
			}, IJ::escapePressed);
			if (tuning != null && !IJ.escapePressed()) {
				final double projected = last.psnr();
				final Projector.Step p = last;
				try (Generator own = GeneratorBundle.load(entry.dir(), device)) {
					final Projector.Step tuned = PivotalTuner.tune(own, p.ws(), target, tuning, s -> {
						tuningSteps[0] = s.index() + 1;
						IJ.showProgress(s.index() + 1, tuning.steps());
						if (s.index() % 10 == 0) IJ.showStatus(String.format(Locale.ROOT,
							"DragGAN pivotal tuning step %d/%d, PSNR %.1f dB (Esc stops)", s.index(), tuning.steps(), s
								.psnr()));
					}, IJ::escapePressed);
					if (!PivotalTuner.improves(p, tuned)) throw new IllegalStateException(String.format(Locale.ROOT,
						"no step was better than the projection: PSNR %.2f dB -> %.2f dB", projected, tuned.psnr()));
					last = tuned;
					tunedName = m.name() + " tuned " + sanitize(imp.getTitle()) + " " + System.currentTimeMillis() % 100000;
					final java.nio.file.Path dir = ModelRegistry.userFolder().resolve(tunedName.replace(' ', '_'));
					GeneratorBundle.saveAs(own, dir, tunedName, "'" + m.name() + "' fine-tuned (pivotal tuning) to " +
						"reproduce '" + imp.getTitle() + "'");
					ModelRegistry.addFolderIfNeeded(dir.getParent());
					IJ.log(String.format(Locale.ROOT, "DragGAN: pivotal tuning: PSNR %.2f dB -> %.2f dB (the best of %d " +
						"steps: step %d); tuned model saved as %s", projected, last.psnr(), tuningSteps[0], last.index(), dir));
				}
				catch (final java.io.IOException e) {
					throw new Commands.UserError("The tuned model could not be saved: " + e.getMessage());
				}
				catch (final IllegalStateException e) {
					// The private copy is discarded; the projection stands.
					IJ.log("DragGAN: pivotal tuning stopped (" + e.getMessage() + "); keeping the projection");
					last = p;
					tunedName = null;
				}
			}
			ssim = ssim(g, last.image(), target);
		}
		final double seconds = (System.nanoTime() - t0) / 1e9;
		final ImageProcessor[] ps = Rendering.toProcessors(last.image(), c, r, map, Rendering.BitDepth.of(imp
			.getBitDepth()), imp.getType() == ImagePlus.COLOR_RGB);
		final ImagePlus out = Rendering.image(imp.getTitle() + " inverted", ps);
		out.setCalibration(in.calibration(imp.getCalibration()));
		ImageLatents.set(out, tunedName != null ? tunedName : m.name(), new Latent(m.numWs(), m.wDim(), last.ws()));
		out.setProp(INTENSITY, map.encode());
		final String summary = String.format(Locale.ROOT, "PSNR %.2f dB, SSIM %.4f after %s in %.1f s (%s)", last
			.psnr(), ssim, tunedName != null ? projected(o) + " projection and " + tuningSteps[0] + " tuning steps"
				: (last.index() + 1) + " projection steps", seconds, in.description());
		out.setProp(INVERSION, summary);
		IJ.log("DragGAN: inversion of '" + imp.getTitle() + "': " + summary);
		if (frames.getSize() > 0) new ImagePlus(imp.getTitle() + " projection steps", frames).show();
		IJ.showStatus("DragGAN: inverted, " + summary);
		final ResultsTable rt = ResultsTable.getResultsTable() == null ? new ResultsTable() : ResultsTable
			.getResultsTable();
		rt.incrementCounter();
		rt.addLabel(imp.getTitle());
		rt.addValue("PSNR (dB)", last.psnr());
		rt.addValue("SSIM", ssim);
		rt.addValue("Steps", tunedName != null ? o.totalSteps() + tuningSteps[0] : last.index() + 1);
		rt.addValue("Time (s)", seconds);
		rt.show("Results");
		return out;
	}

	/** "300" or, with several starts, "3 x 300". */
	private static String projected(final Projector.Options o) {
		return o.starts() > 1 ? o.starts() + " x " + o.steps() : String.valueOf(o.steps());
	}

	private static String sanitize(final String title) {
		final String t = title.replaceAll("\\.[A-Za-z0-9]{1,5}$", "").replaceAll("[^A-Za-z0-9_-]", "_");
		return t.length() > 40 ? t.substring(0, 40) : t;
	}

	/** SSIM of two images [C, res, res] in the model's output units, over its output range. */
	public static double ssim(final Generator g, final float[] image, final float[] target) {
		final ModelMetadata m = g.metadata();
		final Shape shape = new Shape(1, m.imageChannels(), m.resolution(), m.resolution());
		try (NDManager mm = g.manager().newSubManager()) {
			return ImageLoss.ssim(mm.create(image, shape), mm.create(target, shape), m.outputMax() - m.outputMin())
				.getFloat();
		}
	}

	/** The input mapped into the model's output units, [C, res, res]: what the projection matches. */
	public static float[] target(final InversionInput in, final IntensityMapping map, final ModelMetadata m) {
		final int plane = m.resolution() * m.resolution();
		final float[] source = in.flat(), target = new float[source.length];
		for (int i = 0; i < source.length; i++)
			target[i] = map.toModel(i / plane, source[i], m.outputMin(), m.outputMax());
		return target;
	}

	/** Generator outputs of a few of the model's own images, channel-major: [channel][image][pixel]. */
	public static float[] reference(final Generator g) {
		final ModelMetadata m = g.metadata();
		final int c = m.imageChannels(), plane = m.resolution() * m.resolution();
		final float[] out = new float[c * REFERENCE_IMAGES * plane];
		try (NDManager mm = g.manager().newSubManager()) {
			for (int k = 0; k < REFERENCE_IMAGES; k++) {
				final NDArray z = mm.create(Latents.z(k, m.zDim()), new Shape(1, m.zDim()));
				final float[] img = g.synthesis(g.mapping(z, (float) m.truncationPsi()), false).toFloatArray();
				for (int ch = 0; ch < c; ch++)
					System.arraycopy(img, ch * plane, out, (ch * REFERENCE_IMAGES + k) * plane, plane);
			}
		}
		return out;
	}
}
