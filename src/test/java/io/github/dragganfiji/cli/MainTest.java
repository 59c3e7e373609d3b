package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;

import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on the real tiny bundle: files written, metadata kept, exit codes. */
class MainTest {

	@TempDir
	Path tmp;

	private static final String MODEL = TestBundles.TINY.toAbsolutePath().toString();

	@Test
	void generateThenDragASavedImage() throws IOException {
		final Path img = tmp.resolve("g.tif");
		assertEquals(0, Main.run(new String[] { "generate", "--model", MODEL, "--seed", "4", "--out", img
			.toString() }));
		final ImagePlus g = IJ.openImage(img.toString());
		assertEquals("tiny-random", ImageProperties.model(g));
		final Path out = tmp.resolve("drag");
		assertEquals(0, Main.run(new String[] { "drag", "--image", img.toString(), "--points", "6,16,26,16", "--mask-rect",
			"2,8,28,16", "--steps", "3", "--r1", "3", "--r2", "4", "--lr", "0.05", "--device", "cpu", "--out", out
				.toString() }));
		for (final String f : new String[] { "drag.tif", "drag.gif", "montage.png", "summary.txt", "start.tif" })
			assertTrue(Files.size(out.resolve(f)) > 0, f);
		final ImagePlus stack = IJ.openImage(out.resolve("drag.tif").toString());
		assertTrue(stack.getStackSize() >= 2);
		assertEquals(ImageProperties.latent(g, 1), ImageProperties.latent(stack, 1), "the stack starts from the image");
		final String summary = Files.readString(out.resolve("summary.txt"));
		assertTrue(summary.contains("handle 1: now at"), summary);
		final ImagePlus montage = IJ.openImage(out.resolve("montage.png").toString());
		assertTrue(montage.getWidth() >= 256, "small images are scaled up in the montage");
	}

