package io.github.dragganfiji.app;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

/**
 * A training set for NVIDIA's StyleGAN2-ADA / StyleGAN3 trainer ({@code train.py --data DATA.zip}) from microscopy
 * images: square, power-of-two, 8-bit PNGs in a zip with {@code dataset.json}, exactly as their
 * {@code ImageFolderDataset} reads it, plus {@value #MAPPING_FILE}: how each channel's source intensities became 0..255
 * (the {@link IntensityMapping} rule of Invert: the {@link IntensityMapping#LOW} and {@link IntensityMapping#HIGH}
 * percentiles of all pixels of the channel go to 0 and 255; 8-bit images are kept as they are). {@code draggan convert
 * --dataset} carries that mapping into the bundle, so the model's images come back in the source's bit depth and range.
 * <p>
 * Channels: 1 becomes an L (grayscale) PNG, 3 (or an RGB image) an RGB PNG, and 2 an RGB PNG whose third (blue)
 * channel is 0 everywhere: their loader would read an LA PNG as 2 channels, but their default augmentation
 * ({@code --augpipe bgc}) raises for anything but 1 or 3 channels, their metrics (FID's Inception network) take only
 * 1 or 3, and {@code --resume} from a public RGB pickle needs 3; the conversion drops the empty channel exactly (the
 * generator's toRGB layers lose their third output row, which nothing else reads).
 */
public final class DatasetUseCase {

	/** The mapping's file inside the zip (and the file {@code convert --dataset} may also be given alone). */
	public static final String MAPPING_FILE = "draggan-dataset.json";
	/** Its {@code format} field. */
	public static final String FORMAT = "draggan-dataset";
	/** Images per folder inside the zip, as NVIDIA's dataset_tool writes them. */
	static final int PER_FOLDER = 1000;
	/** At most this many 32-bit values per channel are kept for the percentiles (a regular subsample beyond). */
	static final int FLOAT_SAMPLE = 1 << 24;

	private DatasetUseCase() {}

	/**
	 * One image of the source: its frames (each slice or time point of a stack), each [channel][y * width + x] in the
	 * source's own intensities (raw values, not calibrated).
	 *
	 * @param name the file or image name, for messages and the record
	 * @param width width in pixels
	 * @param height height in pixels
	 * @param channels channels per frame
	 * @param bitDepth 8, 16 or 32 (RGB: 8)
	 * @param frames the frames
	 */
	public record Picture(String name, int width, int height, int channels, int bitDepth, List<float[][]> frames) {}

	/** A source image, read when needed (twice: once for the intensities, once for the PNGs). */
	public interface Source {
		/** Its name for messages (the file's path). */
		String name();

		/** Reads it; a file that cannot be read throws IllegalArgumentException with one sentence. */
		Picture read() throws IOException;

		/** The file it comes from, or null for an open image (to refuse writing over it). */
		default Path file() {
			return null;
		}
	}

	/**
	 * What to write.
	 *
	 * @param sources the images, in order
	 * @param out the zip to write (must not exist, must not be an input)
	 * @param size the PNGs' width = height (a power of two, 8 or more); 0: the images' own common size
	 * @param stride the step between tiles of images larger than size; 0: size (tiles side by side)
	 * @param classes the class name of each source by its file name (or its name), null for an unlabelled set
	 */
	public record Request(List<Source> sources, Path out, int size, int stride, Map<String, String> classes) {

		public Request {
			sources = List.copyOf(sources);
			if (sources.isEmpty()) throw new IllegalArgumentException("No images were given: give TIFF or PNG files, " +
				"or folders holding them.");
			if (size != 0 && (size < 8 || Integer.bitCount(size) != 1)) throw new IllegalArgumentException("--size " +
				size + " is not a power of two of 8 or more (NVIDIA's trainer needs square power-of-two images: 128, 256, " +
				"512, ...).");
			if (stride < 0) throw new IllegalArgumentException("--stride must be positive, not " + stride + ".");
			if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip"))
				throw new IllegalArgumentException("--out " + out + " must be a .zip file (NVIDIA's train.py --data " +
					"reads a zip).");
			if (Files.exists(out)) throw new IllegalArgumentException("--out " + out + " already exists: choose a " +
				"new file name (nothing is overwritten).");
			for (final Source s : sources)
				if (s.file() != null && same(s.file(), out)) throw new IllegalArgumentException("--out " + out +
					" is one of the input images: inputs are never overwritten. Choose another --out file.");
			classes = classes == null ? null : Map.copyOf(classes);
		}
	}

