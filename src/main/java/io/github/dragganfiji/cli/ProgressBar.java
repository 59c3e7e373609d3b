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

	private long lastDrawn;
	private DragStep undrawn;

	@Override
	public void step(final DragStep s) {
		// On a terminal the line is redrawn (at most 10 times a second); in a log every 10th step gets its own line.
		// Nothing is formatted for the other steps: a long drag makes no garbage here.
		final long now = System.nanoTime();
		if (tty ? now - lastDrawn < 100_000_000L : s.index() % 10 != 0) {
			undrawn = s;
			return;
		}
		lastDrawn = now;
		undrawn = null;
		draw(s);
	}

	private void draw(final DragStep s) {
		final double secs = s.elapsedNanos() / 1e9;
		final double eta = s.index() == 0 ? Double.NaN : secs / s.index() * (maxSteps - s.index());
		final int width = 30, done = (int) Math.round(width * (double) s.index() / maxSteps);
		final String line = String.format(Locale.ROOT, "[%s%s] step %d/%d  mean distance %.1f px  %.1f s  ETA %s",
			"#".repeat(done), ".".repeat(width - done), s.index(), maxSteps, s.meanDistance(), secs, Double.isNaN(eta)
				? "?" : String.format(Locale.ROOT, "%.0f s", eta));
		if (tty) out.print("\r" + line);
		else out.println(line);
		out.flush();
	}

	void done() {
		if (tty && undrawn != null) draw(undrawn);
		if (tty) out.println();
	}
}
