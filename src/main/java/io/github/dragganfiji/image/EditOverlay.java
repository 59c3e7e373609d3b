package io.github.dragganfiji.image;

import ij.ImagePlus;
import ij.gui.Arrow;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.DragEditor;
import io.github.dragganfiji.core.Point;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * The DragGAN tool's overlay on the image being edited, in the colours of the result stacks: the movable area
 * (tinted cyan), each handle's track in the running or last edit (yellow), an arrow from each handle to its target
 * (white), handles (red) and targets (blue). Whatever overlay the image had before stays under it.
 */
public final class EditOverlay {

	public static final Color HANDLE = Color.RED;
	public static final Color TARGET = Color.BLUE;
	static final Color TRACK = Color.YELLOW;
	static final Color AREA = Color.CYAN;
	static final Color AREA_FILL = new Color(0, 255, 255, 40);

	private EditOverlay() {}

	/**
	 * The overlay to show.
	 *
	 * @param base the image's own overlay before the tool touched it (kept under ours), or null
	 * @param pairs the points (handles may lack targets)
	 * @param tracks per pair, the handle's positions so far (shorter lists or none are fine)
	 * @param area the movable area's outline, or null
	 */
	public static Overlay of(final Overlay base, final List<DragEditor.Pair> pairs, final List<List<Point>> tracks,
		final Roi area)
	{
		final Overlay ov = base == null ? new Overlay() : base.duplicate();
		ov.selectable(false); // clicks on the dots are the tool's, not ImageJ's overlay editing
		if (area != null) {
			final Roi r = (Roi) area.clone();
			r.setStrokeColor(AREA);
			r.setFillColor(AREA_FILL); // a tint: visible under the selection's own outline
			ov.add(r);
		}
		for (int i = 0; i < pairs.size(); i++) {
			final Roi track = track(i < tracks.size() ? tracks.get(i) : List.of());
			if (track != null) ov.add(track);
			final Point h = pairs.get(i).handle(), t = pairs.get(i).target();
			if (t != null) ov.add(arrow(h, t));
			ov.add(dot(h, HANDLE));
			if (t != null) ov.add(dot(t, TARGET));
		}
		return ov;
	}

	/** The most points a drawn track has: every slice draws its own, so long drags stay linear in size. */
	static final int MAX_TRACK_POINTS = 200;

	/**
	 * A track as drawn: consecutive repeats dropped (a handle often stays on its pixel for many steps), then at most
	 * {@link #MAX_TRACK_POINTS} evenly spaced points, the first and the last always.
	 */
	static List<Point> drawn(final List<Point> track) {
		final List<Point> distinct = new ArrayList<>();
		for (final Point p : track)
			if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(p)) distinct.add(p);
		if (distinct.size() <= MAX_TRACK_POINTS) return distinct;
		final List<Point> out = new ArrayList<>(MAX_TRACK_POINTS);
		for (int k = 0; k < MAX_TRACK_POINTS; k++)
			out.add(distinct.get((int) Math.round(k * (distinct.size() - 1) / (double) (MAX_TRACK_POINTS - 1))));
		return out;
	}

	/**
	 * A handle's track (yellow), through the pixel centres, as {@link #drawn}; null when it has not left its first
	 * pixel.
	 */
	static Roi track(final List<Point> positions) {
		final List<Point> track = drawn(positions);
		if (track.size() < 2) return null;
		final float[] xs = new float[track.size()], ys = new float[track.size()];
		for (int k = 0; k < track.size(); k++) {
			xs[k] = (float) (track.get(k).x() + 0.5);
			ys[k] = (float) (track.get(k).y() + 0.5);
		}
		final PolygonRoi line = new PolygonRoi(xs, ys, Roi.POLYLINE);
		line.setStrokeColor(TRACK);
		return line;
	}

	/** The arrow from a handle to its target (white). */
	static Roi arrow(final Point h, final Point t) {
		final Arrow arrow = new Arrow(h.x() + 0.5, h.y() + 0.5, t.x() + 0.5, t.y() + 0.5);
		arrow.setStrokeColor(Color.WHITE);
		arrow.setHeadSize(4);
		return arrow;
	}

	/** A handle's or target's dot. */
	static Roi dot(final Point p, final Color c) {
		final OvalRoi o = new OvalRoi(p.x() + 0.5 - 2.5, p.y() + 0.5 - 2.5, 5, 5);
		o.setStrokeColor(c);
		o.setFillColor(c);
		return o;
	}

	/** The outline of a movable mask (null for none). */
	public static Roi outline(final boolean[] movable, final int width, final int height) {
		if (movable == null) return null;
		final ByteProcessor bp = new ByteProcessor(width, height);
		for (int i = 0; i < movable.length; i++)
			if (movable[i]) bp.set(i, 255);
		bp.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
		return ThresholdToSelection.run(new ImagePlus("mask", bp));
	}
}
