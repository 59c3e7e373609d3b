package io.github.dragganfiji.app;

import io.github.dragganfiji.core.DragInput;

/**
 * How a real (inverted) image is dragged, where every pixel outside the edit is data: by default the result keeps
 * the original outside the movable area (paste-back), and without an area ROI the movable area is a region around
 * each handle-to-target segment. A generated image keeps the paper's behaviour (no ROI, no mask; raw output).
 *
 * @param pasteBack whether the result is the original outside the movable area (else the raw generator output)
 * @param regionRadius radius of the default region around each handle-to-target segment, pixels
 */
public record RealImageOptions(boolean pasteBack, double regionRadius) {

	/** Checks the radius; an IllegalArgumentException says what is allowed. */
	public RealImageOptions {
		if (!(regionRadius >= 1) || !Double.isFinite(regionRadius)) throw new IllegalArgumentException("The region " +
			"radius must be a number of at least 1 pixel, not " + number(regionRadius) + ".");
	}

	/** This, when its radius is at most the image's size; an IllegalArgumentException otherwise. */
	public RealImageOptions requireFits(final int size) {
		if (regionRadius > size) throw new IllegalArgumentException("The region radius must be at most the image size " +
			"(" + size + " px), not " + number(regionRadius) + ".");
		return this;
	}

	private static String number(final double v) {
		return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
	}

	/** Paste-back on, a region of 1/8 of the image side (16 px at 128 px) around each segment. */
	public static RealImageOptions defaults(final int resolution) {
		return new RealImageOptions(true, Math.max(4, resolution / 8));
	}

	/**
	 * The movable area the drag uses: the user's, or for a real image without one, the region around each
	 * segment (with a note saying so); a generated image's input unchanged.
	 */
	DragInput movable(final boolean realImage, final String title, final DragInput input,
		final java.util.function.Consumer<String> log)
	{
		if (!realImage || input.masked()) return input;
		requireFits(input.width());
		log.accept(String.format(java.util.Locale.ROOT, "DragGAN: '%s' is a real image and has no area ROI: only " +
			"pixels within %.0f px of each handle-to-target segment may change (set 'Region radius' or draw an area " +
			"ROI to choose)", title, regionRadius));
		return input.aroundSegments(regionRadius);
	}

	/** Whether the result is pasted into the original: a real image with paste-back on. */
	public boolean pastesBack(final boolean realImage) {
		return pasteBack && realImage;
	}
}
