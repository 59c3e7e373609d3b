package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.WindowManager;

import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;

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
 * The shipped sample model, found where a user's Fiji finds it (the model search path, here the checkout's
 * sample-models/), driven by a recorded macro headless: Generate Image..., a handle on a nucleus, Drag... Checks the stack, the overlays, the latents and that the handle moved towards its target.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SampleModelMacroTest {

	static final Path SAMPLE = Path.of("sample-models/nuclei-128");

	private static String modelsBefore;

	@BeforeAll
	static void register() throws IOException, ClassNotFoundException {
		assertTrue(Files.isRegularFile(SAMPLE.resolve("model.json")), "the sample model ships in " + SAMPLE);
		modelsBefore = System.getProperty("draggan.models");
		DragMacroTest.register(); // the menu entries of plugins.config
		System.setProperty("draggan.models", SAMPLE.getParent().toAbsolutePath().toString());
	}

	@AfterEach
	void closeAll() {
		new DragMacroTest().closeAll();
	}

	@AfterAll
	static void restore() {
		io.github.dragganfiji.model.TestBundles.restoreProperty("draggan.models", modelsBefore);
	}

	@Test
	void theSampleModelGeneratesAndDrags() throws IOException {
		final ModelMetadata m = ModelMetadata.read(SAMPLE.resolve("model.json"));
		assertEquals(128, m.resolution());
		final long bundleBytes = bundleBytes(SAMPLE);
		assertTrue(bundleBytes < 25_000_000, "bundle (with its discriminator for training) under the repository's 25 MB: "
			+ bundleBytes);
		assertTrue(Files.isRegularFile(SAMPLE.resolve("MODEL_CARD.md")), "model card");
		// The handle: the brightest smoothed spot of the generated image (a nucleus), target 12 px towards the centre.
		final HeadlessMacroTest.MacroRun gen = HeadlessMacroTest.runMacro("run(\"Generate Image...\", \"model=" + m
			.name() + " seed=5 truncation=0.7 bit=8-bit device=cpu\");\n");
		assertNull(gen.error(), "generate: " + gen.error() + " log: " + gen.log());
		final ImagePlus input = WindowManager.getImage(m.name() + " seed 5");
		assertNotNull(input, "generated image; log: " + gen.log());
		final int[] h = brightest(input);
		final int[] t = towardsCentre(h, 12);
		final int tx = t[0], ty = t[1];
		final HeadlessMacroTest.MacroRun run = HeadlessMacroTest.runMacro(dragMacro(input, h, t, 40));
		assertNull(run.error(), "drag: " + run.error() + " log: " + run.log());
		final ImagePlus out = WindowManager.getImage(m.name() + " seed 5 drag");
		assertNotNull(out, "result stack; log: " + run.log());
		final int slices = out.getStackSize();
		assertTrue(slices >= 2 && slices <= 41, "slices " + slices);
		assertTrue(out.getOverlay().size() >= 3 * slices, "handles, targets, arrows on every slice");
		final Latent first = ImageProperties.latent(out, 1);
		assertEquals(ImageProperties.latent(input, 1), first, "slice 1 is the generated image");
		assertNotNull(ImageProperties.latent(out, slices));
		final double start = Math.hypot(tx - h[0], ty - h[1]);
		final double end = distance(out.getStack().getSliceLabel(slices));
		System.out.printf("sample model: handle (%d, %d) -> (%d, %d), %d slices, tracked distance %.1f -> %.1f px%n", h[0],
			h[1], tx, ty, slices, start, end);
		assertTrue(end < start, "the handle moved towards its target: " + start + " px -> " + end + " px");
	}

	/** The files of a bundle folder, in bytes. */
	static long bundleBytes(final Path bundle) throws IOException {
		long bytes = 0;
		try (var files = Files.list(bundle)) {
			for (final Path f : (Iterable<Path>) files::iterator)
				bytes += Files.size(f);
		}
		return bytes;
	}

	/** The recorded macro of a drag of one handle to one target on {@code imp}, for {@code max} steps on the CPU. */
	static String dragMacro(final ImagePlus imp, final int[] handle, final int[] target, final int max) {
		return "selectImage(\"" + imp.getTitle() + "\");\nmakeSelection(\"point\", newArray(" + handle[0] + ", " +
			target[0] + "), newArray(" + handle[1] + ", " + target[1] + "));\nrun(\"Drag...\", \"max=" + max +
			" device=cpu record=1\");\n";
	}

	/** The brightest pixel of a 5 x 5 box-smoothed copy, at least 16 px from the border. */
	private static int[] brightest(final ImagePlus imp) {
		return brightest(imp, 1);
	}

	/** The brightest pixel of stack slice {@code slice} (a composite's channel), 5 x 5 box-smoothed twice. */
	static int[] brightest(final ImagePlus imp, final int slice) {
		final ij.process.ImageProcessor ip = imp.getStack().getProcessor(slice).convertToFloat();
		ip.smooth();
		ip.smooth();
		int bx = 16, by = 16;
		for (int y = 16; y < imp.getHeight() - 16; y++)
			for (int x = 16; x < imp.getWidth() - 16; x++)
				if (ip.getf(x, y) > ip.getf(bx, by)) {
					bx = x;
					by = y;
				}
		return new int[] { bx, by };
	}

	/** A target {@code px} pixels from the handle towards the centre of the 128 px image. */
	static int[] towardsCentre(final int[] h, final double px) {
		final double cx = 63.5 - h[0], cy = 63.5 - h[1], n = Math.max(1e-6, Math.hypot(cx, cy));
		return new int[] { (int) Math.round(h[0] + px * cx / n), (int) Math.round(h[1] + px * cy / n) };
	}

	/** The mean distance in a slice label "step k, mean distance d px". */
	static double distance(final String label) {
		final java.util.regex.Matcher mt = java.util.regex.Pattern.compile("mean distance ([0-9.]+) px").matcher(label);
		assertTrue(mt.find(), label);
		return Double.parseDouble(mt.group(1));
	}
}
