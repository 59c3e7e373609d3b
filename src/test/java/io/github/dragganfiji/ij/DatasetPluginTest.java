package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.WindowManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins › DragGAN › Make Training Set… as a recorded macro, headless, through its plugins.config entry. */
class DatasetPluginTest {

	@TempDir
	Path tmp;

	@BeforeAll
	static void register() throws IOException, ClassNotFoundException {
		final String before = System.getProperty("draggan.models");
		DragMacroTest.register();
		io.github.dragganfiji.model.TestBundles.restoreProperty("draggan.models", before);
	}

	@AfterEach
	void closeAll() {
		for (final int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList())
			WindowManager.getImage(id).close();
	}

	static String make(final String output) {
		return "run(\"Make Training Set...\", \"images=[Current image] folder=[] size=32 stride=0 classes=[] output=[" +
			output + "]\");\n";
	}

	@Test
	void theCurrentSixteenBitTwoChannelStackBecomesAZipAndTheLogSaysHowToTrain() throws IOException {
		final Path zip = tmp.resolve("cells.zip");
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro("newImage(\"cells\", \"16-bit ramp\", 64, " +
			"64, 2, 3, 1);\n" + make(zip.toString()));
		assertNull(run.error(), run.error() + " " + run.log());
		try (ZipFile z = new ZipFile(zip.toFile())) {
			assertEquals(3 * 4, z.stream().filter(e -> e.getName().endsWith(".png")).count(), "3 slices, 4 tiles each");
			assertTrue(z.getEntry("dataset.json") != null && z.getEntry("draggan-dataset.json") != null);
		}
		final String log = String.join("\n", run.log());
		assertTrue(log.contains("--gpus=8") && log.contains("--dataset " + zip), log);
	}

	@Test
	void aFourChannelImageIsRefusedInOneSentenceAndNoZipIsWritten() {
		final Path zip = tmp.resolve("four.zip");
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro("newImage(\"four\", \"16-bit ramp\", 64, 64, " +
			"4, 1, 1);\n" + make(zip.toString()));
		assertTrue(run.error() != null && run.error().contains("has 4 channels"), String.valueOf(run.error()));
		assertFalse(Files.exists(zip));
		assertFalse(String.join("\n", run.log()).contains("\tat "), "no stack trace");
	}
}
