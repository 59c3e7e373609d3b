package io.github.dragganfiji.runtime;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Switches of libtorch's global {@code at::Context} that DJL's JNI does not expose, called through the C++ symbols
 * that the loaded {@code libtorch_cpu} exports (Itanium name mangling: Linux and macOS; on Windows nothing is
 * switched). Used for two settings:
 * <ul>
 * <li>NNPACK off: libtorch asks NNPACK before every convolution whether it may use it; where NNPACK cannot start
 * (some AMD EPYC CPUs under a hypervisor) each question prints "Could not initialize NNPACK! Reason: Unsupported
 * hardware." (130-166 lines per demo), which no environment variable silences. NNPACK only takes batches of 16 and
 * more, so a drag (batch 1) never runs on it: turning it off changes no result.</li>
 * <li>oneDNN off ({@code draggan.onednn=false}, or when the render check finds that oneDNN's kernels make the image
 * depend on the thread count): every convolution then runs on libtorch's own kernels.</li>
 * </ul>
 * Every call is best effort: a missing library or symbol leaves the setting as it was and returns false.
 */
public final class LibtorchContext {

	private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
	private static final String SET_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";
	private static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
	private static final String GET_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";

	private static NativeLibrary library;
	private static Pointer context;

	private LibtorchContext() {}

	/** Turns NNPACK off for the whole process; true when done. */
	static synchronized boolean disableNnpack() {
		return setFlag(SET_NNPACK, false);
	}

	/** Turns oneDNN (MKLDNN) convolutions on or off for the whole process; true when done. */
	public static synchronized boolean setOneDnn(final boolean on) {
		return setFlag(SET_MKLDNN, on);
	}

	/** Whether libtorch may use oneDNN now, or null when that cannot be read. */
	public static synchronized Boolean oneDnn() {
		if (!open()) return null;
		try {
			return library.getFunction(GET_MKLDNN).invokeInt(new Object[] { context }) != 0;
		}
		catch (final UnsatisfiedLinkError | RuntimeException e) {
			return null;
		}
	}

	private static boolean setFlag(final String symbol, final boolean value) {
		if (!open()) return false;
		try {
			library.getFunction(symbol).invokeVoid(new Object[] { context, value });
			return true;
		}
		catch (final UnsatisfiedLinkError | RuntimeException e) {
			return false;
		}
	}

	/** Opens the loaded libtorch_cpu (the same handle as DJL's: the library is loaded already) and its context. */
	private static boolean open() {
		if (context != null) return true;
		if (Platform.isWindows()) return false;
		try {
			final String dir = PyTorch.libtorchPath();
			if (dir == null) return false;
			final Path file = Path.of(dir, System.mapLibraryName("torch_cpu"));
			if (!Files.isRegularFile(file)) return false;
			final NativeLibrary lib = NativeLibrary.getInstance(file.toString());
			final Function global = lib.getFunction(GLOBAL_CONTEXT);
			final Pointer ctx = global.invokePointer(new Object[0]);
			if (ctx == null) return false;
			library = lib;
			context = ctx;
			return true;
		}
		catch (final UnsatisfiedLinkError | RuntimeException e) {
			return false;
		}
	}
}
