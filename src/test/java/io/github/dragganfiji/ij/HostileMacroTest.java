package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
import ij.io.FileSaver;
import ij.process.ColorProcessor;

import io.github.dragganfiji.app.ConvertUseCase;
import io.github.dragganfiji.cli.HostileInputTest;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.Rendering;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input battery of recorded macros, headless (ij1-patcher, as HeadlessMacroTest): each case is a macro a
 * user could record or write, run through the real menu entries of plugins.config on the real engine and tiny bundle;
 * it must end with one message saying what is wrong (the macro's error), no stack trace in the log, and the image
 * files it opened byte-identical afterwards. Also: Models... works headless (add a folder, list, convert).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostileMacroTest {

	@TempDir
	static Path root;

	private static Path in;
	private static String modelsBefore, userBefore, dirsBefore;

	static final String GENERATE = "run(\"Generate Image...\", \"model=tiny-random seed=5 truncation=0.7 bit=8-bit " +
		"device=cpu\");\n";
	static final String POINTS = "makeSelection(\"point\", newArray(6, 26), newArray(16, 16));\n";

	static String drag(final String replace, final String by) {
		return "run(\"Drag...\", \"" + ("max=2 learning=0.05 mask=20 r1=3 r2=4 stop=0 latent=W+ layers=6 " +
			"tracking=[L2 (official code)] record=1 device=cpu").replace(replace, by) + "\");\n";
	}

	static String invert(final String replace, final String by) {
		return "run(\"Invert...\", \"" + ("model=tiny-random geometry=[center crop] steps=2 learning=0.05 ms-ssim=1 " +
			"starts=1 device=cpu").replace(replace, by) + "\");\n";
	}

	@BeforeAll
	static void setUp() throws IOException, ClassNotFoundException {
		modelsBefore = System.getProperty("draggan.models");
		userBefore = System.setProperty("draggan.userModels", Files.createDirectories(root.resolve("user")).toString());
		dirsBefore = Prefs.get(FijiModels.PREF, "");
		DragMacroTest.register();
		in = Files.createDirectories(root.resolve("in"));
		final ImagePlus g = GeneratePlugin.generate(new io.github.dragganfiji.app.GenerateUseCase.Request(FijiModels
			.searchPath().find("tiny-random"), 4, 0.7, 0, io.github.dragganfiji.runtime.DeviceChoice.CPU),
			Rendering.BitDepth.BIT8);
		final Latent l = ImageProperties.latent(g, 1);
		final float[] ws = l.ws();
		ws[3] = Float.NaN;
		ImageProperties.set(g, "tiny-random", new Latent(l.numWs(), l.wDim(), ws));
		new FileSaver(g).saveAsTiff(in.resolve("nan.tif").toString());
		new FileSaver(new ImagePlus("one", new ColorProcessor(1, 1))).saveAsTiff(in.resolve("one.tif").toString());
		new FileSaver(IJ.createHyperStack("two", 64, 64, 2, 1, 1, 8)).saveAsTiff(in.resolve("two.tif").toString());
		final byte[] noise = new byte[4096];
		new Random(21).nextBytes(noise);
		Files.write(in.resolve("random.bin"), noise);
		Files.createDirectories(root.resolve("more-models"));
		// A bundle whose module has other shapes than its model.json says: the engine's error carries a TorchScript
		// traceback, which belongs behind the debug mode, not in the Log window.
		final Path bad = TestBundles.copyTiny(root.resolve("user"));
		Files.move(bad, root.resolve("user").resolve("bad-shapes"));
		TestBundles.editJson(root.resolve("user").resolve("bad-shapes"), j -> {
			j.addProperty("name", "bad-shapes");
			j.addProperty("z_dim", 24);
		});
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.models", modelsBefore);
		TestBundles.restoreProperty("draggan.userModels", userBefore);
		Prefs.set(FijiModels.PREF, dirsBefore);
		Prefs.savePreferences(); // Models... saved the added folder: the tester's preferences are as they were
	}

	@AfterEach
	void closeAll() {
		for (final int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList())
			WindowManager.getImage(id).close();
	}

	/** A macro and the words its error must contain (null: it must succeed, and the log must contain them). */
	record Case(String name, String macro, String error, String logged) {

		static Case fails(final String name, final String macro, final String error) {
			return new Case(name, macro, error, null);
		}
	}

	private static String open(final String file) {
		return "open(\"" + in.resolve(file) + "\");\n";
	}

	static List<Case> cases() {
		final List<Case> c = new ArrayList<>();
		c.add(Case.fails("Generate, an unknown model", GENERATE.replace("tiny-random", "no-such-model"),
			"There is no DragGAN model 'no-such-model'. Choose one of: "));
		c.add(Case.fails("Generate, a bundle whose module has other shapes", GENERATE.replace("tiny-random",
			"bad-shapes"), "bad-shapes"));
		c.add(Case.fails("Generate, psi NaN", GENERATE.replace("0.7", "NaN"), "Truncation psi must be a number"));
		c.add(Case.fails("Generate, a seed of letters", GENERATE.replace("seed=5", "seed=abc"),
			"The macro option seed=abc is not a number"));
		c.add(Case.fails("Generate, 12-bit", GENERATE.replace("8-bit", "12-bit"), "There is no bit depth '12-bit'"));
		c.add(Case.fails("Generate, a device that is not there", GENERATE.replace("device=cpu", "device=tpu"),
			"There is no device 'tpu'"));
		c.add(Case.fails("Drag, max=abc", GENERATE + POINTS + drag("max=2", "max=abc"),
			"The macro option max=abc is not a number"));
		c.add(Case.fails("Drag, learning rate 1e30", GENERATE + POINTS + drag("learning=0.05", "learning=1e30"),
			"learning rate must be a number above 0 and at most"));
		c.add(Case.fails("Drag, mask lambda Infinity", GENERATE + POINTS + drag("mask=20", "mask=Infinity"),
			"Mask lambda must be a number from 0 to"));
		c.add(Case.fails("Drag, r1 one million", GENERATE + POINTS + drag("r1=3", "r1=1000000"),
			"r1 and r2 must be at most the image size (32 px)"));
		c.add(Case.fails("Drag, stop 0.5", GENERATE + POINTS + drag("stop=0", "stop=0.5"),
			"stop distance must be 0 (the paper's rule) or at least 1 pixel"));
		c.add(Case.fails("Drag, an unknown tracking distance", GENERATE + POINTS + drag("[L2 (official code)]", "L3"),
			"There is no tracking distance 'L3'"));
		c.add(Case.fails("Drag, 99 layers", GENERATE + POINTS + drag("layers=6", "layers=99"),
			"Layers optimized must be at most 8"));
		c.add(Case.fails("Drag, mode=bogus", GENERATE + POINTS + drag("device=cpu", "device=cpu mode=bogus"),
			"Unknown drag mode 'bogus': use paper, anchored, line, stable"));
		c.add(Case.fails("Drag, region=-1", GENERATE + POINTS + drag("device=cpu", "device=cpu region=-1"),
			"The region radius must be a whole number of pixels, at least 1."));
		c.add(Case.fails("Drag, region=1000000", GENERATE + POINTS + drag("device=cpu", "device=cpu region=1000000"),
			"The region radius must be at most the image size (32 px), not 1000000."));
		c.add(Case.fails("Drag, region=abc", GENERATE + POINTS + drag("device=cpu", "device=cpu region=abc"),
			"The macro option region=abc is not a number"));
		c.add(Case.fails("Drag, an image without a latent", "newImage(\"plain\", \"RGB black\", 32, 32, 1);\n" + POINTS +
			drag("", ""), "'plain' has no DragGAN latent"));
		c.add(Case.fails("Drag, a saved latent holding NaN", open("nan.tif") + POINTS + drag("", ""),
			"The stored latent is damaged: value 4 of 256 is NaN"));
		c.add(Case.fails("Drag, two handles on one pixel", GENERATE + "makeSelection(\"point\", newArray(6, 26, 6, 6), " +
			"newArray(16, 16, 16, 26));\n" + drag("", ""), "are both on the pixel (6, 16)"));
		c.add(Case.fails("Invert, a 1 x 1 image", open("one.tif") + invert("", ""), "too small to invert"));
		c.add(Case.fails("Invert, a 2-channel hyperstack", open("two.tif") + invert("", ""),
			"has 2 channel(s), but the model 'tiny-random' makes 3"));
		c.add(Case.fails("Invert, an unknown model", open("one.tif") + invert("model=tiny-random", "model=nope"),
			"There is no DragGAN model 'nope'"));
		c.add(Case.fails("Invert, steps=abc", open("one.tif") + invert("steps=2", "steps=abc"),
			"The macro option steps=abc is not a number"));
		c.add(Case.fails("Invert, learning rate Infinity", GENERATE + invert("learning=0.05", "learning=Infinity"),
			"projection's learning rate must be"));
		c.add(Case.fails("Invert, locality weight -1", GENERATE + invert("device=cpu", "device=cpu locality=-1"),
			"The locality weight must be a number of 0 or more"));
		c.add(Case.fails("Invert, locality weight Infinity", GENERATE + invert("device=cpu",
			"device=cpu locality=Infinity"), "The locality weight must be a number of 0 or more"));
		c.add(new Case("Models, list", "run(\"Models...\", \"add=\");\n", null, "== tiny-random"));
		c.add(new Case("Models, add a folder", "run(\"Models...\", \"add=[" + root.resolve("more-models") + "]\");\n",
			null, "DragGAN: added model folder " + root.resolve("more-models")));
		c.add(Case.fails("Models, add a folder that is not there", "run(\"Models...\", \"add=" + root.resolve("nope") +
			"\");\n", "Not a folder: " + root.resolve("nope")));
		c.add(Case.fails("Models, convert a missing checkpoint", "run(\"Models...\", \"add= convert=" + in.resolve(
			"nope.pkl") + " converted=x license=CC0-1.0\");\n", "No such checkpoint"));
		c.add(Case.fails("Models, convert random bytes", "run(\"Models...\", \"add= convert=" + in.resolve("random.bin") +
			" converted=rnd license=CC0-1.0\");\n", "The conversion of random.bin failed: random.bin is not a " +
				"network file this converter reads"));
		return c;
	}

	@TestFactory
	Stream<DynamicTest> everyBadMacroEndsWithItsReason() {
		return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
	}

	private static void check(final Case c) throws IOException {
		if (c.macro().contains("random.bin")) assumeTrue(ConvertUseCase.findPython() != null, "needs Python with torch");
		final Map<Path, String> before = HostileInputTest.hashes(in);
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(c.macro());
		final String context = c.name() + ": " + run;
		if (c.error() == null) {
			assertNull(run.error(), context);
			assertTrue(run.log().stream().anyMatch(l -> l.contains(c.logged())), context);
		}
		else {
			assertNotNull(run.error(), "the macro must fail: " + context);
			assertTrue(run.error().contains(c.error()), context);
			assertFalse(run.error().contains("\n\tat ") || run.error().contains("Exception"), context);
		}
		for (final String line : run.log())
			assertFalse(line.contains("\tat ") || line.startsWith("    at ") || line.contains("Traceback") || line
				.startsWith("java.lang."), "a stack trace in the log: " + context);
		assertEquals(before, HostileInputTest.hashes(in), "the files are byte-identical: " + c.name());
	}
}
