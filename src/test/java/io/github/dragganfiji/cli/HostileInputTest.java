package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

import io.github.dragganfiji.app.ConvertUseCase;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.TestBundles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input battery of the command line (docs/command-line.md, "What bad input gets"): every case runs the real
 * {@code Main.run} in-process on real files (the tiny bundle, TIFFs with damaged latents, random bytes, a bundle
 * whose TorchScript does not behave) and checks the exit code, the one sentence on stderr, that no stack trace or
 * Python traceback reaches the user, and that every input file is byte-identical afterwards (nothing written beside
 * the inputs either). The macro half is ij/HostileMacroTest; interrupts are InterruptTest.
 */
public class HostileInputTest {

	@TempDir
	static Path root;

	private static Path in;
	private static final String TINY = TestBundles.TINY.toAbsolutePath().toString();
	private static final String NUCLEI = Path.of("sample-models/nuclei-128").toAbsolutePath().toString();
	private static final String POINTS = "6,16,26,16";

	/** Makes the hostile inputs once: images with damaged latents, wrong sizes and channels, bytes, bundles. */
	@BeforeAll
	static void inputs() throws IOException {
		in = Files.createDirectories(root.resolve("in"));
		final Path g = in.resolve("g.tif");
		assertEquals(0, Main.run(new String[] { "generate", "--model", TINY, "--seed", "4", "--out", g.toString() }));
		final ImagePlus gen = IJ.openImage(g.toString());
		final Latent l = ImageProperties.latent(gen, 1);
		withLatent(gen, damaged(l, 3, Float.NaN), in.resolve("nan.tif"));
		withLatent(gen, damaged(l, 5, 3e38f), in.resolve("big.tif"));
		withLatent(new ImagePlus("wrong", gen.getProcessor().resize(40, 40)), l, in.resolve("wrongsize.tif"));
		withLatent(new ImagePlus("one", new ColorProcessor(1, 1)), l, in.resolve("one-latent.tif"));
		new FileSaver(new ImagePlus("one-rgb", new ColorProcessor(1, 1))).saveAsTiff(in.resolve("one-rgb.tif")
			.toString());
		new FileSaver(new ImagePlus("rgb", new ColorProcessor(64, 64))).saveAsTiff(in.resolve("rgb.tif").toString());
		new FileSaver(IJ.createHyperStack("two", 64, 64, 2, 1, 1, 8)).saveAsTiff(in.resolve("hyper2.tif").toString());
		new FileSaver(new ImagePlus("plain", gen.getProcessor().duplicate())).saveAsPng(in.resolve("plain.png")
			.toString());
		new FileSaver(new ImagePlus("small mask", new ByteProcessor(10, 10))).saveAsPng(in.resolve("mask10.png")
			.toString());
		final byte[] noise = new byte[4096];
		new Random(21).nextBytes(noise);
		Files.write(in.resolve("random.bin"), noise);
		Files.write(in.resolve("binary.csv"), new byte[] { (byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3, 0x28, 1, 2 });
		Files.writeString(in.resolve("a-file"), "not a folder");
		// Continuing an edit into the folder it came from: drag.tif, montage.png and summary.txt are inputs there.
		Files.copy(g, Files.createDirectories(in.resolve("cont")).resolve("drag.tif"));
		final ByteProcessor mask = new ByteProcessor(32, 32);
		mask.setColor(255);
		mask.fill();
		new FileSaver(new ImagePlus("mask", mask)).saveAsPng(Files.createDirectories(in.resolve("cont2")).resolve(
			"montage.png").toString());
		Files.writeString(Files.createDirectories(in.resolve("cont3")).resolve("summary.txt"), POINTS + "\n");
		Files.writeString(Files.createDirectories(in.resolve("nonempty")).resolve("keep.txt"), "keep");
		Files.createDirectories(in.resolve("empty"));
		// A bundle whose TorchScript is fine but does not behave like its metadata says (mapping fails inside).
		TestBundles.editJson(TestBundles.copyTiny(Files.createDirectories(in.resolve("zdim"))), o -> o.addProperty(
			"z_dim", 16));
		// A bundle whose generator.pt is random bytes with a matching checksum.
		final Path garbage = TestBundles.copyTiny(Files.createDirectories(in.resolve("garbage")));
		Files.write(garbage.resolve("generator.pt"), noise);
		TestBundles.editJson(garbage, o -> o.getAsJsonObject("weights").addProperty("sha256", GeneratorBundle.sha256(
			garbage.resolve("generator.pt"))));
	}

	private static Latent damaged(final Latent l, final int index, final float value) {
		final float[] ws = l.ws();
		ws[index] = value;
		return new Latent(l.numWs(), l.wDim(), ws);
	}

	private static void withLatent(final ImagePlus imp, final Latent l, final Path file) {
		ImageProperties.set(imp, "tiny-random", TestBundles.TINY, l);
		new FileSaver(imp).saveAsTiff(file.toString());
	}

	/** One bad command: what it must exit with and what its message must say. */
	record Case(String name, int code, String message, String... args) {}

	private static String f(final String name) {
		return in.resolve(name).toString();
	}

	private static String out(final String name) {
		return root.resolve("out").resolve(name).toString();
	}

	static List<Case> cases() {
		final List<Case> c = new ArrayList<>();
		// An output never replaces an input.
		c.add(new Case("drag into the input's folder", 3, "would overwrite the input", "drag", "--image", f(
			"cont/drag.tif"), "--points", POINTS, "--out", f("cont")));
		c.add(new Case("drag whose montage.png is the mask", 3, "would overwrite the input", "drag", "--image", f("g.tif"),
			"--points", POINTS, "--mask", f("cont2/montage.png"), "--out", f("cont2")));
		c.add(new Case("drag whose summary.txt is the points file", 3, "would overwrite the input", "drag", "--image",
			f("g.tif"), "--points-csv", f("cont3/summary.txt"), "--out", f("cont3")));
		c.add(new Case("invert onto its input", 3, "the input is never overwritten", "invert", "--image", f("plain.png"),
			"--model", TINY, "--out", f("plain.png")));
		// Images the model cannot take.
		c.add(new Case("drag an image without a latent", 3, "has no DragGAN latent", "drag", "--image", f("plain.png"),
			"--points", POINTS, "--out", out("a")));
		c.add(new Case("drag an image of the wrong size", 3, "is 40 x 40 pixels, but the model", "drag", "--image", f(
			"wrongsize.tif"), "--model", TINY, "--points", POINTS, "--out", out("a")));
		c.add(new Case("drag a 1 x 1 image", 3, "is 1 x 1 pixels, but the model", "drag", "--image", f(
			"one-latent.tif"), "--model", TINY, "--points", "0,0,0,0", "--out", out("a")));
		c.add(new Case("invert RGB with a 1-channel model", 3, "has 3 channel(s), but the model 'nuclei-128' makes 1",
			"invert", "--image", f("rgb.tif"), "--model", NUCLEI, "--out", out("i.tif")));
		c.add(new Case("invert a 2-channel hyperstack", 3, "has 2 channel(s)", "invert", "--image", f("hyper2.tif"),
			"--model", NUCLEI, "--out", out("i.tif")));
		c.add(new Case("invert a 1 x 1 image", 3, "too small to invert", "invert", "--image", f("one-rgb.tif"), "--model",
			TINY, "--out", out("i.tif")));
		c.add(new Case("drag a folder", 3, "No such image", "drag", "--image", f("cont"), "--points", POINTS, "--out",
			out("a")));
		c.add(new Case("drag random bytes", 3, "Cannot open", "drag", "--image", f("random.bin"), "--points", POINTS,
			"--out", out("a")));
		c.add(new Case("invert random bytes", 3, "Cannot open", "invert", "--image", f("random.bin"), "--model", TINY,
			"--out", out("i.tif")));
		// Models that are not what they say.
		c.add(new Case("a TorchScript that does not behave", 3, "does not behave like a DragGAN generator: mapping(z, " +
			"psi) failed", "generate", "--model", f("zdim/tiny-copy"), "--out", out("g.tif")));
		c.add(new Case("generator.pt of random bytes", 3, "not a TorchScript module this plugin can load", "generate",
			"--model", f("garbage/tiny-copy"), "--out", out("g.tif")));
		c.add(new Case("an unknown model", 3, "No DragGAN model named 'no-such-model'", "generate", "--model",
			"no-such-model", "--out", out("g.tif")));
		c.add(new Case("a missing bundle for eval", 3, "bundle folder not found", "eval", "--bundle", f("nothing"),
			"--out", out("e")));
		c.add(new Case("a missing bundle for bench", 3, "bundle folder not found", "bench", "--bundle", f("nothing")));
		// Numbers out of range or not numbers.
		c.add(new Case("learning rate 1e30", 3, "learning rate must be a number above 0 and at most", "drag", "--image",
			f("g.tif"), "--points", POINTS, "--lr", "1e30", "--out", out("a")));
		c.add(new Case("learning rate NaN", 3, "learning rate must be", "drag", "--image", f("g.tif"), "--points", POINTS,
			"--lr", "NaN", "--out", out("a")));
		c.add(new Case("lambda Infinity with a mask", 3, "Mask lambda must be a number from 0 to", "drag", "--image", f(
			"g.tif"), "--points", POINTS, "--mask-rect", "2,8,28,16", "--lambda", "Infinity", "--out", out("a")));
		c.add(new Case("psi NaN", 3, "Truncation psi must be a number", "generate", "--model", TINY, "--psi", "NaN",
			"--out", out("g.tif")));
		c.add(new Case("a latent holding NaN", 3, "The stored latent is damaged: value 4 of 256 is NaN", "drag",
			"--image", f("nan.tif"), "--model", TINY, "--points", POINTS, "--out", out("a")));
		c.add(new Case("a latent holding 3e38", 3, "The stored latent is damaged: value 6 of 256 is 3.0E38", "drag",
			"--image", f("big.tif"), "--model", TINY, "--points", POINTS, "--out", out("a")));
		c.add(new Case("two handles on one pixel", 3, "are both on the pixel", "drag", "--image", f("g.tif"), "--points",
			"6,16,26,16;6.2,16.1,6,26", "--out", out("a")));
		c.add(new Case("an empty mask rectangle", 2, "--mask-rect needs a width and a height", "drag", "--image", f(
			"g.tif"), "--points", POINTS, "--mask-rect", "0,0,0,0", "--out", out("a")));
		c.add(new Case("a mask rectangle off the image", 3, "the movable area is empty", "drag", "--image", f("g.tif"),
			"--points", POINTS, "--mask-rect", "100,100,5,5", "--out", out("a")));
		c.add(new Case("a mask that excludes every handle", 3, "Every handle is outside the movable area", "drag",
			"--image", f("g.tif"), "--points", POINTS, "--mask-rect", "20,0,12,32", "--out", out("a")));
		c.add(new Case("a mask rectangle of letters", 2, "--mask-rect is x,y,w,h in whole pixels", "drag", "--image", f(
			"g.tif"), "--points", POINTS, "--mask-rect", "a,b,c,d", "--out", out("a")));
		c.add(new Case("a missing mask", 3, "No such mask image", "drag", "--image", f("g.tif"), "--points", POINTS,
			"--mask", f("nope.png"), "--out", out("a")));
		c.add(new Case("a mask of the wrong size", 3, "give a mask of the image's size", "drag", "--image", f("g.tif"),
			"--points", POINTS, "--mask", f("mask10.png"), "--out", out("a")));
		c.add(new Case("r1 one million", 3, "r1 and r2 must be at most the image size (32 px)", "drag", "--image", f(
			"g.tif"), "--points", POINTS, "--r1", "1000000", "--out", out("a")));
		c.add(new Case("r2 one million", 3, "r1 and r2 must be at most the image size (32 px)", "drag", "--image", f(
			"g.tif"), "--points", POINTS, "--r2", "1000000", "--out", out("a")));
		c.add(new Case("negative steps", 3, "Max steps must be 0 or more", "drag", "--image", f("g.tif"), "--points",
			POINTS, "--steps", "-1", "--out", out("a")));
		c.add(new Case("record every 0 steps", 3, "Record every N steps needs N of at least 1", "drag", "--image", f(
			"g.tif"), "--points", POINTS, "--every", "0", "--out", out("a")));
		c.add(new Case("99 layers", 3, "Layers optimized must be at most 8", "drag", "--image", f("g.tif"), "--points",
			POINTS, "--layers", "99", "--out", out("a")));
		c.add(new Case("stop distance NaN", 2, "--stop needs a distance in pixels", "drag", "--image", f("g.tif"),
			"--points", POINTS, "--stop", "NaN", "--out", out("a")));
		c.add(new Case("stop distance 0.5", 3, "stop distance must be a number of at least 1 pixel", "drag", "--image",
			f("g.tif"), "--points", POINTS, "--stop", "0.5", "--out", out("a")));
		c.add(new Case("a handle at NaN", 3, "is outside the 32 x 32 image", "drag", "--image", f("g.tif"), "--points",
			"NaN,16,26,16", "--out", out("a")));
		c.add(new Case("three numbers for a point pair", 2, "each point pair is hx,hy,tx,ty", "drag", "--image", f(
			"g.tif"), "--points", "1,2,3", "--out", out("a")));
		c.add(new Case("a missing points file", 3, "No such points file", "drag", "--image", f("g.tif"), "--points-csv",
			f("nope.csv"), "--out", out("a")));
		c.add(new Case("a binary points file", 3, "is not a text file", "drag", "--image", f("g.tif"), "--points-csv", f(
			"binary.csv"), "--out", out("a")));
		c.add(new Case("negative threads", 2, "--threads needs 0 (all cores) or more", "generate", "--model", TINY,
			"--threads", "-3", "--out", out("g.tif")));
		c.add(new Case("a seed of letters", 2, "--seed needs a whole number", "generate", "--model", TINY, "--seed",
			"x"));
		c.add(new Case("a class the model lacks", 3, "The class must be 0 to 2", "generate", "--model", TestBundles.FIXTURES
			.resolve("tiny-cond").toAbsolutePath().toString(), "--class", "5", "--out", out("g.tif")));
		c.add(new Case("12-bit", 3, "Unknown bit depth", "generate", "--model", TINY, "--bits", "12", "--out", out(
			"g.tif")));
		c.add(new Case("a device that is not there", 2, "Unknown device 'tpu'", "generate", "--model", TINY, "--device",
			"tpu", "--out", out("g.tif")));
		c.add(new Case("an unknown option", 2, "unknown option --bogus", "drag", "--bogus", "1"));
		c.add(new Case("inversion learning rate Infinity", 3, "projection's learning rate must be", "invert", "--image",
			f("plain.png"), "--model", TINY, "--lr", "Infinity", "--out", out("i.tif")));
		c.add(new Case("tuning learning rate NaN", 3, "tuning learning rate must be", "invert", "--image", f("plain.png"),
			"--model", TINY, "--tune-lr", "NaN", "--out", out("i.tif")));
		c.add(new Case("a negative MS-SSIM weight", 3, "MS-SSIM weight must be a number from 0", "invert", "--image", f(
			"plain.png"), "--model", TINY, "--msssim", "-1", "--out", out("i.tif")));
		c.add(new Case("zero starts", 3, "at least one start", "invert", "--image", f("plain.png"), "--model", TINY,
			"--starts", "0", "--out", out("i.tif")));
		c.add(new Case("an unknown geometry", 2, "--geometry is crop or pad", "invert", "--image", f("plain.png"),
			"--model", TINY, "--geometry", "zoom", "--out", out("i.tif")));
		// Drag modes, the real-image region, PTI's locality, the evaluations.
		c.add(new Case("an unknown drag mode", 2, "Unknown drag mode 'bogus': use paper, anchored, line, stable",
			"drag", "--image", f("g.tif"), "--points", POINTS, "--mode", "bogus", "--out", out("a")));
		c.add(new Case("region radius 0", 3, "The region radius must be a number of at least 1 pixel, not 0.", "drag",
			"--image", f("g.tif"), "--points", POINTS, "--region-radius", "0", "--out", out("a")));
		c.add(new Case("region radius -3", 3, "The region radius must be a number of at least 1 pixel, not -3.", "drag",
			"--image", f("g.tif"), "--points", POINTS, "--region-radius", "-3", "--out", out("a")));
		c.add(new Case("region radius NaN", 3, "The region radius must be a number of at least 1 pixel, not NaN.",
			"drag", "--image", f("g.tif"), "--points", POINTS, "--region-radius", "NaN", "--out", out("a")));
		c.add(new Case("region radius 1e9", 3, "The region radius must be at most the image size (32 px), not " +
			"1000000000.", "drag", "--image", f("g.tif"), "--points", POINTS, "--region-radius", "1e9", "--out", out(
				"a")));
		c.add(new Case("a negative locality weight", 3, "The locality weight must be a number of 0 or more", "invert",
			"--image", f("plain.png"), "--model", TINY, "--tune-locality", "-1", "--out", out("i.tif")));
		c.add(new Case("locality weight NaN", 3, "The locality weight must be a number of 0 or more", "invert",
			"--image", f("plain.png"), "--model", TINY, "--tune-locality", "NaN", "--out", out("i.tif")));
		c.add(new Case("locality weight Infinity for eval-invert", 3, "The locality weight must be a number of 0 or " +
			"more", "eval-invert", "--bundle", TINY, "--tune-locality", "Infinity", "--out", out("ei")));
		c.add(new Case("a bench mode that is not there", 2, "Unknown drag mode 'fast'", "bench", "--bundle", TINY,
			"--mode", "fast"));
		c.add(new Case("eval in an unknown mode", 2, "Unknown drag mode 'bogus'", "eval", "--bundle", TINY, "--modes",
			"paper,bogus", "--out", out("e")));
		c.add(new Case("eval an unknown suite", 2, "Unknown suite 'cats'", "eval", "--bundle", TINY, "--suite", "cats",
			"--out", out("e")));
		c.add(new Case("eval-real without its images", 3, "No such folder of images", "eval-real", "--bundle", TINY,
			"--images", f("nothing"), "--out", out("er")));
		c.add(new Case("eval-real on a folder without images", 3, "holds no PNG or TIFF image", "eval-real",
			"--bundle", TINY, "--images", f("empty"), "--out", out("er")));
		c.add(new Case("eval-real on a file", 3, "No such folder of images", "eval-real", "--bundle", TINY, "--images",
			f("random.bin"), "--out", out("er")));
		c.add(new Case("eval-real with a missing bundle", 3, "bundle folder not found", "eval-real", "--bundle", f(
			"nothing"), "--images", f("cont2"), "--out", out("er")));
		// Outputs that cannot be written: said before any work.
		c.add(new Case("--out under a regular file", 3, "is a file, not a folder", "drag", "--image", f("g.tif"),
			"--points", POINTS, "--out", f("a-file/sub")));
		c.add(new Case("--out where nothing can be made", 3, "Choose another --out", "drag", "--image", f("g.tif"),
			"--points", POINTS, "--steps", "1", "--out", "/proc/draggan-hostile-test"));
		c.add(new Case("generate --out a folder", 3, "is a folder: give a file name", "generate", "--model", TINY,
			"--out", f("cont")));
		c.add(new Case("invert --out under a file", 3, "is a file, not a folder", "invert", "--image", f("plain.png"),
			"--model", TINY, "--out", f("a-file/x.tif")));
		// The converter's one sentence, never a Python traceback.
		c.add(new Case("convert random bytes", 3, "is not a network file this converter reads", "convert", f(
			"random.bin"), out("converted")));
		c.add(new Case("convert into a folder that holds files", 3, "already exists and is not empty", "convert", f(
			"random.bin"), f("nonempty")));
		c.add(new Case("convert a missing checkpoint", 3, "No such checkpoint", "convert", f("nope.pkl"), out("c2")));
		return c;
	}

	@TestFactory
	Stream<DynamicTest> everyBadInputGetsOneSentenceAndLeavesTheInputsAlone() {
		return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
	}

	private static void check(final Case c) throws IOException {
		if (c.args()[0].equals("convert") && !c.message().contains("No such")) assumeTrue(ConvertUseCase
			.findPython() != null, "needs Python with torch (CI installs it)");
		final Map<Path, String> before = hashes(in);
		final ByteArrayOutputStream err = new ByteArrayOutputStream(), stdout = new ByteArrayOutputStream();
		final PrintStream oldErr = System.err, oldOut = System.out;
		final int code;
		try {
			System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
			System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
			code = Main.run(c.args());
		}
		finally {
			System.setErr(oldErr);
			System.setOut(oldOut);
		}
		final String e = err.toString(StandardCharsets.UTF_8), o = stdout.toString(StandardCharsets.UTF_8);
		final String context = c.name() + "\nstderr: " + e + "\nstdout: " + o;
		assertEquals(c.code(), code, context);
		final List<String> said = e.lines().filter(l -> l.startsWith("draggan " + c.args()[0] + ": ") && l.contains(c
			.message())).toList();
		assertEquals(1, said.size(), "one line says it: " + context);
		for (final String bad : List.of("Exception in thread", "\tat ", "Traceback", "java.lang."))
			assertFalse(e.contains(bad) || o.contains(bad), "'" + bad + "' reached the user: " + context);
		assertEquals(before, hashes(in), "inputs byte-identical, nothing added beside them: " + c.name());
	}

	/** SHA-256 of every file under a folder, by path. */
	public static Map<Path, String> hashes(final Path dir) throws IOException {
		final Map<Path, String> h = new TreeMap<>();
		try (var files = Files.walk(dir)) {
			for (final Path p : (Iterable<Path>) files::iterator)
				h.put(dir.relativize(p), Files.isDirectory(p) ? "folder" : GeneratorBundle.sha256(p));
		}
		return h;
	}
}
