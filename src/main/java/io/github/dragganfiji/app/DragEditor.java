package io.github.dragganfiji.app;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Interactive editing of one latent, as the paper's GUI does it: the user places handle/target pairs, starts an edit
 * (a drag through {@link DragUseCase} from the current latent, on a worker thread), stops it or lets it arrive, moves,
 * adds or removes points and goes on from where it stopped; undo and redo take whole edits back and forth. After an
 * edit the handles stand where the tracker left them, the targets where they were.
 * <p>
 * ImageJ-free: the Fiji tool ({@code ij.DragTool}) shows it live in an image window; tests drive it directly. Point
 * changes, undo and redo are refused while an edit runs. Thread-safe: the event thread edits points and starts and
 * stops, the worker reports steps.
 */
public final class DragEditor {

	/** What an edit tells its front end; every call comes on the worker thread. */
	public interface Listener {

		/** The edit's checked input, before its first step. */
		default void started(final DragInput input) {}

		/** One step: its image, tracked handles and distances. */
		void step(DragStep step);

		/**
		 * The edit ended (arrived, max steps, stopped): {@code edit} is what it did, null when it made no update
		 * (every handle had already arrived, or it was stopped before its first update); the editor's state (latent,
		 * pairs, history) is already updated.
		 */
		void finished(Edit edit, DragUseCase.Result result);

		/** The edit failed in the engine; the latent and the points are as they were before it. */
		void failed(RuntimeException error);
	}

	/**
	 * A handle and its target.
	 *
	 * @param handle where the content is
	 * @param target where it should go; null while the user has not placed it yet
	 */
	public record Pair(Point handle, Point target) {

		/** Whether the target is placed. */
		public boolean complete() {
			return target != null;
		}
	}

	/**
	 * One finished edit: enough to undo it, redo it and record it.
	 *
	 * @param before the latent it started from
	 * @param after the latent it ended at
	 * @param pairsBefore the points when it started
	 * @param pairsAfter the points after it (handles where the tracker left them)
	 * @param input the drag's checked input (handles, targets, movable area)
	 * @param config the drag's parameters
	 * @param updates optimizer updates made
	 * @param arrived whether every handle arrived
	 * @param seconds wall time
	 * @param rolledBackTo the step it was rolled back to because a handle's content ended farther from its target
	 *          than at the start, -1 when it was not
	 */
	public record Edit(Latent before, Latent after, List<Pair> pairsBefore, List<Pair> pairsAfter, DragInput input,
		DragConfig config, int updates, boolean arrived, double seconds, int rolledBackTo)
	{

		/** How many steps its result stack shows: the start, one per update and, when rolled back, the step kept. */
		public int slices() {
			return updates + 1 + (rolledBackTo >= 0 ? 1 : 0);
		}
	}

	private final ModelSearchPath.Entry model;
	private final DeviceChoice device;
	private final int size;
	private final Consumer<String> log;
	private final List<Pair> pairs = new ArrayList<>();
	private final Deque<Edit> done = new ArrayDeque<>();
	private final Deque<Edit> undone = new ArrayDeque<>();
	private Latent latent;
	private Thread worker;
	private volatile boolean stopRequested;

	/**
	 * @param model the latent's model
	 * @param start the latent to edit
	 * @param device where edits run
	 * @param log hears about the runtime and device (the first edit starts the engine)
	 */
	public DragEditor(final ModelSearchPath.Entry model, final Latent start, final DeviceChoice device,
		final Consumer<String> log)
	{
		if (!start.fits(model.metadata())) throw new IllegalArgumentException("The latent (" + start.numWs() + " x " +
			start.wDim() + ") does not fit the model '" + model.name() + "'.");
		this.model = model;
		this.latent = start;
		this.device = device;
		this.size = model.metadata().resolution();
		this.log = log;
	}

	public ModelSearchPath.Entry model() {
		return model;
	}

	/** The current latent: the start, or where the last edit (or undo, or redo) left it. */
	public synchronized Latent latent() {
		return latent;
	}

