package io.github.dragganfiji.core;

/**
 * The drag's parameters. Radii are in pixels of the image being edited; {@link #defaults} scales the paper's
 * values (r1 = 3, r2 = 12 at 512 px) to the image's resolution.
 *
 * @param maxSteps stop after this many updates
 * @param learningRate Adam step size on w
 * @param lambdaMask weight of the term that keeps features outside the movable mask fixed
 * @param r1 motion-supervision disk radius (pixels q with |q - p| &lt; r1)
 * @param r2 tracking search half-width (a square of side 2 r2 + 1)
 * @param stopDistance a handle within this many pixels of its target has arrived; NaN = the paper's rule
 *          (1 px, 2 px with 5 or more handles)
 * @param wPlus true to optimize each of the first {@code layers} W+ layers, false for one shared w (W mode)
 * @param layers how many leading W+ layers are optimized; the rest stay at w0
 * @param trackingNorm feature distance for tracking
 * @param recordEvery render the image every N steps (1 = every step; the last step always)
 * @param mode how motion is supervised and handles tracked ({@link DragMode#PAPER}: the published algorithm)
 */
public record DragConfig(int maxSteps, double learningRate, double lambdaMask, int r1, int r2, double stopDistance,
	boolean wPlus, int layers, TrackingNorm trackingNorm, int recordEvery, DragMode mode)
{

	/** The largest learning rate accepted: Adam moves every optimized value by up to this much per step. */
	public static final double MAX_LEARNING_RATE = 1;
	/** The largest mask lambda accepted. */
	public static final double MAX_LAMBDA = 1e6;

	/** The paper-faithful mode ({@link DragMode#PAPER}) with these parameters. */
	public DragConfig(final int maxSteps, final double learningRate, final double lambdaMask, final int r1,
		final int r2, final double stopDistance, final boolean wPlus, final int layers, final TrackingNorm trackingNorm,
		final int recordEvery)
	{
		this(maxSteps, learningRate, lambdaMask, r1, r2, stopDistance, wPlus, layers, trackingNorm, recordEvery,
			DragMode.PAPER);
	}

	/** Checks every value; an IllegalArgumentException says which one is wrong and what is allowed. */
	public DragConfig {
		if (maxSteps < 0) throw new IllegalArgumentException("Max steps must be 0 or more, not " + maxSteps + ".");
		if (!(learningRate > 0 && learningRate <= MAX_LEARNING_RATE)) throw new IllegalArgumentException(
			"The learning rate must be a number above 0 and at most " + MAX_LEARNING_RATE + " (0.002 is typical), " +
				"not " + learningRate + ".");
		if (!(lambdaMask >= 0 && lambdaMask <= MAX_LAMBDA)) throw new IllegalArgumentException("Mask lambda must be " +
			"a number from 0 to " + (long) MAX_LAMBDA + " (20 is typical), not " + lambdaMask + ".");
		if (r1 < 1) throw new IllegalArgumentException("r1 must be at least 1 pixel, not " + r1 + ".");
		if (r2 < 1) throw new IllegalArgumentException("r2 must be at least 1 pixel, not " + r2 + ".");
		if (layers < 1) throw new IllegalArgumentException("At least one W+ layer must be optimized, not " + layers +
			".");
		if (recordEvery < 1) throw new IllegalArgumentException("Record every N steps needs N of at least 1, not " +
			recordEvery + ".");
		if (trackingNorm == null) throw new IllegalArgumentException("tracking norm missing");
		if (mode == null) throw new IllegalArgumentException("drag mode missing");
		// Handles within 1 px get no motion supervision, so a smaller stop distance could never be reached.
		if (!Double.isNaN(stopDistance) && !(stopDistance >= 1 && stopDistance < Double.POSITIVE_INFINITY))
			throw new IllegalArgumentException("The stop distance must be a number of at least 1 pixel, not " +
				stopDistance + ".");
	}

	/**
	 * The mode the dialog, the macro and the command line use when none is given: the one that measured best on the
	 * sample model (docs/engine.md, "Drag modes").
	 */
	public static final DragMode DEFAULT_MODE = DragMode.ANCHORED;

	/**
	 * The paper's defaults for an image of this resolution, with the bundle's learning rate and layer count
	 * (tracking by L1 distance, the paper's formula; the official code's L2 is an option), in the default mode.
	 */
	public static DragConfig defaults(final int resolution, final double learningRate, final int layers) {
		return defaults(resolution, learningRate, layers, DEFAULT_MODE);
	}

	/**
	 * A mode's defaults for an image of this resolution: the paper's (r1 = 3 px and r2 = 12 px at 512, the model's
	 * learning rate, 6 layers from the bundle, lambda 20, L1 tracking) with the mode's own supervision radius and
	 * learning-rate multiple ({@link DragMode#r1At512}, {@link DragMode#learningRateScale}).
	 *
	 * @param learningRate the model's learning rate
	 */
	public static DragConfig defaults(final int resolution, final double learningRate, final int layers,
		final DragMode mode)
	{
		return new DragConfig(200, learningRate * mode.learningRateScale(), 20, scaled(mode.r1At512(), resolution),
			scaled(12, resolution), Double.NaN, true, layers, TrackingNorm.L1, 1, mode);
	}

	/** A radius given at 512 px, scaled to this resolution and rounded, at least 1. */
	public static int scaled(final int radiusAt512, final int resolution) {
		return Math.max(1, (int) Math.round(radiusAt512 * resolution / 512.0));
	}

	/** The arrival distance for this many handles. */
	public double stopDistance(final int handles) {
		if (!Double.isNaN(stopDistance)) return stopDistance;
		return handles >= 5 ? 2 : 1;
	}

	public DragConfig withMaxSteps(final int v) {
		return new DragConfig(v, learningRate, lambdaMask, r1, r2, stopDistance, wPlus, layers, trackingNorm,
			recordEvery, mode);
	}

	public DragConfig withLearningRate(final double v) {
		return new DragConfig(maxSteps, v, lambdaMask, r1, r2, stopDistance, wPlus, layers, trackingNorm,
			recordEvery, mode);
	}

	public DragConfig withLambdaMask(final double v) {
		return new DragConfig(maxSteps, learningRate, v, r1, r2, stopDistance, wPlus, layers, trackingNorm,
			recordEvery, mode);
	}

	public DragConfig withRadii(final int newR1, final int newR2) {
		return new DragConfig(maxSteps, learningRate, lambdaMask, newR1, newR2, stopDistance, wPlus, layers,
			trackingNorm, recordEvery, mode);
	}

	public DragConfig withStopDistance(final double v) {
		return new DragConfig(maxSteps, learningRate, lambdaMask, r1, r2, v, wPlus, layers, trackingNorm,
			recordEvery, mode);
	}

	public DragConfig withLatentSpace(final boolean newWPlus, final int newLayers) {
		return new DragConfig(maxSteps, learningRate, lambdaMask, r1, r2, stopDistance, newWPlus, newLayers,
			trackingNorm, recordEvery, mode);
	}

	public DragConfig withTrackingNorm(final TrackingNorm v) {
		return new DragConfig(maxSteps, learningRate, lambdaMask, r1, r2, stopDistance, wPlus, layers, v,
			recordEvery, mode);
	}

	public DragConfig withMode(final DragMode v) {
		return new DragConfig(maxSteps, learningRate, lambdaMask, r1, r2, stopDistance, wPlus, layers, trackingNorm,
			recordEvery, v);
	}

	public DragConfig withRecordEvery(final int v) {
		return new DragConfig(maxSteps, learningRate, lambdaMask, r1, r2, stopDistance, wPlus, layers,
			trackingNorm, v, mode);
	}
}
