package io.github.dragganfiji.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The one place that reaches past DJL's API into its PyTorch engine: thread-local autograd switches, zeroing a
 * gradient, bilinear resizing, a TorchScript module's method names and writing it back, the loaded libtorch's
 * folder. Everything else in the project uses DJL's engine-neutral API.
 */
public final class PyTorch {

	/** The PyTorch engine's name in DJL. */
	public static final String ENGINE = "PyTorch";

	private PyTorch() {}

	/**
	 * Applies the thread-local settings to the calling thread: graph executor optimizer off, and autograd off outside
	 * gradient collectors (libtorch's per-thread default is on, which would forbid in-place optimizer updates). Call it
	 * at the start of every worker thread that runs the generator: libtorch keeps both switches per thread.
	 */
	public static void prepareThread() {
		JniUtils.setGraphExecutorOptimize(false);
		JniUtils.setGradMode(false);
	}

	/**
	 * Records operations on the calling thread for a backward pass until closed (autograd is on only inside it, and
	 * only on this thread). DJL's own collector allows one in the whole process at a time, which would keep a batch's
	 * jobs from dragging side by side on one executor; libtorch's autograd switch is per thread, and backward passes
	 * of different graphs may run at once, so this one is per thread. zeroGradients is not offered: callers clear
	 * their own arrays' gradients ({@link #zeroGrad}).
	 */
	public static GradientCollector gradients() {
		return new ThreadGradients();
	}

	/** A gradient collector of the calling thread (see {@link #gradients()}). */
	private static final class ThreadGradients implements GradientCollector {

		private final Thread owner = Thread.currentThread();
		private final boolean before = JniUtils.isGradMode();

		ThreadGradients() {
			JniUtils.setGradMode(true);
		}

		@Override
		public void backward(final NDArray target) {
			try (NDArray ones = target.onesLike()) {
				JniUtils.backward((PtNDArray) target, (PtNDArray) ones, false, false);
			}
		}

		@Override
		public void zeroGradients() {
			throw new UnsupportedOperationException("clear each array's gradient with PyTorch.zeroGrad");
		}

		@Override
		public void close() {
			if (Thread.currentThread() != owner) throw new IllegalStateException("a gradient collector is closed on " +
				"the thread that opened it");
			JniUtils.setGradMode(before);
		}
	}

	/**
	 * libtorch's intra-op thread count for parallel work started from the calling thread (loops set it through
	 * {@link ThreadTuner}; tests of reproducibility set it directly).
	 */
	public static void setThreads(final int n) {
		JniUtils.setNumThreads(n);
	}

	/** libtorch's intra-op thread count for parallel work started from the calling thread. */
	public static int threads() {
		return JniUtils.getNumThreads();
	}

	/** Clears an array's accumulated gradient in place. */
	public static void zeroGrad(final NDArray array) {
		JniUtils.zeroGrad((PtNDArray) array);
	}

	/** [N, C, h, w] resized to [N, C, height, width] bilinearly (PyTorch's align_corners=False), differentiable. */
	public static NDArray resizeBilinear(final NDArray x, final int height, final int width) {
		return x.getNDArrayInternal().interpolation(new long[] { height, width }, 1, false);
	}

	/** The methods a TorchScript module exports. */
	public static String[] methodNames(final Block block) {
		return JniUtils.getMethodNames((PtSymbolBlock) block);
	}

	/** Writes a TorchScript module with its current weights. */
	public static void writeModule(final Block block, final OutputStream out) throws IOException {
		JniUtils.writeModule((PtSymbolBlock) block, out, false);
	}

	/**
	 * One line of an engine failure for the user: libtorch's TorchScript errors carry the interpreter's traceback over
	 * many lines; the line that says what failed is its last {@code SomethingError: ...} line (else the first line).
	 */
	public static String oneLine(final Throwable e) {
		final String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
		final String[] lines = msg.split("\\R");
		for (int i = lines.length - 1; i >= 0; i--)
			if (lines[i].matches("\\s*[A-Za-z_.]*(Error|Exception): .*")) return lines[i].strip();
		return lines[0].strip();
	}

	/** The folder of the libtorch that was loaded. */
	static String libtorchPath() {
		return LibUtils.getLibtorchPath();
	}
}
