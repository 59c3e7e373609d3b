package io.github.dragganfiji.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The committed test fixtures (made by tools/make_test_fixtures.py) and copies of them to damage. */
public final class TestBundles {

	public static final Path FIXTURES = Path.of("src/test/resources/fixtures");
	public static final Path TINY = FIXTURES.resolve("tiny");
	public static final Path PARITY = FIXTURES.resolve("tiny-parity.json");
	public static final Path NO_TAIL = FIXTURES.resolve("no-tail.pt");

	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

	private TestBundles() {}

	/** Copies the tiny bundle into a fresh folder under {@code parent}. */
	public static Path copyTiny(final Path parent) throws IOException {
		final Path dir = Files.createDirectories(parent.resolve("tiny-copy"));
		try (var files = Files.list(TINY)) {
			for (final Path f : (Iterable<Path>) files::iterator)
				Files.copy(f, dir.resolve(f.getFileName()));
		}
		return dir;
	}

	/** Rewrites a bundle's model.json through an editor of its JSON object. */
	public static void editJson(final Path bundle, final Consumer<JsonObject> edit) throws IOException {
		final Path json = bundle.resolve("model.json");
		final JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
		edit.accept(o);
		Files.writeString(json, GSON.toJson(o), StandardCharsets.UTF_8);
	}

	/** Puts a system property back as it was before a test set it ({@code before} null: cleared). */
	public static void restoreProperty(final String key, final String before) {
		if (before == null) System.clearProperty(key);
		else System.setProperty(key, before);
	}

	/** Reads a JSON file as an object. */
	public static JsonObject readJson(final Path file) throws IOException {
		return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
	}

	/** A JSON array of numbers as floats. */
	public static float[] floats(final JsonObject o, final String key) {
		final JsonArray a = o.getAsJsonArray(key);
		final float[] out = new float[a.size()];
		for (int i = 0; i < out.length; i++)
			out[i] = a.get(i).getAsFloat();
		return out;
	}

	/** The parity fixture's latent (W+, the tiny bundle's), the start of the drag tests. */
	public static float[] parityLatent() throws IOException {
		return floats(readJson(PARITY), "ws");
	}
}
