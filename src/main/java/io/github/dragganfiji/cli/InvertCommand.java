package io.github.dragganfiji.cli;

import ij.ImagePlus;

import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.ij.InversionInput;
import io.github.dragganfiji.ij.InvertImage;
import io.github.dragganfiji.ij.ModelRegistry;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code draggan invert}: a real image to a latent (W+ projection, then pivotal tuning), written as a TIFF. */
final class InvertCommand {

	static final List<String> OPTIONS = List.of("image", "model", "geometry", "steps", "lr", "msssim", "starts", "tune-steps",
		"tune-lr", "device", "out");
	static final String HELP = """
		draggan invert --image FILE [--model NAME|DIR] [--geometry crop|pad] [--steps 300] [--lr 0.03] [--msssim 1]
		               [--starts 1 (independent projections, the best kept)]
		               [--tune-steps 350 (0 = no pivotal tuning)] [--tune-lr 0.0003] [--device auto|cpu|gpu]
		               [--out FILE.tif]
		  Finds the latent of a real image so that 'draggan drag --image OUT' (or the plugin) can drag it. The
		  output keeps the image's bit depth and intensity range; a tuned copy of the model goes to the user's model
		  folder (-Ddraggan.userModels=DIR).
		""";

	private InvertCommand() {}

	static int run(final Args a) throws IOException {
		if (!a.has("image")) throw new Args.UsageException("--image FILE is required");
		final ImagePlus imp = DragCommand.open(Path.of(a.get("image", "")));
		final ModelRegistry.Entry e = GenerateCommand.model(a.get("model", null));
		final Projector.Options d = Projector.Options.defaults();
		final Projector.Options o = new Projector.Options(a.integer("steps", d.steps()), a.number("lr", d
			.learningRate()), a.number("msssim", d.msssimWeight())).withStarts(a.integer("starts", d.starts()));
		final PivotalTuner.Options t = PivotalTuner.Options.defaults();
		final int tuneSteps = a.integer("tune-steps", t.steps());
		final PivotalTuner.Options tuning = tuneSteps == 0 ? null : new PivotalTuner.Options(tuneSteps, a.number(
			"tune-lr", t.learningRate()), o.msssimWeight());
		final String geo = a.get("geometry", "crop");
		if (!geo.equals("crop") && !geo.equals("pad")) throw new Args.UsageException("--geometry is crop or pad");
		final DjlRuntime.Info info = DjlRuntime.start(System.err::println);
		final ImagePlus out = InvertImage.execute(imp, e, geo.equals("crop") ? InversionInput.Geometry.CROP
			: InversionInput.Geometry.PAD, o, tuning, DjlRuntime.Info.djlDevice(info.device(DeviceChoice.parse(a.get(
				"device", "auto")))));
		final Path file = Path.of(a.get("out", "out/inverted.tif"));
		Outputs.tiff(out, file);
		System.out.println(out.getProp("DragGAN.inversion"));
		System.out.println("Wrote " + file + " (model '" + out.getProp("DragGAN.model") + "')");
		return 0;
	}
}