	/** The pairs, in order (the last may lack its target). */
	public synchronized List<Pair> pairs() {
		return List.copyOf(pairs);
	}

	/** Whether an edit is running. */
	public synchronized boolean running() {
		return worker != null;
	}

	/** The edits that led to the current latent, oldest first (undone ones excluded). */
	public synchronized List<Edit> history() {
		final List<Edit> h = new ArrayList<>(done);
		java.util.Collections.reverse(h);
		return h;
	}

	/** Whether there is an edit to undo, or to redo. */
	public synchronized boolean canUndo() {
		return !done.isEmpty();
	}

	public synchronized boolean canRedo() {
		return !undone.isEmpty();
	}

	/**
	 * A click: the target of the last pair if it has none, else the handle of a new pair. Points are pixel centres
	 * on the image; an IllegalArgumentException says what is wrong (outside the image, on another handle's pixel).
	 */
	public synchronized void addPoint(final Point p) {
		idle();
		final Point q = onImage(p);
		final Pair last = pairs.isEmpty() ? null : pairs.get(pairs.size() - 1);
		if (last != null && !last.complete()) {
			if (q.equals(last.handle())) throw new IllegalArgumentException(
				"The target is on its handle: click where the handle should go.");
			pairs.set(pairs.size() - 1, new Pair(last.handle(), q));
		}
		else {
			for (final Pair pair : pairs)
				if (pair.handle().equals(q)) throw new IllegalArgumentException("There is a handle on " + DragInput.fmt(
					q) + " already: one pixel cannot go two ways.");
			pairs.add(new Pair(q, null));
		}
	}

	/** Moves point {@code index} (2k: handle k, 2k + 1: its target) to {@code p}, clamped to the image. */
	public synchronized void movePoint(final int index, final Point p) {
		idle();
		final Pair pair = pairs.get(index / 2);
		final Point q = clamp(p);
		pairs.set(index / 2, index % 2 == 0 ? new Pair(q, pair.target()) : new Pair(pair.handle(), q));
	}

	/** The index of the point nearest to {@code p} (as in {@link #movePoint}) if within {@code radius}, else -1. */
	public synchronized int pointNear(final Point p, final double radius) {
		int best = -1;
		double bestD = radius;
		for (int i = 0; i < 2 * pairs.size(); i++) {
			final Pair pair = pairs.get(i / 2);
			final Point q = i % 2 == 0 ? pair.handle() : pair.target();
			if (q == null) continue;
			final double d = q.distance(p);
			if (d <= bestD) {
				best = i;
				bestD = d;
			}
		}
		return best;
	}

	/** Removes the pair with the point nearest to {@code p}; false when there is none. */
	public synchronized boolean removePairNear(final Point p) {
		idle();
		final int i = pointNear(p, Double.POSITIVE_INFINITY);
		if (i < 0) return false;
		pairs.remove(i / 2);
		return true;
	}

	/** Removes every point. */
	public synchronized void clearPoints() {
		idle();
		pairs.clear();
	}

	/**
	 * Starts an edit from the current latent with the current pairs on a worker thread (never the caller's), and
	 * returns at once. An IllegalArgumentException says what is missing (no pair, a handle without its target) or
	 * wrong; an IllegalStateException that an edit runs already.
	 *
	 * @param movable the movable area (null: everything may move), [size * size] row-major; the drag's mask too
	 * @param config the drag's parameters
	 * @param listener hears the steps and the end, on the worker thread
	 */
	public synchronized void start(final boolean[] movable, final DragConfig config, final Listener listener) {
		start(movable, true, config, listener);
	}

