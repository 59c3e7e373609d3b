package io.github.dragganfiji.ij;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.DragEditor;
import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.app.RealImageOptions;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.image.DragResultStack;
import io.github.dragganfiji.image.EditOverlay;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.LatentImage;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.runtime.DeviceChoice;
import io.github.dragganfiji.runtime.DjlRuntime;

import java.awt.EventQueue;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The DragGAN tool on one image window: a {@link DragEditor} shown live, in place. Each step's image is written into
 * the image's own pixels and its handles and tracks into its overlay, on the event thread, while the edit runs on the
 * editor's worker; frames the event thread has not shown yet are skipped for newer ones. Each finished edit sets the
 * image's latent, keeps its result stack ({@link DragResultStack}) for the history, and is recorded as a
 * {@code run("Drag...")} macro when the recorder is open. Undo and redo put back the exact pixels of each state, down
 * to the image's original pixels, latent and overlay.
 * <p>
 * Everything here but the step listener runs on the event thread.
 */
final class LiveDrag {

	/** A step ready to show: its pixels (one array per channel, or one RGB array) and the tracks so far. */
	private record Frame(DragStep step, Object[] pixels, List<List<Point>> tracks) {}

	/**
	 * Figures of the last edit.
	 *
	 * @param framesShown image updates in the window
	 * @param updatesPerSecond their rate between the first and the last
	 * @param firstChangeMillis from {@link #start} to the first update showing a changed image
	 * @param stepMillis mean time per step of the edit (engine and the tool's work on the worker)
	 * @param toolMillis of that, the mean time the tool spent on the worker per step (rendering, the result stack)
	 * @param paintMillis mean time the event thread spent per image update (pixels, overlay, drawing)
	 */
	record Stats(int framesShown, double updatesPerSecond, double firstChangeMillis, double stepMillis,
		double toolMillis, double paintMillis)
	{}

	private final ImagePlus imp;
	private final LatentImage image;
	private final DragEditor editor;
	private final String device;
	private final RealImageOptions real;
	private final String firstPreamble;
	private final Object[] originalPixels;
	private final String originalWs;
	private final boolean originalChanges;
	private final Overlay baseOverlay;
	private final IntensityMapping mapping;
	private final Map<DragEditor.Edit, Object[]> pixelsAfter = new IdentityHashMap<>();
	private final Map<DragEditor.Edit, DragResultStack> stacks = new IdentityHashMap<>();
	private final Set<DragEditor.Edit> recorded = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
	private final AtomicReference<Frame> pending = new AtomicReference<>();
	private List<List<Point>> tracks = List.of();
	private Roi area;
	private boolean recordedManager;
	private final StringBuilder macro = new StringBuilder();
	// The running edit's, on the worker:
	private DragResultStack growing;
	private List<List<Point>> growingTracks;
	// Figures, on the event thread:
	private long startNanos, firstShownNanos, lastShownNanos, firstChangeNanos, paintNanos;
	private int framesShown;
	private volatile long toolNanos, lastElapsedNanos;
	private volatile int steps;
	private Stats lastStats;

	/**
	 * @param image the image to edit in place (a single image, not a stack)
	 * @param firstPreamble the macro lines that select it for a recorded replay
	 * @param device where to run (auto, cpu, gpu)
	 * @param real how a real (inverted) image is edited
	 */
	private LiveDrag(final LatentImage image, final String firstPreamble, final String device,
		final RealImageOptions real)
	{
		this.imp = image.imp();
		this.image = image;
		this.firstPreamble = firstPreamble;
		this.device = device;
		this.real = real;
		this.editor = new DragEditor(image.model(), image.latent(), DeviceChoice.parse(device), IJ::log);
		originalPixels = copy(pixels());
		originalWs = imp.getProp(ImageProperties.WS);
		originalChanges = imp.changes;
		baseOverlay = imp.getOverlay() == null ? null : imp.getOverlay().duplicate();
		final String map = imp.getProp(ImageProperties.INTENSITY);
		mapping = map == null || map.isBlank() ? null : IntensityMapping.decode(map);
	}

