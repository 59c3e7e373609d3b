package io.github.dragganfiji.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Keeps the last loaded generator, so that repeated commands on the same model do not reload it. One generator at
 * a time: asking for another closes the previous one. {@link #use} runs one piece of work on it at a time (the
 * generator and DJL's process-wide gradient collector are not thread-safe).
 */
public final class GeneratorCache {

	private static final Object LOCK = new Object();
	private static Generator current;
	private static Path currentDir;
	private static Device currentDevice;

	private GeneratorCache() {}

	/**
	 * Runs {@code work} on the generator of this bundle on this device, loading it if needed; other callers wait.
	 * The generator must not escape {@code work}. The JVM does not exit while work runs ({@link ShutdownGuard}): loops
	 * check {@link ShutdownGuard#stopping()} at their step boundaries.
	 */
	public static <T> T use(final Path dir, final Device device, final Function<Generator, T> work) {
		return ShutdownGuard.run(() -> {
			synchronized (LOCK) {
				return work.apply(get(dir, device));
			}
		});
	}

	/**
	 * Runs the drag's kind of step twice (head with autograd and a backward pass, tail without) on w_avg, so that
	 * TorchScript's profiling executor has done its first, slow runs before the user's first drag step. Meant to run
	 * on a background thread right after an image is shown, while the user places points.
	 */
	public static void warmUp(final Path dir, final Device device) {
		use(dir, device, g -> {
			warmUp(g);
			return null;
		});
	}

	/** The warm-up of {@link #warmUp(Path, Device)} on a given generator. */
	public static void warmUp(final Generator g) {
		PyTorch.prepareThread();
		try (NDManager m = g.manager().newSubManager()) {
			for (int i = 0; i < 2; i++) {
				final NDArray ws = g.averageLatent(m);
				ws.setRequiresGradient(true);
				try (GradientCollector gc = PyTorch.gradients()) {
					final Generator.Head h = g.head(ws, true);
					gc.backward(h.features().mean());
					g.tail(h.features().stopGradient(), h.image().stopGradient(), ws.stopGradient(), false);
				}
			}
		}
	}

	private static Generator get(final Path dir, final Device device) {
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
