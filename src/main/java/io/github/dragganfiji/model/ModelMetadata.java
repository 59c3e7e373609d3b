package io.github.dragganfiji.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The contents of a bundle's {@code model.json} (see docs/model-format.md), validated.
 *
 * @param name short name of the model
 * @param description what it generates
 * @param license license of the weights
 * @param trainingData what it was trained on
 * @param resolution image width and height in pixels (a power of two)
 * @param imageChannels channels of the generated image
 * @param zDim length of z
 * @param wDim length of w
 * @param numWs number of W+ layers
 * @param featureBlock the synthesis block whose output DragGAN uses
 * @param dragLayers how many leading W+ layers the drag optimizes
 * @param learningRate recommended Adam learning rate for the drag
 * @param truncationPsi default truncation psi
 * @param outputMin generator output mapped to black
 * @param outputMax generator output mapped to full scale
 * @param weightsFile the TorchScript file, relative to the bundle
 * @param sha256 the TorchScript file's SHA-256, lower-case hex
 * @param cDim number of classes of a conditional model (its {@code mapping_c} takes a one-hot label), 0 if none
 * @param channelNames what each image channel shows (e.g. "nuclei", "cytoplasm"), one per channel; empty if the
 *          bundle does not say
 * @param channelColors the display colour of each channel, one per channel: a name of {@link #COLORS} or
 *          {@code #rrggbb}; empty if the bundle does not say (ImageJ's defaults then)
 * @param oneChannelAsTwo whether a one-channel generator computes its image as two channels
 *          ({@code architecture.one_channel = "as-two"}, every export since it existed; docs/reproducibility.md);
 *          true for models of more channels, which need nothing of the kind
 * @param sourceIntensity for a model trained on a 'draggan dataset' set ({@code intensity.source}): the source's
 *          bit depth and the mapping between its intensities and the generator's units; null for other models
 */
public record ModelMetadata(String name, String description, String license, String trainingData, int resolution,
	int imageChannels, int zDim, int wDim, int numWs, FeatureBlock featureBlock, int dragLayers, double learningRate,
	double truncationPsi, double outputMin, double outputMax, String weightsFile, String sha256, int cDim,
	List<String> channelNames, List<String> channelColors, boolean oneChannelAsTwo, SourceIntensity sourceIntensity)
{

	/**
	 * The intensities of the images a model was trained on ({@code intensity.source}, written by {@code draggan convert
	 * --dataset}): Generate writes the model's images in this bit depth and range, Invert maps a source image by it.
	 *
	 * @param bitDepth 8, 16 or 32
	 * @param mapping per channel, 'source_low source_high generator_low generator_high' separated by ';' (the text
	 *          form of core.IntensityMapping)
	 */
	public record SourceIntensity(int bitDepth, String mapping) {}

	/** The colour names {@code channel_colors} may use (or {@code #rrggbb}): ImageJ's LUT colours. */
	public static final List<String> COLORS = List.of("red", "green", "blue", "cyan", "magenta", "yellow", "gray",
		"white", "orange");

	private static final Pattern HEX_COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

	public ModelMetadata {
		channelNames = List.copyOf(channelNames);
		channelColors = List.copyOf(channelColors);
	}

	/** The only format version this code reads. */
	public static final int FORMAT_VERSION = 1;

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	/**
	 * The feature block.
	 *
	 * @param index block index, 0 = the 4x4 block
	 * @param resolution its output's width and height
	 * @param channels its output's channels
	 */
	public record FeatureBlock(int index, int resolution, int channels) {}

	/** Reads and validates a {@code model.json}. */
	public static ModelMetadata read(final Path file) {
		final String text;
		try {
			text = Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (final NoSuchFileException e) {
			throw new InvalidBundleException(file, "file not found");
		}
		catch (final IOException e) {
			throw new InvalidBundleException(file, "cannot read: " + e.getMessage(), e);
		}
		final JsonObject o;
		try {
			final JsonElement root = JsonParser.parseString(text);
			if (!root.isJsonObject()) throw new InvalidBundleException(file, "not a JSON object");
			o = root.getAsJsonObject();
		}
		catch (final JsonParseException e) {
			throw new InvalidBundleException(file, "not valid JSON: " + rootMessage(e), e);
		}
		return parse(new Fields(file, o));
	}

	private static ModelMetadata parse(final Fields f) {
		final int version = f.integer("format_version", 1, Integer.MAX_VALUE);
		if (version != FORMAT_VERSION) f.fail("format_version " + version + " is not supported (this plugin reads " +
			FORMAT_VERSION + ")");
		final int resolution = f.integer("resolution", 8, 8192);
		if (Integer.bitCount(resolution) != 1) f.fail("resolution " + resolution + " is not a power of two");
		final int numWs = f.integer("num_ws", 1, 1024);
		final Fields fb = f.object("feature_block");
		final int fbIndex = fb.integer("index", 0, 64);
		final int fbRes = fb.integer("resolution", 4, resolution);
		if (fbRes != 4 << fbIndex) f.fail("feature_block.resolution " + fbRes + " does not match index " + fbIndex +
			" (block i has resolution 4*2^i)");
		final Fields intensity = f.object("intensity");
		final double min = intensity.number("output_min");
		final double max = intensity.number("output_max");
		if (!(max > min)) f.fail("intensity.output_max must be greater than intensity.output_min");
		final Fields weights = f.object("weights");
		final String weightsFile = weights.string("file");
		if (weightsFile.isEmpty() || weightsFile.contains("/") || weightsFile.contains("\\") || weightsFile.startsWith(
			".") || !weightsFile.endsWith(".pt")) f.fail("weights.file must be a plain '.pt' file name inside the " +
				"bundle, not '" + weightsFile + "'");
		final String sha = weights.string("sha256").toLowerCase(java.util.Locale.ROOT);
		if (!SHA256.matcher(sha).matches()) f.fail("weights.sha256 is not 64 hexadecimal digits");
		final double lr = f.number("learning_rate");
		if (!(lr > 0)) f.fail("learning_rate must be positive");
		final int channels = f.integer("image_channels", 1, 4);
		final List<String> names = f.strings("channel_names", channels);
		for (final String n : names)
			if (n.isBlank()) f.fail("field 'channel_names' must not hold an empty name");
		final List<String> colors = new ArrayList<>();
		for (final String c : f.strings("channel_colors", channels)) {
			final String lower = c.toLowerCase(Locale.ROOT);
			if (!COLORS.contains(lower) && !HEX_COLOR.matcher(c).matches()) f.fail("channel colour '" + c +
				"' is not one of " + String.join(", ", COLORS) + " or #rrggbb");
			colors.add(lower);
		}
		return new ModelMetadata(f.nonEmpty("name"), f.string("description"), f.string("license"), f.string(
			"training_data"), resolution, channels, f.integer("z_dim", 1, 65536), f
				.integer("w_dim", 1, 65536), numWs, new FeatureBlock(fbIndex, fbRes, fb.integer("channels", 1,
					65536)), f.integer("drag_layers", 1, numWs), lr, f.number("truncation_psi"), min, max,
			weightsFile, sha, f.json().has("c_dim") ? f.integer("c_dim", 0, 100000) : 0, names, colors, channels > 1 ||
				ONE_CHANNEL_AS_TWO.equals(oneChannel(f.json())), sourceIntensity(intensity, channels));
	}

	/** {@code intensity.source}, optional: a bit depth and one mapping of four finite numbers per channel. */
	private static SourceIntensity sourceIntensity(final Fields intensity, final int channels) {
		final JsonElement e = intensity.json().get("source");
		if (e == null || e.isJsonNull()) return null;
		if (!e.isJsonObject()) intensity.fail("field 'intensity.source' must be an object");
		final Fields s = intensity.object("source");
		final int depth = s.integer("bit_depth", 8, 32);
		if (depth != 8 && depth != 16 && depth != 32) s.fail("intensity.source.bit_depth must be 8, 16 or 32, not " +
			depth);
		final String mapping = s.string("mapping");
		final String[] ch = mapping.trim().split(";");
		if (ch.length != channels) s.fail("intensity.source.mapping has " + ch.length + " channel(s), but the model " +
			"makes " + channels);
		for (final String c : ch) {
			final String[] v = c.trim().split("\\s+");
			boolean ok = v.length == 4;
			try {
				for (int k = 0; ok && k < 4; k++)
					ok = Double.isFinite(Double.parseDouble(v[k]));
				ok = ok && Double.parseDouble(v[1]) > Double.parseDouble(v[0]) && Double.parseDouble(v[3]) > Double
					.parseDouble(v[2]);
			}
			catch (final NumberFormatException x) {
				ok = false;
			}
			if (!ok) s.fail("intensity.source.mapping must be four numbers per channel (source low < high, " +
				"generator low < high), not '" + c.trim() + "'");
		}
		return new SourceIntensity(depth, mapping);
	}

	/** {@code architecture.one_channel}'s value for the reproducible one-channel formulation. */
	public static final String ONE_CHANNEL_AS_TWO = "as-two";

	private static String oneChannel(final JsonObject o) {
		final JsonElement a = o.get("architecture");
		if (a == null || !a.isJsonObject()) return null;
		final JsonElement v = a.getAsJsonObject().get("one_channel");
		return v != null && v.isJsonPrimitive() ? v.getAsString() : null;
	}

	private static String rootMessage(final Throwable e) {
		Throwable t = e;
		while (t.getCause() != null) t = t.getCause();
		return t.getMessage();
	}

	/** Typed access to a JSON object with errors naming the file and the field. */
	private record Fields(Path file, JsonObject json, String prefix) {

		Fields(final Path file, final JsonObject json) {
			this(file, json, "");
		}

		void fail(final String problem) {
			throw new InvalidBundleException(file, problem);
		}

		private JsonElement get(final String key) {
			final JsonElement e = json.get(key);
			if (e == null || e.isJsonNull()) fail("missing field '" + prefix + key + "'");
			return e;
		}

		String string(final String key) {
			final JsonElement e = get(key);
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) fail("field '" + prefix + key +
				"' must be a string");
			return e.getAsString();
		}

		String nonEmpty(final String key) {
			final String s = string(key);
			if (s.isBlank()) fail("field '" + prefix + key + "' must not be empty");
			return s;
		}

		double number(final String key) {
			final JsonElement e = get(key);
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) fail("field '" + prefix + key +
				"' must be a number");
			final double v = e.getAsDouble();
			if (!Double.isFinite(v)) fail("field '" + prefix + key + "' must be finite");
			return v;
		}

		int integer(final String key, final int min, final int max) {
			final double v = number(key);
			if (v != Math.rint(v)) fail("field '" + prefix + key + "' must be a whole number, not " + v);
			if (v < min || v > max) fail("field '" + prefix + key + "' = " + (long) v + " is outside " + min + ".." +
				max);
			return (int) v;
		}

		/** An optional list of exactly {@code count} strings; empty when the field is absent. */
		List<String> strings(final String key, final int count) {
			final JsonElement e = json.get(key);
			if (e == null || e.isJsonNull()) return List.of();
			if (!e.isJsonArray()) fail("field '" + prefix + key + "' must be a list of strings");
			final List<String> out = new ArrayList<>();
			for (final JsonElement x : e.getAsJsonArray()) {
				if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) fail("field '" + prefix + key +
					"' must be a list of strings");
				out.add(x.getAsString());
			}
			if (out.size() != count) fail("field '" + prefix + key + "' has " + out.size() + " entries, but the model " +
				"makes " + count + " channel(s)");
			return out;
		}

		Fields object(final String key) {
			final JsonElement e = get(key);
			if (!e.isJsonObject()) fail("field '" + prefix + key + "' must be an object");
			return new Fields(file, e.getAsJsonObject(), prefix + key + ".");
		}
	}
}
