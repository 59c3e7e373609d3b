package io.github.dragganfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.github.dragganfiji.runtime.DjlRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading real bundles through the real engine, and each malformed-bundle case. */
class GeneratorBundleTest {

	@TempDir
	Path tmp;

	@Test
	void loadsAndRunsEveryMethod() {
		final DjlRuntime.Info info = DjlRuntime.start(null);
		assertTrue(info.libtorchVersion().startsWith("2.7.1"), info.libtorchVersion());
		assertEquals("true", System.getProperty("ai.djl.offline"));
		assertEquals("false", System.getProperty("ai.djl.pytorch.graph_optimizer"));
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu());
			NDManager m = g.manager().newSubManager())
		{
			final NDArray z = m.randomNormal(new Shape(2, 32));
			final NDArray ws = g.mapping(z, 0.7f);
			assertEquals(new Shape(2, 8, 32), ws.getShape());
			final Generator.Head head = g.head(ws, false);
			assertEquals(new Shape(2, 32, 16, 16), head.features().getShape());
			assertEquals(new Shape(2, 3, 16, 16), head.image().getShape());
			final NDArray viaTail = g.tail(head.features(), head.image(), ws, false);
			final NDArray direct = g.synthesis(ws, false);
			assertEquals(new Shape(2, 3, 32, 32), direct.getShape());
			assertEquals(0f, viaTail.sub(direct).abs().max().getFloat(), 1e-6f, "tail(head(ws)) == synthesis(ws)");
			// psi = 0 gives w_avg in every layer
			final NDArray avg = g.wAvg(m);
			final NDArray ws0 = g.mapping(z, 0f);
			assertEquals(0f, ws0.sub(avg).abs().max().getFloat(), 1e-5f);
		}
	}

	@Test
	void conditionalModelsTakeAClass() {
		try (Generator g = GeneratorBundle.load(TestBundles.FIXTURES.resolve("tiny-cond"), Device.cpu());
			NDManager m = g.manager().newSubManager())
		{
			assertEquals(3, g.metadata().cDim());
			final NDArray z = m.randomNormal(new Shape(2, 32));
			final NDArray c0 = g.mappingC(z, 0, 0.7f), c1 = g.mappingC(z, 1, 0.7f);
			assertEquals(new Shape(2, 8, 32), c1.getShape());
			assertTrue(c0.sub(c1).abs().max().getFloat() > 1e-3, "the class changes w");
			assertEquals(0f, c0.sub(g.mapping(z, 0.7f)).abs().max().getFloat(), 1e-6f, "mapping = class 0");
			final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
				IllegalArgumentException.class, () -> g.mappingC(z, 3, 0.7f));
			assertTrue(e.getMessage().contains("outside 0..2"), e.getMessage());
		}
		assertEquals(0, GeneratorBundle.readMetadata(TestBundles.TINY).cDim(), "c_dim is optional");
	}

	@Test
	void checksumMismatch() throws IOException {
		final Path dir = TestBundles.copyTiny(tmp);
		Files.write(dir.resolve("generator.pt"), new byte[] { 0 }, StandardOpenOption.APPEND);
		final InvalidBundleException e = load(dir);
		assertEquals(dir.resolve("generator.pt"), e.file());
		assertTrue(e.problem().startsWith("checksum mismatch"), e.problem());
	}

	@Test
	void missingWeights() throws IOException {
		final Path dir = TestBundles.copyTiny(tmp);
		Files.delete(dir.resolve("generator.pt"));
		final InvalidBundleException e = load(dir);
		assertEquals(dir.resolve("generator.pt"), e.file());
		assertTrue(e.problem().startsWith("file not found"), e.problem());
	}

	@Test
	void notTorchScript() throws IOException {
		final Path dir = TestBundles.copyTiny(tmp);
		Files.writeString(dir.resolve("generator.pt"), "this is not a zip archive");
		final String sha = GeneratorBundle.sha256(dir.resolve("generator.pt"));
		TestBundles.editJson(dir, o -> o.getAsJsonObject("weights").addProperty("sha256", sha));
		final InvalidBundleException e = load(dir);
		assertEquals(dir.resolve("generator.pt"), e.file());
		assertTrue(e.problem().startsWith("not a TorchScript module"), e.problem());
	}

	@Test
	void missingMethod() throws IOException {
		final Path dir = TestBundles.copyTiny(tmp);
		Files.copy(TestBundles.NO_TAIL, dir.resolve("generator.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		final String sha = GeneratorBundle.sha256(dir.resolve("generator.pt"));
		TestBundles.editJson(dir, o -> o.getAsJsonObject("weights").addProperty("sha256", sha));
		final InvalidBundleException e = load(dir);
		assertEquals(dir.resolve("generator.pt"), e.file());
		assertTrue(e.problem().startsWith("the TorchScript module lacks method(s) tail"), e.problem());
	}

	@Test
	void metadataThatDisagreesWithTheModule() throws IOException {
		assertDisagreement(o -> o.addProperty("num_ws", 7), "mapping output");
		assertDisagreement(o -> o.addProperty("w_dim", 64), "mapping output");
		assertDisagreement(o -> o.getAsJsonObject("feature_block").addProperty("channels", 16), "feature_block");
		assertDisagreement(o -> o.addProperty("image_channels", 1), "image [1, image_channels");
		assertDisagreement(o -> o.addProperty("resolution", 64), "image [1, image_channels");
	}

	@Test
	void wrongZDimFailsWhenCalled() throws IOException {
		final Path dir = TestBundles.copyTiny(Files.createTempDirectory(tmp, "z"));
		TestBundles.editJson(dir, o -> o.addProperty("z_dim", 16));
		final InvalidBundleException e = load(dir);
		assertEquals(dir.resolve("generator.pt"), e.file());
		assertTrue(e.problem().startsWith("does not behave like a DragGAN generator: mapping(z, psi) failed ("), e
			.problem());
		assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("Traceback"), "one line, no " +
			"TorchScript traceback: " + e.getMessage());
	}

	private void assertDisagreement(final java.util.function.Consumer<com.google.gson.JsonObject> edit,
		final String what) throws IOException
	{
		final Path dir = TestBundles.copyTiny(Files.createTempDirectory(tmp, "case"));
		TestBundles.editJson(dir, edit);
		final InvalidBundleException e = load(dir);
		assertEquals(dir.resolve("model.json"), e.file());
		assertTrue(e.problem().startsWith("metadata disagrees with the generator: " + what), e.problem());
	}

	private static InvalidBundleException load(final Path dir) {
		final InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> GeneratorBundle.load(dir,
			Device.cpu()).close());
		assertNotNull(e.getMessage());
		return e;
	}
}
