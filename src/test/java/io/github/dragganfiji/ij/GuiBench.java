package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.PointRoi;

import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.awt.EventQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: the Drag command with a display (the result stack growing in its window), timed, while a probe
 * measures how long the event thread takes to answer (how responsive ImageJ stays). Run by tools/gui-bench.sh under
 * Xvfb; prints one JSON line. Args: MODEL SEED HX,HY,TX,TY STEPS.
 */
public final class GuiBench {

	private GuiBench() {}

	public static void main(final String[] args) throws Exception {
		final String model = args.length > 0 ? args[0] : "nuclei-128";
		final long seed = args.length > 1 ? Long.parseLong(args[1]) : 3;
		final String[] p = (args.length > 2 ? args[2] : "91,77,91,70").split(",");
		final int steps = args.length > 3 ? Integer.parseInt(args[3]) : 60;
		new ImageJ(ImageJ.NO_SHOW);
		final ImagePlus img = GeneratePlugin.generate(new GenerateUseCase.Request(FijiModels.searchPath().find(model),
			seed, 0.7, 0, DeviceChoice.CPU), Rendering.BitDepth.BIT8);
		img.show();
		img.setRoi(new PointRoi(new float[] { Float.parseFloat(p[0]), Float.parseFloat(p[2]) }, new float[] { Float
			.parseFloat(p[1]), Float.parseFloat(p[3]) }, 2));
		final int res = img.getWidth();
		final DragConfig cfg = DragConfig.defaults(res, 0.002, 6).withMaxSteps(steps).withStopDistance(1);
		// A warm-up drag (TorchScript's first runs), then the measured one.
		DragPlugin.execute(DragPlugin.prepare(img, List.of(img.getRoi())), cfg.withMaxSteps(5), "cpu").stack().close();
		final List<Long> latencies = new ArrayList<>();
		final boolean[] running = { true };
		final Thread probe = new Thread(() -> {
			while (running[0]) {
				final long t0 = System.nanoTime();
				try {
					EventQueue.invokeAndWait(() -> {});
				}
				catch (final Exception e) {
					return;
				}
				latencies.add(System.nanoTime() - t0);
				IJ.wait(20);
			}
		});
		probe.start();
		final DragPlugin.Outcome o = DragPlugin.execute(DragPlugin.prepare(img, List.of(img.getRoi())), cfg, "cpu");
		running[0] = false;
		probe.join();
		latencies.sort(null);
		final double msPerStep = 1000 * o.seconds() / Math.max(1, o.result().updates());
		System.out.println(String.format(Locale.ROOT, "{\"gui\": true, \"steps\": %d, \"ms_per_step\": %.1f, " +
			"\"edt_latency_ms_median\": %.1f, \"edt_latency_ms_p99\": %.1f, \"edt_latency_ms_max\": %.1f, " +
			"\"windows\": %d}", o.result().updates(), msPerStep, latencies.get(latencies.size() / 2) / 1e6, latencies
				.get((int) (latencies.size() * 0.99)) / 1e6, latencies.get(latencies.size() - 1) / 1e6, WindowManager
					.getImageCount()));
		System.exit(0);
	}
}
