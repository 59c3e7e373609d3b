package io.github.dragganfiji.cli;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.core.DragSession;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.DjlRuntime;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ShutdownGuard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The drag benchmark (not a test): median milliseconds per step over N steps after a warm-up, time to the first
 * step, engine start and model load, and peak resident memory, as one JSON line. tools/reference_drag.py --bench
 * measures the same drag in Python; tools/bench.sh runs both and prints the ratio.
 * <p>
 * Usage: {@code draggan bench --bundle DIR [--steps 50] [--warmup 5] [--threads N] [--device auto|cpu|gpu]}
 */
public final class BenchCommand {

	private BenchCommand() {}

	static final List<String> OPTIONS = List.of("bundle", "steps", "warmup", "mode", "threads", "device");
	static final List<String> FLAGS = List.of("warm-engine");
	static final String HELP = """
		draggan bench --bundle DIR [--steps 50] [--warmup 5] [--mode paper] [--threads N] [--device auto|cpu|gpu]
		              [--warm-engine]
		  Median ms per drag step after warm-up, time to the first step, engine start, load, peak RSS: one JSON line.
		  Without --threads the engine chooses between all cores and fewer by measuring (as in Fiji); --threads N fixes it.
		  --mode: the drag mode (default paper, the algorithm tools/reference_drag.py times in Python; a robust mode
		  may stop early when the far target makes no progress). --warm-engine first runs the warm-up that Generate
		  Image does in the background.
		""";

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
		final DjlRuntime.Info info = Main.startRuntime(args);
		final long tEngine = System.nanoTime();
		final var decision = info.device(Main.device(args));
		try (Generator g = GeneratorBundle.load(bundle, DjlRuntime.Info.djlDevice(decision))) {
			final long tLoad = System.nanoTime();
			if (a.has("warm-engine")) io.github.dragganfiji.model.GeneratorCache.warmUp(g);
			final ModelMetadata m = g.metadata();
			final float[] ws0 = g.latentOf(0, m.truncationPsi(), 0);
			final int res = m.resolution(), c = res / 2;
			// Too far to arrive within the run, as in reference_drag.py --bench.
			final DragInput input = DragInput.of(List.of(new Point(c - res / 4, c)), List.of(new Point(c + res / 4, c)),
				null, res, res);
			final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers(), mode).withMaxSteps(warmup +
				steps);
			final List<Long> stamps = new ArrayList<>();
			final long start = System.nanoTime();
			final String usage;
			try (DragSession s = new DragSession(g, ws0, input, cfg)) {
				s.run(step -> stamps.add(System.nanoTime()), ShutdownGuard::stopping);
				usage = s.threadUsage();
			}
			final List<Double> per = new ArrayList<>();
			long prev = start;
			for (final long t : stamps) {
				per.add((t - prev) / 1e6);
				prev = t;
			}
			final List<Double> steady = new ArrayList<>(per.subList(Math.min(warmup, per.size()), Math.min(warmup +
				steps, per.size())));
			steady.sort(null);
			final double median = steady.isEmpty() ? Double.NaN : steady.size() % 2 == 1 ? steady.get(steady.size() /
				2) : (steady.get(steady.size() / 2 - 1) + steady.get(steady.size() / 2)) / 2;
			System.out.println(String.format(Locale.ROOT,
				"{\"engine\": \"java\", \"mode\": \"%s\", \"libtorch\": \"%s\", \"device\": \"%s\", \"threads\": %d, " +
					"\"resolution\": %d, " +
					"\"engine_start_ms\": %.0f, \"load_ms\": %.0f, \"first_step_ms\": %.1f, \"median_ms\": %.1f, " +
					"\"steps\": %d, \"peak_rss_mb\": %.0f, \"adaptive_threads\": %b, \"thread_use\": \"%s\", " +
					"\"omp\": \"%s\"}", mode.key(), info.libtorchVersion(), decision.gpu() ? "gpu" : "cpu", info.threads(),
				res, (tEngine - t0) / 1e6, (tLoad - tEngine) / 1e6, per.get(0), median, steady.size(), peakRssMb(), info
					.adaptiveThreads(), usage, info.waitPolicy()));
		}
		return 0;
	}

	private static double peakRssMb() throws IOException {
		for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
			if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
		return Double.NaN;
	}
}
