package io.github.dragganfiji.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Keeps the JVM from exiting while a thread is inside libtorch. When the JVM exits (Ctrl-C, SIGTERM, closing Fiji),
 * libtorch's C++ destructors run; a thread still computing a step then crashes the JVM (SIGSEGV, an hs_err file).
 * Engine work runs inside {@link #run}; on shutdown a hook asks every loop to stop ({@link #stopping()}, checked
 * at step boundaries), waits until no work is inside (at most {@link #WAIT_SECONDS}), and lets no new work start.
 * A front end may wrap a whole command (the step loop and writing its results) the same way, so that an interrupt
 * still writes what is done.
 */
public final class ShutdownGuard {

	/** The longest the JVM's exit waits for work to reach a step boundary. */
	public static final int WAIT_SECONDS = 60;

	private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();
	private static volatile boolean stopping;
	private static boolean installed;

	private ShutdownGuard() {}

	/** Runs work that must not be cut off by the JVM's exit; after shutdown has begun, new work waits for the exit. */
	public static <T> T run(final Supplier<T> work) {
		install();
		LOCK.readLock().lock();
		try {
			return work.get();
		}
		finally {
			LOCK.readLock().unlock();
		}
	}

	/** Between the items of a long run: an interrupt ends it with this sentence, without writing a partial report. */
	public static void requireNotStopping() {
		if (stopping()) throw new IllegalStateException("interrupted; no report was written.");
	}

	/** Whether the JVM is shutting down: loops stop at their next step boundary. */
	public static boolean stopping() {
		return stopping;
	}

	private static synchronized void install() {
		if (installed) return;
		installed = true;
		final Thread hook = new Thread(ShutdownGuard::awaitWork, "DragGAN shutdown guard");
		try {
			Runtime.getRuntime().addShutdownHook(hook);
		}
		catch (final IllegalStateException alreadyShuttingDown) {
			stopping = true;
		}
	}

	/** The hook: stop the loops, wait for them, and keep new work out while the JVM exits. */
	private static void awaitWork() {
		stopping = true;
		if (LOCK.getReadLockCount() > 0) System.err.println("DragGAN: stopping at the end of the current step (the " +
			"steps done are kept); waiting at most " + WAIT_SECONDS + " s.");
		try {
			if (!LOCK.writeLock().tryLock(WAIT_SECONDS, TimeUnit.SECONDS)) System.err.println("DragGAN: the current " +
				"step did not end within " + WAIT_SECONDS + " s; exiting anyway.");
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
