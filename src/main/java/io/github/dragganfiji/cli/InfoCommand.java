package io.github.dragganfiji.cli;

import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DjlRuntime;

import java.util.List;

/** {@code draggan info}: the runtime (libtorch, threads, GPUs, device choice) and the models found. */
final class InfoCommand {

	static final List<String> OPTIONS = List.of("device", "threads", "model");
	static final String HELP = """
		draggan info [--device auto|cpu|gpu] [--model DIR]
		  Prints the PyTorch runtime in use, the device a drag would run on, and the models found.
		""";

	private InfoCommand() {}

	static int run(final Args a) {
		final DjlRuntime.Info info = Launch.startRuntime(a);
		System.out.println(info.describe());
		System.out.println("libtorch folder: " + info.libtorchPath());
		System.out.println("device: " + info.device(Launch.device(a)).message());
		final ModelSearchPath models = CliModels.searchPath(a.get("model", null));
		System.out.println("model search path: " + models.folders());
		for (final ModelSearchPath.Entry e : models.bundles().values())
			System.out.println("  " + e.name() + "  " + (e.problem() != null ? "UNUSABLE: " + e.problem() : e
				.metadata().resolution() + " px, " + e.metadata().imageChannels() + " channel(s)") + "  " + e.dir());
		return 0;
	}
}
