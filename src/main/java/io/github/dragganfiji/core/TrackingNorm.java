package io.github.dragganfiji.core;

/** The feature distance used by point tracking. */
public enum TrackingNorm {
	/** Sum of absolute differences over channels, as in the paper's formula. */
	L1,
	/** Euclidean distance over channels, as in the official code. */
	L2
}
