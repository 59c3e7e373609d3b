package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.gui.ShapeRoi;

import io.github.dragganfiji.app.DragEditor;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DragGAN tool's recorded macro: replayed headless through the real Drag… command (ij1-patcher, menu entries of
 * plugins.config, the real engine, the tiny bundle), it ends at the latent the tool's edits ended at; movable areas
 * come back pixel for pixel.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EditMacroTest {

	private static String modelsBefore;

	@BeforeAll
	static void setUp() throws IOException, ClassNotFoundException {
		modelsBefore = System.getProperty("draggan.models");
		DragMacroTest.register();
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
	}

	@AfterEach
	void closeAll() {
		for (final int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList())
			WindowManager.getImage(id).close();
	}

	@Test
	void theRecordedEditsReplayToTheSameLatent() throws Exception {
		final ImagePlus imp = LiveDragTest.generated(5);
		assertEquals("tiny-random seed 5", imp.getTitle());
		final LiveDrag s = LiveDrag.open(imp);
		LiveDragTest.pair(s, 6, 16, 26, 16);
		LiveDragTest.edit(s, 3);
		s.editor().movePoint(1, new Point(22, 24)); // edit 2, from where edit 1 ended
		LiveDragTest.edit(s, 2);
		s.undo(); // ... taken back
		LiveDragTest.pair(s, 10, 4, 14, 9); // edit 3: a second pair
		LiveDragTest.edit(s, 2);
		final Latent expected = s.editor().latent();
		final String macro = s.macro();
		assertEquals(3, count(macro, "run(\"Drag...\""), macro);
		assertEquals(1, count(macro, "close();"), macro);
		// Headless there is no ROI Manager, so no movable area here: DragToolRobot replays one with a display.
		assertEquals(0, count(macro, "roiManager"), macro);

		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(DragMacroTest.GENERATE + macro);
		assertNull(run.error(), "macro error: " + run.error() + " log: " + run.log() + "\n" + macro);
		final ImagePlus last = WindowManager.getCurrentImage();
		assertNotNull(last);
		assertEquals("tiny-random seed 5 drag drag", last.getTitle(), "edit 3 continued from edit 1's stack");
		final Latent replayed = ImageProperties.latent(last, last.getStackSize());
		assertEquals(3, last.getStackSize(), "edit 3's two steps");
		final float[] a = expected.ws(), b = replayed.ws();
		double worst = 0;
		for (int i = 0; i < a.length; i++)
			worst = Math.max(worst, Math.abs(a[i] - b[i]));
		assertTrue(worst < 1e-4, "the replay ends at the tool's latent (largest difference " + worst + ")");
	}

	/**
	 * Each recorded selection on an image, read back as ImageJ makes it; their union is the mask. (The recorded
	 * macro adds them to the ROI Manager, which needs a display: DragToolRobot replays that part.)
	 */
	@Test
	void areasComeBackPixelForPixel() {
		final int w = 32, h = 32;
		final Roi rect = new Roi(3, 4, 10, 7), oval = new OvalRoi(5, 6, 20, 15);
		final Roi hole = new ShapeRoi(new Roi(2, 2, 28, 28)).not(new ShapeRoi(new OvalRoi(10, 10, 9, 9)));
		final Roi twoParts = new ShapeRoi(new Roi(0, 0, 5, 5)).or(new ShapeRoi(new Roi(20, 22, 12, 10)));
		for (final Roi roi : List.of(rect, oval, hole, twoParts)) {
			final boolean[] mask = RoiConversion.movableArea(List.of(roi), w, h);
			final List<String> lines = EditMacro.area(mask, w, h);
			final List<Roi> selections = new java.util.ArrayList<>();
			for (final String line : lines) {
				final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro("newImage(\"m\", \"8-bit black\", " +
					"32, 32, 1);\n" + line + "\n");
				assertNull(run.error(), run.toString());
				selections.add(WindowManager.getCurrentImage().getRoi());
				WindowManager.getCurrentImage().close();
			}
			assertArrayEquals(mask, RoiConversion.movableArea(selections, w, h), roi + " as " + lines);
			if (roi == rect) assertEquals(List.of("makeRectangle(3, 4, 10, 7);"), lines);
			if (roi == oval) assertTrue(lines.size() == 1 && lines.get(0).startsWith("makeSelection(\"polygon\""),
				lines.toString());
		}
	}

	@Test
	void theOptionsAreTheDragDialogsKeys() {
		assertEquals("max=12 learning=0.05 mask=20.0 r1=3 r2=4 stop=0 latent=W+ layers=6 tracking=[L1 (paper)] " +
			"record=1 device=cpu mode=paper", EditMacro.options(LiveDragTest.config(99).withMode(DragMode.PAPER)
				.withLearningRate(0.05), 12, "cpu"));
		assertTrue(EditMacro.options(LiveDragTest.config(99), 12, "cpu").endsWith(" mode=" + DragConfig.DEFAULT_MODE
			.key()), "the mode is recorded");
	}

	@Test
	void aDragInTheMacroIsTheEditsDrag() throws Exception {
		final ImagePlus imp = LiveDragTest.generated(3);
		final LiveDrag s = LiveDrag.open(imp);
		LiveDragTest.pair(s, 6, 16, 26, 16);
		final DragEditor.Edit e = LiveDragTest.edit(s, 2);
		assertEquals("// DragGAN tool: edit\nselectImage(\"tiny-random seed 3\");\n" +
			"makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n" + "run(\"Drag...\", \"" + EditMacro
				.options(e.config(), 2, ij.Prefs.get("draggan.device", "auto")) + "\");\n", s.macro());
	}

	private static int count(final String s, final String part) {
		int n = 0;
		for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1))
			n++;
		return n;
	}
}
