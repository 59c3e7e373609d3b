package io.github.dragganfiji.core;

import java.util.Locale;

/**
 * How the drag loop supervises motion and tracks handles. {@link #PAPER} is the published algorithm, kept exactly
 * (its parity test against the official code guards it); the others add fixes from the papers that followed
 * DragGAN for its known failure modes (handles that drift or jump to look-alikes, content that stays behind while
 * the tracker reports arrival, oscillation). Each mode is a fixed combination of the parts below.
 */
public enum DragMode {

	/**
	 * DragGAN (Pan et al. 2023, official code): F(q + d) is pulled toward the current F(q); each handle moves to the
	 * nearest neighbour of its step-0 feature in a square of radius r2; stops when the tracker says every handle is
	 * within the stop distance. Defaults: r1 = 3 px at 512, the model's learning rate.
	 */
	PAPER("paper", Supervision.CURRENT, Tracking.NEAREST, false, false, 3, 1),

	/**
	 * GoodDrag's information-preserving supervision (Zhang et al., ICLR 2025): F(p + o + d) is pulled toward the
	 * original handle's feature F0(p0 + o), never the current one, so the dragged content does not degrade or stick;
	 * the paper's tracking; stops when there is no progress; arrival is confirmed in the image (see {@link #STABLE}).
	 */
	ANCHORED("anchored", Supervision.ORIGINAL, Tracking.NEAREST, true, true, Robust.R1, Robust.LR),

	/**
	 * FreeDrag's tracking (Ling et al., CVPR 2024): each handle moves only along its segment toward the target, from
	 * one pixel back to at most r2 ahead, to the point whose feature is closest to an adaptive template (no free 2-D
	 * search that can jump to a look-alike); supervision toward F0 as {@link #ANCHORED}; stops when there is no
	 * progress.
	 */
	LINE("line", Supervision.ORIGINAL, Tracking.LINE, true, false, Robust.R1, Robust.LR),

	/**
	 * StableDrag's confidence fallback (Cui et al., ECCV 2024) on top of {@link #LINE}: while the tracked feature is
	 * close to its template, supervision uses the current feature (as the paper); when tracking confidence drops, it
	 * falls back to F0. Arrival is confirmed in the image: when the tracker says every handle arrived, the start
	 * patches are located in the step's image by normalized cross-correlation ({@link DragVerification}); handles
	 * whose content is elsewhere are moved there and the drag goes on.
	 */
	STABLE("stable", Supervision.CONFIDENCE, Tracking.LINE, true, true, Robust.R1, Robust.LR);

	/**
	 * The robust modes' defaults, chosen on the sample model (docs/engine.md, "Drag modes"): supervising a disk of 24 px at
	 * 512 (6 px at 128: a whole nucleus) instead of the paper's 3 px, at three times the model's learning rate.
	 */
	private static final class Robust {

		static final int R1 = 24;
		static final double LR = 3;
	}

	/** What motion supervision pulls F(p + o + d) toward. */
	enum Supervision {
		/** The current feature at the handle, detached (DragGAN). */
		CURRENT,
		/** The original handle's feature F0(p0 + o) (GoodDrag). */
		ORIGINAL,
		/** CURRENT while tracking is confident, else ORIGINAL (StableDrag). */
		CONFIDENCE
	}

	/** How handles are tracked. */
	enum Tracking {
		/** Nearest neighbour of F0(p0) in the square of radius r2 (DragGAN). */
		NEAREST,
		/** Best match to an adaptive template on the segment toward the target, at most r2 per step (FreeDrag). */
		LINE
	}

	private final String key;
	final Supervision supervision;
	final Tracking tracking;
	final boolean stopOnStall;
	final boolean checkArrivalInImage;
	private final int r1At512;
	private final double learningRateScale;

	DragMode(final String key, final Supervision supervision, final Tracking tracking, final boolean stopOnStall,
		final boolean checkArrivalInImage, final int r1At512, final double learningRateScale)
	{
		this.key = key;
		this.supervision = supervision;
		this.tracking = tracking;
		this.stopOnStall = stopOnStall;
		this.checkArrivalInImage = checkArrivalInImage;
		this.r1At512 = r1At512;
		this.learningRateScale = learningRateScale;
	}

	/** The default supervision radius at 512 px (scaled to the image by {@link DragConfig#defaults}). */
	public int r1At512() {
		return r1At512;
	}

	/** The default learning rate as a multiple of the model's. */
	public double learningRateScale() {
		return learningRateScale;
	}

	/** The name in the dialog, the macro, the command line and the stack's parameters. */
	public String key() {
		return key;
	}

	/** The mode of a name (case-insensitive); an IllegalArgumentException listing the modes otherwise. */
	public static DragMode parse(final String name) {
		final String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
		for (final DragMode m : values())
			if (m.key.equals(n)) return m;
		throw new IllegalArgumentException("Unknown drag mode '" + name + "': use " + names() + ".");
	}

	/** "paper, anchored, ..." */
	public static String names() {
		final StringBuilder s = new StringBuilder();
		for (final DragMode m : values())
			s.append(s.length() == 0 ? "" : ", ").append(m.key);
		return s.toString();
	}

	@Override
	public String toString() {
		return key;
	}
}
