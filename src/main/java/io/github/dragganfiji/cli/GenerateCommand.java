package io.github.dragganfiji.cli;

import ai.djl.Device;

import ij.ImagePlus;

import io.github.dragganfiji.ij.GenerateImage;
import io.github.dragganfiji.ij.ModelRegistry;
import io.github.dragganfiji.ij.Rendering;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code draggan generate}: one image from a seed, as a TIFF that carries its latent. */
final class GenerateCommand {

	static final List<String> OPTIONS = List.of("model", "seed", "psi", "class", "bits", "device", "out");
	static final String HELP = """
		draggan generate [--model NAME|DIR] [--seed 0] [--psi P] [--class C] [--bits 8|16|32] [--device auto|cpu|gpu]
		                 [--out FILE.tif]
		  Generates the image of a seed with a model (default: the first sample model) and writes a TIFF that
		  carries the model name and latent, so that 'draggan drag --image' and the Fiji plugin can drag it.
		""";

	private GenerateCommand() {}

	static int run(final Args a) throws IOException {
		final ImagePlus imp = generate(a);
		final Path out = Path.of(a.get("out", "out/generated-seed" + a.integer("seed", 0) + ".tif"));
		Outputs.tiff(imp, out);
		System.out.println("Wrote " + out + " (" + imp.getTitle() + ")");
		return 0;
	}

	/** The image of --seed from --model (shared with drag and demo). */
	static ImagePlus generate(final Args a) {
		final ModelRegistry.Entry e = model(a.get("model", null));
		final double psi = a.number("psi", e.metadata().truncationPsi());
		final Rendering.BitDepth bits = Rendering.BitDepth.parse(a.get("bits", "8") + "-bit");
		final DjlRuntime.Info info = DjlRuntime.start(System.err::println);
		final Device device = DjlRuntime.Info.djlDevice(info.device(DeviceChoice.parse(a.get("device", "auto"))));
		return GenerateImage.generate(e, a.integer("seed", 0), psi, a.integer("class", 0), bits, device);
	}

	/** A model by name or folder; with none given, the first bundle found (the sample models come first). */
	static ModelRegistry.Entry model(final String nameOrDir) {
		if (nameOrDir != null && Files.isDirectory(Path.of(nameOrDir))) {
			// Make the folder findable by name later (drag looks models up by the name stored in the image).
			System.setProperty("draggan.models", Path.of(nameOrDir).toAbsolutePath().toString());
		}
		if (nameOrDir != null) return ModelRegistry.find(nameOrDir);
		for (final ModelRegistry.Entry e : ModelRegistry.bundles().values())
			if (e.problem() == null) return e;
		throw new IllegalArgumentException("No model found. Looked in " + ModelRegistry.searchPath() +
			"; give --model DIR");
	}
}