	@Test
	void aResultStackIsContinuedFromTheSliceChosen() throws IOException {
		final Path img = tmp.resolve("g.tif"), first = tmp.resolve("first");
		assertEquals(0, Main.run(new String[] { "generate", "--model", MODEL, "--seed", "4", "--out", img
			.toString() }));
		assertEquals(0, Main.run(new String[] { "drag", "--image", img.toString(), "--points", "6,16,26,16", "--steps",
			"3", "--stop", "1", "--device", "cpu", "--out", first.toString() }));
		final Path stackFile = first.resolve("drag.tif");
		final ImagePlus stack = IJ.openImage(stackFile.toString());
		final int n = stack.getStackSize();
		assertTrue(n >= 3, "slices: " + n);
		for (final int k : new int[] { 2, n }) {
			final Path again = tmp.resolve("again" + k);
			final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("drag", "--image", stackFile
				.toString(), "--points", "16,16,18,16", "--steps", "1", "--device", "cpu", "--out", again.toString()));
			if (k != n) args.addAll(java.util.List.of("--slice", Integer.toString(k)));
			assertEquals(0, Main.run(args.toArray(String[]::new)));
			final ImagePlus next = IJ.openImage(again.resolve("drag.tif").toString());
			assertEquals(ImageProperties.latent(stack, k), ImageProperties.latent(next, 1), "slice " + k +
				" (the last without --slice) is where the drag goes on");
		}
		assertEquals(2, Main.run(new String[] { "drag", "--image", stackFile.toString(), "--points", "16,16,18,16",
			"--slice", Integer.toString(n + 1), "--out", tmp.resolve("none").toString() }));
		assertTrue(!Files.exists(tmp.resolve("none")), "nothing made for a refused drag");
	}

	@Test
	void invertARealImageThenDragIt() throws IOException {
		final Path gen = tmp.resolve("g.tif");
		assertEquals(0, Main.run(new String[] { "generate", "--model", MODEL, "--seed", "2", "--out", gen.toString() }));
		final ImagePlus g = IJ.openImage(gen.toString());
		final Path real = tmp.resolve("real.png"); // no latent survives a PNG
		new ij.io.FileSaver(new ImagePlus("real", g.getProcessor().resize(48, 40, true))).saveAsPng(real.toString());
		final String userBefore = System.setProperty("draggan.userModels", tmp.resolve("user-models").toString());
		try {
			final Path inv = tmp.resolve("inv.tif");
			assertEquals(0, Main.run(new String[] { "invert", "--image", real.toString(), "--model", MODEL, "--steps", "20",
				"--tune-steps", "5", "--tune-lr", "0.003", "--device", "cpu", "--out", inv.toString() }));
			final ImagePlus i = IJ.openImage(inv.toString());
			assertEquals(32, i.getWidth());
			assertTrue(ImageProperties.model(i).startsWith("tiny-random tuned real"), ImageProperties.model(i));
			assertEquals(0, Main.run(new String[] { "drag", "--image", inv.toString(), "--points", "6,16,26,16", "--steps",
				"2", "--device", "cpu", "--out", tmp.resolve("d").toString() }), "the tuned model is found by name");
		}
		finally {
			TestBundles.restoreProperty("draggan.userModels", userBefore);
		}
		assertEquals(2, Main.run(new String[] { "invert", "--model", MODEL }), "no image");
	}

	@Test
	void evalInvertReportsEveryImage() throws IOException {
		final Path gen = tmp.resolve("g.tif"), images = Files.createDirectories(tmp.resolve("images"));
		assertEquals(0, Main.run(new String[] { "generate", "--model", MODEL, "--seed", "3", "--out", gen.toString() }));
		final ImagePlus clean = IJ.openImage(gen.toString()), noisy = clean.duplicate();
		noisy.getProcessor().noise(8);
		new ij.io.FileSaver(noisy).saveAsPng(images.resolve("a.png").toString());
		new ij.io.FileSaver(clean).saveAsPng(images.resolve("a_clean.png").toString());
		final Path out = tmp.resolve("ei");
		assertEquals(0, Main.run(new String[] { "eval-invert", "--bundle", MODEL, "--images", images.toString(),
			"--generated", "1", "--steps", "15", "--tune-steps", "3", "--device", "cpu", "--out", out.toString() }));
		final java.util.List<String> rows = Files.readAllLines(out.resolve("inversion.csv"));
		assertEquals(3, rows.size(), "header, one held-out image (its noise-free twin is not one), one generated image");
		final String[] real = rows.get(1).split(","), own = rows.get(2).split(",");
		assertEquals("held-out", real[0]);
		assertEquals("a.png", real[1]);
		assertTrue(Double.parseDouble(real[2]) > 5 && Double.parseDouble(real[4]) > 5, rows.get(1));
		final double noise = Double.parseDouble(real[7]);
		assertTrue(noise > 15 && noise < 50, "the noisy input against its twin: " + rows.get(1));
		assertTrue(Double.parseDouble(real[8]) > 5 && Double.parseDouble(real[9]) > 5, rows.get(1));
		assertEquals("generated", own[0]);
		assertEquals("NaN", own[4], "the model's own images are only projected");
		assertEquals("NaN", own[7], "no twin");
		final String summary = Files.readString(out.resolve("summary.txt"));
		assertTrue(summary.contains("after pivotal tuning median") && summary.contains("noise-free twins"), summary);
	}

	@Test
	void evalRealKeepsEveryPixelOutsideTheRegion() throws IOException {
		final Path gen = tmp.resolve("g.tif"), images = Files.createDirectories(tmp.resolve("images"));
		assertEquals(0, Main.run(new String[] { "generate", "--model", MODEL, "--seed", "3", "--out", gen.toString() }));
		// The model's 3 channels as a new image (no latent), 16 bits spread over 0..51,000: a change of a fraction of
		// the model's range shows in the pixels.
		final ImagePlus g = IJ.openImage(gen.toString());
		final ij.ImageStack channels = new ij.ImageStack(g.getWidth(), g.getHeight());
		for (int c = 0; c < g.getProcessor().getNChannels(); c++) { // an RGB image: its three colour channels
			final ij.process.ImageProcessor sixteen = g.getProcessor().toFloat(c, null).convertToShort(false);
			sixteen.multiply(200);
			channels.addSlice(sixteen);
		}
		final ImagePlus a = new ImagePlus("a", channels);
		a.setDimensions(channels.getSize(), 1, 1);
		new ij.io.FileSaver(a).saveAsTiff(images.resolve("a.tif").toString());
		final Path out = tmp.resolve("er");
		assertEquals(0, Main.run(new String[] { "eval-real", "--bundle", MODEL, "--images", images.toString(), "--drags",
			"2", "--steps", "10", "--tune-steps", "3", "--max-steps", "6", "--device", "cpu", "--out", out.toString() }));
		final java.util.List<String> rows = Files.readAllLines(out.resolve("real.csv"));
		assertTrue(rows.size() >= 9, "2 drags for each method and region role: " + rows);
		double rawOutside = 0;
		for (final String row : rows.subList(1, rows.size())) {
			final String[] f = row.split(",");
			assertEquals("a.tif", f[0]);
			assertEquals("0", f[6], "paste-back: no pixel outside the region changed in any slice: " + row);
			rawOutside = Math.max(rawOutside, Double.parseDouble(f[7]));
			assertTrue(Double.parseDouble(f[4]) > 0 && Double.isFinite(Double.parseDouble(f[5])), row);
		}
		assertTrue(rawOutside > 0, "the raw generator did change pixels outside the region, so the 0 above is paste-back");
		final String summary = Files.readString(out.resolve("summary.txt"));
		for (final String line : java.util.List.of("w+pti, region free: ", "w+pti, region mask: ",
			"wplus+pti, region free: ", "wplus+pti, region mask: "))
			assertTrue(summary.contains(line), line + " in " + summary);
		assertTrue(Files.exists(out.resolve("tuned-models")), "the tuned copies go under --out, not the user's models");
	}

	@Test
	void demoRunsWithOnlyAModel() throws IOException {
		final Path out = tmp.resolve("demo");
		assertEquals(0, Main.run(new String[] { "demo", "--model", MODEL, "--steps", "2", "--device", "cpu", "--out",
			out.toString() }));
		assertTrue(Files.readString(out.resolve("summary.txt")).contains("after"));
	}

	@Test
	void exitCodesSayWhatWentWrong() {
		assertEquals(2, Main.run(new String[] {}), "no command");
		assertEquals(2, Main.run(new String[] { "fly" }), "unknown command");
		assertEquals(2, Main.run(new String[] { "drag", "--bogus", "1" }), "unknown option");
		assertEquals(2, Main.run(new String[] { "drag", "--model", MODEL, "--seed", "1" }), "no points");
		assertEquals(2, Main.run(new String[] { "generate", "--seed", "x" }), "not a number");
		assertEquals(3, Main.run(new String[] { "drag", "--image", tmp.resolve("missing.tif").toString(), "--points",
			"1,1,5,5" }), "missing image");
		assertEquals(3, Main.run(new String[] { "drag", "--model", MODEL, "--seed", "1", "--points", "1,1,99,5" }),
			"target outside the image");
		assertEquals(0, Main.run(new String[] { "drag", "--help" }));
	}
}
