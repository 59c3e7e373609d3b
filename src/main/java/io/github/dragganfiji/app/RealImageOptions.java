package io.github.dragganfiji.app;

import io.github.dragganfiji.core.DragInput;

/**
 * What a drag may change in its image: by default the result keeps the start image outside the movable area
 * (paste-back), and without an area ROI the movable area is a region around each handle-to-target segment. A real
 * (inverted) image's pixels are data; on a generated image the rule keeps what the drag was not asked to move (the
 * generator, dragged, changes the whole image: on the tuning split a third of the free drags fell below SSIM 0.9
 * outside a 12 px band around their paths and 27 of 30 lost or made an object there; composed into the region,
 * none, at the same arrival). With paste-back off (raw generator output), a generated image is the paper's: no
 * region, no mask.
 *
 * @param pasteBack whether the result is the original outside the movable area (else the raw generator output)
 * @param regionRadius radius of the default region around each handle-to-target segment, pixels
 * @param regionAsMask whether the movable area (the default region, or the user's area ROI) is also the drag's mask
 *          (the generator's features outside it held to the start: the paper's mask term), or only bounds what is
 *          pasted back (the drag itself unmasked); without paste-back the area is always the mask
 */
public record RealImageOptions(boolean pasteBack, double regionRadius, boolean regionAsMask) {

	/**
	 * Whether the default region is also the drag's mask unless told otherwise: no. Chosen on the tuning split
	 * (3 simulator images, 6 drags of the W-pivot inversion): with the region as mask the drags ended a median 7.0 px
	 * from their targets (most stalled after 40 steps: the mask term holds the content near the handle too), free
	 * 3.1 px. Held-out (docs/accuracy.md): 7.09 against 4.33 px on simulator images, and on round trips the free
	 * inversion's drags arrive as often as the true latent's. Paste-back keeps every pixel outside the region exact
	 * either way; the cost of free is the blended border, where the raw generator drifts more (border PSNR 27.9 to
	 * 21.3 dB against 26.7 dB with the mask). The same holds for an area ROI the user draws (tuning split of the users'
	 * suite, its 30 masked drags composed into their areas, default mode): masking the drag left the handles a median
	 * 2.24 px from their targets, 57 % within 3 px; the area bounding the paste-back only, 1.41 px, 73 %, at a seam of
	 * 33 dB against 45 dB and more change to the other objects inside the area, which the user let move.
	 */
	public static final boolean DEFAULT_REGION_AS_MASK = false;

	/** The default region's role as {@link #DEFAULT_REGION_AS_MASK} says. */
	public RealImageOptions(final boolean pasteBack, final double regionRadius) {
		this(pasteBack, regionRadius, DEFAULT_REGION_AS_MASK);
	}

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

	public RealImageOptions withRegionAsMask(final boolean v) {
		return new RealImageOptions(pasteBack, regionRadius, v);
	}

	/**
	 * The movable area: the user's, or without one the region around each segment (with a note saying so); a
	 * generated image's input unchanged when nothing is pasted back (raw output). Where the drag itself uses it is
	 * {@link #engineInput}.
	 */
	DragInput movable(final boolean realImage, final String title, final DragInput input,
		final java.util.function.Consumer<String> log)
	{
		if (input.masked() || !realImage && !pasteBack) return input;
		requireFits(input.width());
		log.accept(String.format(java.util.Locale.ROOT, "DragGAN: '%s' %s no area ROI: only pixels within %.0f px of " +
			"each handle-to-target segment may change (set 'Region radius' or draw an area ROI to choose%s)", title,
			realImage ? "is a real image and has" : "has", regionRadius, realImage ? "" : "; raw generator output for " +
				"the paper's whole-image edit"));
		return input.aroundSegments(regionRadius);
	}

	/**
	 * What the drag itself is given: the movable area (the user's or the region) when it is the mask, or when
	 * nothing is pasted back (then the mask is all that keeps the rest of the image: the paper's masked drag); else
	 * the requested points without a mask, the area bounding only what is pasted back.
	 */
	DragInput engineInput(final DragInput requested, final DragInput movable) {
		if (regionAsMask || !pasteBack) return movable;
		return requested.masked() ? DragInput.of(requested.handles(), requested.targets(), null, requested.width(),
			requested.height()) : requested;
	}

}
