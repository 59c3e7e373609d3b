package io.github.dragganfiji.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

import io.github.dragganfiji.runtime.DjlRuntime;
import io.github.dragganfiji.runtime.PyTorch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Loads and validates generator bundles (a folder with model.json and a TorchScript file; docs/model-format.md). */
public final class GeneratorBundle {

	/** The metadata file's name inside a bundle. */
	public static final String METADATA_FILE = "model.json";

	private GeneratorBundle() {}

	/** Reads and validates only the metadata (cheap: no engine, no checksum). */
	public static ModelMetadata readMetadata(final Path dir) {
		requireFolder(dir);
		return ModelMetadata.read(dir.resolve(METADATA_FILE));
	}

	/**
	 * Loads a bundle onto a device after checking its metadata, its checksum, its methods and that the module's
	 * outputs have the shapes the metadata announces. Starts DJL if needed.
	 *
	 * @throws InvalidBundleException naming the file and the problem
	 */
	public static Generator load(final Path dir, final Device device) {
		final ModelMetadata meta = readMetadata(dir);
		final Path weights = dir.resolve(meta.weightsFile());
		if (!Files.isRegularFile(weights)) throw new InvalidBundleException(weights, "file not found (named by " +
			METADATA_FILE + ")");
		final String actual = sha256(weights);
		if (!actual.equals(meta.sha256())) throw new InvalidBundleException(weights, "checksum mismatch: " +
			METADATA_FILE + " says " + meta.sha256() + " but the file's SHA-256 is " + actual +
			"; the file is damaged or was replaced");
		DjlRuntime.start(null);
		final Model model = Model.newInstance(meta.name(), device, PyTorch.ENGINE);
		try {
			final String prefix = meta.weightsFile().substring(0, meta.weightsFile().length() - 3);
			model.load(dir, prefix, Map.of("trainParam", "true"));
			final Block block = model.getBlock();
			block.freezeParameters(true);
			final Generator g = new Generator(dir, meta, model, block);
			requireMethods(weights, g, meta.cDim() > 0);
			checkShapes(g, dir.resolve(METADATA_FILE), weights);
			RenderCheck.checkOnLoad(g);
			return g;
		}
		catch (final MalformedModelException | IOException | EngineException | ClassCastException e) {
			model.close();
			throw new InvalidBundleException(weights, "not a TorchScript module this plugin can load (" + PyTorch
				.oneLine(e) + ")", e);
		}
		catch (final RuntimeException e) {
			model.close();
			throw e;
		}
	}

	private static void requireFolder(final Path dir) {
		if (!Files.exists(dir)) throw new InvalidBundleException(dir, "bundle folder not found");
		if (!Files.isDirectory(dir)) throw new InvalidBundleException(dir,
			"not a folder (a bundle is a folder holding " + METADATA_FILE + " and generator.pt)");
	}

	private static void requireMethods(final Path weights, final Generator g, final boolean conditional) {
		final List<String> names = Arrays.asList(g.methodNames());
		final List<String> missing = new ArrayList<>();
		for (final String m : Generator.METHODS)
			if (!names.contains(m)) missing.add(m);
		if (conditional && !names.contains("mapping_c")) missing.add("mapping_c (c_dim > 0)");
		if (!missing.isEmpty()) throw new InvalidBundleException(weights, "the TorchScript module lacks method(s) " +
			String.join(", ", missing) + " (it has " + String.join(", ", names) + ")");
	}

	/** Runs every method once on z = 0 and compares the shapes with the metadata. */
	private static void checkShapes(final Generator g, final Path json, final Path weights) {
		final ModelMetadata m = g.metadata();
		try (NDManager mm = g.manager().newSubManager()) {
			final NDArray z = mm.zeros(new Shape(1, m.zDim()));
			final NDArray ws = run(weights, "mapping(z, psi)", () -> g.mapping(z, (float) m.truncationPsi()));
			expect(json, "mapping output [1, num_ws, w_dim]", new Shape(1, m.numWs(), m.wDim()), ws.getShape());
			final NDArray avg = run(weights, "w_avg()", () -> g.wAvg(mm));
			expect(json, "w_avg [w_dim]", new Shape(m.wDim()), avg.getShape());
			final Generator.Head head = run(weights, "head(ws)", () -> g.head(ws, false));
			final ModelMetadata.FeatureBlock fb = m.featureBlock();
			expect(json, "feature_block output [1, channels, resolution, resolution]", new Shape(1, fb.channels(), fb
				.resolution(), fb.resolution()), head.features().getShape());
			final NDArray img = run(weights, "tail(feat, img, ws)", () -> g.tail(head.features(), head.image(), ws,
				false));
			expect(json, "image [1, image_channels, resolution, resolution]", new Shape(1, m.imageChannels(), m
				.resolution(), m.resolution()), img.getShape());
		}
	}

	private static <T> T run(final Path weights, final String what, final java.util.function.Supplier<T> call) {
		try {
			return call.get();
		}
		catch (final EngineException | IllegalArgumentException | IllegalStateException e) {
			throw new InvalidBundleException(weights, "does not behave like a DragGAN generator: " + what +
				" failed (" + PyTorch.oneLine(e) + ")", e);
		}
	}

	private static void expect(final Path json, final String what, final Shape expected, final Shape actual) {
		if (!expected.equals(actual)) throw new InvalidBundleException(json, "metadata disagrees with the generator: " +
			what + " should be " + expected + " by the metadata, the generator gives " + actual);
	}

	/**
	 * Writes a generator (e.g. after pivotal tuning) as a new bundle: its TorchScript module and a copy of the source
	 * bundle's model.json with a new name, description and checksum. The source bundle is not touched.
	 */
	public static Path saveAs(final Generator g, final Path dir, final String name, final String description)
		throws IOException
	{
		Files.createDirectories(dir);
		final Path weights = dir.resolve("generator.pt");
		g.saveModule(weights);
		final com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(Files.readString(g.dir()
			.resolve(METADATA_FILE))).getAsJsonObject();
		json.addProperty("name", name);
		json.addProperty("description", description);
		final com.google.gson.JsonObject w = json.getAsJsonObject("weights");
		w.addProperty("file", "generator.pt");
		w.addProperty("sha256", sha256(weights));
		json.addProperty("derived_from", g.metadata().name());
		Files.writeString(dir.resolve(METADATA_FILE), new com.google.gson.GsonBuilder().setPrettyPrinting().create()
			.toJson(json));
		return dir;
	}

	/** Lower-case hex SHA-256 of a file. */
	public static String sha256(final Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			final byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;)
				md.update(buf, 0, n);
			return HexFormat.of().formatHex(md.digest());
		}
		catch (final IOException e) {
			throw new InvalidBundleException(file, "cannot read: " + e.getMessage(), e);
		}
		catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
