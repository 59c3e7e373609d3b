package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.PointRoi;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.core.Projector;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.InversionInput;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Invert on ImageJ images with the real engine and tiny bundle: geometry, calibration, metadata, then Drag. */
class InvertPluginTest {

	private static String modelsBefore, userBefore;

	@BeforeAll
	static void models() throws java.io.IOException {
		modelsBefore = System.setProperty("draggan.models", TestBundles.FIXTURES.toAbsolutePath().toString());
		userBefore = System.setProperty("draggan.userModels", java.nio.file.Files.createTempDirectory("draggan-user")
			.toString());
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
		TestBundles.restoreProperty("draggan.userModels", userBefore);
	}

	private static ModelSearchPath.Entry tiny() {
		return FijiModels.searchPath().find("tiny-random");
	}

	@Test
	void aLargerNonSquareImageIsInvertedThenDragged() {
		final ImagePlus gen = GeneratePlugin.generate(new GenerateUseCase.Request(tiny(), 9, 0.7, 0, DeviceChoice.CPU),
			Rendering.BitDepth.BIT8);
		// A "real" image: the generated one scaled up and widened, without any latent.
		final ImageProcessor big = gen.getProcessor().resize(80, 64, true);
		final ImagePlus real = new ImagePlus("real.tif", big);
		final Calibration cal = new Calibration();
		cal.pixelWidth = 0.5;
		cal.pixelHeight = 0.5;
		cal.setUnit("um");
		real.setCalibration(cal);
		final int[] before = ((int[]) real.getProcessor().getPixels()).clone();

		final ImagePlus inv = InvertPlugin.execute(real, tiny(),
			InversionInput.Framing.CROP, new Projector.Options(60, 0.05, 1.0, 10), new PivotalTuner.Options(20, 3e-3,
				1.0), DeviceChoice.CPU);
		final ImagePlus frames = ij.WindowManager.getImage("real.tif projection steps");
		assertNotNull(frames, "the projection steps as a stack");
		assertEquals(7, frames.getStackSize(), "steps 0, 10, ..., 50 and the last");
		frames.close();
		assertEquals(32, inv.getWidth());
		assertEquals(ImagePlus.COLOR_RGB, inv.getType(), "same type as the source");
		assertEquals(0.5 * 64 / 32, inv.getCalibration().pixelWidth, 1e-9, "64 px crop scaled to 32 px");
		assertEquals(real.getCalibration().getUnit(), inv.getCalibration().getUnit());
		assertNotNull(ImageProperties.latent(inv, 1));
		final String tuned = ImageProperties.model(inv);
		assertTrue(tuned.startsWith("tiny-random tuned real "), tuned);
		assertTrue(FijiModels.searchPath().find(tuned).dir().startsWith(Path.of(System.getProperty("draggan.userModels"))),
			"the tuned copy lives in the user's model folder");
		final String summary = inv.getProp(ImageProperties.INVERSION);
		assertTrue(summary.startsWith("PSNR ") && summary.contains("60 projection and 20 tuning steps") && summary
			.contains("80 x 64 center-cropped to 64 x 64, scaled to 32 x 32"), summary);
		assertTrue(inv.getProp(ImageProperties.INTENSITY) != null);
		assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString((int[]) real.getProcessor()
			.getPixels()), "the input is never modified");