	/**
	 * The tool on an image: a single image is edited in place; of a stack (a result stack, say) the current slice or
	 * frame is opened as a new image with its latent, and that one is edited. An IllegalArgumentException says why an
	 * image cannot be edited (no latent, no model, wrong size).
	 */
	static LiveDrag open(final ImagePlus imp, final String device, final RealImageOptions real) {
		final LatentImage li = LatentImage.of(imp, FijiModels.searchPath());
		final String select = "selectImage(\"" + imp.getTitle().replace("\"", "\\\"") + "\");\n";
		if (!li.isStack()) return new LiveDrag(li, select, device, real);
		final ImagePlus one = slice(imp, li);
		one.show();
		IJ.log("DragGAN tool: " + li.stackNote().replace("dragging from", "editing") + " It is opened as '" + one
			.getTitle() + "'.");
		return new LiveDrag(LatentImage.of(one, FijiModels.searchPath()), select + (imp.isHyperStack() || imp
			.isComposite() ? "Stack.setFrame(" + li.position() + ");\n" : "setSlice(" + li.position() + ");\n"),
			device, real);
	}

	/** {@link #open(ImagePlus, String, RealImageOptions)} on the automatic device with the real-image defaults. */
	static LiveDrag open(final ImagePlus imp) {
		return open(imp, "auto", RealImageOptions.defaults(imp.getWidth()));
	}

	/** The current slice or frame (all its channels) of a stack as a new image carrying that latent. */
	private static ImagePlus slice(final ImagePlus imp, final LatentImage li) {
		final int channels = imp.getNChannels();
		final ImageStack s = new ImageStack(imp.getWidth(), imp.getHeight());
		final boolean hyper = imp.isHyperStack() || imp.isComposite();
		for (int c = 1; c <= channels; c++)
			s.addSlice(imp.getStack().getProcessor(hyper ? imp.getStackIndex(c, imp.getSlice(), imp.getFrame()) : imp
				.getCurrentSlice()).duplicate());
		ImagePlus one = new ImagePlus(imp.getTitle() + " " + (hyper ? "frame " : "slice ") + li.position(), s);
		if (channels > 1) {
			one.setDimensions(channels, 1, 1);
			one = new CompositeImage(one, IJ.COMPOSITE);
		}
		else if (imp.getType() != ImagePlus.COLOR_RGB) one.setDisplayRange(imp.getDisplayRangeMin(), imp
			.getDisplayRangeMax()); // (on RGB it would change the pixels)
		one.setCalibration(imp.getCalibration().copy());
		ImageProperties.set(one, li.model().name(), li.model().dir(), li.latent());
		final String map = imp.getProp(ImageProperties.INTENSITY);
		if (map != null) one.setProp(ImageProperties.INTENSITY, map);
		return one;
	}

	ImagePlus imp() {
		return imp;
	}

	DragEditor editor() {
		return editor;
	}

	/** Image updates shown in the window during the running or last edit. */
	int framesShown() {
		return framesShown;
	}

	/** The figures of the last finished edit (null before). */
	Stats lastStats() {
		return lastStats;
	}

	/** Whether the image still has the type, size and planes the session's pixels were taken from. */
	boolean stillFits() {
		final Object[] now = pixels();
		if (now.length != originalPixels.length) return false;
		for (int i = 0; i < now.length; i++)
			if (now[i].getClass() != originalPixels[i].getClass() || java.lang.reflect.Array.getLength(
				now[i]) != java.lang.reflect.Array.getLength(originalPixels[i])) return false;
		return true;
	}

	/** Gets the engine past its slow first runs while the user places points (a background thread). */
	void warmUp() {
		final Thread t = new Thread(() -> {
			try {
				GeneratorCache.warmUp(image.model().dir(), DjlRuntime.device(DeviceChoice.parse(device), null));
			}
			catch (final RuntimeException e) {
				IJ.log("DragGAN: warm-up skipped: " + e.getMessage());
			}
		}, "DragGAN tool warm-up");
		t.setDaemon(true);
		t.start();
	}

	/** Redraws the overlay from the editor's points and the last tracks. */
	void redraw() {
		imp.setOverlay(EditOverlay.of(baseOverlay, editor.pairs(), tracks, area));
	}

