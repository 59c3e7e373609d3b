package io.github.dragganfiji.cli;

import io.github.dragganfiji.app.DatasetUseCase;
import io.github.dragganfiji.image.DatasetImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code draggan dataset}: images to a training set for NVIDIA's StyleGAN2-ADA / StyleGAN3 train.py. */
final class DatasetCommand {

	static final List<String> OPTIONS = List.of("out", "size", "stride", "classes");
	static final String HELP = """
		draggan dataset IMAGES... --out DATA.zip [--size 256] [--stride N] [--classes FILE.csv]
		  Writes a training set for NVIDIA's stylegan2-ada-pytorch / stylegan3 'train.py --data DATA.zip': square
		  8-bit PNGs (1 channel as L, 3 as RGB, 2 as RGB with an empty blue channel) and dataset.json, read by their
		  loader unchanged. IMAGES are TIFF or PNG files or folders of them: 8-, 16-, 32-bit, RGB or multi-channel,
		  each slice of a stack one image. Each channel's 1st and 99.5th percentile over all images go to 0 and 255
		  (8-bit images are kept as they are); that mapping is stored in the zip (draggan-dataset.json), and
		  'draggan convert SNAPSHOT.pkl DIR --dataset DATA.zip' carries it into the bundle, so the model generates
		  in the source's bit depth and range.
		  --size N     the images' side (a power of two); larger images are cut into N x N tiles, smaller ones are
		               refused. Default: the images' own size (they must then all be the same power-of-two square)
		  --stride N   the step between tiles (default N: side by side; less overlaps them)
		  --classes F  a CSV of 'file name,class' rows: labels for a conditional model (train.py --cond=1)
		  Prints the train.py lines for 1 and 8 GPUs and the convert line. See docs/own-model.md.
		""";

	private DatasetCommand() {}

	static int run(final String[] args) throws IOException {
		final List<String> options = new ArrayList<>();
		final List<Path> inputs = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			if (args[i].startsWith("--")) {
				options.add(args[i]);
				if (i + 1 < args.length && OPTIONS.contains(args[i].substring(2))) options.add(args[++i]);
			}
			else inputs.add(Path.of(args[i]));
		}
		final Args a = new Args(options.toArray(String[]::new), OPTIONS, List.of());
		if (inputs.isEmpty()) throw new Args.UsageException("give the images (TIFF or PNG files, or folders of them)");
		if (!a.has("out")) throw new Args.UsageException("give --out DATA.zip");
		final Path out = Path.of(a.get("out", ""));
		for (final Path in : inputs)
			if (Files.exists(in) && Files.exists(out) && Files.isSameFile(in, out)) throw new IllegalArgumentException(
				"--out " + out + " is one of the inputs: inputs are never overwritten. Choose another --out file.");
		final Map<String, String> classes = a.has("classes") ? DatasetUseCase.readClasses(Path.of(a.get("classes",
			""))) : null;
		final DatasetUseCase.Request req = new DatasetUseCase.Request(DatasetImages.of(inputs), out, a.integer("size",
			0), a.integer("stride", 0), classes);
		final DatasetUseCase.Result r = DatasetUseCase.run(req, System.out::println);
		System.out.println(r.report());
		return 0;
	}

}