	/**
	 * As {@link #start(boolean[], DragConfig, Listener)}; the edit records {@code movable} as its area, and the drag
	 * itself is masked by it only when {@code maskDrag} (else the area bounds only what the caller pastes back).
	 */
	public synchronized void start(final boolean[] movable, final boolean maskDrag, final DragConfig config,
		final Listener listener)
	{
		idle();
		if (pairs.isEmpty()) throw new IllegalArgumentException(
			"There are no points: click a handle, then where it should go.");
		final List<Point> handles = new ArrayList<>(), targets = new ArrayList<>();
		for (int k = 0; k < pairs.size(); k++) {
			if (!pairs.get(k).complete()) throw new IllegalArgumentException("Handle " + (k + 1) +
				" has no target yet: click where it should go.");
			handles.add(pairs.get(k).handle());
			targets.add(pairs.get(k).target());
		}
		final DragInput input = DragInput.of(handles, targets, movable, size, size);
		final DragUseCase.Request request = new DragUseCase.Request(model, latent, maskDrag ? input : DragInput.of(
			handles, targets, null, size, size), config, device);
		final List<Pair> before = List.copyOf(pairs);
		stopRequested = false;
		worker = new Thread(() -> work(request, input, before, listener), "DragGAN tool edit");
		worker.setDaemon(true);
		worker.start();
	}

	/** Asks the running edit to stop at its next step; returns at once. */
	public void stop() {
		stopRequested = true;
	}

	/** Waits for the running edit (if any) to end, at most {@code millis}; whether none runs now. */
	public boolean await(final long millis) throws InterruptedException {
		final Thread t;
		synchronized (this) {
			t = worker;
		}
		if (t != null) t.join(millis);
		return !running();
	}

	private void work(final DragUseCase.Request request, final DragInput area, final List<Pair> before,
		final Listener listener)
	{
		final DragUseCase.Result r;
		try {
			listener.started(request.input());
			r = DragUseCase.run(request, listener::step, () -> stopRequested, log);
		}
		catch (final RuntimeException e) {
			synchronized (this) {
				worker = null;
			}
			listener.failed(e);
			return;
		}
		final Edit edit;
		synchronized (this) {
			edit = r.drag().updates() == 0 ? null : record(request, area, before, r);
			worker = null;
		}
		listener.finished(edit, r);
	}

	/** Applies a finished edit: the new latent, the handles where they were tracked, the history. */
	private Edit record(final DragUseCase.Request request, final DragInput area, final List<Pair> before,
		final DragUseCase.Result r)
	{
		final DragStep last = r.drag().last();
		final List<Pair> after = new ArrayList<>();
		for (int k = 0; k < before.size(); k++)
			after.add(new Pair(last.handles().get(k), before.get(k).target()));
		final Latent next = new Latent(latent.numWs(), latent.wDim(), last.ws());
		final Edit edit = new Edit(latent, next, before, List.copyOf(after), area, request.config(), r
			.drag().updates(), r.drag().arrived(), r.seconds(), r.drag().rolledBackTo());
		latent = next;
		// Points added or moved while it ran cannot happen (refused), so the tracked handles replace them.
		pairs.clear();
		pairs.addAll(after);
		done.push(edit);
		undone.clear();
		return edit;
	}

	/** Takes the last edit back: its start latent and points; null when there is none. */
	public synchronized Edit undo() {
		idle();
		if (done.isEmpty()) return null;
		final Edit e = done.pop();
		undone.push(e);
		latent = e.before();
		pairs.clear();
		pairs.addAll(e.pairsBefore());
		return e;
	}

	/** Does the last undone edit again (its result, not a new run); null when there is none. */
	public synchronized Edit redo() {
		idle();
		if (undone.isEmpty()) return null;
		final Edit e = undone.pop();
		done.push(e);
		latent = e.after();
		pairs.clear();
		pairs.addAll(e.pairsAfter());
		return e;
	}

	private void idle() {
		if (worker != null) throw new IllegalStateException("An edit is running: stop it first (Space or Esc).");
	}

	private Point onImage(final Point p) {
		if (!(p.x() > -0.5 && p.y() > -0.5 && p.x() < size - 0.5 && p.y() < size - 0.5))
			throw new IllegalArgumentException("The point " + DragInput.fmt(p) + " is outside the " + size + " x " +
				size + " image.");
		return p.rounded();
	}

	private Point clamp(final Point p) {
		final Point r = p.rounded();
		return new Point(Math.min(Math.max(r.x(), 0), size - 1), Math.min(Math.max(r.y(), 0), size - 1));
	}
}
