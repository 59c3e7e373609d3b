package io.github.dragganfiji.cli;

import io.github.dragganfiji.eval.InversionMethod;
import io.github.dragganfiji.eval.RoundTripEval;
import io.github.dragganfiji.image.Outputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code draggan eval-roundtrip}: inversions of generated images measured against their true latents. */
final class EvalRoundTripCommand {

	static final String HELP = """
		draggan eval-roundtrip --bundle DIR [--split tuning|held-out] [--drags 8] [--methods w+pti,wplus+pti]
		                       [--region free,mask] [--steps 300] [--tune-steps 350] [--max-steps 200] [--bits 8|16]
		                       [--out out/eval-roundtrip] [--threads N] [--device cpu|auto|gpu]
		  Generates each image of the split from a seed, writes it as a plain 8- or 16-bit file (no latent), inverts
		  it with each method (w or wplus projection, +pti: pivotal tuning, +local: with PTI's locality term) and
		  runs the same drag (1 or 2 handles on nuclei, 6-10 px, with and without a mask) from the true latent and
		  from each inversion; reports both final distances, arrival, the reconstruction and the times. --region:
		  whether the default region is the drag's mask too (mask) or only bounds the paste-back (free). Choose on
		  tuning only; report held-out first. Writes roundtrip.csv, summary.txt and images/.
		""";

	static final List<String> OPTIONS = List.of("bundle", "split", "drags", "methods", "region", "steps", "tune-steps",
		"max-steps", "bits", "out", "threads", "device");

	static int run(final Args a) throws IOException {
		if (!a.has("bundle")) throw new Args.UsageException("--bundle DIR is required");
		final Args args = a.withDefault("device", "cpu");
		final RoundTripEval.Split split;
		final List<InversionMethod> methods = new ArrayList<>();
		final int steps = a.integer("steps", 300), tuneSteps = a.integer("tune-steps", 350);
		try {
			split = RoundTripEval.Split.parse(a.get("split", "tuning"));
			for (final String name : a.get("methods", "w+pti,wplus+pti").split(","))
				methods.add(InversionMethod.parse(name, steps, tuneSteps));
		}
		catch (final IllegalArgumentException e) {
			throw new Args.UsageException(e.getMessage());
		}
		final List<Boolean> regions = regions(a.get("region", "free,mask"));
		final int drags = a.integer("drags", 8), bits = a.integer("bits", 8);
		if (drags < 1) throw new Args.UsageException("--drags needs 1 or more, not " + drags);
		if (bits != 8 && bits != 16) throw new Args.UsageException("--bits is 8 or 16, not " + bits);
		final Path out = Path.of(a.get("out", "out/eval-roundtrip"));
		Outputs.requireFolder(out);
		Launch.startRuntime(args);
		final List<RoundTripEval.Row> rows = RoundTripEval.run(Path.of(a.get("bundle", "")), split, drags, methods, regions, a
			.integer("max-steps", 200), bits, out, Launch.device(args), System.err::println);
		System.out.print(RoundTripEval.summary(rows));
		return 0;
	}

	/** --region's list: "mask" (the default region is the drag's mask) and "free" (it only bounds the paste-back). */
	static List<Boolean> regions(final String list) {
		final List<Boolean> out = new ArrayList<>();
		for (final String r : list.split(","))
			switch (r.trim().toLowerCase(java.util.Locale.ROOT)) {
				case "mask" -> out.add(true);
				case "free" -> out.add(false);
				default -> throw new Args.UsageException("--region takes free, mask or both (free,mask), not '" + r + "'");
			}
		return out;
	}

	private EvalRoundTripCommand() {}
}
