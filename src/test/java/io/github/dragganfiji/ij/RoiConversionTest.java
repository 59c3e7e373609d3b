package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Arrow;
import ij.gui.ImageCanvas;
import ij.gui.Line;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.gui.TextRoi;
import ij.process.ByteProcessor;
import ij.process.FloatPolygon;
import ij.process.ImageProcessor;

import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.Point;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** ROIs to handles, targets and the movable mask, with real ImageJ ROIs. */
class RoiConversionTest {

	private static final int W = 64, H = 48;

	private static DragInput convert(final Roi... rois) {
		return RoiConversion.convert(rois, W, H);
	}

	private static String error(final Roi... rois) {
		return assertThrows(IllegalArgumentException.class, () -> convert(rois)).getMessage();
	}

	private static PointRoi points(final float... xy) {
		final float[] x = new float[xy.length / 2], y = new float[xy.length / 2];
		for (int i = 0; i < x.length; i++) {
			x[i] = xy[2 * i];
			y[i] = xy[2 * i + 1];
		}
		return new PointRoi(x, y, x.length);
	}

	private static Point p(final double x, final double y) {
		return new Point(x, y);
	}

	/** The pixels of an ROI's own getContainedPoints() inside the W x H image. */
	private static Set<Integer> containedInImage(final Roi roi) {
		final Set<Integer> s = new HashSet<>();
		for (final java.awt.Point q : roi.getContainedPoints())
			if (q.x >= 0 && q.y >= 0 && q.x < W && q.y < H) s.add(q.y * W + q.x);
		return s;
	}

	private static Set<Integer> trueIndices(final boolean[] mask) {
		final Set<Integer> s = new HashSet<>();
		for (int i = 0; i < mask.length; i++)
			if (mask[i]) s.add(i);
		return s;
	}

	// --- handles and targets ---

	@Test
	void multiPointRoiAlternatesHandleAndTarget() {
		final DragInput r = convert(points(10, 20, 30.5f, 40.25f, 5, 6, 7, 8));
		assertEquals(List.of(p(10, 20), p(5, 6)), r.handles());
		assertEquals(List.of(p(30.5, 40.25), p(7, 8)), r.targets());
		assertEquals(2, r.size());
		assertNull(r.movable());
		assertTrue(r.notes().isEmpty());
	}

	@Test
	void pointRoiCoordinatesArePixelCentres() {
		// ImageJ 1.54: point ROIs use the "line sub-pixel convention", integer = pixel centre; used unchanged.
		final PointRoi roi = new PointRoi(10, 20); // int constructor
		roi.addPoint(30, 40);
		roi.addPoint(1.25, 2.75); // sub-pixel
		roi.addPoint(3.5, 4.5);
		assertEquals(10.0, roi.getFloatPolygon().xpoints[0]); // no +0.5 in ImageJ's own coordinates
		final DragInput r = convert(roi);
		assertEquals(List.of(p(10, 20), p(1.25, 2.75)), r.handles());
		assertEquals(List.of(p(30, 40), p(3.5, 4.5)), r.targets());
		// ImageJ itself puts a point at (10.4, 20.6) on pixel (10, 21): the nearest pixel centre.
		assertEquals(new java.awt.Point(10, 21), new PointRoi(10.4, 20.6).getContainedPoints()[0]);
		assertEquals(new PointRoi(10.0, 20.0).getFloatPolygon().xpoints[0], roi.getFloatPolygon().xpoints[0]);
	}

	@Test
	void mouseClicksGivePixelCentreCoordinates() {
		// What the point and line tools do with a click: Roi.offScreenXD = canvas position - 0.5 for point and line
		// ROIs, rounded at magnifications <= 1.5. (A headless canvas; getCanvas() is otherwise the window's.)
		final ImagePlus plain = new ImagePlus("test", new ByteProcessor(W, H));
		final ImageCanvas canvas = new ImageCanvas(plain);
		final ImagePlus imp = new ImagePlus("test", new ByteProcessor(W, H)) {

			@Override
			public ImageCanvas getCanvas() {
				return canvas;
			}
		};
		// magnification 1: screen pixel (10, 20) is image pixel (10, 20), anywhere inside it
		assertEquals(10.0, canvas.offScreenXD(10)); // canvas convention: pixel 10 covers [10, 11)
		final PointRoi click = new PointRoi(10, 20, imp);
		final FloatPolygon second = new PointRoi(30, 40, imp).getFloatPolygon(); // a second click
		click.addPoint(imp, second.xpoints[0], second.ypoints[0]);
		assertEquals(List.of(p(10, 20)), convert(click).handles());
		assertEquals(List.of(p(30, 40)), convert(click).targets());
		final Line drawn = new Line(10, 20, imp); // mouse down on pixel (10, 20)
		assertEquals(10.0, drawn.x1d);
		assertEquals(20.0, drawn.y1d);
		// magnification 8: the click 1/8 pixel right of pixel 10's left edge is 3/8 left of its centre
		canvas.setMagnification(8);
		final FloatPolygon fine = new PointRoi(81, 166, imp).getFloatPolygon();
		assertEquals(10.125, canvas.offScreenXD(81));
		assertEquals(9.625, fine.xpoints[0]);
		assertEquals(20.25, fine.ypoints[0]);
		assertEquals(9.625, new Line(81, 166, imp).x1d);
	}

