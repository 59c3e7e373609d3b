package io.github.dragganfiji.cli;

import ij.ImagePlus;

import io.github.dragganfiji.app.InvertUseCase;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.image.Inputs;
import io.github.dragganfiji.image.InversionInput;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.ModelSearchPath;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code draggan invert}: a real image to a latent (W+ projection, then pivotal tuning), written as a TIFF. */
final class InvertCommand {

	static final List<String> OPTIONS = List.of("image", "model", "geometry", "space", "steps", "lr", "msssim", "starts", "tune-steps",
		"tune-lr", "tune-locality", "device", "threads", "out");
	static final String HELP = """
		draggan invert --image FILE [--model NAME|DIR] [--geometry crop|pad] [--space w (one w for every layer, PTI's
		               pivot; w+: a w per layer)] [--steps 300] [--lr 0.03] [--msssim 1]
		               [--starts 1 (independent projections, the best kept)]
		               [--tune-steps 350 (0 = no pivotal tuning)] [--tune-lr 0.0003] [--tune-locality 0 (off; PTI: 0.1)]
		               [--device auto|cpu|gpu]
		               [--threads N] [--out FILE.tif]
		  Finds the latent of a real image so that 'draggan drag --image OUT' (or the plugin) can drag it. OUT is the
		  image itself at the model's size (bit depth, range and adjusted calibration kept) carrying the latent: a
		  drag pastes its edits into these pixels. OUT_reconstruction.tif beside it is the generator's reconstruction.
		  A tuned copy of the model goes to the user's model folder (-Ddraggan.userModels=DIR).
		""";

	private InvertCommand() {}

	/** The latent space of --space; a usage error names the choices. */
	static Projector.Space space(final String name) {
		try {
			return Projector.Space.parse(name);
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException("--space is w or w+, not '" + name + "'");
		}
	}

	static int run(final Args a) throws IOException {
		if (!a.has("image")) throw new Args.UsageException("--image FILE is required");
		final Path imageFile = Path.of(a.get("image", "")), file = Path.of(a.get("out", "out/inverted.tif"));
		Outputs.refuseOverwriting(imageFile, file);
		Outputs.requireFile(file);
		final ImagePlus imp = Inputs.open(imageFile);
		final ModelSearchPath.Entry e = CliModels.model(a);
		final Projector.Options d = Projector.Options.defaults();
		final Projector.Options o = new Projector.Options(a.integer("steps", d.steps()), a.number("lr", d
			.learningRate()), a.number("msssim", d.msssimWeight())).withStarts(a.integer("starts", d.starts())).withSpace(
				space(a.get("space", d.space().key())));
		final PivotalTuner.Options t = PivotalTuner.Options.defaults();
		final int tuneSteps = a.integer("tune-steps", t.steps());
		final PivotalTuner.Options tuning = tuneSteps == 0 ? null : new PivotalTuner.Options(tuneSteps, a.number(
			"tune-lr", t.learningRate()), o.msssimWeight()).withLocality(a.number("tune-locality", t.localityWeight()));
		final String geo = a.get("geometry", "crop");
		if (!geo.equals("crop") && !geo.equals("pad")) throw new Args.UsageException("--geometry is crop or pad");
		final InversionInput in = InversionInput.of(imp, e.metadata(), geo.equals("crop") ? InversionInput.Framing.CROP
			: InversionInput.Framing.PAD);
		System.err.println("draggan invert: " + in.description());
		Launch.startRuntime(a);
		final InvertUseCase.Request request = new InvertUseCase.Request(e, in.flat(), imp.getTitle(), o, tuning, Launch
			.device(a), CliModels.userFolder());
		final InvertUseCase.Result r = InvertUseCase.run(request, new InvertUseCase.Progress() {

			@Override
			public void tuning(final Projector.Step s) {
				if (s.index() > 0 && s.index() % 50 == 0) System.err.printf(Locale.ROOT, "tuning step %d, %.2f dB%n", s
					.index(), s.psnr());
			}

			@Override
			public void log(final String line) {
				System.err.println(line);
			}
		}, () -> false);
		final String summary = r.summary(request, in.description());
		final String name = file.getFileName().toString();
		final Path recon = file.resolveSibling(name.replaceAll("(?i)\\.tiff?$", "") + "_reconstruction.tif");
		Outputs.refuseOverwriting(imageFile, recon);
		Outputs.tiff(Rendering.inverted(r, summary, imp, in), file);
		Outputs.tiff(Rendering.reconstruction(r, summary, imp, in), recon);
		System.out.println(summary);
		System.out.println("Wrote " + file + " (the image at the model's size, carrying its latent: drag it; model '" +
			r.modelName() + "') and " + recon + " (the generator's reconstruction)");
		return 0;
	}
}
