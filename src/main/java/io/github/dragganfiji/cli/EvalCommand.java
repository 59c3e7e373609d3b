package io.github.dragganfiji.cli;

import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.eval.DragEval;
import io.github.dragganfiji.eval.EvalSuite;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

final class EvalCommand {

	static final String HELP = """
		draggan eval --bundle DIR [--suite default|objects|tuning|held-out|long-tuning|long-held-out]
		             [--modes paper,anchored,line,stable|all]
		             [--drags 54|60] [--max-steps 200] [--lr LR] [--r1 R] [--r2 R] [--pictures] [--out out/eval]
		             [--area mask|paste] [--threads N] [--device cpu|auto|gpu]
		  Runs an accuracy suite (default: handles on bright structure; objects: whole objects moved by their
		  centroids; tuning and held-out: the two splits of the users' suite, 1 to 3 handles on centroids or
		  edges, 4 to 12 px; long-tuning and long-held-out: the same with targets 12 to 24 px away; choose
		  parameters on tuning only and report held-out first) in each drag mode, interleaved on the same images;
		  measures where the content went by NCC in the image, and what stayed outside a band around the paths
		  (SSIM, the count of objects, the intensity mass). --lr, --r1, --r2 replace every mode's default.
		  --area paste (the default, as the plugin does): a masked drag runs unmasked and its mask bounds what is
		  composed into the start image; --area mask: the mask also masks the drag (the paper's). Writes eval.csv,
		  summary.txt and, with --pictures, pictures/ (first and last image of each drag: handles red, targets
		  blue, tracked yellow, verified green).
		""";

	static final List<String> OPTIONS = List.of("bundle", "suite", "modes", "drags", "max-steps", "lr", "r1", "r2",
		"out", "threads", "device", "area");

	static final List<String> FLAGS = List.of("pictures");

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		final Args args = a.withDefault("device", "cpu");
		final EvalSuite.Kind suite;
		final List<DragMode> modes = new ArrayList<>();
		final String area = a.get("area", RealImageOptions.DEFAULT_REGION_AS_MASK ? "mask" : "paste").trim()
			.toLowerCase(java.util.Locale.ROOT);
		if (!area.equals("mask") && !area.equals("paste")) throw new Args.UsageException("--area is mask or paste, not '" +
			a.get("area", "") + "'");
		try {
			suite = EvalSuite.Kind.parse(a.get("suite", "default"));
			final String list = a.get("modes", DragConfig.DEFAULT_MODE.key());
			if (list.trim().equalsIgnoreCase("all")) modes.addAll(List.of(DragMode.values()));
			else for (final String name : list.split(","))
				modes.add(DragMode.parse(name));
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException(e.getMessage());
		}
		Launch.startRuntime(args);
		final DragEval.Settings settings = new DragEval.Settings(a.number("lr", Double.NaN), a.integer("r1", 0), a.integer("r2", 0), a
			.has("pictures"), area.equals("mask"));
		final List<DragEval.Summary> s = DragEval.run(Path.of(a.get("bundle", "")), suite, a.integer("drags", suite
			.size()), a.integer("max-steps", 200), modes, settings, Path.of(a.get("out", "out/eval")), Launch.device(
				args), System.err::println);
		for (final DragEval.Summary x : s)
			System.out.println(x.describe());
		return 0;
	}

	private EvalCommand() {}
}
