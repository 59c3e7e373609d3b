package io.github.dragganfiji.core;

import java.util.List;

/**
 * What one step produced. Step 0 is the start (no update yet); step k follows the k-th update.
 *
 * @param index step number
 * @param handles handle positions after tracking on this step's features
 * @param distances per handle, distance to its target in pixels
 * @param loss the loss computed on this step's features before the update (NaN on the last step, which has none)
 * @param ws this step's latent, [num_ws * w_dim] row-major
 * @param image this step's image [channels * res * res] row-major in generator units, or null if not rendered
 * @param elapsedNanos time since the drag started
 */
public record DragStep(int index, List<Point> handles, double[] distances, double loss, float[] ws, float[] image,
	long elapsedNanos)
{

	/** Mean distance to the targets. */
	public double meanDistance() {
		double s = 0;
		for (final double d : distances)
			s += d;
		return distances.length == 0 ? 0 : s / distances.length;
	}
}
