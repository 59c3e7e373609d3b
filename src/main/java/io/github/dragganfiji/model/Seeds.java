package io.github.dragganfiji.model;

import java.util.Random;

/** The project's rule from an integer seed to z, the same in every command: z_i = java.util.Random(seed).nextGaussian(). */
public final class Seeds {

	private Seeds() {}

	/** z [zDim] for a seed; reproducible on every JVM (java.util.Random's algorithm is specified). */
	public static float[] z(final long seed, final int zDim) {
		final Random r = new Random(seed);
		final float[] z = new float[zDim];
		for (int i = 0; i < zDim; i++)
			z[i] = (float) r.nextGaussian();
		return z;
	}
}
