package io.github.dragganfiji.cli;

import io.github.dragganfiji.core.DragListener;
import io.github.dragganfiji.core.DragStep;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line terminal progress bar: step, mean distance to the targets, elapsed time and ETA. */
final class ProgressBar implements DragListener {

	private final PrintStream out;
	private final int maxSteps;
	private final boolean tty;

	ProgressBar(final PrintStream out, final int maxSteps) {
		this.out = out;
		this.maxSteps = Math.max(1, maxSteps);
		tty = System.console() != null;
	}

	@Override
	public void step(final DragStep s) {
		final double secs = s.elapsedNanos() / 1e9;
		final double eta = s.index() == 0 ? Double.NaN : secs / s.index() * (maxSteps - s.index());
		final int width = 30, done = (int) Math.round(width * (double) s.index() / maxSteps);
		final String line = String.format(Locale.ROOT, "[%s%s] step %d/%d  mean distance %.1f px  %.1f s  ETA %s",
			"#".repeat(done), ".".repeat(width - done), s.index(), maxSteps, s.meanDistance(), secs, Double.isNaN(eta)
				? "?" : String.format(Locale.ROOT, "%.0f s", eta));
		// On a terminal the line is redrawn; in a log every 10th step gets its own line.
		if (tty) out.print("\r" + line);
		else if (s.index() % 10 == 0) out.println(line);
		out.flush();
	}

	void done() {
		if (tty) out.println();
	}
}
