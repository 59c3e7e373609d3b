package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;

import io.github.dragganfiji.app.DatasetUseCase;
import io.github.dragganfiji.core.IntensityMapping;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code draggan dataset} end to end on real ImageJ files: the zips of 16-bit one-channel, 16-bit two-channel, RGB and
 * 32-bit inputs, their PNGs' values against the mapping, the reading of them by tools/nvlabs_dataset.py (the checks of
 * NVIDIA's loader), and bad input: one sentence, exit code 3, no zip or temporary file left.
 */
class DatasetCommandTest {

	@TempDir
	Path tmp;

	/** A 16-bit image of {@code channels} channels and {@code slices} slices: a gradient, spots and noise. */
	static ImagePlus image16(final String title, final int w, final int h, final int channels, final int slices,
		final long seed)
	{
		final Random rnd = new Random(seed);
		final ImageStack st = new ImageStack(w, h);
		for (int s = 0; s < slices; s++)
			for (int c = 0; c < channels; c++) {
				final short[] p = new short[w * h];
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++) {
						final double spot = Math.exp(-((x - w / 3.0 - 3 * c) * (x - w / 3.0 - 3 * c) + (y - h / 2.0) * (y -
							h / 2.0)) / 40.0);
						p[y * w + x] = (short) Math.min(65535, 200 + 100 * c + 20 * x + 3000 * (c + 1) * spot + rnd
							.nextInt(60));
					}
				st.addSlice(new ShortProcessor(w, h, p, null));
			}
		final ImagePlus imp = new ImagePlus(title, st);
		imp.setDimensions(channels, slices, 1);
		return channels > 1 ? new CompositeImage(imp, IJ.COMPOSITE) : imp;
	}

	static Path save(final ImagePlus imp, final Path file) {
		assertTrue(new FileSaver(imp).saveAsTiff(file.toString()), "saved " + file);
		return file;
	}

	/** Runs the command; returns {exit code, stdout, stderr}. */
	static String[] run(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		final PrintStream oldOut = System.out, oldErr = System.err;
		final int code;
		try {
			System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
			System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
			code = Main.run(args);
		}
		finally {
			System.setOut(oldOut);
			System.setErr(oldErr);
		}
		return new String[] { Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(
			StandardCharsets.UTF_8) };
	}

	static JsonObject record(final Path zip) throws IOException {
		try (ZipFile z = new ZipFile(zip.toFile())) {
			return JsonParser.parseString(new String(z.getInputStream(z.getEntry(DatasetUseCase.MAPPING_FILE))
				.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
		}
	}

	static List<BufferedImage> pngs(final Path zip) throws IOException {
		final List<BufferedImage> out = new ArrayList<>();
		try (ZipFile z = new ZipFile(zip.toFile())) {
			final List<String> names = z.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".png")).sorted()
				.toList();
			for (final String n : names)
				out.add(ImageIO.read(new ByteArrayInputStream(z.getInputStream(z.getEntry(n)).readAllBytes())));
		}
		return out;
	}

	/** tools/nvlabs_dataset.py's verdict (exit code, output); skipped where Debian's Python, numpy, PIL are not. */
	static String[] nvlabsCheck(final Path zip, final String... extra) throws IOException, InterruptedException {
		final Path py = Path.of("/usr/bin/python3");
		assumeTrue(Files.isExecutable(py), "needs /usr/bin/python3 with numpy and PIL (CI installs them)");
		final List<String> cmd = new ArrayList<>(List.of(py.toString(), "tools/nvlabs_dataset.py", zip.toString()));
		cmd.addAll(Arrays.asList(extra));
		final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		return new String[] { Integer.toString(p.waitFor()), text };
	}

	@Test
	void sixteenBitOneChannelStackIsTiledAndMappedByThePercentiles() throws Exception {
		final ImagePlus src = image16("one", 80, 64, 1, 2, 1);
		final Path tif = save(src, tmp.resolve("one.tif"));
		final Path zip = tmp.resolve("out/one.zip");
		final String[] r = run("dataset", tif.toString(), "--out", zip.toString(), "--size", "32", "--stride", "24");
		assertEquals("0", r[0], r[2]);
		// tiles: x at 0, 24, 48 (flush with the right edge: 80 - 32), y at 0, 24, 32 (flush): 9 per slice, 2 slices
		final JsonObject rec = record(zip);
		assertEquals(18, rec.get("images").getAsInt());
		assertEquals("L", rec.get("png_mode").getAsString());
		assertEquals(16, rec.get("bit_depth").getAsInt());
		final IntensityMapping map = IntensityMapping.decode(rec.getAsJsonObject("intensity").get("mapping")
			.getAsString());
		// the mapping is the percentile rule over both slices' pixels
		final float[] all = new float[2 * 80 * 64];
		for (int s = 0; s < 2; s++)
			for (int i = 0; i < 80 * 64; i++)
				all[s * 80 * 64 + i] = src.getStack().getProcessor(s + 1).getf(i);
		final IntensityMapping fit = IntensityMapping.fit(all, new float[] { 0, 255 }, 1);
		assertEquals(fit.srcLow()[0], map.srcLow()[0], 1e-9);
		assertEquals(fit.srcHigh()[0], map.srcHigh()[0], 1e-9);
		assertEquals(0, map.dstLow()[0]);
		assertEquals(255, map.dstHigh()[0]);
		// every PNG pixel is the mapped source pixel of its tile (the 6th tile of slice 1: x 48, y 24)
		final List<BufferedImage> png = pngs(zip);
		assertEquals(18, png.size());
		final BufferedImage t = png.get(5);
		assertEquals(BufferedImage.TYPE_BYTE_GRAY, t.getType());
		for (int y = 0; y < 32; y++)
			for (int x = 0; x < 32; x++) {
				final float v = src.getStack().getProcessor(1).getf(48 + x, 24 + y);
				assertEquals(Math.round(map.toModel(0, v, 0, 255)), t.getRaster().getSample(x, y, 0), "pixel " + x + "," +
					y);
			}
		assertTrue(r[1].contains("--gpus=1") && r[1].contains("--gpus=8") && r[1].contains("--gamma=") && r[1]
			.contains("--mirror=1") && r[1].contains("--kimg=") && r[1].contains("--snap="), r[1]);
		assertTrue(r[1].contains("draggan convert") && r[1].contains("--dataset " + zip), r[1]);
		assertTrue(r[1].contains("channel 1: "), r[1]);
		final String[] check = nvlabsCheck(zip);
		assertEquals("0", check[0], check[1]);
		final JsonObject s = JsonParser.parseString(check[1].strip()).getAsJsonObject();
		assertEquals(18, s.get("images").getAsInt());
		assertEquals(1, s.get("channels").getAsInt());
		assertEquals(32, s.get("resolution").getAsInt());
		assertEquals("00000/img00000000.png", s.get("first").getAsString());
	}

	@Test
	void twoChannelsBecomeRedAndGreenWithAnEmptyBlueAndClassesBecomeLabels() throws Exception {
		final Path dir = Files.createDirectories(tmp.resolve("in"));
		final ImagePlus a = image16("a", 32, 32, 2, 1, 2), b = image16("b", 32, 32, 2, 1, 3);
		save(a, dir.resolve("a.tif"));
		save(b, dir.resolve("b.tif"));
		final Path csv = Files.writeString(tmp.resolve("classes.csv"), "file,class\na.tif,control\nb.tif,treated\n");
		final Path zip = tmp.resolve("two.zip");
		final String[] r = run("dataset", dir.toString(), "--out", zip.toString(), "--classes", csv.toString());
		assertEquals("0", r[0], r[2]);
		final JsonObject rec = record(zip);
		assertEquals(2, rec.get("channels").getAsInt());
		assertEquals("RGB", rec.get("png_mode").getAsString());
		assertEquals(32, rec.get("size").getAsInt(), "the images' own size without --size");
		final IntensityMapping map = IntensityMapping.decode(rec.getAsJsonObject("intensity").get("mapping")
			.getAsString());
		assertEquals(2, map.srcLow().length);
		assertTrue(map.srcHigh()[1] > map.srcHigh()[0], "each channel its own percentiles");
		final List<BufferedImage> png = pngs(zip);
		assertEquals(2, png.size());
		boolean signal = false;
		for (int y = 0; y < 32; y++)
			for (int x = 0; x < 32; x++) {
				final int rgb = png.get(1).getRGB(x, y);
				assertEquals(0, rgb & 0xff, "blue is empty");
				assertEquals(Math.round(map.toModel(0, b.getStack().getProcessor(1).getf(x, y), 0, 255)), rgb >> 16 &
					0xff);
				assertEquals(Math.round(map.toModel(1, b.getStack().getProcessor(2).getf(x, y), 0, 255)), rgb >> 8 &
					0xff);
				signal |= (rgb >> 8 & 0xff) == 255;
			}
		assertTrue(signal, "the bright spot reaches 255");
		try (ZipFile z = new ZipFile(zip.toFile())) {
			assertEquals("{\"labels\":[[\"00000/img00000000.png\",0],[\"00000/img00000001.png\",1]]}", new String(z
				.getInputStream(z.getEntry("dataset.json")).readAllBytes(), StandardCharsets.UTF_8).strip());
		}
		assertTrue(r[1].contains("--cond=1"), r[1]);
		final String[] check = nvlabsCheck(zip, "--cond");
		assertEquals("0", check[0], check[1]);
		final JsonObject s = JsonParser.parseString(check[1].strip()).getAsJsonObject();
		assertEquals(3, s.get("channels").getAsInt(), "RGB for their colour augmentation and FID");
		assertEquals(2, s.get("label_dim").getAsInt());
	}

	@Test
	void rgbPngsAreKeptAsTheyAreAndThirtyTwoBitMapsByPercentiles() throws Exception {
		final int[] px = new int[16 * 16];
		final Random rnd = new Random(4);
		for (int i = 0; i < px.length; i++)
			px[i] = rnd.nextInt(1 << 24);
		final Path png = tmp.resolve("rgb.png");
		assertTrue(new FileSaver(new ImagePlus("rgb", new ColorProcessor(16, 16, px))).saveAsPng(png.toString()));
		final Path zip = tmp.resolve("rgb.zip");
		String[] r = run("dataset", png.toString(), "--out", zip.toString(), "--size", "8");
		assertEquals("0", r[0], r[2]);
		final List<BufferedImage> out = pngs(zip);
		assertEquals(4, out.size());
		for (int y = 0; y < 8; y++)
			for (int x = 0; x < 8; x++)
				assertEquals(px[(8 + y) * 16 + 8 + x], out.get(3).getRGB(x, y) & 0xffffff, "8-bit RGB kept exactly");
		assertEquals("0 255 0 255", IntensityMapping.decode(record(zip).getAsJsonObject("intensity").get("mapping")
			.getAsString()).encode().replace(".0", "").split(";")[0]);
		assertEquals("0", nvlabsCheck(zip)[0]);

		final float[] f = new float[16 * 16];
		for (int i = 0; i < f.length; i++)
			f[i] = (float) (0.001 * i - 0.05);
		final Path tif = save(new ImagePlus("float", new FloatProcessor(16, 16, f)), tmp.resolve("float.tif"));
		final Path zip32 = tmp.resolve("float.zip");
		r = run("dataset", tif.toString(), "--out", zip32.toString());
		assertEquals("0", r[0], r[2]);
		final IntensityMapping m = IntensityMapping.decode(record(zip32).getAsJsonObject("intensity").get("mapping")
			.getAsString());
		assertEquals(IntensityMapping.fit(f, new float[] { 0, 255 }, 1).srcLow()[0], m.srcLow()[0], 1e-6);
		assertEquals(32, record(zip32).get("bit_depth").getAsInt());
	}

	@Test
	void badInputGetsOneSentenceAndLeavesNoZip() throws Exception {
		final Path a = save(image16("a", 32, 32, 1, 1, 5), tmp.resolve("a.tif"));
		final Path b = save(image16("b", 64, 64, 1, 1, 6), tmp.resolve("b.tif"));
		final Path four = save(image16("four", 32, 32, 4, 1, 7), tmp.resolve("four.tif"));
		final Path empty = Files.createDirectories(tmp.resolve("empty"));
		final Path junk = Files.write(tmp.resolve("junk.tif"), "not an image at all".getBytes(StandardCharsets.UTF_8));
		final Path zip = tmp.resolve("bad.zip");
		final byte[] before = Files.readAllBytes(a);
		final String[][] cases = {
			{ "different sizes", a.toString(), b.toString() },
			{ "smaller than --size 64", a.toString(), b.toString(), "--size", "64" },
			{ "has 4 channels", four.toString() },
			{ "holds no TIFF or PNG", empty.toString() },
			{ "Cannot read", junk.toString() },
			{ "is one of the inputs", a.toString(), "--out", a.toString() },
			{ "not a power of two", a.toString(), "--size", "48" },
			{ "No such image or folder", tmp.resolve("missing.tif").toString() },
		};
		for (final String[] c : cases) {
			final List<String> args = new ArrayList<>(List.of("dataset"));
			args.addAll(Arrays.asList(c).subList(1, c.length));
			if (!args.contains("--out")) args.addAll(List.of("--out", zip.toString()));
			final String[] r = run(args.toArray(String[]::new));
			assertEquals("3", r[0], c[0] + ": " + r[2]);
			assertTrue(r[2].contains(c[0]), c[0] + ": " + r[2]);
			assertEquals(1, r[2].strip().lines().count(), "one sentence: " + r[2]);
			assertFalse(r[2].contains("Exception") || r[2].contains("\tat "), r[2]);
			assertFalse(Files.exists(zip), c[0]);
			try (var files = Files.list(tmp)) {
				assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".writing")), "no temporary file");
			}
		}
		assertTrue(Arrays.equals(before, Files.readAllBytes(a)), "the input is untouched");
		assertEquals("2", run("dataset", a.toString())[0], "no --out");
		assertEquals("0", run("dataset", a.toString(), "--out", zip.toString())[0]);
		final long size = Files.size(zip);
		final String[] again = run("dataset", b.toString(), "--out", zip.toString(), "--size", "32");
		assertEquals("3", again[0]);
		assertTrue(again[2].contains("already exists"), again[2]);
		assertEquals(size, Files.size(zip), "an existing zip is never overwritten");
	}
}
