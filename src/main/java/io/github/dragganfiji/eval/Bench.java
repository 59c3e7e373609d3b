package io.github.dragganfiji.eval;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DeviceDecision;
import io.github.dragganfiji.runtime.DjlRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The drag benchmark (not a test), through the drag use case as every front end runs it: median milliseconds per
 * step over N steps after a warm-up, time to the first step, engine start and model load, and peak resident
 * memory, as one JSON line. tools/reference_drag.py --bench measures the same drag in Python; tools/bench.sh runs
 * both and prints the ratio.
 */
public final class Bench {

	private Bench() {}

	/**
	 * Times a drag of seed 0 toward a target too far to arrive within the run (as reference_drag.py --bench).
	 *
	 * @param info the started runtime
	 * @param engineMillis how long the runtime took to start
	 * @param warmEngine whether to run Generate Image's background warm-up first
	 * @return the JSON line
	 */
	public static String run(final Path bundle, final int steps, final int warmup, final DragMode mode,
		final boolean warmEngine, final DjlRuntime.Info info, final double engineMillis, final DeviceChoice device)
		throws IOException
	{
		final ModelSearchPath.Entry model = ModelSearchPath.Entry.at(bundle);
		final DeviceDecision decision = info.device(device);
		final long t0 = System.nanoTime();
		final ModelMetadata m = GeneratorCache.use(bundle, DjlRuntime.Info.djlDevice(decision), g -> {
			if (warmEngine) GeneratorCache.warmUp(g);
			return g.metadata();
		});
		final double loadMillis = (System.nanoTime() - t0) / 1e6;
		final var start = GenerateUseCase.run(new GenerateUseCase.Request(model, 0, m.truncationPsi(), 0, device), s -> {});
		final int res = m.resolution(), c = res / 2;
		final DragInput input = DragInput.of(List.of(new Point(c - res / 4, c)), List.of(new Point(c + res / 4, c)),
			null, res, res);
		final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers(), mode).withMaxSteps(warmup +
			steps);
		final List<Long> stamps = new ArrayList<>();
		final long begin = System.nanoTime();
		final DragUseCase.Result r = DragUseCase.run(new DragUseCase.Request(model, start.latent(), input, cfg, device),
			step -> stamps.add(System.nanoTime()), () -> false, s -> {});
		final List<Double> per = new ArrayList<>();
		long prev = begin;
		for (final long t : stamps) {
			per.add((t - prev) / 1e6);
			prev = t;
		}
		final List<Double> steady = new ArrayList<>(per.subList(Math.min(warmup, per.size()), Math.min(warmup + steps,
			per.size())));
		steady.sort(null);
		final double median = steady.isEmpty() ? Double.NaN : steady.size() % 2 == 1 ? steady.get(steady.size() / 2)
			: (steady.get(steady.size() / 2 - 1) + steady.get(steady.size() / 2)) / 2;
		return String.format(Locale.ROOT,
			"{\"engine\": \"java\", \"mode\": \"%s\", \"libtorch\": \"%s\", \"device\": \"%s\", \"threads\": %d, " +
				"\"resolution\": %d, \"engine_start_ms\": %.0f, \"load_ms\": %.0f, \"first_step_ms\": %.1f, " +
				"\"median_ms\": %.1f, \"steps\": %d, \"peak_rss_mb\": %.0f, \"adaptive_threads\": %b, " +
				"\"thread_use\": \"%s\", \"omp\": \"%s\", \"phases\": %s}", mode.key(), info.libtorchVersion(), decision.gpu() ? "gpu"
					: "cpu", info.threads(), res, engineMillis, loadMillis, per.get(0), median, steady.size(), peakRssMb(),
			info.adaptiveThreads(), r.threadUsage(), info.waitPolicy(), r.profile().json(Math.min(warmup, r.profile().steps())));
	}

	private static double peakRssMb() throws IOException {
		for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
			if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
		return Double.NaN;
	}
}
