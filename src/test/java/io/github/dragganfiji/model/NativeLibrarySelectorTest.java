package io.github.dragganfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.model.NativeLibraryPlan.Source;
import io.github.dragganfiji.model.NativeLibrarySelector.Inputs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native-library decision, on fake folders: the part of GPU support that can be tested without a GPU. */
class NativeLibrarySelectorTest {

	@TempDir
	Path tmp;

	private Path libtorch(final String name, final boolean cuda) throws IOException {
		final Path dir = Files.createDirectories(tmp.resolve(name));
		Files.createFile(dir.resolve(System.mapLibraryName("torch")));
		if (cuda) Files.createFile(dir.resolve("libtorch_cuda.so"));
		return dir;
	}

	@Test
	void explicitFolderWinsAndItsFlavorIsDetected() throws IOException {
		final Path gpu = libtorch("mine-cuda", true);
		NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.CPU, gpu, false, null, false));
		assertEquals(Source.EXPLICIT, p.source());
		assertEquals(gpu.toString(), p.properties().get("PYTORCH_LIBRARY_PATH"));
		assertEquals("cu128", p.properties().get("PYTORCH_FLAVOR"));
		assertEquals("2.7.1", p.properties().get("PYTORCH_VERSION"));

		final Path cpu = libtorch("mine-cpu", false);
		p = NativeLibrarySelector.select(new Inputs(DeviceChoice.GPU, cpu, true, null, true));
		assertEquals(Source.EXPLICIT, p.source());
		assertEquals("cpu", p.properties().get("PYTORCH_FLAVOR"));
		assertFalse(p.needsNetwork());
	}

	@Test
	void noDriverMeansBundledCpu() {
		final NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.GPU, null, false, null,
			true));
		assertEquals(Source.BUNDLED_CPU, p.source());
		assertTrue(p.properties().isEmpty());
		assertTrue(p.message().contains("no NVIDIA driver"), p.message());
	}

	@Test
	void cpuChoiceKeepsBundledEvenWithAGpu() throws IOException {
		final Path cached = libtorch("2.7.1-cu128-linux-x86_64", true);
		final NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.CPU, null, true, cached,
			true));
		assertEquals(Source.BUNDLED_CPU, p.source());
	}

	@Test
	void driverWithCachedCudaUsesTheCacheOffline() throws IOException {
		final Path cached = libtorch("2.7.1-cu128-linux-x86_64", true);
		final NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.AUTO, null, true, cached,
			false));
		assertEquals(Source.CUDA_CACHE, p.source());
		assertEquals(cached.toString(), p.properties().get("PYTORCH_LIBRARY_PATH"));
		assertEquals("cu128", p.properties().get("PYTORCH_FLAVOR"));
		assertFalse(p.needsNetwork());
	}

	@Test
	void driverWithoutCacheDownloadsOnlyWhenAllowed() {
		NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.AUTO, null, true, null, true));
		assertEquals(Source.CUDA_DOWNLOAD, p.source());
		assertTrue(p.needsNetwork());
		assertEquals("false", p.properties().get("ai.djl.offline"));

		p = NativeLibrarySelector.select(new Inputs(DeviceChoice.GPU, null, true, null, false));
		assertEquals(Source.BUNDLED_CPU, p.source());
		assertFalse(p.needsNetwork());
		assertTrue(p.message().contains("CUDA natives are not installed"), p.message());
	}

	@Test
	void findsOnlyCompleteCudaCacheFolders() throws IOException {
		final Path cache = Files.createDirectories(tmp.resolve("cache"));
		assertNull(NativeLibrarySelector.findCachedCuda(cache.resolve("absent")));
		Files.createDirectories(cache.resolve("2.7.1-cu128-linux-x86_64")); // empty: an interrupted download
		Files.createDirectories(cache.resolve("2.7.1-20250812-cpu-linux-x86_64"))
			.resolve(System.mapLibraryName("torch")).toFile().createNewFile();
		assertNull(NativeLibrarySelector.findCachedCuda(cache));
		Files.createFile(cache.resolve("2.7.1-cu128-linux-x86_64").resolve(System.mapLibraryName("torch")));
		assertEquals(cache.resolve("2.7.1-cu128-linux-x86_64"), NativeLibrarySelector.findCachedCuda(cache));
	}

	@Test
	void deviceDecision() {
		DeviceDecision d = DeviceDecision.decide(DeviceChoice.GPU, 0, "cpu");
		assertFalse(d.gpu());
		assertTrue(d.fellBack());
		assertTrue(d.message().startsWith("A GPU was requested but none is usable"), d.message());
		d = DeviceDecision.decide(DeviceChoice.AUTO, 2, "cu128");
		assertTrue(d.gpu());
		assertFalse(d.fellBack());
		d = DeviceDecision.decide(DeviceChoice.CPU, 2, "cu128");
		assertFalse(d.gpu());
		assertEquals(DeviceChoice.GPU, DeviceChoice.parse(" Gpu "));
		assertEquals(DeviceChoice.AUTO, DeviceChoice.parse(""));
		final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
			IllegalArgumentException.class, () -> DeviceChoice.parse("tpu"));
		assertTrue(e.getMessage().contains("auto, cpu or gpu"));
	}
}
