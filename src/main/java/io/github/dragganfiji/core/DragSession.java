package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.runtime.PyTorch;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The DragGAN loop (Pan et al. 2023), one instance per drag. Each iteration:
 * <ol>
 * <li>runs the generator's head (blocks up to the feature block) on the current ws with autograd;</li>
 * <li>step 0 keeps the features F0 and each handle's reference feature f_i = F0(p_i); later steps track each
 * handle to the nearest neighbour of f_i in a square of radius r2 around it;</li>
 * <li>renders the image from the same head output (tail, no autograd) and reports the step;</li>
 * <li>stops when every handle is within the stop distance, at max steps, or on cancel;</li>
 * <li>motion supervision: for each handle farther than 1 px from its target, over the disk |q - p| &lt; r1,
 * L1(F(q) detached, F(q + d)) with d the unit vector to the target, F(q + d) sampled bilinearly; plus
 * lambda * L1((F - F0) * (1 - M)) when a movable mask M is given;</li>
 * <li>backpropagates to the optimized latent (the first k W+ layers, or one shared w) and takes an Adam step;
 * the other layers stay at w0.</li>
 * </ol>
 * That is {@link DragMode#PAPER}, kept exactly. The robust modes change three parts, each in one place: what the
 * motion term pulls toward ({@link #anchoredMotion}: the original features F0, or the current ones while tracking is
 * confident), how handles are tracked ({@link LineTracker}: along the segment toward the target), and when the drag
 * stops ({@link StallDetector}: no progress; a reported arrival is checked in the step's image by
 * {@link DragVerification}). Every drag ends with a verification in image space, in its {@link DragResult}.
 * <p>
 * Features are read as if resized to the image size (see {@link FeatureSampler}); only the mask term materializes
 * the resized map. Memory stays flat: every step's arrays live in a step manager that is closed at its end.
 * Not thread-safe; run it on one worker thread.
 */
public final class DragSession implements AutoCloseable {

	private final Generator generator;
	private final DragConfig config;
	private final int res;
	private final int featureRes;
	private final int channels;
	private final int numWs;
	private final int wDim;
	private final int layers;
	private final List<Point> targets;
	private final List<Point> handles = new ArrayList<>();
	private final FeatureSampler sampler;
	private final NDManager manager;
	private final NDArray wOpt;
	private final NDArray wFixed;
	private final NDArray fixedMask;
	private final Adam adam;
	private final ThreadTuner threads;
	private final List<Point> starts;
	private final DragMode mode;
	private final StallDetector stall;
	private NDArray refs;
	private NDArray f0;
	/** F0 at each supervised offset of each initial handle [C, handles * offsets], for those modes. */
	private NDArray anchors;
	private LineTracker lineTracker;
	private float[] firstImage;
	private DragVerification.Result verification;
	private int step;

	/**
	 * @param generator the loaded bundle
	 * @param ws0 the start latent [num_ws * w_dim], row-major
	 * @param input handles (rounded to pixel centres), targets and the movable mask, on an image of the model's size
	 * @param config parameters
	 */
	public DragSession(final Generator generator, final float[] ws0, final DragInput input, final DragConfig config) {
		final ModelMetadata meta = generator.metadata();
		this.generator = generator;
		this.config = config;
		res = meta.resolution();
		featureRes = meta.featureBlock().resolution();
		channels = meta.featureBlock().channels();
		numWs = meta.numWs();
		wDim = meta.wDim();
		layers = config.layers();
		if (ws0.length != numWs * wDim) throw new IllegalArgumentException("the latent has " + ws0.length +
			" values; this model needs " + numWs + " x " + wDim);
		if (layers > numWs) throw new IllegalArgumentException("cannot optimize " + layers + " W+ layers: the model has " +
			numWs);
		if (input.width() != res || input.height() != res) throw new IllegalArgumentException("the points are on a " +
			input.width() + " x " + input.height() + " image; the model makes " + res + " x " + res);
		for (final Point p : input.handles())
			handles.add(p.rounded());
		starts = List.copyOf(handles);
		targets = input.targets();
		mode = config.mode();
		stall = new StallDetector();
		sampler = new FeatureSampler(featureRes, res);
		PyTorch.prepareThread();
		manager = generator.manager().newSubManager();
		final NDArray ws = manager.create(ws0, new Shape(1, numWs, wDim));
		wOpt = (config.wPlus() ? ws.get(new NDIndex(":, :{}", layers)) : ws.get(new NDIndex(":, 0:1"))).duplicate();
		wFixed = ws.get(new NDIndex(":, {}:", layers)).duplicate();
		ws.close();
		wOpt.setRequiresGradient(true);
		fixedMask = mask(input.movable());
		adam = new Adam(wOpt, config.learningRate());
		threads = ThreadTuner.of(generator.device());
	}

	private final StepProfile profile = new StepProfile();

	/** Where this session's steps spent their time so far (read it after {@link #run}). */
	public StepProfile profile() {
		return profile;
	}

	private long timed(final StepProfile.Phase phase, final long since) {
		final long now = System.nanoTime();
		profile.add(phase, now - since);
		return now;
	}

	private NDArray mask(final boolean[] movable) {
		if (movable == null) return null;
		final float[] fixed = new float[movable.length];
		int nFixed = 0;
		for (int i = 0; i < fixed.length; i++)
			if (!movable[i]) {
				fixed[i] = 1;
				nFixed++;
			}
		if (nFixed == 0 || config.lambdaMask() == 0) return null; // everything may move: no mask term
		return manager.create(fixed, new Shape(1, 1, res, res));
	}

	/**
	 * Runs until arrival, max steps, no progress (the robust modes) or cancel, reporting every step; the result
	 * carries the drag's verification in image space ({@link DragVerification}).
	 */
	public DragResult run(final DragListener listener, final BooleanSupplier cancelled) {
		final long t0 = System.nanoTime();
		final NeverFarther guard = mode.stopOnStall ? new NeverFarther() : null; // the robust modes
		DragStep previous = null;
		while (true) {
			final long begin = System.nanoTime();
			final boolean stop = cancelled.getAsBoolean();
			threads.beforeStep();
			final long s0 = System.nanoTime();
			final Iteration it = iterate(t0, stop);
			threads.afterStep(System.nanoTime() - s0);
			if (it == null) return guarded(guard, diverged(previous, listener), listener, t0, false);
			listener.step(it.step());
			final long g0 = System.nanoTime();
			final boolean away = guard != null && guard.movingAway(it.step());
			if (guard != null) timed(StepProfile.Phase.VERIFY, g0);
			if (it.finished() || away) {
				final long v0 = System.nanoTime();
				final DragVerification.Result v = verify(it.step());
				timed(StepProfile.Phase.VERIFY, v0);
				profile.step(System.nanoTime() - begin);
				return guarded(guard, new DragResult(it.step(), it.step().index(), it.arrived() && !away, stop, it
					.diverged(), v), listener, t0, away);
			}
			profile.step(System.nanoTime() - begin);
			previous = it.step();
		}
	}

	/**
	 * The robust modes' rule that no drag ends farther than it began: the verified distances of every rendered step
	 * are measured as the drag runs; it stops once a handle's content has stayed farther from its target than at the
	 * start for {@link #AWAY_STEPS} steps, and a drag that ends with such a handle returns its best step without one
	 * (step 0 at worst), reported once more as the last step.
	 */
	private final class NeverFarther {

		private DragStep best;
		private double bestMean = Double.POSITIVE_INFINITY;
		private int away;

		/** Measures a step; true when a handle's content has been moving away for long enough to stop. */
		boolean movingAway(final DragStep s) {
			if (s.image() == null) return false;
			final DragVerification.Result v = verify(s);
			final boolean farther = farther(v);
			if (!farther && v.meanDistance() < bestMean) {
				best = s;
				bestMean = v.meanDistance();
			}
			away = farther ? away + 1 : 0;
			return away >= AWAY_STEPS;
		}

		DragResult apply(final DragResult r, final DragListener listener, final long t0, final boolean movedAway) {
			if (!farther(r.verification()) || best == null || best.index() == r.last().index()) return r.movedAway() ==
				movedAway ? r : new DragResult(r.last(), r.updates(), r.arrived(), r.cancelled(), r.diverged(), r
					.verification(), r.rolledBackTo(), movedAway);
			final DragStep back = new DragStep(best.index(), best.handles(), best.distances(), Double.NaN, best.ws(),
				best.image(), System.nanoTime() - t0);
			listener.step(back);
			final DragVerification.Result v = verify(back);
			return new DragResult(back, r.updates(), v.arrived(), r.cancelled(), r.diverged(), v, best.index(),
				movedAway);
		}
	}

	/** How many rendered steps in a row a handle's content may stay farther from its target than at the start. */
	static final int AWAY_STEPS = 20;

	private static boolean farther(final DragVerification.Result v) {
		for (final DragVerification.Handle h : v.handles())
			if (h.fartherThanStart()) return true;
		return false;
	}

	private static DragResult guarded(final NeverFarther guard, final DragResult r, final DragListener listener,
		final long t0, final boolean movedAway)
	{
		return guard == null ? r : guard.apply(r, listener, t0, movedAway);
	}

	private record Iteration(DragStep step, boolean finished, boolean arrived, boolean diverged) {}

	/** The update made the latent non-finite or implausible: the previous step is the last good one (rendered). */
	private DragResult diverged(final DragStep good, final DragListener listener) {
		DragStep last = good;
		if (good.image() == null) {
			last = new DragStep(good.index(), good.handles(), good.distances(), good.loss(), good.ws(), generator
				.imageOf(good.ws()), good.elapsedNanos());
			listener.step(last);
		}
		return new DragResult(last, last.index(), false, false, true, verify(last));
	}

	/** Where each handle's content is in this (rendered) step's image. */
	private DragVerification.Result verify(final DragStep last) {
		return DragVerification.verify(firstImage, last.image(), res, starts, targets, config.stopDistance(handles
			.size()));
	}

	/**
	 * One forward; tracking, reporting, and unless this is the last step, the loss and one update. Null when the last
	 * update left the latent non-finite or implausible; a non-finite loss makes this step the last (diverged).
	 */
	private Iteration iterate(final long t0, final boolean cancelled) {
		DragStep report;
		boolean finished;
		boolean arrived;
		boolean diverged = false;
		try (NDManager sm = manager.newSubManager()) {
			final List<NDArray> attached = new ArrayList<>(List.of(wOpt, wFixed));
			if (fixedMask != null) attached.add(fixedMask);
			if (refs != null) attached.add(refs);
			if (f0 != null) attached.add(f0);
			if (anchors != null) attached.add(anchors);
			sm.tempAttachAll(attached.toArray(new NDArray[0]));
			double loss = Double.NaN;
			long t = System.nanoTime();
			try (GradientCollector gc = PyTorch.gradients()) {
				// Built inside the collector: autograd is off elsewhere on this thread.
				final NDArray head = wOpt.getShape().get(1) == layers ? wOpt : wOpt.broadcast(new Shape(1, layers,
					wDim));
				final NDArray ws = head.concat(wFixed, 1);
				final float[] wsValues = ws.stopGradient().toFloatArray();
				if (step > 0 && !plausible(wsValues)) return null;
				t = timed(StepProfile.Phase.LATENT, t);
				final Generator.Head out = generator.head(ws, true);
				final NDArray flat = out.features().reshape(channels, (long) featureRes * featureRes);
				final NDArray detached = flat.stopGradient();
				t = timed(StepProfile.Phase.HEAD, t);
				if (step == 0) start(detached);
				else if (mode.tracking == DragMode.Tracking.LINE) lineTracker.track(detached, handles, targets);
				else track(detached);
				t = timed(StepProfile.Phase.TRACK, t);
				final double stopAt = config.stopDistance(handles.size());
				arrived = arrived(stopAt);
				// The robust modes check a reported arrival in the step's image (rendered now, reported below).
				float[] image = null;
				boolean lost = false;
				if (arrived && step > 0 && mode.checkArrivalInImage) {
					image = render(out, ws);
					t = timed(StepProfile.Phase.RENDER, t);
					final Arrival a = confirmInImage(image, stopAt);
					arrived = a == Arrival.CONFIRMED;
					lost = a == Arrival.LOST;
					t = timed(StepProfile.Phase.VERIFY, t);
				}
				final double[] dist = distances();
				final boolean stalled = mode.stopOnStall && stall.stalled(dist);
				finished = arrived || cancelled || step >= config.maxSteps() || stalled || lost;
				if (!finished) {
					final NDArray l = loss(flat, detached, out.features());
					loss = l.getFloat();
					t = timed(StepProfile.Phase.LOSS, t);
					diverged = !Double.isFinite(loss);
					if (diverged) finished = true;
					else {
						gc.backward(l);
						t = timed(StepProfile.Phase.BACKWARD, t);
					}
				}
				final boolean render = finished || step % config.recordEvery() == 0;
				if (render && image == null) {
					image = render(out, ws);
					t = timed(StepProfile.Phase.RENDER, t);
				}
				if (step == 0) firstImage = image;
				report = new DragStep(step, List.copyOf(handles), dist, loss, wsValues, render ? image : null, System
					.nanoTime() - t0);
			}
			if (!finished) {
				t = System.nanoTime();
				adam.step();
				timed(StepProfile.Phase.ADAM, t);
			}
		}
		step++;
		return new Iteration(report, finished, arrived, diverged);
	}

	/** Whether every value is finite and within a latent's plausible range. */
	private static boolean plausible(final float[] ws) {
		for (final float v : ws)
			if (!(Math.abs(v) <= Latent.MAX_ABS)) return false;
		return true;
	}

	private float[] render(final Generator.Head out, final NDArray ws) {
		return generator.tail(out.features().stopGradient(), out.image().stopGradient(), ws.stopGradient(), false)
			.toFloatArray();
	}

	private boolean arrived(final double stopAt) {
		for (final double d : distances())
			if (d > stopAt) return false;
		return true;
	}

	/**
	 * The tracker says every handle arrived: checks it in the image. A handle whose start patch is found, as a clear
	 * match (NCC at least {@link #CLEAR_MATCH}), farther than the stop distance + 1 px from its target is moved to where
	 * it was found and the drag goes on; a handle whose content cannot be found clearly any more ends the drag (it
	 * cannot be brought any closer). True when the image confirms the arrival.
	 */
	private Arrival confirmInImage(final float[] image, final double stopAt) {
		final DragVerification.Result v = DragVerification.verify(firstImage, image, res, starts, targets, stopAt);
		if (v.arrived()) return Arrival.CONFIRMED;
		for (final DragVerification.Handle found : v.handles())
			if (!v.arrived(found) && found.score() < CLEAR_MATCH) return Arrival.LOST;
		for (int h = 0; h < handles.size(); h++) {
			final DragVerification.Handle found = v.handles().get(h);
			if (!v.arrived(found)) handles.set(h, found.found());
		}
		return Arrival.ELSEWHERE;
	}

	/** What the image says about a reported arrival. */
	private enum Arrival {
		CONFIRMED, ELSEWHERE, LOST
	}

	/** The NCC from which a located start patch counts as found. */
	static final double CLEAR_MATCH = 0.6;

	/**
	 * Step 0: keep F0 (only when the mask needs it) and the reference features at the initial handles; the robust
	 * modes also keep F0 at every supervised offset of each handle and start their trackers.
	 */
	private void start(final NDArray flat) {
		final FeatureSampler.Taps taps = sampler.taps(xs(handles), ys(handles));
		refs = FeatureSampler.sample(flat, taps);
		refs.attach(manager);
		if (fixedMask != null) {
			f0 = flat.reshape(1, channels, featureRes, featureRes).duplicate();
			f0.attach(manager);
		}
		if (mode.supervision != DragMode.Supervision.CURRENT) {
			final List<int[]> offsets = offsets();
			final double[] x = new double[handles.size() * offsets.size()], y = new double[x.length];
			for (int h = 0; h < handles.size(); h++)
				for (int k = 0; k < offsets.size(); k++) {
					x[h * offsets.size() + k] = handles.get(h).x() + offsets.get(k)[0];
					y[h * offsets.size() + k] = handles.get(h).y() + offsets.get(k)[1];
				}
			anchors = FeatureSampler.sample(flat, sampler.taps(x, y));
			anchors.attach(manager);
		}
		if (mode.tracking == DragMode.Tracking.LINE) lineTracker = new LineTracker(sampler, config.trackingNorm(),
			config.r2(), refs, flat, handles);
	}

	/** The supervised offsets o, |o| &lt; r1, in row-major order (the disk's around a handle away from borders). */
	private List<int[]> offsets() {
		final List<int[]> out = new ArrayList<>();
		final int r = config.r1();
		for (int y = -r; y <= r; y++)
			for (int x = -r; x <= r; x++)
				if (x * x + y * y < r * r) out.add(new int[] { x, y });
		return out;
	}

	/** Moves each handle to the nearest neighbour of its reference feature within its r2 square. */
	private void track(final NDArray flat) {
		final List<int[]> pixels = new ArrayList<>();
		final List<Integer> owner = new ArrayList<>();
		final int[] start = new int[handles.size() + 1];
		for (int h = 0; h < handles.size(); h++) {
			start[h] = pixels.size();
			final Point p = handles.get(h);
			for (final int[] q : Geometry.square((int) p.x(), (int) p.y(), config.r2(), res)) {
				pixels.add(q);
				owner.add(h);
			}
		}
		start[handles.size()] = pixels.size();
		final double[] qx = new double[pixels.size()], qy = new double[pixels.size()];
		final long[] own = new long[pixels.size()];
		for (int i = 0; i < qx.length; i++) {
			qx[i] = pixels.get(i)[0];
			qy[i] = pixels.get(i)[1];
			own[i] = owner.get(i);
		}
		final NDArray cand = FeatureSampler.sample(flat, sampler.taps(qx, qy)); // [C, N]
		final NDArray ref = refs.gather(flat.getManager().create(own, new Shape(1, own.length)).broadcast(new Shape(
			channels, own.length)), 1);
		final NDArray diff = cand.sub(ref);
		final NDArray score = config.trackingNorm() == TrackingNorm.L1 ? diff.abs().sum(new int[] { 0 }) : diff
			.square().sum(new int[] { 0 });
		final float[] s = score.toFloatArray();
		for (int h = 0; h < handles.size(); h++) {
			int best = start[h];
			for (int i = start[h] + 1; i < start[h + 1]; i++)
				if (s[i] < s[best]) best = i;
			handles.set(h, new Point(qx[best], qy[best]));
		}
	}

	/** Motion supervision over every handle not yet within 1 px, plus the mask term. */
	private NDArray loss(final NDArray flat, final NDArray detached, final NDArray features) {
		NDArray loss = mode.supervision == DragMode.Supervision.CURRENT ? paperMotion(flat, detached)
			: anchoredMotion(flat, detached);
		if (fixedMask != null) {
			NDArray diff = features.sub(f0);
			if (featureRes != res) diff = PyTorch.resizeBilinear(diff, res, res);
			loss = loss.add(diff.mul(fixedMask).abs().sum().mul((float) (config.lambdaMask() / ((double) channels * res *
				res))));
		}
		return loss;
	}

	/** The paper's term: over the disk |q - p| &lt; r1, L1(F(q) detached, F(q + d)). */
	private NDArray paperMotion(final NDArray flat, final NDArray detached) {
		final List<double[]> q = new ArrayList<>(); // x, y, dx, dy, weight
		for (int h = 0; h < handles.size(); h++) {
			final Point p = handles.get(h), t = targets.get(h);
			final double len = p.distance(t);
			if (len <= 1) continue;
			final double dx = (t.x() - p.x()) / len, dy = (t.y() - p.y()) / len;
			final List<int[]> disk = Geometry.disk((int) p.x(), (int) p.y(), config.r1(), res);
			for (final int[] px : disk)
				q.add(new double[] { px[0], px[1], dx, dy, 1.0 / ((double) channels * disk.size()) });
		}
		NDArray loss = flat.getManager().create(0f);
		if (!q.isEmpty()) {
			final int n = q.size();
			final double[] x = new double[n], y = new double[n], xd = new double[n], yd = new double[n];
			final float[] w = new float[n];
			for (int i = 0; i < n; i++) {
				final double[] e = q.get(i);
				x[i] = e[0];
				y[i] = e[1];
				xd[i] = e[0] + e[2];
				yd[i] = e[1] + e[3];
				w[i] = (float) e[4];
			}
			final NDArray current = FeatureSampler.sample(detached, sampler.taps(x, y));
			final NDArray shifted = FeatureSampler.sample(flat, sampler.taps(xd, yd));
			loss = shifted.sub(current).abs().mul(flat.getManager().create(w, new Shape(1, n))).sum();
		}
		return loss;
	}

	/**
	 * The robust modes' term: for each offset o of the disk, L1 between F(p + o + d) and its reference: F0(p0 + o)
	 * (GoodDrag), or with the confidence fallback the current F(p + o) while tracking is confident (StableDrag).
	 * Points off the image are left out, as the paper's disk is clipped.
	 */
	private NDArray anchoredMotion(final NDArray flat, final NDArray detached) {
		final NDManager m = flat.getManager();
		final List<int[]> offsets = offsets();
		final List<Double> x = new ArrayList<>(), y = new ArrayList<>(), xd = new ArrayList<>(), yd = new ArrayList<>();
		final List<Long> anchor = new ArrayList<>();
		final List<Boolean> current = new ArrayList<>();
		final List<Float> weight = new ArrayList<>();
		for (int h = 0; h < handles.size(); h++) {
			final Point p = handles.get(h), t = targets.get(h);
			final double len = p.distance(t);
			if (len <= 1) continue;
			final double dx = (t.x() - p.x()) / len, dy = (t.y() - p.y()) / len;
			final boolean useCurrent = mode.supervision == DragMode.Supervision.CONFIDENCE && lineTracker != null &&
				lineTracker.confidence(h) >= CONFIDENT;
			final List<Integer> inside = new ArrayList<>();
			for (int k = 0; k < offsets.size(); k++) {
				final double qx = p.x() + offsets.get(k)[0], qy = p.y() + offsets.get(k)[1];
				if (qx >= 0 && qy >= 0 && qx <= res - 1 && qy <= res - 1) inside.add(k);
			}
			for (final int k : inside) {
				x.add(p.x() + offsets.get(k)[0]);
				y.add(p.y() + offsets.get(k)[1]);
				xd.add(p.x() + offsets.get(k)[0] + dx);
				yd.add(p.y() + offsets.get(k)[1] + dy);
				anchor.add((long) h * offsets.size() + k);
				current.add(useCurrent);
				weight.add((float) (1.0 / ((double) channels * inside.size())));
			}
		}
		if (x.isEmpty()) return m.create(0f);
		final int n = x.size();
		final NDArray shifted = FeatureSampler.sample(flat, sampler.taps(unbox(xd), unbox(yd)));
		final long[] idx = new long[n];
		final float[] useCur = new float[n], w = new float[n];
		for (int i = 0; i < n; i++) {
			idx[i] = anchor.get(i);
			useCur[i] = current.get(i) ? 1 : 0;
			w[i] = weight.get(i);
		}
		NDArray ref = anchors.gather(m.create(idx, new Shape(1, n)).broadcast(new Shape(channels, n)), 1);
		if (current.contains(true)) {
			final NDArray now = FeatureSampler.sample(detached, sampler.taps(unbox(x), unbox(y)));
			final NDArray pick = m.create(useCur, new Shape(1, n));
			ref = now.mul(pick).add(ref.mul(pick.neg().add(1f)));
		}
		return shifted.sub(ref).abs().mul(m.create(w, new Shape(1, n))).sum();
	}

	/** Tracking confidence from which the confidence fallback keeps supervising toward the current feature. */
	static final double CONFIDENT = 0.5;

	private static double[] unbox(final List<Double> v) {
		return v.stream().mapToDouble(Double::doubleValue).toArray();
	}

	private double[] distances() {
		final double[] d = new double[handles.size()];
		for (int i = 0; i < d.length; i++)
			d[i] = handles.get(i).distance(targets.get(i));
		return d;
	}

	private static double[] xs(final List<Point> ps) {
		return ps.stream().mapToDouble(Point::x).toArray();
	}

	private static double[] ys(final List<Point> ps) {
		return ps.stream().mapToDouble(Point::y).toArray();
	}

	/** How many steps ran at each thread count (empty when the count is fixed). */
	public String threadUsage() {
		return threads.usage();
	}

	/** Steps taken so far (reports made). */
	public int steps() {
		return step;
	}

	@Override
	public void close() {
		threads.done();
		manager.close();
	}
}
