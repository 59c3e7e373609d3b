package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.WindowManager;
import ij.process.LUT;

import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two-channel sample model (nuclei + cytoplasm), found where a user's Fiji finds it, driven by recorded macros
 * headless: Generate Image... gives a composite in the model's colours, Drag... a composite result stack (one
 * frame of both channels per step) in the same colours, and Invert... of a simulated two-channel image the model
 * never saw, in the user's own colours, gives a composite that drags and keeps those colours. The composite path
 * end to end on a real model.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class TwoChannelSampleModelTest {

	static final Path SAMPLE = Path.of("sample-models/nuclei-cyto-128");
	static final Path IMAGE = Path.of("src/test/resources/fixtures/sim-nuclei-cyto-128.tif");

	private static String modelsBefore, userBefore;

	@BeforeAll
	static void register() throws IOException, ClassNotFoundException {
		assertTrue(Files.isRegularFile(SAMPLE.resolve("model.json")), "the two-channel sample model ships in " + SAMPLE);
		modelsBefore = System.getProperty("draggan.models");
		userBefore = System.setProperty("draggan.userModels", Files.createTempDirectory("draggan-user").toString());
		DragMacroTest.register();
		System.setProperty("draggan.models", SAMPLE.getParent().toAbsolutePath().toString());
	}

	@AfterEach
	void closeAll() {
		new DragMacroTest().closeAll();
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
		TestBundles.restoreProperty("draggan.userModels", userBefore);
	}

	@Test
	void generatesAndDragsAComposite() throws IOException {
		final ModelMetadata m = ModelMetadata.read(SAMPLE.resolve("model.json"));
		assertEquals(2, m.imageChannels());
		assertEquals(List.of("nuclei", "cytoplasm"), m.channelNames());
		assertTrue(SampleModelMacroTest.bundleBytes(SAMPLE) < 25_000_000, "bundle under the repository's 25 MB");
		assertTrue(Files.isRegularFile(SAMPLE.resolve("MODEL_CARD.md")), "model card");

		final HeadlessMacroTest.MacroRun gen = HeadlessMacroTest.runMacro("run(\"Generate Image...\", \"model=" + m
			.name() + " seed=5 truncation=0.7 bit=8-bit device=cpu\");\n");
		assertNull(gen.error(), "generate: " + gen.error() + " log: " + gen.log());
		final ImagePlus input = WindowManager.getImage(m.name() + " seed 5");
		assertNotNull(input, "generated image; log: " + gen.log());
		final CompositeImage ci = assertInstanceOf(CompositeImage.class, input, "a composite");
		assertEquals(2, ci.getNChannels());
		assertEquals(1, ci.getNFrames());
		assertColor(ci, 1, 0, 0, 255, "nuclei in the model's blue");
		assertColor(ci, 2, 0, 255, 0, "cytoplasm in the model's green");
		assertEquals("nuclei", ci.getStack().getSliceLabel(1));
		assertEquals("cytoplasm", ci.getStack().getSliceLabel(2));
		assertTrue(mean(ci, 2) > 0.5, "the cytoplasm channel is not empty: " + mean(ci, 2));

		final int[] h = SampleModelMacroTest.brightest(ci, 1);
		final int[] t = SampleModelMacroTest.towardsCentre(h, 10);
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(SampleModelMacroTest.dragMacro(input, h, t,
			40));
		assertNull(run.error(), "drag: " + run.error() + " log: " + run.log());
		final ImagePlus out = WindowManager.getImage(m.name() + " seed 5 drag");
		assertNotNull(out, "result stack; log: " + run.log());
		final CompositeImage co = assertInstanceOf(CompositeImage.class, out, "a composite result");
		assertEquals(2, co.getNChannels());
		final int steps = co.getNFrames();
		assertTrue(steps >= 2 && steps <= 41, "one frame per step: " + steps);
		assertEquals(2 * steps, co.getStackSize());
		assertColor(co, 1, 0, 0, 255, "the result keeps the image's colours");
		assertColor(co, 2, 0, 255, 0, "the result keeps the image's colours");
		assertEquals(ImageProperties.latent(input, 1), ImageProperties.latent(out, 1), "frame 1 is the generated image");
		final double start = Math.hypot(t[0] - h[0], t[1] - h[1]);
		final double end = SampleModelMacroTest.distance(co.getStack().getSliceLabel(co.getStackSize()));
		System.out.printf("two-channel sample model: handle (%d, %d) -> (%d, %d), %d steps, tracked distance %.1f -> "
			+ "%.1f px%n", h[0], h[1], t[0], t[1], steps, start, end);
		assertTrue(end < start, "the handle moved towards its target: " + start + " px -> " + end + " px");
	}

	@Test
	void invertsAnUnseenTwoChannelImageInTheUsersColoursAndDragsIt() {
		final HeadlessMacroTest.MacroRun inv = HeadlessMacroTest.runMacro("open(\"" + IMAGE.toAbsolutePath() + "\");\n" +
			"run(\"Stack to Hyperstack...\", \"order=xyczt(default) channels=2 slices=1 frames=1 display=Composite\");\n" +
			"Stack.setChannel(1); run(\"Magenta\"); Stack.setChannel(2); run(\"Yellow\");\n" +
			"run(\"Invert...\", \"model=nuclei-cyto-128 geometry=[center crop] steps=100 learning=0.05 ms-ssim=1 " +
			"starts=1 pivotal tuning_steps=30 tuning_rate=0.0003 device=cpu\");\n");
		assertNull(inv.error(), "invert: " + inv.error() + " log: " + inv.log());
		final ImagePlus source = WindowManager.getImage("sim-nuclei-cyto-128.tif");
		assertNotNull(source, "the opened image; log: " + inv.log());
		final ImagePlus inverted = WindowManager.getImage("sim-nuclei-cyto-128.tif inverted");
		assertNotNull(inverted, "the inverted image; log: " + inv.log());
		final CompositeImage ci = assertInstanceOf(CompositeImage.class, inverted, "a composite");
		assertEquals(2, ci.getNChannels());
		assertColor(ci, 1, 255, 0, 255, "the user's magenta");
		assertColor(ci, 2, 255, 255, 0, "the user's yellow");
		assertNotNull(ImageProperties.latent(ci, 1));
		final String summary = ci.getProp(ImageProperties.INVERSION);
		final Matcher psnr = Pattern.compile("PSNR ([0-9.]+) dB").matcher(summary);
		assertTrue(psnr.find(), summary);
		System.out.println("two-channel inversion of an unseen simulated image: " + summary);
		assertTrue(Double.parseDouble(psnr.group(1)) > 20, "a faithful reconstruction of both channels: " + summary);

		final int[] h = SampleModelMacroTest.brightest(ci, 1);
		final int[] t = SampleModelMacroTest.towardsCentre(h, 8);
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(SampleModelMacroTest.dragMacro(inverted, h, t,
			10));
		assertNull(run.error(), "drag: " + run.error() + " log: " + run.log());
		final ImagePlus out = WindowManager.getImage("sim-nuclei-cyto-128.tif inverted drag");
		assertNotNull(out, "result stack; log: " + run.log());
		final CompositeImage co = assertInstanceOf(CompositeImage.class, out, "a composite result");
		assertEquals(2, co.getNChannels());
		assertColor(co, 1, 255, 0, 255, "the drag keeps the user's colours");
		assertColor(co, 2, 255, 255, 0, "the drag keeps the user's colours");
		final ImagePlus file = ij.IJ.openImage(IMAGE.toAbsolutePath().toString()); // the input as it is on disk
		for (int c = 1; c <= 2; c++)
			assertArrayEquals((byte[]) file.getStack().getPixels(c), (byte[]) source.getStack().getPixels(c),
				"the input is never modified (channel " + c + ")");
	}

	/** The LUT of channel c (1-based) ends at full scale in this colour. */
	private static void assertColor(final CompositeImage ci, final int c, final int r, final int g, final int b,
		final String what)
	{
		final LUT lut = ci.getChannelLut(c);
		assertEquals(List.of(r, g, b), List.of(lut.getRed(255), lut.getGreen(255), lut.getBlue(255)), what +
			" (channel " + c + ")");
	}

	private static double mean(final CompositeImage ci, final int c) {
		return ci.getStack().getProcessor(c).getStatistics().mean;
	}
}