	/** After the points changed: drops the last edit's tracks (they belong to points that moved) and redraws. */
	void pointsChanged() {
		tracks = List.of();
		redraw();
	}

	/** Starts an edit from the current latent (see {@link DragEditor#start}); errors as in that method. */
	void start(final DragConfig config) {
		final List<Roi> rois = new ArrayList<>();
		if (imp.getRoi() != null) rois.add(imp.getRoi());
		final RoiManager rm = java.awt.GraphicsEnvironment.isHeadless() ? RoiManager.getRawInstance() : RoiManager
			.getInstance(); // as Drag... reads it
		if (rm != null) rois.addAll(List.of(rm.getRoisAsArray()));
		final boolean[] drawn = RoiConversion.movableArea(rois, imp.getWidth(), imp.getHeight());
		// Without an area: the default region around each handle-to-target segment, as Drag... does (the plan says
		// whether the drag itself is masked by it, or only the paste-back).
		final DragUseCase.Plan plan = plan(drawn);
		final boolean[] movable = plan == null ? drawn : plan.input().movable();
		final boolean[] shown = plan == null ? drawn : plan.area();
		startNanos = System.nanoTime();
		firstShownNanos = lastShownNanos = firstChangeNanos = paintNanos = toolNanos = lastElapsedNanos = 0;
		framesShown = steps = 0;
		// A drawn area is the edit's (recorded, replayed); whether it also masks the drag, the plan says.
		final boolean[] edited = drawn != null ? drawn : movable;
		final boolean maskDrag = drawn == null || plan == null || plan.input().masked();
		editor.start(edited, maskDrag, config, new DragEditor.Listener() {

			@Override
			public void started(final DragInput input) {
				growing = DragResultStack.of(image, new DragUseCase.Plan(input, real.pasteBack(), shown, drawn != null),
					false);
				growingTracks = new ArrayList<>();
				for (int i = 0; i < input.size(); i++)
					growingTracks.add(new ArrayList<>());
			}

			@Override
			public void step(final DragStep step) {
				LiveDrag.this.step(step);
			}

			@Override
			public void finished(final DragEditor.Edit edit, final DragUseCase.Result result) {
				final DragResultStack stack = growing;
				EventQueue.invokeLater(() -> done(edit, result, stack));
			}

			@Override
			public void failed(final RuntimeException error) {
				EventQueue.invokeLater(() -> {
					area = null;
					redraw();
					IJ.showStatus("DragGAN: the edit failed");
					PluginSupport.guard(DragTool.NAME, () -> {
						throw error;
					});
				});
			}
		});
		area = EditOverlay.outline(shown, imp.getWidth(), imp.getHeight());
		tracks = List.of();
		redraw();
		IJ.showStatus("DragGAN: starting (Space or Esc stops)");
	}

	/** On the worker: the result stack grows, the frame goes to the event thread (replacing one not shown yet). */
	private void step(final DragStep step) {
		final long t0 = System.nanoTime();
		try {
			track(step);
		}
		finally {
			toolNanos += System.nanoTime() - t0;
			lastElapsedNanos = step.elapsedNanos();
			steps++;
		}
	}

	private void track(final DragStep step) {
		for (int i = 0; i < growingTracks.size(); i++)
			growingTracks.get(i).add(step.handles().get(i));
		growing.step(step);
		if (step.image() == null) return;
		final List<List<Point>> snapshot = new ArrayList<>();
		for (final List<Point> t : growingTracks)
			snapshot.add(List.copyOf(t));
		// The slice the step just added, as it is (rendered once: a second render's seam correction would start
		// from this one's and differ in the last bit).
		if (pending.getAndSet(new Frame(step, fitting(growing.lastPlanes()), snapshot)) == null) EventQueue.invokeLater(
			this::showPending);
	}

