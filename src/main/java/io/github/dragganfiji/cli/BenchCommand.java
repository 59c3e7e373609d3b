package io.github.dragganfiji.cli;

import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.eval.Bench;
import io.github.dragganfiji.runtime.DjlRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

final class BenchCommand {

	static final String HELP = """
		draggan bench --bundle DIR [--steps 50] [--warmup 5] [--mode paper] [--threads N] [--device auto|cpu|gpu]
		              [--warm-engine]
		  Median ms per drag step after warm-up, time to the first step, engine start, load, peak RSS: one JSON line.
		  Without --threads the engine chooses between all cores and fewer by measuring (as in Fiji); --threads N fixes it.
		  --mode: the drag mode (default paper, the algorithm tools/reference_drag.py times in Python; a robust mode
		  may stop early when the far target makes no progress). --warm-engine first runs the warm-up that Generate
		  Image does in the background.
		""";

	static final List<String> OPTIONS = List.of("bundle", "steps", "warmup", "mode", "threads", "device");

	static final List<String> FLAGS = List.of("warm-engine");

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		final Path bundle = Path.of(a.get("bundle", ""));
		final int steps = a.integer("steps", 50), warmup = a.integer("warmup", 5);
		final Args args = a.withDefault("device", "cpu");
		final DragMode mode;
		try {
			mode = DragMode.parse(a.get("mode", DragMode.PAPER.key()));
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException(e.getMessage());
		}
		final long t0 = System.nanoTime();
		final DjlRuntime.Info info = Launch.startRuntime(args);
		System.out.println(Bench.run(bundle, steps, warmup, mode, a.has("warm-engine"), info, (System.nanoTime() - t0) /
			1e6, Launch.device(args)));
		return 0;
	}

	private BenchCommand() {}
}
