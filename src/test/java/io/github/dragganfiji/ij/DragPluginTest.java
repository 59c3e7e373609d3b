package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.io.FileSaver;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;

import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generate and Drag end to end with real ImageJ objects, the real engine and the real tiny bundle. */
class DragPluginTest {

	@TempDir
	Path tmp;

	private static String modelsBefore;

	@BeforeAll
	static void models() {
		modelsBefore = System.setProperty("draggan.models", TestBundles.FIXTURES.toAbsolutePath().toString());
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
	}

	private static ImagePlus generated(final long seed) {
		return GeneratePlugin.generate(new GenerateUseCase.Request(FijiModels.searchPath().find("tiny-random"), seed,
			0.7, 0, DeviceChoice.CPU), Rendering.BitDepth.BIT8);
	}

	private static DragConfig config(final int steps) {
		return DragConfig.defaults(32, 0.05, 6).withMaxSteps(steps).withRadii(3, 4);
	}

	private static List<Roi> pointsAndBox() {
		final PointRoi pts = new PointRoi(new float[] { 6, 26 }, new float[] { 16, 16 }, 2);
		return new ArrayList<>(List.of(pts, new Roi(2, 8, 28, 16)));
	}

	@Test
	void generateCarriesItsLatent() {
		final ImagePlus a = generated(3), b = generated(3), c = generated(4);
		assertEquals(32, a.getWidth());
		assertEquals(ImagePlus.COLOR_RGB, a.getType(), "3-channel model -> RGB");
		assertEquals("tiny-random", ImageProperties.model(a));
		assertEquals("3", a.getProp(ImageProperties.SEED));
		final Latent la = ImageProperties.latent(a, 1);
		assertEquals(8 * 32, la.ws().length);
		assertEquals(la, ImageProperties.latent(b, 1), "same seed, same latent");
		assertFalse(la.equals(ImageProperties.latent(c, 1)), "another seed, another latent");
		assertArrayEquals((int[]) a.getProcessor().getPixels(), (int[]) b.getProcessor().getPixels());
	}

	@Test
	void dragMakesOneSlicePerStepWithOverlaysLatentsAndResults() {
		final ImagePlus input = generated(5);
		final int[] before = ((int[]) input.getProcessor().getPixels()).clone();
		final ResultsTable shared = ResultsTable.getResultsTable(); // headless, the rows go to the Results table
		final int rowsBefore = shared == null ? 0 : shared.size();
		final DragPlugin.Outcome outcome = DragPlugin.execute(DragPlugin.prepare(input, pointsAndBox()), config(4), "cpu");
		final ImagePlus out = outcome.stack();
		final int slices = out.getStackSize();
		assertTrue(slices >= 2 && slices <= 5, "slices " + slices);
		assertEquals("tiny-random seed 5 drag", out.getTitle());
		assertTrue(out.getStack().getSliceLabel(1).startsWith("step 0, mean distance 20.0 px"), out.getStack()
			.getSliceLabel(1));
		assertTrue(out.getStack().getSliceLabel(slices).startsWith("step " + (slices - 1) + ","));
		final Overlay ov = out.getOverlay();
		assertNotNull(ov);
		for (int s = 1; s <= slices; s++) {
			final int slice = s;
			final long here = java.util.stream.IntStream.range(0, ov.size()).filter(i -> ov.get(i)
				.getPosition() == slice).count();
			// mask outline + arrow + handle dot + target dot (+ track from step 1 on)
			assertEquals(slice == 1 ? 4 : 5, here, "overlay elements on slice " + slice);
		}
		final Latent first = ImageProperties.latent(out, 1), last = ImageProperties.latent(out, slices);
		assertEquals(ImageProperties.latent(input, 1), first, "slice 1 is the start");
		assertFalse(first.equals(last), "the latent moved");
		assertArrayEquals(before, (int[]) input.getProcessor().getPixels(), "the input is never modified");
		final ResultsTable rt = outcome.table();
		assertEquals(rowsBefore + 1, rt.size(), "one row per handle");
		assertEquals(6, rt.getValue("Start X", rt.size() - 1));
		assertEquals(26, rt.getValue("Target X", rt.size() - 1));
		assertEquals(slices - 1, (int) rt.getValue("Steps", rt.size() - 1));
		assertTrue(out.getProp(ImageProperties.PARAMS).contains("handles=6.0,16.0->26.0,16.0 mask=false pasteArea=roi " +
			"pasteBack=true"), out.getProp(ImageProperties.PARAMS));
	}

