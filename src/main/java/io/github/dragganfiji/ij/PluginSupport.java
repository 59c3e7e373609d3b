package io.github.dragganfiji.ij;

import ai.djl.engine.EngineException;

import ij.IJ;

import io.github.dragganfiji.model.InvalidBundleException;

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
	 * Runs a command body; any failure becomes one IJ.error with its reason (never a stack trace in a dialog),
	 * with the details in the log.
	 */
	static void guard(final String title, final Runnable body) {
		try {
			body.run();
		}
		catch (final IllegalArgumentException | InvalidBundleException e) {
			IJ.error(title, e.getMessage());
		}
		catch (final OutOfMemoryError e) {
			IJ.error(title, "Out of memory. Close other images, choose fewer steps or record fewer of them " +
				"(record every N steps), or raise ImageJ's memory limit (Edit > Options > Memory & Threads).");
		}
		catch (final EngineException e) {
			final String msg = String.valueOf(e.getMessage());
			IJ.log("DragGAN: " + title + " failed in the PyTorch engine: " + msg);
			IJ.error(title, msg.toLowerCase(java.util.Locale.ROOT).contains("out of memory")
				? "The device ran out of memory. Try the CPU, fewer handles, or a smaller model."
				: "The PyTorch engine failed: " + firstLine(msg) + " (details in the Log window)");
		}
		catch (final IllegalStateException e) {
			IJ.error(title, e.getMessage());
		}
		catch (final RuntimeException e) {
			IJ.log("DragGAN: " + title + " failed: " + e);
			for (final StackTraceElement s : e.getStackTrace())
				IJ.log("    at " + s);
			IJ.error(title, "Unexpected error: " + firstLine(String.valueOf(e.getMessage())) +
				" (details in the Log window)");
		}
	}

	private static String firstLine(final String s) {
		final int nl = s.indexOf('\n');
		return nl < 0 ? s : s.substring(0, nl);
	}
}
