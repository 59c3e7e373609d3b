package io.github.dragganfiji.ij;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import ij.CompositeImage;
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
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.model.Generator;
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
		gd.addChoice("Device", Commands.DEVICES, Prefs.get("draggan.device", "auto"));
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final String name = gd.getNextChoice();
		final InversionInput.Geometry geometry = InversionInput.Geometry.parse(gd.getNextChoice());
		final double steps = gd.getNextNumber(), lr = gd.getNextNumber(), w = gd.getNextNumber();
		final String device = gd.getNextChoice();
		if (Double.isNaN(steps) || steps < 1 || steps != Math.rint(steps)) throw new Commands.UserError(
			"Steps must be a whole number of at least 1.");
		final Projector.Options o = new Projector.Options((int) steps, lr, w);
		Prefs.set("draggan.invert.model", name);
		Prefs.set("draggan.invert.geometry", geometry.toString());
		Prefs.set("draggan.invert.steps", steps);
		Prefs.set("draggan.invert.lr", lr);
		Prefs.set("draggan.invert.msssim", w);
		Prefs.set("draggan.device", device);
		execute(imp, ModelRegistry.find(name), geometry, o, Commands.device(device)).show();
	}

	/** Inverts the current plane of {@code imp}; returns the reconstruction, carrying its latent (not shown). */
	public static ImagePlus execute(final ImagePlus imp, final ModelRegistry.Entry entry,
		final InversionInput.Geometry geometry, final Projector.Options o, final Device device)
	{
		final ModelMetadata m = entry.metadata();
		final int c = m.imageChannels(), r = m.resolution();
		if (InversionInput.channelsOf(imp) != c) throw new Commands.UserError(String.format(Locale.ROOT,
			"'%s' has %d channel(s), but the model '%s' makes %d.", imp.getTitle(), InversionInput.channelsOf(imp), m
				.name(), c));
		final InversionInput in = InversionInput.of(imp, r, geometry);
		IJ.log("DragGAN: inverting '" + imp.getTitle() + "': " + in.description());
		final long t0 = System.nanoTime();
		final Projector.Step last;
		final IntensityMapping map;
		final double ssim;
		IJ.resetEscape();
		synchronized (GeneratorCache.lock()) {
			final Generator g = GeneratorCache.get(entry.dir(), device);
			map = IntensityMapping.fit(in.flat(), reference(g), c);
			final float[] source = in.flat(), target = new float[source.length];
			for (int i = 0; i < source.length; i++)
				target[i] = map.toModel(i / (r * r), source[i], m.outputMin(), m.outputMax());
			last = Projector.project(g, target, o, s -> {
				IJ.showProgress(s.index() + 1, o.steps());
				if (s.index() % 10 == 0) IJ.showStatus(String.format(Locale.ROOT,
					"DragGAN inversion step %d/%d, PSNR %.1f dB (Esc stops)", s.index(), o.steps(), s.psnr()));
			}, IJ::escapePressed);
			try (NDManager mm = g.manager().newSubManager()) {
				ssim = ImageLoss.ssim(mm.create(last.image(), new Shape(1, c, r, r)), mm.create(target, new Shape(1, c, r,
					r)), m.outputMax() - m.outputMin()).getFloat();
			}
		}
		final double seconds = (System.nanoTime() - t0) / 1e9;
		final ImageProcessor[] ps = Rendering.toProcessors(last.image(), c, r, map, Rendering.BitDepth.of(imp
			.getBitDepth()), imp.getType() == ImagePlus.COLOR_RGB);
		final ImagePlus out = image(imp.getTitle() + " inverted", ps, r);
		out.setCalibration(in.calibration(imp.getCalibration()));
		ImageLatents.set(out, m.name(), new Latent(m.numWs(), m.wDim(), last.ws()));
		out.setProp(INTENSITY, map.encode());
		final String summary = String.format(Locale.ROOT, "PSNR %.2f dB, SSIM %.4f after %d steps in %.1f s (%s)",
			last.psnr(), ssim, last.index() + 1, seconds, in.description());
		out.setProp(INVERSION, summary);
		IJ.log("DragGAN: inversion of '" + imp.getTitle() + "': " + summary);
		IJ.showStatus("DragGAN: inverted, " + summary);
		final ResultsTable rt = ResultsTable.getResultsTable() == null ? new ResultsTable() : ResultsTable
			.getResultsTable();
		rt.incrementCounter();
		rt.addLabel(imp.getTitle());
		rt.addValue("PSNR (dB)", last.psnr());
		rt.addValue("SSIM", ssim);
		rt.addValue("Steps", last.index() + 1);
		rt.addValue("Time (s)", seconds);
		rt.show("Results");
		return out;
	}

	/** Generator outputs of a few of the model's own images, channel-major: [channel][image][pixel]. */
	static float[] reference(final Generator g) {
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

	private static ImagePlus image(final String title, final ImageProcessor[] ps, final int res) {
		if (ps.length == 1) return new ImagePlus(title, ps[0]);
		final ImageStack stack = new ImageStack(res, res);
		for (final ImageProcessor p : ps)
			stack.addSlice(p);
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(ps.length, 1, 1);
		return new CompositeImage(imp, IJ.COMPOSITE);
	}
}
