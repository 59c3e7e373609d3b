package io.github.dragganfiji.cli;

import ij.ImagePlus;

import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.ModelSearchPath;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code draggan generate}: one image from a seed, as a TIFF that carries its latent. */
final class GenerateCommand {

	static final List<String> OPTIONS = List.of("model", "seed", "psi", "class", "bits", "device", "threads", "out");
	static final String HELP = """
		draggan generate [--model NAME|DIR] [--seed 0] [--psi P] [--class C] [--bits 8|16|32] [--device auto|cpu|gpu]
		                 [--out FILE.tif]
		  Generates the image of a seed with a model (default: the first sample model) and writes a TIFF that
		  carries the model name and latent, so that 'draggan drag --image' and the Fiji plugin can drag it.
		  A model converted with --dataset writes its training images' bit depth and range (--bits 32: as floats).
		""";

	private GenerateCommand() {}

	static int run(final Args a) throws IOException {
		final Path out = Path.of(a.get("out", "out/generated-seed" + a.seed() + ".tif"));
		Outputs.requireFile(out);
		final ImagePlus imp = generate(a);
		Outputs.tiff(imp, out);
		System.out.println("Wrote " + out + " (" + imp.getTitle() + ")");
		return 0;
	}

	/** The image of --seed from --model, as an ImagePlus carrying its latent (shared with drag and demo). */
	static ImagePlus generate(final Args a) {
		final ModelSearchPath.Entry e = CliModels.model(a);
		final Rendering.BitDepth bits = Rendering.BitDepth.parse(a.get("bits", "8") + "-bit");
		Launch.startRuntime(a);
		return Rendering.generated(GenerateUseCase.run(new GenerateUseCase.Request(e, a.seed(), a.number(
			"psi", e.metadata().truncationPsi()), a.integer("class", 0), Launch.device(a)), System.err::println), bits);
	}
}
