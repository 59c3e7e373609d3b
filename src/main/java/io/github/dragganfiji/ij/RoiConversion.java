package io.github.dragganfiji.ij;

import ij.gui.ImageRoi;
import ij.gui.Line;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.FloatPolygon;
import ij.process.ImageProcessor;

import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.Point;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;

/**
 * ImageJ ROIs to drag input: handle/target pairs and the movable mask.
 * <ul>
 * <li>Multi-point ROIs ({@link ij.gui.PointRoi}): points 1, 3, 5… (click order) are handles, 2, 4, 6… their
 * targets.</li>
 * <li>Straight line and arrow ROIs ({@link Line}, {@link ij.gui.Arrow}): start = handle, end = target.</li>
 * <li>Area ROIs (rectangle, oval, polygon, freehand, composite…): their union, clipped to the image, is the movable
 * area; without any, the mask is null (everything may move).</li>
 * </ul>
 * Pairs are concatenated in the order the ROIs are given.
 * <p>
 * <b>Coordinates.</b> ImageJ 1.54 keeps point and line ROIs in its "line sub-pixel convention"
 * ({@code Roi.useLineSubpixelConvention()}, true for every point and line ROI): integer coordinates are pixel
 * <em>centres</em>. {@code Roi.offScreenXD} subtracts 0.5 from the canvas position (on which pixel {@code x} covers
 * {@code [x, x+1)}) and {@code screenXD} adds it back for drawing. So {@code new PointRoi(10, 20)},
 * {@code new Line(10, 20, …)} and a click on pixel (10, 20) at 100% all mean the centre of pixel (10, 20), the
 * convention of {@link Point}: float coordinates are used unchanged. Quirk: at zoom up to 150% the tools round a click
 * to a pixel centre, except points added to an existing multi-point ROI, which land on the clicked pixel's top-left
 * corner (x - 0.5, y - 0.5); ImageJ draws and counts them ({@code Math.round}) on pixel (x, y). Area ROIs use the
 * canvas convention; their masks are already per pixel.
 * <p>
 * The points and the mask then go through {@link DragInput#of}, which checks them (a point less than half a pixel
 * outside the range of pixel centres, still on an edge pixel, is moved onto the nearest centre; farther out is an
 * error). Errors are {@link IllegalArgumentException}s with messages for users.
 */
public final class RoiConversion {

	static final String HOW_TO = "Add point ROIs: handle, target, handle, target… (or line/arrow ROIs from handle to target)";

	private RoiConversion() {}

	/** Converts ROIs (null entries are skipped) on a {@code width x height} image. */
	public static DragInput convert(final List<? extends Roi> rois, final int width, final int height) {
		return convert(rois == null ? new Roi[0] : rois.toArray(new Roi[0]), width, height);
	}

	/** Converts ROIs (null entries are skipped) on a {@code width x height} image. */
	public static DragInput convert(final Roi[] rois, final int width, final int height) {
		if (width < 1 || height < 1) throw new IllegalArgumentException("Invalid image size " + width + " x " + height);
		final List<Point> handles = new ArrayList<>(), targets = new ArrayList<>();
		boolean[] movable = null;
		boolean any = false;
		final Roi[] all = rois == null ? new Roi[0] : rois;
		for (int i = 0; i < all.length; i++) {
			final Roi roi = all[i];
			if (roi == null) continue;
			any = true;
			if (roi instanceof Line line) { // and Arrow; getFloatPoints(): the two ends, also for wide lines
				final FloatPolygon p = line.getFloatPoints();
				handles.add(new Point(p.xpoints[0], p.ypoints[0]));
				targets.add(new Point(p.xpoints[1], p.ypoints[1]));
			}
			else if (roi.getType() == Roi.POINT) {
				final FloatPolygon p = roi.getFloatPolygon();
				if (p.npoints % 2 != 0) throw new IllegalArgumentException(describe(roi, i) + " has " + p.npoints +
					" point" + (p.npoints == 1 ? "" : "s") + ": it needs an even number (handle, target, handle, target…)");
				for (int k = 0; k < p.npoints; k += 2) {
					handles.add(new Point(p.xpoints[k], p.ypoints[k]));
					targets.add(new Point(p.xpoints[k + 1], p.ypoints[k + 1]));
				}
			}
			else if (roi.isArea() && !(roi instanceof TextRoi) && !(roi instanceof ImageRoi)) {
				if (movable == null) movable = new boolean[width * height];
				addArea(roi, movable, width, height);
			}
			else throw new IllegalArgumentException(describe(roi, i) + " cannot be used. Use point ROIs (handle, target, " +
				"handle, target…), straight line or arrow ROIs (handle to target), and area ROIs for the movable area.");
		}
		if (!any) throw new IllegalArgumentException("There is no ROI. " + HOW_TO + ".");
		if (handles.isEmpty()) throw new IllegalArgumentException(
			"There are only area ROIs (they mark the movable area). " + HOW_TO + ".");
		if (movable != null && DragInput.count(movable) == 0) throw new IllegalArgumentException(
			"The area ROIs do not cover any pixel of the " + width + " x " + height + " image, so nothing could move.");
		return DragInput.of(handles, targets, movable, width, height);
	}

	/**
	 * The movable area of the area ROIs among {@code rois} (the union of their masks, clipped to the image), as
	 * {@link #convert} makes it; other ROIs (points, lines, text) are skipped. Null when there is no area ROI or it
	 * covers no pixel of the image.
	 */
	public static boolean[] movableArea(final List<? extends Roi> rois, final int width, final int height) {
		boolean[] movable = null;
		for (final Roi roi : rois)
			if (roi != null && roi.isArea() && !(roi instanceof TextRoi) && !(roi instanceof ImageRoi)) {
				if (movable == null) movable = new boolean[width * height];
				addArea(roi, movable, width, height);
			}
		return movable == null || DragInput.count(movable) == 0 ? null : movable;
	}

	/** Sets the ROI's pixels inside the image; pixels of the mask's bounding box where it is nonzero (none: all). */
	private static void addArea(final Roi roi, final boolean[] movable, final int width, final int height) {
		final Rectangle b = roi.getBounds();
		final ImageProcessor mask = roi.getMask();
		final int x0 = Math.max(0, b.x), y0 = Math.max(0, b.y);
		final int x1 = (int) Math.min(width, (long) b.x + b.width), y1 = (int) Math.min(height, (long) b.y + b.height);
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++) {
				if (mask != null) {
					final int mx = x - b.x, my = y - b.y;
					if (mx >= mask.getWidth() || my >= mask.getHeight() || mask.get(mx, my) == 0) continue;
				}
				movable[y * width + x] = true;
			}
	}

	/** E.g. {@code ROI 2 (Polyline "arm")}. */
	static String describe(final Roi roi, final int index) {
		final String name = roi.getName();
		return "ROI " + (index + 1) + " (" + roi.getTypeAsString() + (name == null || name.isEmpty() ? "" : " \"" +
			name + "\"") + ")";
	}
}