	/**
	 * What was written.
	 *
	 * @param out the zip
	 * @param images PNGs written
	 * @param sources source images read
	 * @param size the PNGs' width = height
	 * @param channels source channels (1, 2 or 3)
	 * @param pngMode "L" or "RGB"
	 * @param bitDepth the source's bit depth
	 * @param mapping per channel: source intensity to PNG value (0..255)
	 * @param classes class names by label index (empty: no labels)
	 */
	public record Result(Path out, int images, int sources, int size, int channels, String pngMode, int bitDepth,
		IntensityMapping mapping, List<String> classes)
	{
		/** The PNGs' channels: 3 for RGB (2 source channels and an empty one), else 1. */
		public int pngChannels() {
			return pngMode.equals("RGB") ? 3 : 1;
		}

		/** NVIDIA's stylegan2-ada-pytorch command for {@code gpus} GPUs (their 'auto' config's batch and R1 gamma). */
		public String trainCommand(final int gpus) {
			final int batch = autoBatch(size, gpus);
			return String.format(Locale.ROOT, "python train.py --outdir=training-runs --data=%s --gpus=%d --cfg=auto " +
				"--batch=%d --gamma=%s --mirror=1 --kimg=%d --snap=%d%s", out.getFileName(), gpus, batch, gamma(size,
					batch), KIMG, SNAP, classes.isEmpty() ? "" : " --cond=1");
		}

		/** The mapping, the train.py lines for 1 and 8 GPUs and the convert line, for the user to read. */
		public String report() {
			return DatasetUseCase.report(this);
		}

		/** The conversion to run on the snapshot the training keeps. */
		public String convertCommand() {
			return "./draggan convert training-runs/00000-" + stem(out) + "-.../network-snapshot-" + String.format(
				Locale.ROOT, "%06d", KIMG) + ".pkl my-model --dataset " + out;
		}
	}

	/** The kimg the printed command trains for (a small microscopy set from scratch; see docs/own-model.md). */
	public static final int KIMG = 5000;
	/** Snapshot interval of the printed command, in ticks (of 4 kimg): a pickle every 200 kimg. */
	public static final int SNAP = 50;

	/** NVIDIA's 'auto' config's batch: max(min(gpus * min(4096 / res, 32), 64), gpus). */
	static int autoBatch(final int res, final int gpus) {
		return Math.max(Math.min(gpus * Math.min(4096 / res, 32), 64), gpus);
	}

	/** NVIDIA's 'auto' config's R1 gamma: 0.0002 * res^2 / batch, as a short number. */
	static String gamma(final int res, final int batch) {
		final double g = 0.0002 * res * res / batch;
		return String.format(Locale.ROOT, "%.4g", g).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
	}

	private static String stem(final Path p) {
		final String n = p.getFileName().toString();
		return n.substring(0, n.length() - 4);
	}

