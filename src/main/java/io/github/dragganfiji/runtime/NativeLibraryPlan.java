package io.github.dragganfiji.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * Which libtorch build DJL will load, as system properties to set before the engine starts.
 *
 * @param source where the natives come from
 * @param libraryDir the libtorch folder for {@link Source#EXPLICIT} and {@link Source#CUDA_CACHE}, else null
 * @param properties system properties to set (DJL reads each of them as environment variable or property)
 * @param message one sentence for the log
 */
public record NativeLibraryPlan(Source source, Path libraryDir, Map<String, String> properties, String message) {

	/** Where the natives come from. */
	public enum Source {
		/** A libtorch folder the user named (PYTORCH_LIBRARY_PATH or the plugin preference). */
		EXPLICIT,
		/** DJL's CUDA build, fetched earlier into DJL's cache: no network needed. */
		CUDA_CACHE,
		/** DJL's CUDA build, to be fetched now because the user allowed it. */
		CUDA_DOWNLOAD,
		/** The CPU build shipped in the pytorch-native-cpu jar: offline, always available. */
		BUNDLED_CPU
	}

	/** True when this plan may use the network. */
	public boolean needsNetwork() {
		return source == Source.CUDA_DOWNLOAD;
	}
}