	@Test
	void lineStartIsHandleEndIsTarget() {
		final DragInput r = convert(new Line(10, 20, 30, 40));
		assertEquals(List.of(p(10, 20)), r.handles());
		assertEquals(List.of(p(30, 40)), r.targets());
		// ImageJ's own pixels of that line start on pixel (10, 20) and end on (29, 39)...(30, 40): centres again.
		final java.awt.Point[] on = new Line(10, 20, 30, 40).getContainedPoints();
		assertEquals(new java.awt.Point(10, 20), on[0]);
		final DragInput s = convert(new Line(10.25, 20.75, 30.5, 40.5));
		assertEquals(List.of(p(10.25, 20.75)), s.handles());
		assertEquals(List.of(p(30.5, 40.5)), s.targets());
	}

	@Test
	void arrowAndWideLineUseTheirEnds() {
		final Arrow arrow = new Arrow(5.5, 6, 20, 21.5);
		final Line wide = new Line(1.0, 2.0, 11.0, 12.0);
		wide.setStrokeWidth(7); // getFloatPolygon() would now be a 4-corner outline
		final DragInput r = convert(arrow, wide);
		assertEquals(List.of(p(5.5, 6), p(1, 2)), r.handles());
		assertEquals(List.of(p(20, 21.5), p(11, 12)), r.targets());
	}

	@Test
	void movedLineAndPointsUseCurrentPosition() {
		final Line line = new Line(10.0, 20.0, 30.0, 40.0);
		line.setLocation(15.0, 5.0);
		final PointRoi pts = points(1, 2, 4, 6);
		pts.setLocation(10.0, 10.0);
		final DragInput r = convert(line, pts);
		assertEquals(List.of(p(15, 5), p(10, 10)), r.handles());
		assertEquals(List.of(p(35, 25), p(13, 14)), r.targets());
	}

	@Test
	void mixedRoisKeepTheirOrder() {
		final List<Roi> rois = new ArrayList<>();
		rois.add(new Line(1, 1, 2, 2));
		rois.add(new Roi(0, 0, W, H));
		rois.add(points(3, 3, 4, 4, 5, 5, 6, 6));
		rois.add(null); // e.g. no image ROI
		rois.add(new Arrow(7, 7, 8, 8));
		rois.add(points(9, 9, 10, 10));
		final DragInput r = RoiConversion.convert(rois, W, H);
		assertEquals(List.of(p(1, 1), p(3, 3), p(5, 5), p(7, 7), p(9, 9)), r.handles());
		assertEquals(List.of(p(2, 2), p(4, 4), p(6, 6), p(8, 8), p(10, 10)), r.targets());
		assertEquals(W * H, DragInput.count(r.movable()));
		assertTrue(r.notes().isEmpty());
	}

	@Test
	void imageRoiAndOverlayOfAnImagePlus() {
		final ImagePlus imp = new ImagePlus("test", new ByteProcessor(W, H));
		imp.setRoi(points(10, 10, 12, 14));
		final Overlay overlay = new Overlay(new Line(20, 20, 25, 20));
		overlay.add(new OvalRoi(5, 5, 30, 30));
		imp.setOverlay(overlay);
		final List<Roi> rois = new ArrayList<>(List.of(imp.getRoi()));
		rois.addAll(List.of(imp.getOverlay().toArray()));
		final DragInput r = RoiConversion.convert(rois, imp.getWidth(), imp.getHeight());
		assertEquals(List.of(p(10, 10), p(20, 20)), r.handles());
		assertEquals(List.of(p(12, 14), p(25, 20)), r.targets());
		assertTrue(r.movable()[20 * W + 20]);
		assertFalse(r.movable()[0]);
	}

	@Test
	void pointsWithinHalfAPixelOfTheBorderAreMovedOnIt() {
		final DragInput r = convert(points(-0.25f, 47.25f, W - 0.75f, -0.5f));
		assertEquals(List.of(p(0, 47)), r.handles());
		assertEquals(List.of(p(W - 1, 0)), r.targets());
	}

