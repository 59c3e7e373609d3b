package io.github.dragganfiji.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Chooses the libtorch build before DJL starts, so that a GPU user is not pinned to the CPU build.
 * <p>
 * The pytorch-native-cpu jar on the class path makes DJL extract and load its CPU build unless told otherwise.
 * This class tells it otherwise, in this order: a folder the user named (any libtorch version, CPU or CUDA: its version
 * and flavor are read from the folder, see {@link #detect}; a version other than DJL's own needs DJL's JNI library
 * built for it, tools/gpu/README.md); DJL's CUDA build already in DJL's cache;
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

	/** Decides; touches nothing but reading the explicit folder's files. */
	public static NativeLibraryPlan select(final Inputs in) {
		if (in.explicitDir() != null) return explicit(in.explicitDir());
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
			"PYTORCH_LIBRARY_PATH to a CUDA libtorch folder (DJL's " + TORCH_VERSION + " CUDA 12.8 build, or another " +
			"version with DJL's JNI built for it: tools/gpu/README.md)");
	}

	private static NativeLibraryPlan bundled(final String why) {
		return new NativeLibraryPlan(NativeLibraryPlan.Source.BUNDLED_CPU, null, Map.of(),
			"bundled CPU libtorch (" + why + ")");
	}

	/**
	 * What a libtorch folder holds.
	 *
	 * @param version the libtorch version, e.g. {@code 2.11.0}
	 * @param flavor DJL's flavor name: {@code cpu}, or {@code cuNNN} for a CUDA build (e.g. {@code cu130})
	 * @param source where version and flavor were read, for the log
	 * @param cudartDir a folder holding {@code libcudart.so.N} (the CUDA runtime that DJL's GPU count needs) when it
	 *        is not the libtorch folder itself, e.g. {@code site-packages/nvidia/cu13/lib} of a pip torch; else null
	 * @param hasJni whether DJL's JNI library ({@code libdjl_torch.so}) is in the folder
	 */
	public record Libtorch(String version, String flavor, String source, Path cudartDir, boolean hasJni) {

		/** True for a CUDA build. */
		public boolean cuda() {
			return flavor.startsWith("cu");
		}
	}

	private static final Pattern PY_VERSION = Pattern.compile("(?m)^__version__\\s*=\\s*['\"]([^'\"]+)['\"]");
	private static final Pattern PY_CUDA = Pattern.compile("(?m)^cuda\\s*(?::[^=]*)?=\\s*['\"]([0-9.]+)['\"]");
	private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+)(?:[.a-z0-9]*)?(?:\\+(cpu|cu\\d+))?");
	private static final Pattern CACHE_NAME = Pattern.compile("(\\d+\\.\\d+\\.\\d+)-(?:\\d+-)?(cpu|cu\\d+)(?:-.*)?");
	private static final Pattern CUDART = Pattern.compile("libcudart(?:-[0-9a-f]+)?\\.so\\.(\\d+)(?:\\.(\\d+))?.*|cudart64_(\\d+)\\.dll");

	/**
	 * Reads a libtorch folder's version and flavor, in this order: a Python torch install's {@code version.py} beside
	 * the folder ({@code torch/lib} → {@code torch/version.py}: {@code __version__ = '2.11.0+cu130'},
	 * {@code cuda = '13.0'}); a libtorch archive's {@code build-version} ({@code libtorch/lib} →
	 * {@code libtorch/build-version}: {@code 2.7.1+cu128}); a DJL cache folder's name ({@code 2.7.1-cu128-linux-x86_64});
	 * else the files: {@code libtorch_cuda} means a CUDA build, whose CUDA major version a {@code libcudart*.so.N}
	 * beside it tells, and the version is taken to be DJL's own ({@value #TORCH_VERSION}).
	 */
	public static Libtorch detect(final Path dir) {
		final boolean cudaFiles = hasCudaLibraries(dir);
		final Path cudart = cudaFiles ? findPipCudart(dir) : null;
		final boolean jni = Files.isRegularFile(dir.resolve(System.mapLibraryName("djl_torch"))) || Files
			.isRegularFile(dir.resolve("0.35.1-" + System.mapLibraryName("djl_torch")));
		final Path parent = dir.toAbsolutePath().getParent();
		if (parent != null) {
			final String py = read(parent.resolve("version.py"));
			final Matcher v = py == null ? null : PY_VERSION.matcher(py);
			if (v != null && v.find()) {
				final Matcher m = VERSION.matcher(v.group(1));
				if (m.lookingAt()) {
					final Matcher c = PY_CUDA.matcher(py);
					String flavor = m.group(2);
					if (c.find()) flavor = cudaFlavor(c.group(1));
					else if (flavor == null) flavor = cudaFiles ? cudaFlavorFromFiles(dir, cudart) : "cpu";
					return new Libtorch(m.group(1), flavor, parent.resolve("version.py").toString(), cudart, jni);
				}
			}
			final String bv = read(parent.resolve("build-version"));
			final Matcher b = bv == null ? null : VERSION.matcher(bv.trim());
			if (b != null && b.lookingAt()) {
				final String flavor = b.group(2) != null ? b.group(2) : cudaFiles ? cudaFlavorFromFiles(dir, cudart)
					: "cpu";
				return new Libtorch(b.group(1), flavor, parent.resolve("build-version").toString(), cudart, jni);
			}
		}
		final Path name = dir.getFileName();
		final Matcher n = name == null ? null : CACHE_NAME.matcher(name.toString());
		if (n != null && n.matches()) return new Libtorch(n.group(1), n.group(2), "the folder's name", cudart, jni);
		return new Libtorch(TORCH_VERSION, cudaFiles ? cudaFlavorFromFiles(dir, cudart) : "cpu",
			"its files (version unknown: DJL's " + TORCH_VERSION + " assumed)", cudart, jni);
	}

	/** {@code 13.0} → {@code cu130}, {@code 12.8} → {@code cu128}. */
	static String cudaFlavor(final String cudaVersion) {
		final String[] p = cudaVersion.split("\\.");
		return "cu" + p[0] + (p.length > 1 ? p[1] : "0");
	}

	private static String cudaFlavorFromFiles(final Path dir, final Path cudartDir) {
		for (final Path d : cudartDir == null ? List.of(dir) : List.of(dir, cudartDir)) {
			try (Stream<Path> files = Files.list(d)) {
				for (final String n : (Iterable<String>) files.map(p -> p.getFileName().toString())::iterator) {
					final Matcher m = CUDART.matcher(n);
					if (m.matches()) return m.group(1) != null ? "cu" + m.group(1) + (m.group(2) != null ? m.group(2)
						: "0") : "cu" + m.group(3) + "0";
				}
			}
			catch (final IOException e) {
				// not readable: try the next
			}
		}
		return CUDA_FLAVOR; // a CUDA build whose CUDA version nothing tells
	}

	/**
	 * A pip torch's CUDA runtime: {@code torch/lib} → {@code site-packages/nvidia/}{@code <package>/lib/libcudart.so.N}
	 * (e.g. {@code nvidia/cu13/lib}, {@code nvidia/cuda_runtime/lib}); null when there is none.
	 */
	static Path findPipCudart(final Path dir) {
		final Path torch = dir.toAbsolutePath().getParent();
		final Path site = torch == null ? null : torch.getParent();
		if (site == null || !Files.isDirectory(site.resolve("nvidia"))) return null;
		try (Stream<Path> pkgs = Files.list(site.resolve("nvidia"))) {
			for (final Path lib : (Iterable<Path>) pkgs.map(p -> p.resolve("lib")).sorted()::iterator) {
				if (!Files.isDirectory(lib)) continue;
				try (Stream<Path> files = Files.list(lib)) {
					if (files.anyMatch(f -> f.getFileName().toString().startsWith("libcudart.so"))) return lib;
				}
			}
		}
		catch (final IOException e) {
			return null;
		}
		return null;
	}

	private static String read(final Path file) {
		try {
			return Files.isRegularFile(file) && Files.size(file) < 100_000 ? Files.readString(file) : null;
		}
		catch (final IOException | RuntimeException e) {
			return null;
		}
	}

	private static NativeLibraryPlan explicit(final Path dir) {
		final Libtorch t = detect(dir);
		final Map<String, String> props = new LinkedHashMap<>();
		props.put("PYTORCH_LIBRARY_PATH", dir.toString());
		props.put("PYTORCH_VERSION", t.version());
		props.put("PYTORCH_FLAVOR", t.flavor());
		// DJL counts GPUs through JNA's "cudart": a pip torch keeps it outside torch/lib, where JNA does not look.
		if (t.cudartDir() != null) props.put("jna.library.path", t.cudartDir().toString());
		String message = "libtorch " + t.version() + " (" + t.flavor() + ", read from " + t.source() + ") from " + dir;
		if (!t.hasJni() && !TORCH_VERSION.equals(t.version())) {
			message += "; WARNING: no " + System.mapLibraryName("djl_torch") + " in that folder, and DJL 0.35.1 " +
				"ships its JNI only for libtorch " + TORCH_VERSION + ": build one with shared/djl-jni/build.sh " +
				"(tools/gpu/README.md) or DJL will fail to start";
		}
		return new NativeLibraryPlan(NativeLibraryPlan.Source.EXPLICIT, dir, Map.copyOf(props), message);
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
