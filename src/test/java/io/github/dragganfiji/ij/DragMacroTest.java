package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;

import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The commands as a user records them, run as a macro headless (ij1-patcher; see HeadlessMacroTest): menu entries
 * from the real plugins.config, dialogs filled from macro options, the real engine and the tiny bundle.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DragMacroTest {

	static final String GENERATE = "run(\"Generate Image...\", \"model=tiny-random seed=5 truncation=0.7 bit=8-bit " +
		"device=cpu\");\n";
	static final String DRAG = "run(\"Drag...\", \"max=4 learning=0.05 mask=20 r1=3 r2=4 stop=0 latent=W+ layers=6 " +
		"tracking=[L2 (official code)] record=1 device=cpu\");\n";

	private static String modelsBefore;

	@BeforeAll
	static void setUp() throws IOException, ClassNotFoundException {
		modelsBefore = System.getProperty("draggan.models");
		register();
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
	}

	/** Points the model search at the test fixtures and registers the menu entries of plugins.config. */
	static void register() throws IOException, ClassNotFoundException {
		System.setProperty("draggan.models", TestBundles.FIXTURES.toAbsolutePath().toString());
		if (Menus.getCommands() == null) IJ.runPlugIn("ij.IJ.init", null);
		// The menu entries exactly as plugins.config declares them.
		for (final String line : Files.readAllLines(Path.of("plugins.config"))) {
			if (line.isBlank() || line.startsWith("#")) continue;
			final String[] parts = line.split(",", 3);
			final String label = parts[1].trim().replace("\"", "");
			final String cls = parts[2].trim().replaceAll("\\(.*\\)$", "");
			assertNotNull(Class.forName(cls, false, DragMacroTest.class.getClassLoader()), cls);
			Menus.getCommands().put(label, cls);
		}
	}

	@AfterEach
	void closeAll() {
		for (final int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList())
			WindowManager.getImage(id).close();
	}

	@Test
	void recordedMacroGeneratesAndDrags() {
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(GENERATE +
			"makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n" + DRAG);
		assertNull(run.error(), "macro error: " + run.error() + " log: " + run.log());
		assertFalse(run.aborted());
		final ImagePlus input = WindowManager.getImage("tiny-random seed 5");
		assertNotNull(input, "generated image");
		final ImagePlus out = WindowManager.getImage("tiny-random seed 5 drag");
		assertNotNull(out, "result stack; log: " + run.log());
		final int slices = out.getStackSize();
		assertTrue(slices >= 2 && slices <= 5, "slices " + slices);
		assertTrue(out.getOverlay().size() >= 3 * slices, "overlay on every slice");
		for (int s = 1; s <= slices; s++)
			assertNotNull(ImageProperties.latent(out, s), "latent of slice " + s);
		assertEquals(ImageProperties.latent(input, 1), ImageProperties.latent(out, 1));
		final Latent last = ImageProperties.latent(out, slices);
		assertFalse(last.equals(ImageProperties.latent(out, 1)));
		assertTrue(out.getProp(ImageProperties.PARAMS).contains("handles=6.0,16.0->26.0,16.0 mask=false"), out.getProp(
			ImageProperties.PARAMS));
		// Headless, the rows go to the standard Results table, readable from the macro language.
		final HeadlessMacroTest.MacroRun rows = HeadlessMacroTest.runMacro("print(\"rows=\" + nResults + \" x=\" + " +
			"getResult(\"Target X\", nResults - 1));");
		assertTrue(rows.log().stream().anyMatch(l -> l.matches("rows=[1-9][0-9]* x=26")), rows.log().toString());
	}

	@Test
	void theModeHasAKeyOfItsOwnAndIsRecordedWithTheStack() {
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(GENERATE +
			"makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n" + DRAG.replace("device=cpu", "device=cpu " +
				"mode=anchored") + "print(\"verified=\" + getResult(\"Verified distance\", nResults - 1) + \" status=\" + " +
			"getResultString(\"Status\", nResults - 1));\n");
		assertNull(run.error(), "macro error: " + run.error() + " log: " + run.log());
		final ImagePlus out = WindowManager.getImage("tiny-random seed 5 drag");
		assertNotNull(out, "result stack; log: " + run.log());
		assertTrue(out.getProp(ImageProperties.PARAMS).contains(" mode=anchored "), out.getProp(ImageProperties.PARAMS));
		assertTrue(run.log().stream().anyMatch(l -> l.matches("verified=[0-9.]+ status=(arrived|not arrived.*)")), run
			.log().toString());
		final HeadlessMacroTest.MacroRun bad = HeadlessMacroTest.runMacro(GENERATE +
			"makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n" + DRAG.replace("device=cpu", "device=cpu " +
				"mode=fast"));
		assertTrue(bad.error() != null && bad.error().contains("fast"), bad.toString());
	}

	@Test
	void aRealImageIsInvertedThenDragged() {
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(GENERATE +
			"run(\"Scale...\", \"x=2 y=1.5 interpolation=Bilinear create title=real\");\n" +
			"run(\"Invert...\", \"model=tiny-random geometry=[center crop] steps=20 learning=0.05 ms-ssim=1 " +
			"device=cpu\");\n" + "makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n" + DRAG);
		assertNull(run.error(), "macro error: " + run.error() + " log: " + run.log());
		final ImagePlus inverted = WindowManager.getImage("real inverted");
		assertNotNull(inverted, "the inversion; log: " + run.log());
		assertTrue(inverted.getProp(ImageProperties.INVERSION).startsWith("PSNR"));
		final ImagePlus out = WindowManager.getImage("real inverted drag");
		assertNotNull(out, "the drag of the inverted image; log: " + run.log());
		assertEquals(ImageProperties.latent(inverted, 1), ImageProperties.latent(out, 1));
		assertTrue(run.log().stream().anyMatch(l -> l.contains("64 x 48 center-cropped to 48 x 48, scaled to 32 x 32")),
			run.log().toString());
	}

	@Test
	void badInputEndsTheMacroWithTheReason() {
		HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(GENERATE + DRAG);
		assertTrue(run.error() != null && run.error().contains("There is no ROI"), run.toString());

		run = HeadlessMacroTest.runMacro("newImage(\"plain\", \"8-bit black\", 32, 32, 1);\n" +
			"makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n" + DRAG);
		assertTrue(run.error() != null && run.error().contains("'plain' has no DragGAN latent"), run.toString());

		run = HeadlessMacroTest.runMacro(GENERATE + "makeSelection(\"point\", newArray(6, 26, 3), newArray(16, 16, " +
			"3));\n" + DRAG);
		assertTrue(run.error() != null && run.error().contains("has 3 points"), run.toString());
	}
}