	/** Writes the zip; {@code log} hears what is done. Nothing is left behind on failure or interruption. */
	public static Result run(final Request r, final Consumer<String> log) throws IOException {
		// Pass 1: sizes, channels, bit depth and every channel's intensities.
		int channels = -1, depth = -1, commonW = -1, commonH = -1;
		String first = null;
		boolean mixed = false;
		Stats[] stats = null;
		final List<int[]> shapes = new ArrayList<>();
		for (final Source s : r.sources()) {
			stop();
			final Picture p = s.read();
			if (p.channels() < 1 || p.channels() > 3) throw new IllegalArgumentException(s.name() + " has " + p
				.channels() + " channels: a training set holds 1 (grayscale), 2 or 3 (RGB) channels; split or " +
				"reduce the channels first.");
			if (p.frames().isEmpty()) throw new IllegalArgumentException(s.name() + " holds no image.");
			if (channels < 0) {
				channels = p.channels();
				depth = p.bitDepth();
				first = s.name();
				stats = new Stats[channels];
				for (int c = 0; c < channels; c++)
					stats[c] = new Stats(depth);
				commonW = p.width();
				commonH = p.height();
			}
			else if (p.channels() != channels) throw new IllegalArgumentException(s.name() + " has " + p.channels() +
				" channel(s) but " + first + " has " + channels + ": a training set's images all have the same channels.");
			else if (p.bitDepth() != depth) throw new IllegalArgumentException(s.name() + " is " + p.bitDepth() +
				"-bit but " + first + " is " + depth + "-bit: a training set's images all have the same bit depth " +
				"(their intensities are mapped to 8-bit together).");
			if (p.width() != commonW || p.height() != commonH) mixed = true;
			if (r.size() > 0 && (p.width() < r.size() || p.height() < r.size())) throw new IllegalArgumentException(
				s.name() + " is " + p.width() + " x " + p.height() + " pixels, smaller than --size " + r.size() +
					": give a smaller --size or leave the image out (images are never scaled up).");
			for (final float[][] f : p.frames())
				for (int c = 0; c < channels; c++)
					stats[c].add(f[c], s.name());
			shapes.add(new int[] { p.width(), p.height(), p.frames().size() });
			if (r.classes() != null && classOf(r, s) == null) throw new IllegalArgumentException("The class list " +
				"names no class for " + s.name() + ": give every image a class (file name, class).");
		}
		final int size;
		if (r.size() > 0) size = r.size();
		else if (mixed) throw new IllegalArgumentException("The images have different sizes (" + first + ": " +
			commonW + " x " + commonH + ", and others): give --size N to cut them into N x N tiles.");
		else if (commonW != commonH || commonW < 8 || Integer.bitCount(commonW) != 1) throw new IllegalArgumentException(
			"The images are " + commonW + " x " + commonH + " pixels, not square with a power-of-two side: give " +
				"--size N (128, 256, 512, ...) to cut them into N x N tiles.");
		else size = commonW;
		final int stride = r.stride() > 0 ? r.stride() : size;
		final IntensityMapping mapping = mapping(stats, depth);
		final List<String> classNames = r.classes() == null ? List.of() : List.copyOf(new TreeSet<>(r.classes()
			.values()));
		final String mode = channels == 1 ? "L" : "RGB";

		// Pass 2: the PNGs, into a temporary file beside the zip, renamed when complete.
		final Path out = r.out().toAbsolutePath().normalize();
		final Path dir = out.getParent();
		Files.createDirectories(dir);
		final Path tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".writing");
		int count = 0;
		final JsonArray labels = new JsonArray();
		final JsonArray record = new JsonArray();
		try {
			try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
				zip.setMethod(ZipOutputStream.STORED); // PNGs are compressed already; NVIDIA's dataset_tool stores too
				for (int k = 0; k < r.sources().size(); k++) {
					final Source s = r.sources().get(k);
					final Picture p = s.read();
					if (p.width() != shapes.get(k)[0] || p.height() != shapes.get(k)[1] || p.frames().size() != shapes.get(
						k)[2]) throw new IllegalArgumentException(s.name() + " changed while the training set was written.");
					final int[] xs = starts(p.width(), size, stride), ys = starts(p.height(), size, stride);
					final int before = count;
					for (final float[][] f : p.frames())
						for (final int y : ys)
							for (final int x : xs) {
								stop();
								final String name = String.format(Locale.ROOT, "%05d/img%08d.png", count / PER_FOLDER, count);
								put(zip, name, png(f, p.width(), x, y, size, mapping, mode));
								if (r.classes() != null) {
									final JsonArray pair = new JsonArray();
									pair.add(name);
									pair.add(classNames.indexOf(classOf(r, s)));
									labels.add(pair);
								}
								count++;
							}
					final JsonObject src = new JsonObject();
					src.addProperty("name", s.file() != null ? s.file().getFileName().toString() : s.name());
					src.addProperty("width", p.width());
					src.addProperty("height", p.height());
					src.addProperty("frames", p.frames().size());
					src.addProperty("images", count - before);
					if (r.classes() != null) src.addProperty("class", classOf(r, s));
					record.add(src);
				}
				final JsonObject ds = new JsonObject();
				ds.add("labels", r.classes() == null ? com.google.gson.JsonNull.INSTANCE : labels);
				put(zip, "dataset.json", (new GsonBuilder().serializeNulls().create().toJson(ds) + "\n").getBytes(StandardCharsets.UTF_8));
				final Result res = new Result(r.out(), count, r.sources().size(), size, channels, mode, depth, mapping,
					classNames);
				put(zip, MAPPING_FILE, describe(res, stride, record).getBytes(StandardCharsets.UTF_8));
			}
			stop();
			if (Files.exists(out)) throw new IllegalArgumentException("--out " + out + " appeared while the training " +
				"set was written: nothing was overwritten; choose a new file name.");
			Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (final IOException | RuntimeException | Error e) {
			Files.deleteIfExists(tmp);
			throw e;
		}
		log.accept("Wrote " + r.out() + ": " + count + " images of " + size + " x " + size + " (" + mode +
			(channels == 2 ? ", the two channels as red and green, blue empty" : "") + ") from " + r.sources().size() +
			" source image(s)" + (classNames.isEmpty() ? "" : " in " + classNames.size() + " classes"));
		return new Result(r.out(), count, r.sources().size(), size, channels, mode, depth, mapping, classNames);
	}

	/** The tile origins along one side: every stride, the last one flush with the far edge. */
	static int[] starts(final int length, final int size, final int stride) {
		final List<Integer> s = new ArrayList<>();
		for (int v = 0; v + size <= length; v += stride)
			s.add(v);
		if (s.get(s.size() - 1) + size < length) s.add(length - size);
		return s.stream().mapToInt(Integer::intValue).toArray();
	}

	private static String classOf(final Request r, final Source s) {
		final String byFile = s.file() == null ? null : r.classes().get(s.file().getFileName().toString());
		return byFile != null ? byFile : r.classes().get(s.name());
	}

	private static void stop() {
		if (ShutdownGuard.stopping() || Thread.currentThread().isInterrupted()) throw new IllegalStateException(
			"interrupted; no training set was written.");
	}

	/** The zip's mapping record: the same mapping format as an inverted image's (IntensityMapping.encode). */
	static String describe(final Result r, final int stride, final JsonArray sources) {
		final JsonObject o = new JsonObject();
		o.addProperty("format", FORMAT);
		o.addProperty("version", 1);
		o.addProperty("images", r.images());
		o.addProperty("size", r.size());
		o.addProperty("stride", stride);
		o.addProperty("channels", r.channels());
		o.addProperty("png_mode", r.pngMode());
		final JsonArray empty = new JsonArray();
		if (r.channels() == 2) empty.add(2);
		o.add("empty_png_channels", empty);
		o.addProperty("bit_depth", r.bitDepth());
		final JsonObject in = new JsonObject();
		in.addProperty("mapping", r.mapping().encode());
		in.addProperty("units", "per channel 'source_low source_high png_low png_high': source intensity to the PNG's " +
			"0..255, linear, clipped; NVIDIA's trainer reads a PNG value p as p / 127.5 - 1");
		in.addProperty("rule", r.bitDepth() == 8 ? "8-bit values kept as they are" : "per channel, the " +
			IntensityMapping.LOW + " and " + IntensityMapping.HIGH + " percentiles of all its pixels go to 0 and 255 " +
			"(the rule Invert uses)");
		o.add("intensity", in);
		final JsonArray cls = new JsonArray();
		r.classes().forEach(cls::add);
		o.add("classes", cls);
		o.add("sources", sources);
		return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
	}

	/**
	 * The intensity record of a bundle ({@code intensity.source} in model.json), as an {@link IntensityMapping}
	 * between source intensities and the generator's units; null if the bundle has none.
	 */
	public static IntensityMapping sourceMapping(final ModelMetadata m) {
		return m.sourceIntensity() == null ? null : IntensityMapping.decode(m.sourceIntensity().mapping());
	}

	/** Reads a zip's (or a lone file's) mapping record; refuses anything else with one sentence. */
	public static JsonObject readRecord(final Path file) throws IOException {
		final String text;
		if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
			try (var z = new java.util.zip.ZipFile(file.toFile())) {
				final ZipEntry e = z.getEntry(MAPPING_FILE);
				if (e == null) throw new IllegalArgumentException(file + " holds no " + MAPPING_FILE + ": give a zip " +
					"written by 'draggan dataset'.");
				text = new String(z.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
			}
		}
		else text = Files.readString(file, StandardCharsets.UTF_8);
		try {
			final JsonObject o = JsonParser.parseString(text).getAsJsonObject();
			if (!FORMAT.equals(o.get("format").getAsString())) throw new IllegalStateException();
			return o;
		}
		catch (final RuntimeException e) {
			throw new IllegalArgumentException(file + " is not a 'draggan dataset' record (" + MAPPING_FILE + ").");
		}
	}

	private static void put(final ZipOutputStream zip, final String name, final byte[] data) throws IOException {
		final ZipEntry e = new ZipEntry(name);
		final CRC32 crc = new CRC32();
		crc.update(data);
		e.setMethod(ZipEntry.STORED);
		e.setSize(data.length);
		e.setCompressedSize(data.length);
		e.setCrc(crc.getValue());
		e.setTime(0L + 315532800000L); // 1980-01-01: the zip does not depend on when it was written
		zip.putNextEntry(e);
		zip.write(data);
		zip.closeEntry();
	}

	/** One tile as PNG bytes: L for one channel, RGB for 2 (blue 0) or 3. */
	static byte[] png(final float[][] f, final int width, final int x0, final int y0, final int size,
		final IntensityMapping map, final String mode) throws IOException
	{
		final int channels = f.length;
		final BufferedImage img;
		if (mode.equals("L")) {
			img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
			final byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++)
					px[y * size + x] = (byte) level(map, 0, f[0][(y0 + y) * width + x0 + x]);
		}
		else {
			img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
			final byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++) {
					final int i = (y0 + y) * width + x0 + x, o = 3 * (y * size + x);
					px[o + 2] = (byte) level(map, 0, f[0][i]); // R
					px[o + 1] = (byte) level(map, 1, f[1][i]); // G
					px[o] = channels > 2 ? (byte) level(map, 2, f[2][i]) : 0; // B
				}
		}
		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		if (!ImageIO.write(img, "png", (OutputStream) bytes)) throw new IOException("no PNG writer in this Java");
		return bytes.toByteArray();
	}

	/** A source value as a PNG level: the mapping, clipped to 0..255, rounded. */
	static int level(final IntensityMapping map, final int c, final float v) {
		return (int) Math.round(map.toModel(c, v, 0, 255));
	}

	/** The mapping from the channels' statistics: 8-bit kept, else the percentiles to 0 and 255. */
	static IntensityMapping mapping(final Stats[] stats, final int depth) {
		final int n = stats.length;
		final double[] sl = new double[n], sh = new double[n], dl = new double[n], dh = new double[n];
		for (int c = 0; c < n; c++) {
			dl[c] = 0;
			dh[c] = 255;
			if (depth == 8) {
				sl[c] = 0;
				sh[c] = 255;
				continue;
			}
			sl[c] = stats[c].percentile(IntensityMapping.LOW);
			sh[c] = stats[c].percentile(IntensityMapping.HIGH);
			if (sh[c] <= sl[c]) sh[c] = sl[c] + 1; // a flat channel: as IntensityMapping.fit
		}
		return new IntensityMapping(sl, sh, dl, dh);
	}

	/**
	 * One channel's intensities over all images, for IntensityMapping's percentile (interpolated between sorted
	 * values): exact for 8- and 16-bit (a histogram of the values), a regular subsample of 32-bit beyond
	 * {@link #FLOAT_SAMPLE} values.
	 */
	static final class Stats {
		private final long[] hist;
		private float[] sample = new float[1024];
		private int n, step = 1;
		private long seen;

		Stats(final int depth) {
			hist = depth == 32 ? null : new long[depth == 8 ? 256 : 65536];
		}

		void add(final float[] values, final String name) {
			for (final float v : values) {
				if (hist != null) {
					hist[(int) v]++;
					continue;
				}
				if (!Float.isFinite(v)) throw new IllegalArgumentException(name + " has NaN or infinite pixels: " +
					"replace them first (Process > Math > Remove NaNs...).");
				if (seen++ % step != 0) continue;
				if (n == sample.length) {
					if (n >= FLOAT_SAMPLE) { // keep every second value, take every second from now on
						for (int i = 0; i < n / 2; i++)
							sample[i] = sample[2 * i];
						n /= 2;
						step *= 2;
					}
					else sample = Arrays.copyOf(sample, n * 2);
				}
				sample[n++] = v;
			}
		}

		/** IntensityMapping's percentile of the values (0..100). */
		double percentile(final double p) {
			if (hist == null) {
				final float[] s = Arrays.copyOf(sample, n);
				Arrays.sort(s);
				final double pos = p / 100 * (s.length - 1);
				final int i = (int) Math.floor(pos), j = Math.min(i + 1, s.length - 1);
				return s[i] + (pos - i) * (s[j] - s[i]);
			}
			long total = 0;
			for (final long h : hist)
				total += h;
			final double pos = p / 100 * (total - 1);
			final long i = (long) Math.floor(pos);
			final double a = valueAt(i), b = valueAt(Math.min(i + 1, total - 1));
			return a + (pos - i) * (b - a);
		}

		/** The k-th smallest value (0-based) of the histogram. */
		private double valueAt(final long k) {
			long acc = 0;
			for (int v = 0; v < hist.length; v++) {
				acc += hist[v];
				if (acc > k) return v;
			}
			return hist.length - 1;
		}
	}

	private static boolean same(final Path a, final Path b) {
		try {
			if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
		}
		catch (final IOException e) {
			// compare the paths
		}
		return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
	}

	/** What the user reads after the zip is written (Result.report): the mapping, the training and the conversion commands. */
	static String report(final Result r) {
		final StringBuilder s = new StringBuilder();
		s.append("Intensity mapping (source -> 0..255 per channel, stored in the zip as ").append(
			MAPPING_FILE).append("):\n");
		for (int c = 0; c < r.channels(); c++)
			s.append(String.format(java.util.Locale.ROOT, "  channel %d: %s -> 0, %s -> 255%n", c + 1, num(r.mapping()
				.srcLow()[c]), num(r.mapping().srcHigh()[c])));
		s.append("Train with NVIDIA's stylegan2-ada-pytorch (in a checkout of it, on the GPU machine):\n");
		s.append("  1 GPU:  ").append(r.trainCommand(1)).append('\n');
		s.append("  8 GPUs: ").append(r.trainCommand(8)).append('\n');
		if (r.channels() == 2) s.append("  (2 channels: red and green of RGB PNGs, blue empty; the conversion drops " +
			"the blue channel)\n");
		s.append("Then convert the snapshot you keep:\n  ").append(r.convertCommand());
		return s.toString();
	}

	private static String num(final double v) {
		return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.6g", v);
	}

	/** A CSV of 'file name,class' rows (a header row 'file,class' is skipped). */
	public static Map<String, String> readClasses(final Path file) throws IOException {
		if (!Files.isRegularFile(file)) throw new IllegalArgumentException("No such class list: " + file);
		final List<String> lines;
		try {
			lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		}
		catch (final CharacterCodingException e) {
			throw new IllegalArgumentException("The class list " + file + " is not a text file: give a CSV of " +
				"'file name,class' rows.");
		}
		final Map<String, String> out = new LinkedHashMap<>();
		for (int i = 0; i < lines.size(); i++) {
			final String l = lines.get(i).strip();
			if (l.isEmpty()) continue;
			final String[] f = l.split(",", -1);
			if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) throw new IllegalArgumentException("Line " + (i +
				1) + " of " + file + " is not 'file name,class': " + l);
			if (i == 0 && f[0].strip().equalsIgnoreCase("file") && f[1].strip().equalsIgnoreCase("class")) continue;
			out.put(Path.of(f[0].strip()).getFileName().toString(), f[1].strip());
		}
		if (out.isEmpty()) throw new IllegalArgumentException("The class list " + file + " names no images.");
		return out;
	}
}