		final DragPlugin.Outcome o = DragPlugin.execute(DragPlugin.prepare(inv, List.of(new PointRoi(new float[] { 8, 20 }, new float[] {
			16, 16 }, 2))), DragConfig.defaults(32, 0.05, 6).withMaxSteps(2).withRadii(3, 4), "cpu");
		assertEquals(ImagePlus.COLOR_RGB, o.stack().getType());
		assertEquals(inv.getProp(ImageProperties.INTENSITY), o.stack().getProp(ImageProperties.INTENSITY),
			"the drag keeps the inverted image's intensity mapping");
		assertEquals(inv.getCalibration().pixelWidth, o.stack().getCalibration().pixelWidth, 1e-12);
	}

	@Test
	void aTuningThatEndsWorseIsDroppedAndTheProjectionStands() {
		final ImagePlus gen = GeneratePlugin.generate(new GenerateUseCase.Request(tiny(), 4, 0.7, 0, DeviceChoice.CPU),
			Rendering.BitDepth.BIT8);
		final ImagePlus real = new ImagePlus("real2.tif", gen.getProcessor().duplicate());
		// A learning rate 10,000 times PTI's wrecks the weights within a few steps.
		final ImagePlus inv = InvertPlugin.execute(real, tiny(),
			InversionInput.Framing.CROP, new Projector.Options(20, 0.05, 1.0), new PivotalTuner.Options(5, 3.0, 1.0),
			DeviceChoice.CPU);
		assertEquals("tiny-random", ImageProperties.model(inv), "the original model, not a tuned copy");
		final String summary = inv.getProp(ImageProperties.INVERSION);
		assertTrue(summary.contains("20 projection steps"), summary);
	}

	@Test
	void padKeepsTheWholeImage() {
		final ImagePlus gen = GeneratePlugin.generate(new GenerateUseCase.Request(tiny(), 3, 0.7, 0, DeviceChoice.CPU),
			Rendering.BitDepth.BIT8);
		final ImagePlus wide = new ImagePlus("wide", gen.getProcessor().resize(64, 32, true));
		final InversionInput in = InversionInput.of(wide, tiny().metadata(), InversionInput.Framing.PAD);
		assertEquals(2.0, in.scale(), 1e-12);
		assertEquals(3, in.channels().length);
		assertTrue(in.description().contains("padded to 64 x 64"), in.description());
	}

	@Test
	void channelMismatchIsExplained() {
		final ImagePlus gray = new ImagePlus("gray", new ByteProcessor(40, 40));
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InvertPlugin.execute(gray,
			tiny(), InversionInput.Framing.CROP, Projector.Options.defaults(), null, DeviceChoice.CPU));
		assertTrue(e.getMessage().contains("'gray' has 1 channel(s), but the model 'tiny-random' makes 3"), e
			.getMessage());
	}

	/**
	 * A real image of the model's size, inverted and dragged without an area ROI: the inverted image holds the real
	 * pixels; every slice of the result keeps them bit for bit outside the default region around the handle's
	 * segment and changes inside it; the raw output changes pixels outside too.
	 */
	@Test
	void aRealImageKeepsEveryPixelOutsideTheEdit() {
		final ImagePlus gen = GeneratePlugin.generate(new GenerateUseCase.Request(tiny(), 11, 0.7, 0, DeviceChoice.CPU),
			Rendering.BitDepth.BIT8);
		final ImagePlus real = new ImagePlus("cells.tif", gen.getProcessor().duplicate()); // no latent
		final int[] source = ((int[]) real.getProcessor().getPixels()).clone();
		final ImagePlus inv = InvertPlugin.execute(real, tiny(), InversionInput.Framing.CROP, new Projector.Options(20,
			0.05, 1.0), null, DeviceChoice.CPU);
		assertArrayEquals(source, (int[]) inv.getProcessor().getPixels(), "the inverted image is the real image");
		final List<ij.gui.Roi> points = List.of(new PointRoi(new float[] { 8, 14 }, new float[] { 16, 16 }, 2));
		final DragConfig cfg = DragConfig.defaults(32, 0.05, 6).withMaxSteps(3).withRadii(3, 4);
		final RealImageOptions opt = new RealImageOptions(true, 4);
		final DragPlugin.Outcome o = DragPlugin.execute(DragPlugin.prepare(inv, points), cfg, "cpu", opt);
		final boolean[] region = DragInput.of(List.of(new Point(8, 16)), List.of(new Point(14, 16)), null, 32, 32)
			.aroundSegments(4).movable();
		boolean changedInside = false;
		for (int s = 1; s <= o.stack().getStackSize(); s++) {
			final int[] px = (int[]) o.stack().getStack().getProcessor(s).getPixels();
			for (int i = 0; i < px.length; i++)
				if (!region[i]) assertEquals(source[i], px[i], "slice " + s + ", pixel " + i + " outside the region");
				else changedInside |= px[i] != source[i];
		}
		assertTrue(changedInside, "the region shows the generator's image");
		assertTrue(o.stack().getProp(ImageProperties.PARAMS).endsWith(opt.regionAsMask() ? "mask=true pasteBack=true"
			: "mask=false pasteArea=region pasteBack=true"), o.stack().getProp(ImageProperties.PARAMS));
		final ImagePlus raw = DragPlugin.execute(DragPlugin.prepare(inv, points), cfg, "cpu", new RealImageOptions(false,
			4)).stack();
		final int[] first = (int[]) raw.getStack().getProcessor(1).getPixels();
		int differentOutside = 0;
		for (int i = 0; i < first.length; i++)
			if (!region[i] && first[i] != source[i]) differentOutside++;
		assertTrue(differentOutside > 100, "raw: the generator's reconstruction everywhere (" + differentOutside + ")");
	}
}