	// --- movable mask ---

	@Test
	void rectangleMaskIsExactlyTheRectangle() {
		final boolean[] m = convert(new Roi(2, 3, 4, 5), new Line(3, 4, 4, 5)).movable();
		assertEquals(W * H, m.length);
		assertEquals(4 * 5, DragInput.count(m));
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				assertEquals(x >= 2 && x < 6 && y >= 3 && y < 8, m[y * W + x], x + ", " + y);
	}

	@Test
	void ovalMaskMatchesImageJsMask() {
		final OvalRoi oval = new OvalRoi(10, 7, 21, 13);
		final boolean[] m = convert(oval, new Line(20, 13, 22, 13)).movable();
		final ImageProcessor mask = oval.getMask();
		int n = 0;
		for (int i = 0; i < mask.getPixelCount(); i++)
			if (mask.get(i) != 0) n++;
		assertTrue(n > 150 && n < 21 * 13, "a real ellipse: " + n);
		assertEquals(n, DragInput.count(m));
		final Rectangle b = oval.getBounds();
		for (int y = 0; y < b.height; y++)
			for (int x = 0; x < b.width; x++)
				assertEquals(mask.get(x, y) != 0, m[(b.y + y) * W + b.x + x]);
	}

	@Test
	void polygonAndUnionMatchContainedPoints() {
		final PolygonRoi triangle = new PolygonRoi(new float[] { 5, 40, 12.5f }, new float[] { 3, 10, 30 }, Roi.POLYGON);
		final OvalRoi oval = new OvalRoi(30, 5, 20, 20); // overlaps the triangle
		final Roi rounded = new Roi(50, 30, 10, 10, 6); // rounded corners: has a mask
		final boolean[] m = convert(triangle, oval, rounded, points(20, 10, 21, 11)).movable();
		final Set<Integer> expected = containedInImage(triangle);
		expected.addAll(containedInImage(oval));
		expected.addAll(containedInImage(rounded));
		assertTrue(containedInImage(rounded).size() < 100);
		assertEquals(expected, trueIndices(m));
	}

	@Test
	void compositeWithHole() {
		final ShapeRoi ring = new ShapeRoi(new Roi(10, 10, 10, 10)).not(new ShapeRoi(new Roi(13, 13, 4, 4)));
		assertEquals("Composite", ring.getTypeAsString());
		final boolean[] m = convert(ring, points(11, 11, 12, 18)).movable();
		assertEquals(100 - 16, DragInput.count(m));
		assertTrue(m[10 * W + 10]);
		assertTrue(m[19 * W + 19]);
		assertFalse(m[13 * W + 13]); // hole
		assertFalse(m[16 * W + 16]); // hole
		assertTrue(m[17 * W + 17]);
		assertFalse(m[20 * W + 20]); // outside
		// two disjoint parts
		final ShapeRoi two = new ShapeRoi(new Roi(0, 0, 3, 3)).or(new ShapeRoi(new OvalRoi(30, 30, 8, 8)));
		assertEquals(containedInImage(two), trueIndices(convert(two, points(1, 1, 2, 2)).movable()));
	}

	@Test
	void areasAreClippedAtTheImageBorders() {
		assertEquals(3 * 3, DragInput.count(convert(new Roi(-3, -3, 6, 6), points(1, 1, 2, 2)).movable()));
		assertEquals(2 * 4, DragInput.count(convert(new Roi(W - 2, H - 4, 10, 10), points(W - 1, H - 1, 2, 2))
			.movable())); // a handle inside: with every handle outside the area nothing could move (refused)
		final OvalRoi oval = new OvalRoi(-10, H - 15, 40, 30);
		final boolean[] m = convert(oval, points(1, 40, 2, 40)).movable();
		assertEquals(containedInImage(oval), trueIndices(m));
		assertTrue(DragInput.count(m) < oval.getContainedPoints().length);
		final ShapeRoi big = new ShapeRoi(new Roi(-5, -5, W + 10, H + 10)).not(new ShapeRoi(new Roi(0, 0, 2, 2)));
		assertEquals(W * H - 4, DragInput.count(convert(big, points(5, 5, 6, 6)).movable()));
	}

	@Test
	void handlesAndTargetsOutsideTheMovableAreaGiveNotes() {
		final DragInput r = convert(new Roi(0, 0, 10, 10), points(5, 5, 6, 6, 20, 5.25f, 8, 8, 2, 2, 30, 30));
		assertEquals(List.of("handle 2 at (20, 5.25) is outside the movable area",
			"target 3 at (30, 30) is outside the movable area"), r.notes());
		assertEquals(3, r.size());
	}

