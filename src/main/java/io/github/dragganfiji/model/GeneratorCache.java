package io.github.dragganfiji.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ShutdownGuard;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps loaded generators, so that repeated commands on the same model do not reload it. Each generator does one
 * piece of work at a time ({@link #use}; a generator's weights and its graph executor are not shared between
 * threads). Normally there is one generator: asking for another model closes the previous one, and a second caller
 * of the same model waits. Work that runs side by side with other such work ({@link #sideBySide}: a batch's tasks
 * on one executor) raises the number of generators to the number of those callers, so that each has its own copy of
 * the model instead of waiting for the others'.
 */
public final class GeneratorCache {

	private record Key(Path dir, Device device) {}

	private record Lent(Key key, Generator generator) {}

	private static final Object LOCK = new Object();
	/** Loaded generators nobody uses now, the least recently used first. */
	private static final ArrayDeque<Lent> IDLE = new ArrayDeque<>();
	private static int lent, loading, sideBySide;

	private GeneratorCache() {}

	/**
	 * Runs {@code work} on a generator of this bundle on this device, loading one if needed; when every generator
	 * that may be kept is busy, waits for one. The generator must not escape {@code work}. The JVM does not exit
	 * while work runs ({@link ShutdownGuard}): loops check {@link ShutdownGuard#stopping()} at their step boundaries.
	 */
	public static <T> T use(final Path dir, final Device device, final Function<Generator, T> work) {
		return ShutdownGuard.run(() -> {
			final Lent l = borrow(new Key(dir.toAbsolutePath().normalize(), device));
			try {
				ThreadTuner.applyShare();
				return work.apply(l.generator());
			}
			finally {
				giveBack(l);
			}
		});
	}

	/**
	 * Runs {@code work}, which uses generators ({@link #use}) at the same time as other callers of this method: while
	 * n callers are inside, up to n generators are kept (n copies of one model where they all use the same one).
	 */
	public static <T> T sideBySide(final Supplier<T> work) {
		synchronized (LOCK) {
			sideBySide++;
			LOCK.notifyAll();
		}
		try {
			return work.get();
		}
		finally {
			synchronized (LOCK) {
				sideBySide--;
				trim();
				LOCK.notifyAll();
			}
		}
	}

	/** How many generators are loaded now (in use and idle): GeneratorCacheTest checks the copies it expects. */
	static int loaded() {
		synchronized (LOCK) {
			return lent + IDLE.size();
		}
	}

	private static int limit() {
		return Math.max(1, sideBySide);
	}

	private static Lent borrow(final Key key) {
		synchronized (LOCK) {
			while (true) {
				for (final Iterator<Lent> it = IDLE.iterator(); it.hasNext();) {
					final Lent l = it.next();
					if (l.key().equals(key)) {
						it.remove();
						lent++;
						return l;
					}
				}
				if (lent + loading + IDLE.size() < limit()) break;
				if (!IDLE.isEmpty()) { // another model's generator makes room (the least recently used)
					IDLE.removeFirst().generator().close();
					continue;
				}
				try {
					LOCK.wait();
				}
				catch (final InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted while waiting for the generator", e);
				}
			}
			loading++;
		}
		Generator g = null;
		try {
			g = GeneratorBundle.load(key.dir(), key.device());
			return new Lent(key, g);
		}
		finally {
			synchronized (LOCK) {
				loading--;
				if (g != null) lent++;
				LOCK.notifyAll();
			}
		}
	}

	private static void giveBack(final Lent l) {
		synchronized (LOCK) {
			lent--;
			IDLE.addLast(l);
			trim();
			LOCK.notifyAll();
		}
	}

	/** Closes idle generators beyond the number that may be kept, the least recently used first. */
	private static void trim() {
		while (lent + loading + IDLE.size() > limit() && !IDLE.isEmpty())
			IDLE.removeFirst().generator().close();
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
}
