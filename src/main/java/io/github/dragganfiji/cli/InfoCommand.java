package io.github.dragganfiji.cli;

import io.github.dragganfiji.ij.ModelRegistry;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;

import java.util.List;

/** {@code draggan info}: the runtime (libtorch, threads, GPUs, device choice) and the models found. */
final class InfoCommand {

	static final List<String> OPTIONS = List.of("device");
	static final String HELP = """
		draggan info [--device auto|cpu|gpu]
		  Prints the PyTorch runtime in use, the device a drag would run on, and the models found.
		""";

	private InfoCommand() {}

	static int run(final Args a) {
		final DjlRuntime.Info info = DjlRuntime.start(null);
		System.out.println(info.describe());
		System.out.println("libtorch folder: " + info.libtorchPath());
		System.out.println("device: " + info.device(DeviceChoice.parse(a.get("device", "auto"))).message());
		System.out.println("model search path: " + ModelRegistry.searchPath());
		for (final ModelRegistry.Entry e : ModelRegistry.bundles().values())
			System.out.println("  " + e.name() + "  " + (e.problem() != null ? "UNUSABLE: " + e.problem() : e
				.metadata().resolution() + " px, " + e.metadata().imageChannels() + " channel(s)") + "  " + e.dir());
		return 0;
	}
}
