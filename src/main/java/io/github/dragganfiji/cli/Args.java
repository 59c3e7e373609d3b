package io.github.dragganfiji.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} and {@code --flag} arguments, checked against the options a command knows. */
final class Args {

	/** A usage mistake: exit code 2. */
	static final class UsageException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		UsageException(final String message) {
			super(message);
		}
	}

	private final Map<String, String> values = new LinkedHashMap<>();

	/**
	 * @param args the command's arguments (after its name)
	 * @param options the options taking a value
	 * @param flags the options taking none
	 */
	Args(final String[] args, final List<String> options, final List<String> flags) {
		for (int i = 0; i < args.length; i++) {
			final String a = args[i];
			if (!a.startsWith("--")) throw new UsageException("unexpected argument '" + a + "'");
			final String name = a.substring(2);
			if (flags.contains(name)) values.put(name, "true");
			else if (options.contains(name)) {
				if (i + 1 >= args.length) throw new UsageException("--" + name + " needs a value");
				values.put(name, args[++i]);
			}
			else throw new UsageException("unknown option --" + name);
		}
	}

	private Args(final Map<String, String> values) {
		this.values.putAll(values);
	}

	/** A copy in which {@code name} has {@code value} unless it was given. */
	Args withDefault(final String name, final String value) {
		final Args copy = new Args(values);
		copy.values.putIfAbsent(name, value);
		return copy;
	}

	boolean has(final String name) {
		return values.containsKey(name);
	}

	String get(final String name, final String fallback) {
		return values.getOrDefault(name, fallback);
	}

	int integer(final String name, final int fallback) {
		final String v = values.get(name);
		if (v == null) return fallback;
		try {
			return Integer.parseInt(v.trim());
		}
		catch (final NumberFormatException e) {
			throw new UsageException("--" + name + " needs a whole number, not '" + v + "'");
		}
	}

	/** --seed: a whole number (a long), 0 when not given. */
	long seed() {
		final String v = values.get("seed");
		if (v == null) return 0;
		try {
			return Long.parseLong(v.trim());
		}
		catch (final NumberFormatException e) {
			throw new UsageException("--seed needs a whole number, not '" + v + "'");
		}
	}

	double number(final String name, final double fallback) {
		final String v = values.get(name);
		if (v == null) return fallback;
		try {
			return Double.parseDouble(v.trim());
		}
		catch (final NumberFormatException e) {
			throw new UsageException("--" + name + " needs a number, not '" + v + "'");
		}
	}
}
