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
