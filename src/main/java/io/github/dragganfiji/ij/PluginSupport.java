package io.github.dragganfiji.ij;

import ai.djl.engine.EngineException;

import ij.IJ;
import ij.Macro;

import io.github.dragganfiji.model.InvalidBundleException;
import io.github.dragganfiji.runtime.PyTorch;

import java.util.Arrays;
import java.util.Locale;

/** What every DragGAN plugin shares: the device choices, and turning failures into messages. */
final class PluginSupport {

	static final String[] DEVICES = { "auto", "cpu", "gpu" };

	private PluginSupport() {}

	/** A failure the user can act on; its message is shown as is. */
	static final class UserError extends IllegalArgumentException {

		private static final long serialVersionUID = 1L;

		UserError(final String message) {
			super(message);
		}
	}

	/**
	 * Whether the details of a failure (the engine's traceback, a bundle's inner error) go to the Log window: ImageJ's
	 * debug mode (Edit > Options > Misc...) or -Ddraggan.verbose=true.
	 */
	static boolean verbose() {
		return IJ.debugMode || Boolean.getBoolean("draggan.verbose");
	}

	/** Where the details of a failure are, for a message that leaves them out. */
	static final String DETAILS = "for the details, turn on Edit > Options > Misc... > Debug mode and run it again";

	/**
	 * Runs a command body; any failure becomes one IJ.error with its reason (never a stack trace in a dialog); the
	 * details go to the Log window only when {@link #verbose}.
	 */
	static void guard(final String title, final Runnable body) {
		try {
			body.run();
		}
		catch (final NumberFormatException e) {
			// Headless, ij1-patcher's dialog throws this for a macro value that is not a number (max=abc).
			IJ.error(title, notANumber(e.getMessage(), Macro.getOptions()));
		}
		catch (final InvalidBundleException e) {
			if (e.getCause() != null && verbose()) IJ.log("DragGAN: " + title + ": " + e.getMessage() + "; details: " + e
				.getCause().getMessage());
			IJ.error(title, e.getMessage());
		}
		catch (final IllegalArgumentException e) {
			IJ.error(title, e.getMessage());
		}
		catch (final OutOfMemoryError e) {
			IJ.error(title, "Out of memory. Close other images, choose fewer steps or record fewer of them " +
				"(record every N steps), or raise ImageJ's memory limit (Edit > Options > Memory & Threads).");
		}
		catch (final EngineException e) {
			final String msg = String.valueOf(e.getMessage());
			if (verbose()) IJ.log("DragGAN: " + title + " failed in the PyTorch engine: " + msg);
			IJ.error(title, msg.toLowerCase(Locale.ROOT).contains("out of memory")
				? "The device ran out of memory. Try the CPU, fewer handles, or a smaller model."
				: "The PyTorch engine failed: " + PyTorch.oneLine(e) + (verbose() ? " (details in the Log window)"
					: " (" + DETAILS + ")"));
		}
		catch (final IllegalStateException e) {
			IJ.error(title, e.getMessage());
		}
		catch (final RuntimeException e) {
			IJ.log("DragGAN: " + title + " failed: " + e);
			for (final StackTraceElement s : e.getStackTrace())
				IJ.log("    at " + s);
			IJ.error(title, "Unexpected error: " + PyTorch.oneLine(e) + " (details in the Log window)");
		}
	}

	/**
	 * The sentence for a macro value that is not a number: names the macro key that holds it when the options say,
	 * e.g. "The macro option max=abc is not a number: give a number, e.g. max=200."
	 */
	static String notANumber(final String exceptionMessage, final String options) {
		final String value = exceptionMessage == null ? "" : exceptionMessage.replaceFirst("^For input string: ", "")
			.replaceAll("^\"|\"$", "");
		if (options != null) for (final String part : options.trim().split("\\s+")) {
			final int eq = part.indexOf('=');
			if (eq > 0 && part.substring(eq + 1).replaceAll("^\\[|\\]$", "").equals(value)) return "The macro option " +
				part + " is not a number: give a number there, e.g. " + part.substring(0, eq) + "=1.";
		}
		return "'" + value + "' is not a number: every numeric field needs a number.";
	}

	/**
	 * In a macro, refuses a choice that is not offered: headless, ij1-patcher's dialog would silently take the first
	 * item instead (model=no-such-model would run the first model). {@code label} is the dialog label, whose first
	 * word is the macro key.
	 */
	static void requireMacroChoice(final String label, final String[] items, final String what) {
		final String options = Macro.getOptions();
		if (options == null) return;
		final String value = Macro.getValue(options, Macro.trimKey(label), null);
		if (value == null || Arrays.asList(items).contains(value)) return;
		throw new UserError("There is no " + what + " '" + value + "'. Choose one of: " + String.join(", ", items) +
			".");
	}
}
