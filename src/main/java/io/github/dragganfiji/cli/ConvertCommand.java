package io.github.dragganfiji.cli;

import io.github.dragganfiji.app.ConvertUseCase;
import io.github.dragganfiji.app.DatasetUseCase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code draggan convert}: a StyleGAN2 checkpoint (NVIDIA pickle, rosinality .pt) to a bundle. */
final class ConvertCommand {

	static final List<String> OPTIONS = List.of("name", "license", "feature-block", "dataset");
	static final List<String> FLAGS = List.of("discriminator");
	static final String HELP = """
		draggan convert CHECKPOINT OUT_DIR [--name NAME] [--license SPDX] [--feature-block N] [--discriminator]
		                [--dataset DATA.zip|draggan-dataset.json]
		  Converts an NVIDIA stylegan2-ada-pytorch / StyleGAN3-repo (StyleGAN2 config) pickle or a rosinality
		  stylegan2-pytorch checkpoint into a bundle folder, without running code from the file. Needs Python with
		  torch (found automatically, or -Ddraggan.python=...); without it, prints the command to run.
		  --dataset: the training set 'draggan dataset' wrote (or its draggan-dataset.json): the bundle records its
		  intensity mapping and what it was trained on, so Generate writes the source's bit depth and range and
		  Invert maps source images the same way; a 2-channel set's empty blue channel is dropped.
		""";

	private ConvertCommand() {}

	static int run(final String[] args) throws IOException {
		if (args.length < 2 || args[0].startsWith("--") || args[1].startsWith("--")) throw new Args.UsageException(
			"give CHECKPOINT OUT_DIR");
		final Path in = Path.of(args[0]), out = Path.of(args[1]);
		final Args a = new Args(java.util.Arrays.copyOfRange(args, 2, args.length), OPTIONS, FLAGS);
		if (!Files.isRegularFile(in)) throw new IllegalArgumentException("No such checkpoint: " + in);
		if (a.has("dataset")) {
			final Path ds = Path.of(a.get("dataset", ""));
			if (!Files.isRegularFile(ds)) throw new IllegalArgumentException("No such training set: " + ds);
			DatasetUseCase.readRecord(ds); // one sentence here if it is not one of ours
		}
		final List<String> extra = new ArrayList<>();
		for (final String o : OPTIONS)
			if (a.has(o)) extra.addAll(List.of("--" + o, a.get(o, "")));
		if (a.has("discriminator")) extra.add("--discriminator");
		final String python = ConvertUseCase.findPython();
		if (python == null) {
			System.err.println("Python with torch was not found (set -Ddraggan.python=...). Run:\n  " + ConvertUseCase
				.manualCommand(in, out));
			return 3;
		}
		final List<String> lines = new ArrayList<>();
		final int code = ConvertUseCase.run(python, in, out, extra, line -> {
			lines.add(line);
			// The converter's progress goes to stdout; its one-line reason for failing is printed once, below.
			if (!ConvertUseCase.isReason(line) && (Launch.debug() || !ConvertUseCase.isTraceback(lines))) System.out.println(line);
		});
		if (code == 0) return 0;
		System.err.println("draggan convert: " + ConvertUseCase.reason(lines, code));
		return code == 2 ? 3 : 4;
	}
}
