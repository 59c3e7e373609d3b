package io.github.dragganfiji.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Chooses the libtorch build before DJL starts, so that a GPU user is not pinned to the CPU build.
 * <p>
 * The pytorch-native-cpu jar on the class path makes DJL extract and load its CPU build unless told otherwise.
 * This class tells it otherwise, in this order: a folder the user named; DJL's CUDA build already in DJL's cache;
 * DJL's CUDA build fetched now (only when the user allowed the network); else the bundled CPU build. The decision is
 * a pure function of {@link Inputs} so that it can be tested without a GPU.
 */
public final class NativeLibrarySelector {

	/** The libtorch version that pytorch-jni 2.7.1-0.35.1 was built against. */
	public static final String TORCH_VERSION = "2.7.1";
	/** The CUDA flavor whose JNI library ships in pytorch-jni 2.7.1-0.35.1. */
	public static final String CUDA_FLAVOR = "cu128";

	private NativeLibrarySelector() {}

	/**
	 * What the decision depends on.
	 *
	 * @param choice the user's device choice
	 * @param explicitDir a libtorch folder named by PYTORCH_LIBRARY_PATH or the preference, or null
	 * @param nvidiaDriver whether an NVIDIA driver is present on this machine
	 * @param cachedCudaDir DJL's cached CUDA libtorch folder if it holds libtorch, or null
	 * @param allowDownload whether the user allowed fetching natives over the network
	 */
	public record Inputs(DeviceChoice choice, Path explicitDir, boolean nvidiaDriver, Path cachedCudaDir,
		boolean allowDownload) {}

	/** Decides; touches nothing. */
	public static NativeLibraryPlan select(final Inputs in) {
		if (in.explicitDir() != null) {
			final String flavor = hasCudaLibraries(in.explicitDir()) ? CUDA_FLAVOR : "cpu";
			return new NativeLibraryPlan(NativeLibraryPlan.Source.EXPLICIT, in.explicitDir(), Map.of(
				"PYTORCH_LIBRARY_PATH", in.explicitDir().toString(), "PYTORCH_VERSION", TORCH_VERSION,
				"PYTORCH_FLAVOR", flavor), "libtorch (" + flavor + ") from " + in.explicitDir());
		}
		if (in.choice() == DeviceChoice.CPU) return bundled("the CPU was requested");
		if (!in.nvidiaDriver()) return bundled("no NVIDIA driver found");
		if (in.cachedCudaDir() != null) {
			return new NativeLibraryPlan(NativeLibraryPlan.Source.CUDA_CACHE, in.cachedCudaDir(), Map.of(
				"PYTORCH_LIBRARY_PATH", in.cachedCudaDir().toString(), "PYTORCH_VERSION", TORCH_VERSION,
				"PYTORCH_FLAVOR", CUDA_FLAVOR), "DJL's CUDA libtorch from " + in.cachedCudaDir());
		}
		if (in.allowDownload()) {
			return new NativeLibraryPlan(NativeLibraryPlan.Source.CUDA_DOWNLOAD, null, Map.of("PYTORCH_VERSION",
				TORCH_VERSION, "PYTORCH_FLAVOR", CUDA_FLAVOR, "ai.djl.offline", "false"),
				"fetching DJL's CUDA libtorch " + TORCH_VERSION + " once (network allowed by the user)");
		}
		return bundled("an NVIDIA driver is present but CUDA natives are not installed: run once with network " +
			"allowed (-Ddraggan.fetchGpuNatives=true, or the command line's --fetch-gpu-natives) or set " +
			"PYTORCH_LIBRARY_PATH to a libtorch " + TORCH_VERSION + " CUDA 12.8 folder");
	}

	private static NativeLibraryPlan bundled(final String why) {
		return new NativeLibraryPlan(NativeLibraryPlan.Source.BUNDLED_CPU, null, Map.of(),
			"bundled CPU libtorch (" + why + ")");
	}

	/** True when the folder holds a CUDA build of libtorch. */
	static boolean hasCudaLibraries(final Path dir) {
		try (Stream<Path> files = Files.list(dir)) {
			return files.map(p -> p.getFileName().toString()).anyMatch(n -> n.startsWith("libtorch_cuda") ||
				n.startsWith("torch_cuda"));
		}
		catch (final IOException e) {
			return false;
		}
	}

	/**
	 * DJL's CUDA build in its PyTorch cache folder ({@code Utils.getEngineCacheDir("pytorch")}), if it holds libtorch;
	 * else null.
	 */
	public static Path findCachedCuda(final Path pytorchCacheDir) {
		if (!Files.isDirectory(pytorchCacheDir)) return null;
		try (Stream<Path> dirs = Files.list(pytorchCacheDir)) {
			final List<Path> found = dirs.filter(d -> d.getFileName().toString().startsWith(TORCH_VERSION + "-" +
				CUDA_FLAVOR)).filter(d -> Files.isRegularFile(d.resolve(System.mapLibraryName("torch")))).sorted()
				.collect(Collectors.toList());
			return found.isEmpty() ? null : found.get(0);
		}
		catch (final IOException e) {
			return null;
		}
	}

	/** Whether an NVIDIA driver is installed (Linux: /proc/driver/nvidia; elsewhere: nvidia-smi on the PATH). */
	public static boolean nvidiaDriverPresent() {
		if (Files.exists(Path.of("/proc/driver/nvidia/version"))) return true;
		final String path = System.getenv("PATH");
		if (path == null) return false;
		for (final String dir : path.split(java.io.File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, "nvidia-smi")) || Files.isExecutable(Path.of(dir, "nvidia-smi.exe")))
				return true;
		}
		return false;
	}
}
