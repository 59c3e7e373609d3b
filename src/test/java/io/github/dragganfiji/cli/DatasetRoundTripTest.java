package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;

import ij.IJ;
import ij.ImagePlus;

import io.github.dragganfiji.app.DatasetUseCase;
import io.github.dragganfiji.app.GenerateUseCase;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.app.ConvertUseCase;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.TestBundles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's path on a tiny scale: 16-bit two-channel TIFFs, {@code draggan dataset}, a snapshot of NVIDIA's trainer
 * (fixtures/nvidia-rgb-32.pkl: their layout, three channels, random weights) converted with {@code --dataset}, then
 * Generate (16-bit, the source's range, by the recorded mapping), Invert of a source image (the same mapping, not a
 * fitted one) and a drag of it whose pixels outside the movable area are the source's, bit for bit.
 */
class DatasetRoundTripTest {

	@TempDir
	Path tmp;

	@Test
	void sixteenBitTwoChannelImagesToAnEditInTheSourcesRange() throws Exception {
		final String python = ConvertUseCase.findPython();
		assumeTrue(python != null, "needs Python with torch (CI installs it)");
		final Path dir = Files.createDirectories(tmp.resolve("tiffs"));
		final ImagePlus a = DatasetCommandTest.image16("a", 32, 32, 2, 1, 11);
		DatasetCommandTest.save(a, dir.resolve("a.tif"));
		DatasetCommandTest.save(DatasetCommandTest.image16("b", 64, 32, 2, 1, 12), dir.resolve("b.tif"));
		final Path zip = tmp.resolve("data.zip");
		String[] r = DatasetCommandTest.run("dataset", dir.toString(), "--out", zip.toString(), "--size", "32");
		assertEquals("0", r[0], r[2]);
		final IntensityMapping png = IntensityMapping.decode(DatasetCommandTest.record(zip).getAsJsonObject(
			"intensity").get("mapping").getAsString());

		final Path pkl = Files.copy(TestBundles.FIXTURES.resolve("nvidia-rgb-32.pkl"), tmp.resolve(
			"network-snapshot-000200.pkl"), StandardCopyOption.COPY_ATTRIBUTES);
		final Path bundle = tmp.resolve("my-model");
		r = DatasetCommandTest.run("convert", pkl.toString(), bundle.toString(), "--dataset", zip.toString());
		assertEquals("0", r[0], r[2]);
		final JsonObject json = TestBundles.readJson(bundle.resolve("model.json"));
		assertEquals(2, json.get("image_channels").getAsInt(), "the empty blue channel dropped");
		final JsonObject ts = json.getAsJsonObject("training_set");
		assertEquals(200, ts.get("kimg").getAsInt());
		assertEquals(3, ts.get("images").getAsInt(), "a.tif, and b.tif as two tiles");
		final ModelSearchPath.Entry e = ModelSearchPath.Entry.at(bundle);
		assertEquals(16, e.metadata().sourceIntensity().bitDepth());
		final IntensityMapping map = DatasetUseCase.sourceMapping(e.metadata());
		for (int c = 0; c < 2; c++) { // source range as in the zip; 0..255 become the generator's -1..1
			assertEquals(png.srcLow()[c], map.srcLow()[c], 0);
			assertEquals(png.srcHigh()[c], map.srcHigh()[c], 0);
			assertEquals(-1, map.dstLow()[c], 0);
			assertEquals(1, map.dstHigh()[c], 0);
		}

		// Generate: 16-bit, two channels, each pixel the generator's output mapped back (Generate's default --bits 8
		// does not apply to such a model)
		final Path g = tmp.resolve("g.tif");
		r = DatasetCommandTest.run("generate", "--model", bundle.toString(), "--seed", "3", "--device", "cpu", "--out", g
			.toString());
		assertEquals("0", r[0], r[2]);
		final ImagePlus gen = IJ.openImage(g.toString());
		assertEquals(16, gen.getBitDepth());
		assertEquals(2, gen.getNChannels());
		assertEquals(map.encode(), gen.getProp(ImageProperties.INTENSITY));
		final float[] out = GenerateUseCase.run(new GenerateUseCase.Request(e, 3, e.metadata().truncationPsi(), 0,
			DeviceChoice.parse("cpu")), s -> {}).image();
		int inRange = 0;
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < 32 * 32; i++) {
				final long want = Math.max(0, Math.min(65535, Math.round((float) map.toSource(c, out[c * 1024 + i]))));
				final int got = (int) gen.getStack().getProcessor(c + 1).getf(i);
				assertEquals(want, got, "channel " + c + " pixel " + i);
				if (got >= map.srcLow()[c] && got <= map.srcHigh()[c]) inRange++;
			}
		assertTrue(inRange > 0, "values in the source's calibrated range");

		// Invert a source image: the bundle's mapping, not percentiles fitted to this image
		final Path inv = tmp.resolve("inv.tif");
		r = DatasetCommandTest.run("invert", "--image", dir.resolve("a.tif").toString(), "--model", bundle.toString(),
			"--steps", "4", "--tune-steps", "0", "--device", "cpu", "--out", inv.toString());
		assertEquals("0", r[0], r[2]);
		final ImagePlus inverted = IJ.openImage(inv.toString());
		assertEquals(map.encode(), inverted.getProp(ImageProperties.INTENSITY));
		final float[] one = new float[2 * 1024];
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < 1024; i++)
				one[c * 1024 + i] = a.getStack().getProcessor(c + 1).getf(i);
		assertNotEquals(IntensityMapping.fit(one, new float[] { -1, 1 }, 2).encode(), map.encode());

		// Drag it: 16-bit result, the source's pixels outside the movable area bit for bit
		final Path d = tmp.resolve("drag");
		r = DatasetCommandTest.run("drag", "--image", inv.toString(), "--model", bundle.toString(), "--points",
			"10,16,14,16", "--mask-rect", "4,8,16,16", "--steps", "2", "--device", "cpu", "--out", d.toString());
		assertEquals("0", r[0], r[2]);
		final ImagePlus stack = IJ.openImage(d.resolve("drag.tif").toString());
		assertEquals(16, stack.getBitDepth());
		assertEquals(2, stack.getNChannels());
		int outside = 0, changedInside = 0;
		for (int p = 1; p <= stack.getStackSize(); p++) {
			final int c = (p - 1) % 2;
			for (int y = 0; y < 32; y++)
				for (int x = 0; x < 32; x++) {
					final float want = a.getStack().getProcessor(c + 1).getf(x, y);
					final float got = stack.getStack().getProcessor(p).getf(x, y);
					if (x >= 4 && x < 20 && y >= 8 && y < 24) {
						if (got != want) changedInside++;
					}
					else {
						assertEquals(want, got, "plane " + p + " pixel " + x + "," + y + " outside the movable area");
						outside++;
					}
				}
		}
		assertTrue(outside > 0 && changedInside > 0, outside + " outside, " + changedInside + " changed inside");
	}
}