	/**
	 * A generated image without an area ROI: every slice is the start image bit for bit outside the default region
	 * around the segment, while the generator's own output (raw) changes there.
	 */
	@Test
	void aGeneratedImageKeepsWhatItWasNotAskedToMove() {
		final ImagePlus input = generated(5);
		final int[] before = ((int[]) input.getProcessor().getPixels()).clone();
		final List<Roi> points = List.of(new PointRoi(new float[] { 6, 26 }, new float[] { 16, 16 }, 2));
		final RealImageOptions real = RealImageOptions.defaults(32);
		final ImagePlus out = DragPlugin.execute(DragPlugin.prepare(input, new ArrayList<>(points)), config(4), "cpu",
			real).stack();
		final boolean[] region = io.github.dragganfiji.core.DragInput.of(List.of(new io.github.dragganfiji.core.Point(6,
			16)), List.of(new io.github.dragganfiji.core.Point(26, 16)), null, 32, 32).aroundSegments(real
				.regionRadius()).movable();
		int outside = 0;
		for (int s = 1; s <= out.getStackSize(); s++) {
			final int[] px = (int[]) out.getStack().getPixels(s);
			for (int i = 0; i < px.length; i++)
				if (!region[i]) {
					outside++;
					assertEquals(before[i], px[i], "slice " + s + ", pixel " + i + " outside the region");
				}
		}
		assertTrue(outside > 0, "the region leaves pixels outside it");
		assertTrue(out.getProp(ImageProperties.PARAMS).endsWith("mask=false pasteArea=region pasteBack=true"), out
			.getProp(ImageProperties.PARAMS));
		final ImagePlus raw = DragPlugin.execute(DragPlugin.prepare(generated(5), new ArrayList<>(points)), config(4),
			"cpu", new RealImageOptions(false, real.regionRadius())).stack();
		final int[] last = (int[]) raw.getStack().getPixels(raw.getStackSize());
		int changed = 0;
		for (int i = 0; i < last.length; i++)
			if (!region[i] && last[i] != before[i]) changed++;
		assertTrue(changed > 0, "raw output: the generator changed pixels outside the region, so the 0 above is the " +
			"composition's");
		assertTrue(raw.getProp(ImageProperties.PARAMS).endsWith("mask=false pasteBack=false"));
	}

	@Test
	void theResultsTableAndTheLastSliceSayWhereTheContentWent() {
		final DragPlugin.Outcome outcome = DragPlugin.execute(DragPlugin.prepare(generated(5), pointsAndBox()), config(4)
			.withMode(io.github.dragganfiji.core.DragMode.STABLE), "cpu");
		final ResultsTable rt = outcome.table();
		final int row = rt.size() - 1;
		final io.github.dragganfiji.core.DragVerification.Result v = outcome.result().verification();
		final io.github.dragganfiji.core.DragVerification.Handle vh = v.handles().get(0);
		assertEquals(vh.distance(), rt.getValue("Verified distance", row), 1e-9);
		assertEquals(vh.found().x(), rt.getValue("Verified X", row), 1e-9);
		assertEquals(rt.getValue("Distance", row), outcome.result().last().distances()[0], 1e-9, "tracked, as before");
		assertEquals(2, v.tolerance(), 0.0, "the paper's stop distance for one handle (1 px) + 1 px");
		final boolean arrived = vh.distance() <= 2;
		assertEquals(arrived ? 1 : 0, (int) rt.getValue("Arrived", row), "arrived only when verified within 2 px");
		assertEquals(arrived ? "arrived" : "not arrived", rt.getStringValue("Status", row).replaceAll(":.*", ""));
		assertEquals("stable", rt.getStringValue("Mode", row));
		final ImagePlus out = outcome.stack();
		final String label = out.getStack().getSliceLabel(out.getStackSize());
		assertTrue(label.matches("step \\d+, mean distance [0-9.]+ px; verified [0-9.]+ px, (not )?arrived"), label);
		assertFalse(out.getStack().getSliceLabel(1).contains("verified"), "only the last slice is verified");
		assertTrue(out.getProp(ImageProperties.PARAMS).contains(" mode=stable "), out.getProp(ImageProperties.PARAMS));
	}

