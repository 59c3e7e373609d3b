package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * FreeDrag-style tracking (Ling et al., CVPR 2024) with StableDrag's confidence (Cui et al., ECCV 2024): each handle
 * may move only along its segment toward the target, from one step back to at most r2 ahead, in half-pixel steps, to
 * the candidate whose feature is closest to the handle's template. The template starts as F0(p0) and adapts to the
 * tracked feature in proportion to the tracking confidence. The confidence is 1 - (distance of the best candidate to
 * the template) / (the distance between F0(p0) and the step-0 features r2 away): 1 for a perfect match, 0 for a
 * match no better than unrelated structure nearby.
 */
final class LineTracker {

	/** How far the template moves toward the tracked feature at full confidence. */
	static final double ADAPT = 0.2;
	/** Candidate spacing along the segment, pixels. */
	static final double STEP = 0.5;

	private final FeatureSampler sampler;
	private final TrackingNorm norm;
	private final int r2;
	private final int channels;
	private final double[] scale;
	private final double[] confidence;
	/** [C, handles] row-major: small, kept in Java so that no array outlives a step. */
	private final float[] templates;

	/**
	 * @param refs [C, handles] F0 at the initial handles
	 * @param f0 [C, featureRes^2] the step-0 features
	 * @param handles the initial handles
	 */
	LineTracker(final FeatureSampler sampler, final TrackingNorm norm, final int r2, final NDArray refs,
		final NDArray f0, final List<Point> handles)
	{
		this.sampler = sampler;
		this.norm = norm;
		this.r2 = r2;
		channels = (int) refs.getShape().get(0);
		templates = refs.toFloatArray();
		confidence = new double[handles.size()];
		java.util.Arrays.fill(confidence, 1);
		scale = new double[handles.size()];
		// The typical distance from F0(p0) to unrelated structure: its mean distance to F0 at the 8 points r2 away.
		final int ring = 8;
		final double[] x = new double[handles.size() * ring], y = new double[x.length];
		final long[] own = new long[x.length];
		for (int h = 0; h < handles.size(); h++)
			for (int k = 0; k < ring; k++) {
				final double a = 2 * Math.PI * k / ring;
				x[h * ring + k] = handles.get(h).x() + r2 * Math.cos(a);
				y[h * ring + k] = handles.get(h).y() + r2 * Math.sin(a);
				own[h * ring + k] = h;
			}
		final float[] s = scores(f0, x, y, own);
		for (int h = 0; h < handles.size(); h++) {
			double sum = 0;
			for (int k = 0; k < ring; k++)
				sum += s[h * ring + k];
			scale[h] = Math.max(sum / ring, 1e-12);
		}
	}

	/** The adaptive templates [C, handles], a new array in this manager. */
	NDArray templates(final NDManager m) {
		return m.create(templates, new Shape(channels, templates.length / channels));
	}

	/** The last step's tracking confidence of a handle, 0..1. */
	double confidence(final int handle) {
		return confidence[handle];
	}

	/** Moves each handle along its segment to the best match of its template; adapts the templates. */
	void track(final NDArray flat, final List<Point> handles, final List<Point> targets) {
		final List<double[]> cand = new ArrayList<>();
		final int[] start = new int[handles.size() + 1];
		for (int h = 0; h < handles.size(); h++) {
			start[h] = cand.size();
			final Point p = handles.get(h), t = targets.get(h);
			final double len = p.distance(t);
			if (len < 1e-9) {
				cand.add(new double[] { p.x(), p.y(), h });
				continue;
			}
			final double ux = (t.x() - p.x()) / len, uy = (t.y() - p.y()) / len, far = Math.min(r2, len);
			for (double s = -1; s < far + 1e-9; s += STEP)
				cand.add(new double[] { p.x() + s * ux, p.y() + s * uy, h });
			if ((far + 1) % STEP > 1e-9) cand.add(new double[] { p.x() + far * ux, p.y() + far * uy, h });
		}
		start[handles.size()] = cand.size();
		final int n = cand.size();
		final double[] x = new double[n], y = new double[n];
		final long[] own = new long[n];
		for (int i = 0; i < n; i++) {
			x[i] = cand.get(i)[0];
			y[i] = cand.get(i)[1];
			own[i] = (long) cand.get(i)[2];
		}
		final float[] s = scores(flat, x, y, own);
		final double[] bx = new double[handles.size()], by = new double[handles.size()];
		for (int h = 0; h < handles.size(); h++) {
			int best = start[h];
			for (int i = start[h] + 1; i < start[h + 1]; i++)
				if (s[i] < s[best]) best = i;
			confidence[h] = Math.max(0, 1 - s[best] / scale[h]);
			handles.set(h, new Point(x[best], y[best]));
			bx[h] = x[best];
			by[h] = y[best];
		}
		// T <- T + a * c * (F(p) - T), per handle.
		final float[] tracked = FeatureSampler.sample(flat, sampler.taps(bx, by)).toFloatArray();
		final int hs = handles.size();
		for (int c = 0; c < channels; c++)
			for (int h = 0; h < hs; h++)
				templates[c * hs + h] += (float) (ADAPT * confidence[h] * (tracked[c * hs + h] - templates[c * hs + h]));
	}

	/** Distance (the tracking norm over channels) of the features at the points to their handle's template. */
	private float[] scores(final NDArray flat, final double[] x, final double[] y, final long[] own) {
		final NDManager m = flat.getManager();
		final NDArray cand = FeatureSampler.sample(flat, sampler.taps(x, y));
		final NDArray ref = templates(m).gather(m.create(own, new Shape(1, own.length)).broadcast(new Shape(
			channels, own.length)), 1);
		final NDArray diff = cand.sub(ref);
		return (norm == TrackingNorm.L1 ? diff.abs().sum(new int[] { 0 }) : diff.square().sum(new int[] { 0 }).sqrt())
			.toFloatArray();
	}
}
