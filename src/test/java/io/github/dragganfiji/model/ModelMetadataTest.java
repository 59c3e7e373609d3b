package io.github.dragganfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json parsing and validation; no engine needed. */
class ModelMetadataTest {

	@TempDir
	Path tmp;

	@Test
	void readsTheTinyBundle() {
		final ModelMetadata m = GeneratorBundle.readMetadata(TestBundles.TINY);
		assertEquals("tiny-random", m.name());
		assertEquals(32, m.resolution());
		assertEquals(3, m.imageChannels());
		assertEquals(8, m.numWs());
		assertEquals(new ModelMetadata.FeatureBlock(2, 16, 32), m.featureBlock());
		assertEquals(6, m.dragLayers());
		assertEquals(0.002, m.learningRate(), 1e-12);
		assertEquals(-1.0, m.outputMin());
		assertEquals("generator.pt", m.weightsFile());
		assertEquals(64, m.sha256().length());
	}

	@Test
	void missingFolder() {
		final Path dir = tmp.resolve("nope");
		final InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> GeneratorBundle
			.readMetadata(dir));
		assertEquals(dir, e.file());
		assertTrue(e.getMessage().contains("not found"), e.getMessage());
	}

	@Test
	void missingModelJson() throws IOException {
		final Path dir = TestBundles.copyTiny(tmp);
		Files.delete(dir.resolve("model.json"));
		final InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> GeneratorBundle
			.readMetadata(dir));
		assertEquals(dir.resolve("model.json"), e.file());
		assertEquals("file not found", e.problem());
	}

	@Test
	void badJson() throws IOException {
		final Path dir = TestBundles.copyTiny(tmp);
		Files.writeString(dir.resolve("model.json"), "{\"name\": \"x\", ");
		final InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> GeneratorBundle
			.readMetadata(dir));
		assertEquals(dir.resolve("model.json"), e.file());
		assertTrue(e.problem().startsWith("not valid JSON"), e.problem());
	}

	@Test
	void missingField() throws IOException {
		assertProblem(o -> o.remove("num_ws"), "missing field 'num_ws'");
		assertProblem(o -> o.getAsJsonObject("feature_block").remove("channels"),
			"missing field 'feature_block.channels'");
		assertProblem(o -> o.getAsJsonObject("weights").remove("sha256"), "missing field 'weights.sha256'");
	}

	@Test
	void wrongTypesAndValues() throws IOException {
		assertProblem(o -> o.addProperty("resolution", "32"), "field 'resolution' must be a number");
		assertProblem(o -> o.addProperty("resolution", 48), "resolution 48 is not a power of two");
		assertProblem(o -> o.addProperty("z_dim", 3.5), "field 'z_dim' must be a whole number, not 3.5");
		assertProblem(o -> o.addProperty("drag_layers", 9), "field 'drag_layers' = 9 is outside 1..8");
		assertProblem(o -> o.addProperty("learning_rate", 0), "learning_rate must be positive");
		assertProblem(o -> o.addProperty("format_version", 2), "format_version 2 is not supported");
		assertProblem(o -> o.getAsJsonObject("feature_block").addProperty("resolution", 8),
			"feature_block.resolution 8 does not match index 2");
		assertProblem(o -> o.getAsJsonObject("weights").addProperty("sha256", "abc"),
			"weights.sha256 is not 64 hexadecimal digits");
		assertProblem(o -> o.getAsJsonObject("weights").addProperty("file", "../other.pt"),
			"weights.file must be a plain '.pt' file name");
		assertProblem(o -> o.getAsJsonObject("intensity").addProperty("output_max", -1),
			"intensity.output_max must be greater");
		assertProblem(o -> o.addProperty("name", " "), "field 'name' must not be empty");
	}

	@Test
	void channelNamesAndColorsAreOptionalAndChecked() throws IOException {
		assertTrue(GeneratorBundle.readMetadata(TestBundles.TINY).channelNames().isEmpty(), "absent: none");
		final Path dir = TestBundles.copyTiny(Files.createTempDirectory(tmp, "ok"));
		TestBundles.editJson(dir, o -> {
			o.add("channel_names", strings("red stain", "green stain", "blue stain"));
			o.add("channel_colors", strings("Magenta", "#00ff80", "gray"));
		});
		final ModelMetadata m = GeneratorBundle.readMetadata(dir);
		assertEquals(java.util.List.of("red stain", "green stain", "blue stain"), m.channelNames());
		assertEquals(java.util.List.of("magenta", "#00ff80", "gray"), m.channelColors());
		assertProblem(o -> o.add("channel_names", strings("a", "b")),
			"field 'channel_names' has 2 entries, but the model makes 3 channel(s)");
		assertProblem(o -> o.add("channel_colors", strings("red", "green", "teal")), "channel colour 'teal' is not one of");
		assertProblem(o -> o.add("channel_colors", strings("red", "green", "#12345")), "channel colour '#12345'");
		assertProblem(o -> o.addProperty("channel_names", "nuclei"), "field 'channel_names' must be a list of strings");
		assertProblem(o -> o.add("channel_names", strings("a", " ", "c")), "field 'channel_names' must not hold");
	}

	private static com.google.gson.JsonArray strings(final String... s) {
		final com.google.gson.JsonArray a = new com.google.gson.JsonArray();
		for (final String x : s)
			a.add(x);
		return a;
	}

	private void assertProblem(final Consumer<JsonObject> edit, final String expected) throws IOException {
		final Path dir = TestBundles.copyTiny(Files.createTempDirectory(tmp, "case"));
		TestBundles.editJson(dir, edit);
		final InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> GeneratorBundle
			.readMetadata(dir));
		assertEquals(dir.resolve("model.json"), e.file());
		assertTrue(e.problem().startsWith(expected), "expected '" + expected + "', got '" + e.problem() + "'");
	}
}