	@Test
	void dragContinuesFromAnySliceAndFromASavedTiff() {
		final ImagePlus first = DragPlugin.execute(DragPlugin.prepare(generated(6), pointsAndBox()), config(3), "cpu").stack();
		first.setSlice(first.getStackSize());
		final DragPlugin.Prepared again = DragPlugin.prepare(first, pointsAndBox());
		assertEquals(ImageProperties.latent(first, first.getStackSize()), again.latent(), "chained from the last slice");
		final String path = tmp.resolve("drag.tif").toString();
		assertTrue(new FileSaver(first).saveAsTiffStack(path));
		final ImagePlus reopened = IJ.openImage(path);
		assertEquals(first.getStackSize(), reopened.getStackSize());
		for (int s = 1; s <= first.getStackSize(); s++)
			assertEquals(ImageProperties.latent(first, s), ImageProperties.latent(reopened, s), "slice " + s);
		reopened.setSlice(2);
		final ImagePlus second = DragPlugin.execute(DragPlugin.prepare(reopened, pointsAndBox()), config(2), "cpu").stack();
		assertEquals(ImageProperties.latent(first, 2), ImageProperties.latent(second, 1), "continues from slice 2");
	}

	@Test
	void badInputIsExplained() {
		final ImagePlus plain = new ImagePlus("plain", new ByteProcessor(32, 32));
		assertMessage("'plain' has no DragGAN latent", () -> DragPlugin.prepare(plain, pointsAndBox()));

		final ImagePlus big = new ImagePlus("big", new ByteProcessor(64, 64));
		ImageProperties.set(big, "tiny-random", ImageProperties.latent(generated(1), 1));
		assertMessage("'big' is 64 x 64 pixels, but the model 'tiny-random' makes 32 x 32", () -> DragPlugin.prepare(big,
			pointsAndBox()));

		final ImagePlus gray = new ImagePlus("gray", new ByteProcessor(32, 32));
		ImageProperties.set(gray, "tiny-random", ImageProperties.latent(generated(1), 1));
		assertMessage("'gray' has 1 channel(s), but the model 'tiny-random' makes 3", () -> DragPlugin.prepare(gray,
			pointsAndBox()));

		final ImagePlus unknown = generated(1);
		unknown.setProp(ImageProperties.MODEL, "no-such-model");
		assertMessage("No DragGAN model named 'no-such-model'", () -> DragPlugin.prepare(unknown, pointsAndBox()));

		final ImagePlus ok = generated(1);
		assertMessage("There is no ROI", () -> DragPlugin.prepare(ok, List.of()));
		assertMessage("has 3 points", () -> DragPlugin.prepare(ok, List.of(new PointRoi(new float[] { 1, 2, 3 },
			new float[] { 1, 2, 3 }, 3))));
		assertMessage("outside the 32 x 32 image", () -> DragPlugin.prepare(ok, List.of(new PointRoi(new float[] { 1, 40 },
			new float[] { 1, 2 }, 2))));
		assertMessage("Handle 1 and target 1 are both at", () -> DragPlugin.prepare(ok, List.of(new PointRoi(new float[] {
			5, 5 }, new float[] { 5, 5 }, 2))));
	}

	private static void assertMessage(final String part, final org.junit.jupiter.api.function.Executable e) {
		final RuntimeException x = assertThrows(RuntimeException.class, e);
		assertTrue(x instanceof IllegalArgumentException || x instanceof PluginSupport.UserError, x.toString());
		assertTrue(x.getMessage().contains(part), "expected '" + part + "' in: " + x.getMessage());
	}
}
