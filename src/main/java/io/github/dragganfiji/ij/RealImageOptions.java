package io.github.dragganfiji.ij;

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

	/** Paste-back on, a region of 1/8 of the image side (16 px at 128 px) around each segment. */
	public static RealImageOptions defaults(final int resolution) {
		return new RealImageOptions(true, Math.max(4, resolution / 8));
	}

	/** The options as the Drag dialog last left them (its defaults before), for the interactive tool. */
	public static RealImageOptions remembered(final int resolution) {
		final RealImageOptions d = defaults(resolution);
		return new RealImageOptions(ij.Prefs.get("draggan.drag.pasteBack", d.pasteBack()), ij.Prefs.get(
			"draggan.drag.region." + resolution, d.regionRadius()));
	}

	/**
	 * The movable area the drag uses: the user's, or for a real image without one, the region around each
	 * segment (with a note saying so); a generated image's input unchanged.
	 */
	public DragInput movable(final LatentImage image, final DragInput input, final java.util.function.Consumer<String> log) {
		if (!image.isInverted() || input.masked()) return input;
		log.accept(String.format(java.util.Locale.ROOT, "DragGAN: '%s' is a real image and has no area ROI: only " +
			"pixels within %.0f px of each handle-to-target segment may change (set 'Region radius' or draw an area " +
			"ROI to choose)", image.imp().getTitle(), regionRadius));
		return input.aroundSegments(regionRadius);
	}

	/** Whether the result is pasted into the original: a real image with paste-back on. */
	public boolean pastesBack(final LatentImage image) {
		return pasteBack && image.isInverted();
	}
}
