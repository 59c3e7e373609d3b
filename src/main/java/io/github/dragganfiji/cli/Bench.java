package io.github.dragganfiji.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragSession;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.DjlRuntime;
import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.ModelMetadata;

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
public final class Bench {

	private Bench() {}

	static final List<String> OPTIONS = List.of("bundle", "steps", "warmup", "threads", "device");
	static final List<String> FLAGS = List.of("warm-engine");
	static final String HELP = """
		draggan bench --bundle DIR [--steps 50] [--warmup 5] [--threads N] [--device auto|cpu|gpu] [--warm-engine]
		  Median ms per drag step after warm-up, time to the first step, engine start, load, peak RSS: one JSON line.
		  --warm-engine first runs the warm-up that Generate Image does in the background.
		""";

	public static void main(final String[] args) throws IOException {
		System.exit(Main.run(concat("bench", args)));
	}

	static String[] concat(final String cmd, final String[] args) {
		final String[] all = new String[args.length + 1];
		all[0] = cmd;
		System.arraycopy(args, 0, all, 1, args.length);
		return all;
	}

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		final Path bundle = Path.of(a.get("bundle", ""));
		final int steps = a.integer("steps", 50), warmup = a.integer("warmup", 5);
		final String device = a.get("device", "cpu");
		if (a.has("threads")) System.setProperty("draggan.threads", a.get("threads", ""));
		final long t0 = System.nanoTime();
		final DjlRuntime.Info info = DjlRuntime.start(System.err::println);
		final long tEngine = System.nanoTime();
		final var decision = info.device(DeviceChoice.parse(device));
		try (Generator g = GeneratorBundle.load(bundle, DjlRuntime.Info.djlDevice(decision))) {
			final long tLoad = System.nanoTime();
			if (a.has("warm-engine")) io.github.dragganfiji.model.GeneratorCache.warmUp(g);
			final ModelMetadata m = g.metadata();
			final float[] ws0;
			try (NDManager mm = g.manager().newSubManager()) {
				ws0 = g.mapping(mm.randomNormal(new Shape(1, m.zDim())), (float) m.truncationPsi()).toFloatArray();
			}
			final int res = m.resolution(), c = res / 2;
			// Too far to arrive within the run, as in reference_drag.py --bench.
			final List<Point> handles = List.of(new Point(c - res / 4, c));
			final List<Point> targets = List.of(new Point(c + res / 4, c));
			final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers()).withMaxSteps(warmup +
				steps);
			final List<Long> stamps = new ArrayList<>();
			final long start = System.nanoTime();
			try (DragSession s = new DragSession(g, ws0, handles, targets, null, cfg)) {
				s.run(step -> stamps.add(System.nanoTime()), () -> false);
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
				"{\"engine\": \"java\", \"libtorch\": \"%s\", \"device\": \"%s\", \"threads\": %d, \"resolution\": %d, " +
					"\"engine_start_ms\": %.0f, \"load_ms\": %.0f, \"first_step_ms\": %.1f, \"median_ms\": %.1f, " +
					"\"steps\": %d, \"peak_rss_mb\": %.0f}", info.libtorchVersion(), decision.gpu() ? "gpu" : "cpu",
				info.threads(), res, (tEngine - t0) / 1e6, (tLoad - tEngine) / 1e6, per.get(0), median, steady
					.size(), peakRssMb()));
		}
		return 0;
	}

	private static double peakRssMb() throws IOException {
		for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
			if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
		return Double.NaN;
	}
}