	/** On the event thread: the newest frame into the window. */
	private void showPending() {
		final Frame f = pending.getAndSet(null);
		if (f == null) return;
		final long t0 = System.nanoTime();
		setPixels(f.pixels());
		tracks = f.tracks();
		final List<DragEditor.Pair> started = editor.pairs();
		final List<DragEditor.Pair> now = new ArrayList<>();
		for (int i = 0; i < started.size(); i++)
			now.add(new DragEditor.Pair(f.step().handles().get(i), started.get(i).target()));
		imp.setOverlay(EditOverlay.of(baseOverlay, now, tracks, area));
		final long t = System.nanoTime();
		paintNanos += t - t0;
		if (framesShown++ == 0) firstShownNanos = t;
		lastShownNanos = t;
		if (firstChangeNanos == 0 && f.step().index() > 0) firstChangeNanos = t;
		final DragStep s = f.step();
		IJ.showStatus(String.format(Locale.ROOT, "DragGAN step %d, mean distance %.1f px, %.0f ms per step " +
			"(Space or Esc stops)", s.index(), s.meanDistance(), s.index() == 0 ? s.elapsedNanos() / 1e6 : s
				.elapsedNanos() / 1e6 / s.index()));
	}

	/** On the event thread, after the last frame: keep what the edit made, tell, record. */
	private void done(final DragEditor.Edit edit, final DragUseCase.Result r, final DragResultStack stack) {
		showPending();
		area = null; // shown while the edit runs; the selection itself stays
		lastStats = new Stats(framesShown, framesShown > 1 ? (framesShown - 1) / ((lastShownNanos - firstShownNanos) /
			1e9) : 0, firstChangeNanos == 0 ? Double.NaN : (firstChangeNanos - startNanos) / 1e6, steps > 1
				? lastElapsedNanos / 1e6 / (steps - 1) : Double.NaN, steps == 0 ? Double.NaN : toolNanos / 1e6 / steps,
			framesShown == 0 ? Double.NaN : paintNanos / 1e6 / framesShown);
		final String how = r.outcome();
		if (r.drag().diverged() && edit != null) IJ.log("DragGAN tool: " + r.note(edit.config()));
		if (edit == null) {
			redraw();
			IJ.showStatus("DragGAN: " + how + " before the first update; nothing changed");
			return;
		}
		pixelsAfter.put(edit, copy(pixels()));
		stacks.put(edit, stack);
		showState();
		final int n = editor.history().size();
		IJ.log(String.format(Locale.ROOT, "DragGAN tool: edit %d of '%s': %d handle(s), %d steps, %s, %.1f s; %d " +
			"image updates, %.1f per second, first change %.0f ms after the start; %.0f ms per step, of which the " +
			"tool %.1f ms; drawing %.1f ms per update", n, imp.getTitle(), edit.input().size(), edit.updates(), how,
			edit.seconds(), lastStats.framesShown(), lastStats.updatesPerSecond(), lastStats.firstChangeMillis(),
			lastStats.stepMillis(), lastStats.toolMillis(), lastStats.paintMillis()));
		IJ.showStatus(String.format(Locale.ROOT, "DragGAN: %s after %d steps, mean distance %.1f px, %.1f s " +
			"(Ctrl+Z undoes, Space goes on)", how, edit.updates(), r.drag().last().meanDistance(), edit.seconds()));
		record(edit);
	}

	/** Takes the last edit back; false when there is none. */
	boolean undo() {
		final DragEditor.Edit e = editor.undo();
		if (e == null) return false;
		tracks = List.of();
		showState();
		recordUndo(e);
		IJ.showStatus("DragGAN: edit undone (Ctrl+Shift+Z redoes)");
		return true;
	}

	/** Does the last undone edit again; false when there is none. */
	boolean redo() {
		final DragEditor.Edit e = editor.redo();
		if (e == null) return false;
		tracks = List.of();
		showState();
		record(e);
		IJ.showStatus("DragGAN: edit redone");
		return true;
	}

	/** Pixels, latent, changes flag and overlay of the editor's current state. */
	private void showState() {
		final List<DragEditor.Edit> h = editor.history();
		if (h.isEmpty()) {
			setPixels(originalPixels);
			imp.setProp(ImageProperties.WS, originalWs);
			imp.changes = originalChanges;
		}
		else {
			setPixels(pixelsAfter.get(h.get(h.size() - 1)));
			imp.setProp(ImageProperties.WS, editor.latent().encode());
			imp.changes = true;
		}
		redraw();
	}

