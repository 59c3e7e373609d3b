package io.github.dragganfiji.model;

import ai.djl.Device;

import java.nio.file.Path;

/**
 * Keeps the last loaded generator, so that repeated commands on the same model do not reload it. One generator at
 * a time: asking for another closes the previous one. Callers hold {@link #lock()} while they use it.
 */
public final class GeneratorCache {

	private static final Object LOCK = new Object();
	private static Generator current;
	private static Path currentDir;
	private static Device currentDevice;

	private GeneratorCache() {}

	/** The monitor that serializes use of the cached generator (and of DJL's process-wide gradient collector). */
	public static Object lock() {
		return LOCK;
	}

	/**
	 * Runs the drag's kind of step twice (head with autograd and a backward pass, tail without) on w_avg, so that
	 * TorchScript's profiling executor has done its first, slow runs before the user's first drag step. Meant to run
	 * on a background thread right after an image is shown, while the user places points.
	 */
	public static void warmUp(final Path dir, final Device device) {
		synchronized (LOCK) {
			warmUp(get(dir, device));
		}
	}

	/** The warm-up of {@link #warmUp(Path, Device)} on a given generator. */
	public static void warmUp(final Generator g) {
		DjlRuntime.prepareThread();
		try (ai.djl.ndarray.NDManager m = g.manager().newSubManager()) {
			for (int i = 0; i < 2; i++) {
				final ai.djl.ndarray.NDArray ws = g.averageLatent(m);
				ws.setRequiresGradient(true);
				try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine(DjlRuntime.ENGINE)
					.newGradientCollector())
				{
					final Generator.Head h = g.head(ws, true);
					gc.backward(h.features().mean());
					g.tail(h.features().stopGradient(), h.image().stopGradient(), ws.stopGradient(), false);
				}
			}
		}
	}

	/** The generator of this bundle on this device, loading it if needed. Call while holding {@link #lock()}. */
	public static Generator get(final Path dir, final Device device) {
		synchronized (LOCK) {
			final Path abs = dir.toAbsolutePath().normalize();
			if (current != null && abs.equals(currentDir) && device.equals(currentDevice)) return current;
			if (current != null) current.close();
			current = null;
			current = GeneratorBundle.load(abs, device);
			currentDir = abs;
			currentDevice = device;
			return current;
		}
	}
}
