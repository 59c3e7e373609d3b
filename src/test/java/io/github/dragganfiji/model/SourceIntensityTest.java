package io.github.dragganfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json's optional intensity.source (written by convert --dataset): read, and refused when damaged. */
class SourceIntensityTest {

	@TempDir
	Path tmp;

	private Path with(final String mapping, final int depth) throws IOException {
		final Path b = TestBundles.copyTiny(tmp.resolve(mapping.hashCode() + "-" + depth));
		TestBundles.editJson(b, o -> {
			final JsonObject s = new JsonObject();
			s.addProperty("bit_depth", depth);
			s.addProperty("mapping", mapping);
			o.getAsJsonObject("intensity").add("source", s);
		});
		return b;
	}

	@Test
	void readWhenPresentAbsentOtherwise() throws IOException {
		assertNull(ModelMetadata.read(TestBundles.TINY.resolve("model.json")).sourceIntensity());
		final ModelMetadata m = ModelMetadata.read(with("100 3000 -1 1;0 255 -1 1;5.5 6.5 -1 1", 16).resolve(
			"model.json"));
		assertEquals(16, m.sourceIntensity().bitDepth());
		assertEquals("100 3000 -1 1;0 255 -1 1;5.5 6.5 -1 1", m.sourceIntensity().mapping());
	}

	@Test
	void damagedRecordsAreRefusedNamingTheField() throws IOException {
		final String[][] bad = { { "100 3000 -1 1", "16", "has 1 channel(s), but the model makes 3" },
			{ "1 2 -1 1;1 2 -1 1;1 x -1 1", "16", "four numbers per channel" },
			{ "3 2 -1 1;1 2 -1 1;1 2 -1 1", "16", "source low < high" },
			{ "1 2 -1 1;1 2 -1 1;1 2 -1 1", "12", "must be 8, 16 or 32" } };
		for (final String[] c : bad) {
			final Path json = with(c[0], Integer.parseInt(c[1])).resolve("model.json");
			final InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelMetadata.read(json));
			assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("intensity.source"), e.getMessage());
		}
	}
}
