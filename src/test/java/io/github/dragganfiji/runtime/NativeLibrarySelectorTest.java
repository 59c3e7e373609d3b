package io.github.dragganfiji.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.runtime.NativeLibraryPlan.Source;
import io.github.dragganfiji.runtime.NativeLibrarySelector.Inputs;

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

	/** A pip torch install: site/torch/lib holds libtorch, site/torch/version.py its version. */
	private Path pipTorch(final String version, final String cuda, final String cudartPackage) throws IOException {
		final Path site = Files.createDirectories(tmp.resolve("site-" + version.replace('+', '_')));
		final Path lib = Files.createDirectories(site.resolve("torch/lib"));
		Files.createFile(lib.resolve(System.mapLibraryName("torch")));
		if (cuda != null) Files.createFile(lib.resolve("libtorch_cuda.so"));
		Files.writeString(site.resolve("torch/version.py"), "from typing import Optional\n\n__all__ = ['__version__']\n" +
			"__version__ = '" + version + "'\ndebug = False\ncuda: Optional[str] = " + (cuda == null ? "None" : "'" +
				cuda + "'") + "\ngit_version = 'cf30153'\n");
		if (cudartPackage != null) {
			Files.createFile(Files.createDirectories(site.resolve("nvidia/" + cudartPackage + "/lib")).resolve(
				"libcudart.so." + cuda.split("\\.")[0]));
			Files.createDirectories(site.resolve("nvidia/cublas/lib"));
		}
		return lib;
	}

	@Test
	void pipCudaTorchOfAnyVersionIsDetectedWithItsCudaRuntime() throws IOException {
		final Path lib = pipTorch("2.11.0+cu130", "13.0", "cu13");
		NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.AUTO, lib, true, null, false));
		assertEquals(Source.EXPLICIT, p.source());
		assertEquals("2.11.0", p.properties().get("PYTORCH_VERSION"));
		assertEquals("cu130", p.properties().get("PYTORCH_FLAVOR"));
		assertEquals(lib.toString(), p.properties().get("PYTORCH_LIBRARY_PATH"));
		assertEquals(lib.getParent().getParent().resolve("nvidia/cu13/lib").toString(), p.properties().get(
			"jna.library.path"));
		assertTrue(p.message().contains("WARNING: no " + System.mapLibraryName("djl_torch")), p.message());
		assertFalse(p.needsNetwork());

		Files.createFile(lib.resolve(System.mapLibraryName("djl_torch"))); // DJL's JNI built for it
		p = NativeLibrarySelector.select(new Inputs(DeviceChoice.GPU, lib, true, null, false));
		assertFalse(p.message().contains("WARNING"), p.message());
		assertTrue(p.message().startsWith("libtorch 2.11.0 (cu130, read from "), p.message());

		// no local version suffix: the flavor comes from version.py's cuda field (cu12 wheels: nvidia/cuda_runtime)
		final Path plain = pipTorch("2.6.0", "12.4", "cuda_runtime");
		final NativeLibrarySelector.Libtorch t = NativeLibrarySelector.detect(plain);
		assertEquals("2.6.0", t.version());
		assertEquals("cu124", t.flavor());
		assertTrue(t.cuda());
		assertEquals(plain.getParent().getParent().resolve("nvidia/cuda_runtime/lib"), t.cudartDir());
	}

	@Test
	void pipCpuTorchIsCpu() throws IOException {
		final Path lib = pipTorch("2.13.0+cpu", null, null);
		final NativeLibraryPlan p = NativeLibrarySelector.select(new Inputs(DeviceChoice.GPU, lib, true, null, true));
		assertEquals("2.13.0", p.properties().get("PYTORCH_VERSION"));
		assertEquals("cpu", p.properties().get("PYTORCH_FLAVOR"));
		assertNull(p.properties().get("jna.library.path"));
		assertFalse(p.needsNetwork());
		assertFalse(NativeLibrarySelector.detect(lib).cuda());
	}

	@Test
	void libtorchArchiveCacheFolderAndBareFiles() throws IOException {
		// the libtorch zip: libtorch/build-version beside libtorch/lib, a hashed cudart inside lib
		final Path zip = Files.createDirectories(tmp.resolve("libtorch/lib"));
		Files.createFile(zip.resolve(System.mapLibraryName("torch")));
		Files.createFile(zip.resolve("libtorch_cuda.so"));
		Files.createFile(zip.resolve("libcudart-9335f6a2.so.12"));
		Files.writeString(zip.getParent().resolve("build-version"), "2.5.1+cu121\n");
		NativeLibrarySelector.Libtorch t = NativeLibrarySelector.detect(zip);
		assertEquals("2.5.1", t.version());
		assertEquals("cu121", t.flavor());
		assertNull(t.cudartDir());

		// DJL's own cache folder: its name says it
		t = NativeLibrarySelector.detect(libtorch("2.7.1-cu128-linux-x86_64", true));
		assertEquals("2.7.1", t.version());
		assertEquals("cu128", t.flavor());
		t = NativeLibrarySelector.detect(libtorch("2.7.1-20250812-cpu-linux-x86_64", false));
		assertEquals("cpu", t.flavor());

		// nothing but files: a CUDA build, its CUDA major from libcudart, DJL's version assumed
		final Path bare = libtorch("bare", true);
		Files.createFile(bare.resolve("libcudart.so.12.6.77"));
		t = NativeLibrarySelector.detect(bare);
		assertEquals("cu126", t.flavor());
		assertEquals(NativeLibrarySelector.TORCH_VERSION, t.version());
		assertTrue(t.source().contains("version unknown"), t.source());
		assertEquals("cu130", NativeLibrarySelector.cudaFlavor("13.0"));
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
		d = DeviceDecision.decide(DeviceChoice.GPU, 0, "cu130"); // a CUDA libtorch on a machine without a usable GPU
		assertFalse(d.gpu());
		assertTrue(d.fellBack());
		assertTrue(d.message().contains("CUDA build (cu130)") && d.message().contains("CUDA 13.0") && d.message()
			.endsWith("using the CPU instead."), d.message());
		assertEquals(DeviceChoice.GPU, DeviceChoice.parse(" Gpu "));
		assertEquals(DeviceChoice.AUTO, DeviceChoice.parse(""));
		final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
			IllegalArgumentException.class, () -> DeviceChoice.parse("tpu"));
		assertTrue(e.getMessage().contains("auto, cpu or gpu"));
	}
}