	@Test
	void resultIsImmutable() {
		final DragInput r = convert(new Roi(0, 0, 10, 10), points(5, 5, 6, 6));
		r.movable()[0] = false;
		assertTrue(r.movable()[0]);
		assertThrows(UnsupportedOperationException.class, () -> r.handles().add(p(1, 1)));
		final boolean[] mask = new boolean[4];
		final DragInput s = new DragInput(List.of(p(0, 0)), List.of(p(1, 1)), mask, 2, 2, List.of());
		mask[0] = true;
		assertArrayEquals(new boolean[4], s.movable());
	}

	// --- errors ---

	@Test
	void noRoi() {
		final String expected = "There is no ROI. Add point ROIs: handle, target, handle, target… (or line/arrow ROIs " +
			"from handle to target).";
		assertEquals(expected, error());
		assertEquals(expected, error((Roi) null));
		assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> RoiConversion.convert((Roi[]) null,
			W, H)).getMessage());
		assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> RoiConversion.convert(List.of(), W,
			H)).getMessage());
	}

	@Test
	void onlyAreaRois() {
		assertEquals("There are only area ROIs (they mark the movable area). Add point ROIs: handle, target, handle, " +
			"target… (or line/arrow ROIs from handle to target).", error(new Roi(1, 1, 5, 5), new OvalRoi(3, 3, 9, 9)));
	}

	@Test
	void oddNumberOfPoints() {
		assertEquals("ROI 2 (Point) has 3 points: it needs an even number (handle, target, handle, target…)",
			error(points(1, 1, 2, 2), points(1, 1, 2, 2, 3, 3)));
		final PointRoi one = new PointRoi(4, 4);
		one.setName("clicks");
		assertEquals("ROI 1 (Point \"clicks\") has 1 point: it needs an even number (handle, target, handle, target…)",
			error(one));
	}

	@Test
	void outsideTheImage() {
		assertEquals("The handle 2 at (70, 12.5) is outside the 64 x 48 image.", error(points(1, 1, 2, 2, 70, 12.5f, 3,
			3)));
		assertEquals("The target 1 at (10, 47.5) is outside the 64 x 48 image.", error(new Line(10.0, 20.0, 10.0,
			47.5)));
		assertEquals("The handle 1 at (-1, 5) is outside the 64 x 48 image.", error(new Arrow(-1, 5, 10, 10)));
	}

	@Test
	void handleOnItsTarget() {
		assertEquals("Handle 2 and target 2 are both at (5, 6.5): place the target where the handle should go.", error(
			points(1, 1, 2, 2), points(5, 6.5f, 5, 6.5f)));
		assertEquals("Handle 1 and target 1 are both at (3, 4): place the target where the handle should go.", error(
			new Line(3, 4, 3, 4)));
	}

	@Test
	void unsupportedRoiTypes() {
		final String use = " cannot be used. Use point ROIs (handle, target, handle, target…), straight line or arrow " +
			"ROIs (handle to target), and area ROIs for the movable area.";
		final PolygonRoi polyline = new PolygonRoi(new float[] { 1, 5, 9 }, new float[] { 1, 5, 1 }, Roi.POLYLINE);
		assertEquals("ROI 2 (Polyline)" + use, error(points(1, 1, 2, 2), polyline));
		polyline.setName("arm");
		assertEquals("ROI 1 (Polyline \"arm\")" + use, error(polyline));
		assertEquals("ROI 1 (Angle)" + use, error(new PolygonRoi(new float[] { 1, 5, 9 }, new float[] { 1, 5, 1 },
			Roi.ANGLE)));
		assertEquals("ROI 1 (Freeline)" + use, error(new PolygonRoi(new float[] { 1, 5, 9 }, new float[] { 1, 5, 1 },
			Roi.FREELINE)));
		final TextRoi text = new TextRoi(5, 5, "hi");
		assertTrue(text.isArea()); // ImageJ calls text an area ROI
		assertEquals("ROI 1 (Text)" + use, error(text, points(1, 1, 2, 2)));
	}

	@Test
	void areaOutsideTheImage() {
		assertEquals("The area ROIs do not cover any pixel of the 64 x 48 image, so nothing could move.", error(
			new Roi(100, 100, 5, 5), points(1, 1, 2, 2)));
	}

	@Test
	void invalidImageSize() {
		assertThrows(IllegalArgumentException.class, () -> RoiConversion.convert(new Roi[] { points(0, 0, 1, 1) }, 0,
			10));
	}
}
