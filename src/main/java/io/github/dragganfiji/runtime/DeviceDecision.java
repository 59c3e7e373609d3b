package io.github.dragganfiji.runtime;

/**
 * The device actually used, and why.
 *
 * @param gpu true for the first CUDA device, false for the CPU
 * @param message a sentence for the log, e.g. why a requested GPU was not used
 * @param fellBack true when the user asked for the GPU and got the CPU
 */
public record DeviceDecision(boolean gpu, String message, boolean fellBack) {

	/**
	 * Decides where to run.
	 *
	 * @param choice what the user asked for
	 * @param gpuCount how many CUDA devices the loaded libtorch can use (0 with the CPU build)
	 * @param libtorchFlavor the flavor of the loaded libtorch, e.g. {@code cpu} or {@code cu128}
	 */
	public static DeviceDecision decide(final DeviceChoice choice, final int gpuCount, final String libtorchFlavor) {
		switch (choice) {
			case CPU:
				return new DeviceDecision(false, "Using the CPU, as requested.", false);
			case GPU:
				if (gpuCount > 0) return new DeviceDecision(true, "Using GPU 0 of " + gpuCount + ".", false);
				return new DeviceDecision(false, "A GPU was requested but none is usable (" + why(libtorchFlavor) +
					"); using the CPU instead.", true);
			default:
				if (gpuCount > 0) return new DeviceDecision(true, "Using GPU 0 of " + gpuCount + " (auto).", false);
				return new DeviceDecision(false, "Using the CPU (auto: " + why(libtorchFlavor) + ").", false);
		}
	}

	private static String why(final String flavor) {
		if (flavor != null && flavor.startsWith("cu")) {
			return "the loaded libtorch is a CUDA build (" + flavor + ") but sees no CUDA device: check that " +
				"nvidia-smi lists one, that CUDA_VISIBLE_DEVICES does not hide it, that the driver supports CUDA " +
				cudaVersion(flavor) + ", and that DJL finds libcudart (jna.library.path; the log's libtorch line)";
		}
		return "the loaded libtorch is the CPU build; docs/runtime.md says how to use CUDA natives";
	}

	/** {@code cu130} → {@code 13.0}, {@code cu128} → {@code 12.8}. */
	private static String cudaVersion(final String flavor) {
		final String digits = flavor.substring(2);
		return digits.length() < 2 ? digits : digits.substring(0, digits.length() - 1) + "." + digits.substring(digits
			.length() - 1);
	}
}
