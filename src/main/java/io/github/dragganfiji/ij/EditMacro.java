package io.github.dragganfiji.ij;

import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.process.FloatPolygon;

import io.github.dragganfiji.app.DragEditor;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.TrackingNorm;
import io.github.dragganfiji.image.EditOverlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A finished edit of the DragGAN tool as the macro lines that redo it with Plugins › DragGAN › Drag…: the movable
 * area into the ROI Manager, the handle/target points as a multi-point selection, and {@code run("Drag...")} with the
 * edit's parameters and its number of updates as max steps (the engine is deterministic up to float rounding, so the
 * replay ends where the edit ended). Each replayed edit makes a result stack; the next one continues from its last
 * slice, and an undo is recorded as {@code close()} of the undone edit's stack.
 */
final class EditMacro {

	/** The Drag dialog's tracking choices, as its macro options spell them. */
	static final String L1 = "L1 (paper)", L2 = "L2 (official code)";

	private EditMacro() {}

	/**
	 * The lines for one edit.
	 *
	 * @param e the edit
	 * @param preamble what selects the image to continue from (e.g. {@code selectImage("t");} for the session's first
	 *          edit, {@code setSlice(nSlices);} after another recorded edit)
	 * @param resetManager whether to empty the ROI Manager even without a movable area (an earlier recorded edit
	 *          filled it)
	 * @param device the device choice
	 */
	static String lines(final DragEditor.Edit e, final String preamble, final boolean resetManager,
		final String device)
	{
		final StringBuilder s = new StringBuilder(preamble);
		final DragInput in = e.input();
		final boolean[] movable = in.movable();
		if (movable != null || resetManager) s.append("roiManager(\"reset\");\n");
		if (movable != null) for (final String selection : area(movable, in.width(), in.height()))
			s.append(selection).append("\nroiManager(\"add\");\n");
		final StringBuilder xs = new StringBuilder(), ys = new StringBuilder();
		for (int k = 0; k < in.size(); k++) {
			xs.append(k == 0 ? "" : ", ").append(num(in.handles().get(k).x())).append(", ").append(num(in.targets()
				.get(k).x()));
			ys.append(k == 0 ? "" : ", ").append(num(in.handles().get(k).y())).append(", ").append(num(in.targets()
				.get(k).y()));
		}
		s.append("makeSelection(\"point\", newArray(").append(xs).append("), newArray(").append(ys).append("));\n");
		s.append("run(\"Drag...\", \"").append(options(e.config(), e.updates(), device)).append("\");\n");
		return s.toString();
	}

	/** The Drag dialog's macro options for these parameters and this many steps. */
	static String options(final DragConfig c, final int steps, final String device) {
		return String.format(Locale.ROOT,
			"max=%d learning=%s mask=%s r1=%d r2=%d stop=%s latent=%s layers=%d tracking=[%s] record=%d device=%s " +
				"mode=%s", steps, new java.math.BigDecimal(c.learningRate()).round(new java.math.MathContext(6))
					.stripTrailingZeros().toPlainString(), c.lambdaMask(), c.r1(), c.r2(), Double.isNaN(c.stopDistance()) ? "0" : c
				.stopDistance(), c.wPlus() ? "W+" : "W", c.layers(), c.trackingNorm() == TrackingNorm.L1 ? L1 : L2, c
					.recordEvery(), device, c.mode().key());
	}

	/**
	 * Selections whose union is exactly the mask: its traced outline when that one polygon gives the same pixels,
	 * else rectangles (runs of equal rows).
	 */
	static List<String> area(final boolean[] movable, final int width, final int height) {
		final Roi traced = EditOverlay.outline(movable, width, height);
		if (traced != null && traced.getType() == Roi.RECTANGLE && traced.getCornerDiameter() == 0) {
			final java.awt.Rectangle r = traced.getBounds();
			final String rect = String.format(Locale.ROOT, "makeRectangle(%d, %d, %d, %d);", r.x, r.y, r.width,
				r.height);
			if (java.util.Arrays.equals(movable, RoiConversion.movableArea(List.of(traced), width, height)))
				return List.of(rect);
		}
		if (traced instanceof PolygonRoi p && java.util.Arrays.equals(movable, RoiConversion.movableArea(List.of(
			traced), width, height)))
		{
			final FloatPolygon fp = p.getFloatPolygon();
			final StringBuilder xs = new StringBuilder(), ys = new StringBuilder();
			for (int i = 0; i < fp.npoints; i++) {
				xs.append(i == 0 ? "" : ", ").append(num(fp.xpoints[i]));
				ys.append(i == 0 ? "" : ", ").append(num(fp.ypoints[i]));
			}
			return List.of("makeSelection(\"polygon\", newArray(" + xs + "), newArray(" + ys + "));");
		}
		return rectangles(movable, width, height);
	}

	/** The mask as rectangles: each run of pixels in a row, extended down over the rows that have the same run. */
	private static List<String> rectangles(final boolean[] m, final int width, final int height) {
		final List<String> out = new ArrayList<>();
		final boolean[] used = new boolean[m.length];
		for (int y = 0; y < height; y++)
			for (int x = 0; x < width; x++) {
				if (!m[y * width + x] || used[y * width + x]) continue;
				int x1 = x;
				while (x1 < width && m[y * width + x1] && !used[y * width + x1])
					x1++;
				int y1 = y + 1;
				while (y1 < height && sameRun(m, used, width, y1, x, x1))
					y1++;
				for (int yy = y; yy < y1; yy++)
					for (int xx = x; xx < x1; xx++)
						used[yy * width + xx] = true;
				out.add(String.format(Locale.ROOT, "makeRectangle(%d, %d, %d, %d);", x, y, x1 - x, y1 - y));
			}
		return out;
	}

	private static boolean sameRun(final boolean[] m, final boolean[] used, final int width, final int y,
		final int x0, final int x1)
	{
		for (int x = x0; x < x1; x++)
			if (!m[y * width + x] || used[y * width + x]) return false;
		return (x0 == 0 || !m[y * width + x0 - 1]) && (x1 == width || !m[y * width + x1]);
	}

	private static String num(final double v) {
		return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
	}
}
