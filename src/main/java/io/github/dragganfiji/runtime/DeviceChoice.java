package io.github.dragganfiji.runtime;

import java.util.Locale;

/** Where the user wants the generator to run. */
public enum DeviceChoice {
	/** The GPU when DJL sees a usable one, else the CPU. */
	AUTO,
	/** Always the CPU. */
	CPU,
	/** The GPU; falls back to the CPU with a plain message when none is usable. */
	GPU;

	/** Parses {@code auto}, {@code cpu} or {@code gpu} (any case); anything else is an error naming the choices. */
	public static DeviceChoice parse(final String text) {
		if (text == null || text.isBlank()) return AUTO;
		try {
			return valueOf(text.trim().toUpperCase(Locale.ROOT));
		}
		catch (final IllegalArgumentException e) {
			throw new IllegalArgumentException("Unknown device '" + text + "': use auto, cpu or gpu");
		}
	}

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}
}
