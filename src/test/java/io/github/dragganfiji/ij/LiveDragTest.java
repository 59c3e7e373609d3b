package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ByteProcessor;

import io.github.dragganfiji.app.DragEditor;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.image.EditOverlay;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.awt.EventQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DragGAN tool's per-image session with real ImageJ images, the real engine and the tiny bundle (headless: the
 * window itself is driven by {@code DragToolGuiTest}): edits in place, undo to the exact original, history stack,
 * stacks, the recorded macro.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LiveDragTest {

	private static String modelsBefore;

	@BeforeAll
	static void models() {
		modelsBefore = System.setProperty("draggan.models", TestBundles.FIXTURES.toAbsolutePath().toString());
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
	}

	static ImagePlus generated(final long seed) {
		return GeneratePlugin.generate(new GenerateUseCase.Request(FijiModels.searchPath().find("tiny-random"), seed,
			0.7, 0, DeviceChoice.CPU), Rendering.BitDepth.BIT8);
	}

	static DragConfig config(final int steps) {
		return DragConfig.defaults(32, 0.05, 6).withMaxSteps(steps).withRadii(3, 4);
	}

	/** Runs an edit to its end, and what the event thread does after it. */
	static DragEditor.Edit edit(final LiveDrag s, final int steps) throws Exception {
		final int before = s.editor().history().size();
		s.start(config(steps));
		assertTrue(s.editor().await(60_000), "the edit ended");
		EventQueue.invokeAndWait(() -> {});
		assertEquals(before + 1, s.editor().history().size(), "one more edit");
		return s.editor().history().get(before);
	}

	static void pair(final LiveDrag s, final double hx, final double hy, final double tx, final double ty) {
		s.editor().addPoint(new Point(hx, hy));
		s.editor().addPoint(new Point(tx, ty));
		s.pointsChanged();
	}

	@Test
	void editsInPlaceAndUndoesToTheExactOriginal() throws Exception {
		final ImagePlus imp = generated(5);
		final Object pixels = imp.getProcessor().getPixels();
		final int[] original = ((int[]) pixels).clone();
		final String ws = imp.getProp(ImageProperties.WS);
		final LiveDrag s = LiveDrag.open(imp);
		assertSame(imp, s.imp(), "a single image is edited itself");
		pair(s, 6, 16, 26, 16);
		final Overlay points = imp.getOverlay();
		assertEquals(3, points.size(), "arrow, handle, target");
		assertEquals(EditOverlay.HANDLE, points.get(1).getFillColor());
		assertEquals(EditOverlay.TARGET, points.get(2).getFillColor());

		final DragEditor.Edit e = edit(s, 3);
		assertSame(pixels, imp.getProcessor().getPixels(), "the window's own pixels, in place");
		final int[] after = ((int[]) pixels).clone();
		assertFalse(java.util.Arrays.equals(original, after), "the image changed");
		assertEquals(e.after(), ImageProperties.latent(imp, 1), "the image carries the new latent");
		assertTrue(imp.changes);
		assertTrue(imp.getOverlay().size() >= 4, "points and the track");
		// Steps come faster than the event thread may draw them: it shows the newest, at least the last one.
		assertTrue(s.lastStats().framesShown() >= 1 && s.lastStats().framesShown() <= 4, s.lastStats().toString());

		assertArrayEquals((int[]) s.history().getStack().getPixels(4), after, "the window shows the last step");

		assertTrue(s.undo());
		assertArrayEquals(original, (int[]) pixels, "undo puts back the exact original pixels");
		assertEquals(ws, imp.getProp(ImageProperties.WS), "and its latent");
		assertFalse(imp.changes);
		assertEquals(3, imp.getOverlay().size(), "the points as they were, no track");
		assertFalse(s.undo(), "nothing more to undo");
		assertTrue(s.redo());
		assertArrayEquals(after, (int[]) pixels, "redo puts back the edit's pixels");
		assertEquals(e.after(), ImageProperties.latent(imp, 1));
	}

	@Test
	void theHistoryIsOneStackOfEveryStepWithItsLatent() throws Exception {
		final ImagePlus imp = generated(6);
		final LiveDrag s = LiveDrag.open(imp);
		assertNull(s.history(), "no edit yet");
		pair(s, 6, 16, 26, 16);
		imp.setRoi(new Roi(2, 8, 28, 16)); // the movable area
		final DragEditor.Edit a = edit(s, 3);
		assertTrue(a.input().masked());
		imp.deleteRoi();
		s.editor().movePoint(1, new Point(26, 22));
		final DragEditor.Edit b = edit(s, 2);
		final ImagePlus h = s.history();
		assertEquals(imp.getTitle() + " history", h.getTitle());
		final int na = a.slices(), n = na + b.slices(); // one a step, and the step kept where rolled back
		assertEquals(n, h.getStackSize(), "the steps of both edits");
		assertEquals(a.before(), ImageProperties.latent(h, 1));
		assertEquals(a.after(), ImageProperties.latent(h, na));
		assertEquals(b.before(), ImageProperties.latent(h, na + 1));
		assertEquals(b.after(), ImageProperties.latent(h, n));
		assertTrue(h.getStack().getSliceLabel(na + 1).startsWith("edit 2, step 0"), h.getStack().getSliceLabel(na + 1));
		for (int slice = 1; slice <= n; slice++) {
			final int z = slice;
			assertTrue(java.util.Arrays.stream(h.getOverlay().toArray()).anyMatch(r -> r.getPosition() == z &&
				EditOverlay.HANDLE.equals(r.getFillColor())), "a handle drawn on slice " + z);
		}
		assertTrue(h.getProp(ImageProperties.PARAMS).contains("mask=true | "), h.getProp(ImageProperties.PARAMS));
		// Undone edits leave the history.
		s.undo();
		assertEquals(na, s.history().getStackSize());
	}

	@Test
	void ofAStackTheCurrentSliceIsEditedAsItsOwnImage() throws Exception {
		final LiveDrag first = LiveDrag.open(generated(7));
		pair(first, 6, 16, 26, 16);
		edit(first, 2);
		final ImagePlus stack = first.history();
		stack.setSlice(2);
		final LiveDrag s = LiveDrag.open(stack);
		assertNotEquals(stack, s.imp());
		assertEquals(stack.getTitle() + " slice 2", s.imp().getTitle());
		assertEquals(1, s.imp().getStackSize());
		assertEquals(ImageProperties.latent(stack, 2), s.editor().latent());
		assertEquals(ImageProperties.latent(stack, 2), ImageProperties.latent(s.imp(), 1));
		assertArrayEquals((int[]) stack.getStack().getPixels(2), (int[]) s.imp().getProcessor().getPixels());
		assertTrue(s.macro().isEmpty());
		pair(s, 6, 16, 20, 10);
		edit(s, 1);
		assertTrue(s.macro().startsWith("// DragGAN tool: edit\nselectImage(\"" + stack.getTitle() + "\");\n" +
			"setSlice(2);\n"), "the recorded replay continues from the stack's slice: " + s.macro());
	}

	@Test
	void anImageWithoutALatentIsExplained() {
		final ImagePlus plain = new ImagePlus("plain", new ByteProcessor(32, 32));
		final IllegalArgumentException x = org.junit.jupiter.api.Assertions.assertThrows(
			IllegalArgumentException.class, () -> LiveDrag.open(plain));
		assertTrue(x.getMessage().startsWith("'plain' has no DragGAN latent"), x.getMessage());
		final ImagePlus ok = generated(1);
		final Latent l = ImageProperties.latent(ok, 1);
		ok.setProp(ImageProperties.MODEL, "no-such-model");
		assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LiveDrag.open(
			ok)).getMessage().contains("No DragGAN model named 'no-such-model'"));
		assertNotNull(l);
	}
}
