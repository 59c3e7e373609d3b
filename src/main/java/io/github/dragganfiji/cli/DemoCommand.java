package io.github.dragganfiji.cli;

import ij.ImagePlus;

import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.eval.EvalSuite;
import io.github.dragganfiji.image.LatentImage;
import io.github.dragganfiji.image.Outputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code draggan demo}: the main job on the bundled sample model, with no arguments needed. */
final class DemoCommand {

	static final List<String> OPTIONS = List.of("model", "seed", "steps", "device", "threads", "out");
	static final String HELP = """
		draggan demo [--model NAME|DIR] [--seed 3] [--steps 200] [--device auto|cpu|gpu] [--out out/demo]
		  Generates an image with the sample model, drags one nucleus by about a tenth of the image, and writes
		  the stack (drag.tif), an animation (drag.gif), a montage (montage.png) and summary.txt to out/demo.
		""";

	/** The demo's image: a seed whose image has nuclei on the sample model (seed 7 is near-empty there). */
	static final int SEED = 3;

	private DemoCommand() {}

	static int run(final Args a) throws IOException {
		final Args args = a.withDefault("seed", Integer.toString(SEED));
		Outputs.requireFolder(Path.of(a.get("out", "out/demo")));
		final ImagePlus input = GenerateCommand.generate(args);
		final LatentImage image = LatentImage.of(input, CliModels.searchPath(a.get("model", null)));
		final int res = input.getWidth();
		final float[] gray = (float[]) input.getProcessor().convertToFloatProcessor().getPixels();
		// One handle on the brightest structure of a window, target a few pixels away (the eval suite's rule).
		final DragInput in = EvalSuite.layout(new EvalSuite.Spec(args.integer("seed", SEED), 1, false, 7), gray, res)
			.input();
		final Point h = in.handles().get(0), t = in.targets().get(0);
		System.out.printf("Dragging %s: handle (%.0f, %.0f) -> target (%.0f, %.0f)%n", input.getTitle(), h.x(), h.y(),
			t.x(), t.y());
		final var m = image.model().metadata();
		final DragConfig cfg = DragConfig.defaults(res, m.learningRate(), m.dragLayers()).withMaxSteps(a.integer(
			"steps", 200));
		return DragCommand.drag(image, in, cfg, Launch.device(a), Path.of(a.get("out", "out/demo")), RealImageOptions
			.defaults(res));
	}
}