	/** The result stacks of the edits that led here, one after the other; null when there is no edit yet. */
	ImagePlus history() {
		final List<DragEditor.Edit> h = editor.history();
		if (h.isEmpty()) return null;
		final List<ImagePlus> parts = new ArrayList<>();
		final List<String> params = new ArrayList<>();
		for (final DragEditor.Edit e : h) {
			params.add(DragUseCase.describe(e.config().withMaxSteps(e.updates()), e.input(), image.model().name()));
			parts.add(stacks.get(e).finish(params.get(params.size() - 1)));
		}
		return HistoryStack.of(imp.getTitle() + " history", parts, params, image.model());
	}

	/** The session's edits as a macro (what the recorder got, had it been open from the start). */
	String macro() {
		return macro.toString();
	}

	/** An edit (new or redone) into the session's macro, and into the recorder when it is open. */
	private void record(final DragEditor.Edit e) {
		final boolean first = editor.history().size() == 1;
		final String lines = "// DragGAN tool: edit\n" + EditMacro.lines(e, first ? firstPreamble
			: "setSlice(nSlices);\n", recordedManager && e.input().movable() == null, device);
		recordedManager |= e.input().movable() != null;
		macro.append(lines);
		if (Recorder.record && !Recorder.scriptMode()) { // (the lines are macro language)
			Recorder.recordString(lines);
			recorded.add(e);
		}
	}

	/** An undo: the undone edit's result stack closed, so the replay goes on from the one before. */
	private void recordUndo(final DragEditor.Edit e) {
		final String line = "close(); // DragGAN tool: undo\n";
		macro.append(line);
		if (recorded.remove(e) && Recorder.record) Recorder.recordString(line);
	}

	/** The image's pixel arrays: one per channel of a composite, else the one of its processor. */
	private Object[] pixels() {
		if (imp.getStackSize() == 1) return new Object[] { imp.getProcessor().getPixels() };
		final Object[] p = new Object[imp.getStackSize()];
		for (int i = 0; i < p.length; i++)
			p[i] = imp.getStack().getPixels(i + 1);
		return p;
	}

	private void setPixels(final Object[] src) {
		final Object[] dst = pixels();
		for (int i = 0; i < dst.length; i++)
			System.arraycopy(src[i], 0, dst[i], 0, java.lang.reflect.Array.getLength(dst[i]));
		if (imp instanceof CompositeImage ci) ci.updateAllChannelsAndDraw();
		else imp.updateAndDraw();
	}

	/**
	 * The real-image rule for the complete pairs and the drawn area (or none), as Drag... plans it; null without a
	 * complete pair (the editor then says what is missing).
	 */
	private DragUseCase.Plan plan(final boolean[] drawn) {
		final List<io.github.dragganfiji.core.Point> hs = new ArrayList<>(), ts = new ArrayList<>();
		for (final DragEditor.Pair p : editor.pairs())
			if (p.complete()) {
				hs.add(p.handle());
				ts.add(p.target());
			}
		if (hs.isEmpty()) return null;
		return DragUseCase.plan(DragInput.of(hs, ts, drawn, imp.getWidth(), imp.getHeight()), image.isInverted(), imp
			.getTitle(), real, IJ::log);
	}

	/** A step's slice planes, checked against this image's: as many as it has (an IllegalStateException if not). */
	private Object[] fitting(final Object[] out) {
		if (out.length != imp.getStackSize()) throw new IllegalStateException("The model renders " + out.length +
			" plane(s) but '" + imp.getTitle() + "' has " + imp.getStackSize() + ".");
		return out;
	}

	private static Object[] copy(final Object[] arrays) {
		final Object[] c = new Object[arrays.length];
		for (int i = 0; i < c.length; i++) {
			final int n = java.lang.reflect.Array.getLength(arrays[i]);
			c[i] = java.lang.reflect.Array.newInstance(arrays[i].getClass().getComponentType(), n);
			System.arraycopy(arrays[i], 0, c[i], 0, n);
		}
		return c;
	}
}
