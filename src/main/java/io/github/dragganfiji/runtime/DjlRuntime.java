package io.github.dragganfiji.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.Utils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The one place that configures DJL before its first use: native library choice, offline mode, the graph executor
 * optimizer, thread counts and the context class loader (needed inside Fiji, whose plugin class loader is not the
 * system one). Later calls return the same {@link Info}: DJL's engine can be started once per JVM.
 */
public final class DjlRuntime {

	private static Info info;
	private static Consumer<String> notices;

	private DjlRuntime() {}

	/**
	 * Start-up options.
	 *
	 * @param device the device choice that decides which natives load ({@code cpu} keeps the bundled CPU build)
	 * @param threads intra-op threads (0 = all cores)
	 * @param interopThreads inter-op threads (0 = all cores)
	 * @param libtorchDir a libtorch folder to use instead of the bundled one, or null
	 * @param allowDownload whether fetching DJL's CUDA natives over the network is allowed
	 */
	public record Options(DeviceChoice device, int threads, int interopThreads, Path libtorchDir, boolean allowDownload) {

		/**
		 * Reads {@code draggan.device}, {@code draggan.threads}, {@code draggan.interopThreads}, {@code draggan.libtorch} (or the environment
		 * variable / property PYTORCH_LIBRARY_PATH) and {@code draggan.fetchGpuNatives}.
		 */
		public static Options fromSystem() {
			String dir = System.getProperty("draggan.libtorch");
			if (dir == null || dir.isBlank()) dir = Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH");
			return new Options(DeviceChoice.parse(System.getProperty("draggan.device")), Integer.getInteger("draggan.threads", 0), Integer.getInteger("draggan.interopThreads",
				0), dir == null || dir.isBlank() ? null : Path.of(dir), Boolean.getBoolean("draggan.fetchGpuNatives"));
		}
	}

	/**
	 * What was started.
	 *
	 * @param plan the native library plan that was applied
	 * @param threads intra-op threads
	 * @param interopThreads inter-op threads
	 * @param libtorchVersion the loaded libtorch's version
	 * @param libtorchPath the folder it was loaded from
	 * @param gpuCount CUDA devices the loaded libtorch can use
	 * @param adaptiveThreads whether loops choose between {@code threads} and fewer by measuring ({@link ThreadTuner});
	 *          false when the user fixed the thread count
	 * @param waitPolicy how OpenMP's idle threads wait, as set for this process
	 */
	public record Info(NativeLibraryPlan plan, int threads, int interopThreads, String libtorchVersion,
		String libtorchPath, int gpuCount, boolean adaptiveThreads, String waitPolicy) {

		/** The flavor in use ("cpu" unless CUDA natives were loaded). */
		public String flavor() {
			final String f = plan.properties().get("PYTORCH_FLAVOR");
			return f == null ? "cpu" : f;
		}

		/** Decides the device for a user's choice with this runtime. */
		public DeviceDecision device(final DeviceChoice choice) {
			return DeviceDecision.decide(choice, gpuCount, flavor());
		}

		/** The DJL device for a decision. */
		public static Device djlDevice(final DeviceDecision d) {
			return d.gpu() ? Device.gpu(0) : Device.cpu();
		}

		/** One line for the log. */
		public String describe() {
			return "DJL PyTorch engine: libtorch " + libtorchVersion + " (" + plan.message() + "), " + threads +
				" intra-op" + (adaptiveThreads ? " (adaptive: fewer when other programs keep the cores busy)" : "") + " / " +
				interopThreads + " inter-op threads, OpenMP " + waitPolicy + ", " + gpuCount + " GPU(s) usable";
		}
	}

	/** The started runtime, or null before {@link #start}. */
	public static synchronized Info current() {
		return info;
	}

	/**
	 * OpenMP's wait policy for libtorch's threads, unless the user set one (OMP_WAIT_POLICY or GOMP_SPINCOUNT). The
	 * default lets idle threads spin for a long time (300,000 rounds), which on a busy machine takes the core from the
	 * very thread they wait for (a drag step went from 45 ms to 680-990 ms with one other busy process on 2 cores).
	 * With adaptive threads ({@link ThreadTuner}, which drops to one thread under load, where nothing spins) the
	 * default stays: it is the fastest on an idle machine (a 2-thread step of the sample model: 37-46 ms spinning,
	 * 46-54 ms with a short spin of 10,000 rounds, 66 ms waiting passively). With a thread count fixed by the user
	 * nothing adapts, so the threads wait passively.
	 */
	static final String WAIT_VARIABLE = "OMP_WAIT_POLICY", WAIT_VALUE = "PASSIVE";

	/** Sets the wait policy unless the user chose one or threads adapt; says what is in force. */
	private static String setWaitPolicy(final boolean adaptive) {
		for (final String v : new String[] { "GOMP_SPINCOUNT", WAIT_VARIABLE }) {
			final String user = ProcessEnvironment.get(v);
			if (user != null) return v + "=" + user + " (set by the user)";
		}
		if (adaptive) return "default wait policy (threads adapt to the load)";
		return ProcessEnvironment.setIfAbsent(WAIT_VARIABLE, WAIT_VALUE) ? WAIT_VARIABLE + "=" + WAIT_VALUE
			: "default wait policy (the environment could not be set)";
	}

	/** Starts DJL with {@link Options#fromSystem()} if not yet started. */
	public static Info start(final Consumer<String> log) {
		return start(Options.fromSystem(), log);
	}

	/** Starts DJL once with these options; later calls return the first start's {@link Info}. */
	public static synchronized Info start(final Options options, final Consumer<String> log) {
		if (info != null) return info;
		final int cores = Runtime.getRuntime().availableProcessors();
		final int threads = options.threads() > 0 ? options.threads() : cores;
		final int interop = options.interopThreads() > 0 ? options.interopThreads() : cores;
		final Path cuda = NativeLibrarySelector.findCachedCuda(Utils.getEngineCacheDir("pytorch"));
		final NativeLibraryPlan plan = NativeLibrarySelector.select(new NativeLibrarySelector.Inputs(
			options.device(), options.libtorchDir(), NativeLibrarySelector.nvidiaDriverPresent(), cuda,
			options.allowDownload()));
		if (plan.libraryDir() != null && !Files.isRegularFile(plan.libraryDir().resolve(System.mapLibraryName(
			"torch"))))
		{
			throw new IllegalStateException("No " + System.mapLibraryName("torch") + " in the libtorch folder " + plan
				.libraryDir() + " (from draggan.libtorch or PYTORCH_LIBRARY_PATH)");
		}
		// Before libtorch (and its OpenMP runtime) loads: the wait policy is read only then.
		final String waitPolicy = setWaitPolicy(options.threads() <= 0);
		plan.properties().forEach(System::setProperty);
		if (!plan.needsNetwork()) System.setProperty("ai.djl.offline", "true");
		System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
		System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
		System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(interop));

		final Thread thread = Thread.currentThread();
		final ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(DjlRuntime.class.getClassLoader());
		try {
			final Engine engine = Engine.getEngine(PyTorch.ENGINE);
			info = new Info(plan, threads, interop, engine.getVersion(), PyTorch.libtorchPath(), engine
				.getGpuCount(), options.threads() <= 0, waitPolicy);
		}
		finally {
			thread.setContextClassLoader(previous);
		}
		// NNPACK never runs a batch-1 convolution, but where it cannot start it says so at every one of them.
		LibtorchContext.disableNnpack();
		if (!Boolean.parseBoolean(System.getProperty("draggan.onednn", "true"))) LibtorchContext.setOneDnn(false);
		notices = log;
		if (log != null) log.accept(info.describe());
		PyTorch.prepareThread();
		return info;
	}

	/**
	 * A sentence about the engine found after start-up (e.g. the model render check's): to the log given to the first
	 * {@link #start}, else standard error.
	 */
	public static synchronized void notice(final String sentence) {
		if (notices != null) notices.accept(sentence);
		else System.err.println(sentence);
	}

	/**
	 * The device for a user's choice: starts DJL if it is not started yet (with {@link Options#fromSystem()}),
	 * decides, and logs the decision when it is a GPU or a fallback from one. Also prepares the calling thread.
	 */
	public static Device device(final DeviceChoice choice, final Consumer<String> log) {
		final Info started = start(log);
		PyTorch.prepareThread();
		final DeviceDecision d = started.device(choice);
		if (log != null && (d.fellBack() || d.gpu())) log.accept("DragGAN: " + d.message());
		return Info.djlDevice(d);
	}
}
