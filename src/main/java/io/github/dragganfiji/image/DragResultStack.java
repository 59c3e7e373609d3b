package io.github.dragganfiji.image;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ImageProcessor;

import io.github.dragganfiji.app.DragUseCase;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.DragVerification;
import io.github.dragganfiji.core.IntensityMapping;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of a drag as a stack that grows while the drag runs: one slice (or one frame of channels) per
 * recorded step, labelled with the step and the tracked mean distance (the last one also with the distance verified
 * in the image), carrying that step's latent, with an overlay of the
 * handles (red), targets (blue), the arrow between them, each handle's track (yellow) and the movable area (cyan).
 * Used as the drag's step listener by the plugin and the command line alike.
 */
public final class DragResultStack implements io.github.dragganfiji.core.DragListener {

	private final ImagePlus source;
	private final ModelSearchPath.Entry model;
	private final ModelMetadata meta;
	private final Rendering.BitDepth depth;
	private final List<Point> targets;
	private final Roi area;
	private final ImageProcessor[] base;
	private final float[] weights;
	/** Each plane's last seam correction (the next slice's first guess), or null without paste-back. */
	private final float[][] seams;
	private final boolean live;
	private final ImageStack stack;
	private final Overlay overlay = new Overlay();
	private final List<List<Point>> tracks = new ArrayList<>();
	private final List<Latent> latents = new ArrayList<>();
	private final List<DragStep> recorded = new ArrayList<>();
	private final int channels;
	private final IntensityMapping mapping;
	private ImagePlus imp;
	private int shown;

	/**
	 * The result stack of a planned drag of this image: pasted into a snapshot of its pixels when the plan pastes
	 * back, else the generator's output.
	 */
	public static DragResultStack of(final LatentImage image, final DragUseCase.Plan plan, final boolean live) {
		if (!plan.pasteBack()) return new DragResultStack(image.imp(), image.model(), plan.shown(), live);
		final ImageProcessor[] base = image.processors();
		for (int i = 0; i < base.length; i++)
			base[i] = base[i].duplicate(); // a snapshot: the interactive tool changes the image's pixels as it goes
		return new DragResultStack(image.imp(), image.model(), plan.shown(), live, base, plan.pasteWeights());
	}

	/**
	 * @param source the image the drag started from (never modified)
	 * @param model its model
	 * @param input the drag's points and movable area (drawn as an outline)
	 * @param live whether to show the stack while it grows (in a window)
	 */
	public DragResultStack(final ImagePlus source, final ModelSearchPath.Entry model, final DragInput input,
		final boolean live)
	{
		this(source, model, input, live, null, null);
	}

	/**
	 * A result stack with paste-back: every slice is {@code base} outside the movable area (bit for bit) and the
	 * generator's output inside it, blended by {@code weights} ({@link io.github.dragganfiji.core.PasteBack}).
	 *
	 * @param base the source's pixels the slices are pasted into, one processor per channel (null: raw output)
	 * @param weights the blend weights [res * res]
	 */
	public DragResultStack(final ImagePlus source, final ModelSearchPath.Entry model, final DragInput input,
		final boolean live, final ImageProcessor[] base, final float[] weights)
	{
		this.base = base;
		this.weights = weights;
		seams = base == null ? null : new float[Math.max(3, base.length)][];
		this.source = source;
		this.model = model;
		this.meta = model.metadata();
		this.depth = Rendering.BitDepth.of(source.getBitDepth());
		this.targets = input.targets();
		this.area = EditOverlay.outline(input.movable(), input.width(), input.height());
		this.live = live;
		stack = new ImageStack(meta.resolution(), meta.resolution());
		channels = meta.imageChannels() == 3 ? 1 : meta.imageChannels();
		// An inverted image maps generator output back to its own intensities; a generated one uses the model's rule.
		final String map = source.getProp(ImageProperties.INTENSITY);
		mapping = map == null || map.isBlank() ? null : IntensityMapping.decode(map);
		for (int i = 0; i < targets.size(); i++)
			tracks.add(new ArrayList<>());
	}

	/**
	 * A step's image as this stack's slices show it: in the source's bit depth (and intensities, for an inverted
	 * image), pasted into the source's pixels when this stack pastes back.
	 */
	public ImageProcessor[] render(final float[] image) {
		final ImageProcessor[] raw = mapping != null ? Rendering.toProcessors(image, meta.imageChannels(), meta
			.resolution(), mapping, depth, source.getType() == ImagePlus.COLOR_RGB) : Rendering.toProcessors(image, meta
				.imageChannels(), meta.resolution(), meta.outputMin(), meta.outputMax(), depth);
		return base == null ? raw : Rendering.pasteBack(raw, base, weights, seams);
	}

	/**
	 * The pixel arrays of the last slice added (one a channel, or one RGB array), as {@link #render} made them: what
	 * a live view shows of the step, the same pixels as the stack's (not to be changed).
	 */
	public Object[] lastPlanes() {
		final Object[] out = new Object[channels];
		for (int c = 0; c < channels; c++)
			out[c] = stack.getPixels(stack.getSize() - channels + 1 + c);
		return out;
	}

	/** Takes one step: every step extends the tracks; steps with an image add a slice. */
	@Override
	public void step(final DragStep step) {
		for (int i = 0; i < targets.size(); i++)
			tracks.get(i).add(step.handles().get(i));
		if (step.image() == null) return;
		final ImageProcessor[] ps = render(step.image());
		final String label = String.format(Locale.ROOT, "step %d, mean distance %.1f px", step.index(), step
			.meanDistance());
		for (final ImageProcessor p : ps)
			stack.addSlice(label, p);
		latents.add(new Latent(meta.numWs(), meta.wDim(), step.ws()));
		// Kept without its image and latent (they are the slice and its property): a long drag keeps no copies.
		recorded.add(new DragStep(step.index(), step.handles(), step.distances(), step.loss(), null, null, step
			.elapsedNanos()));
		addOverlay(recorded.size(), step);
		if (live && (imp == null || recorded.size() - shown >= 5)) refresh();
	}

	private void addOverlay(final int frame, final DragStep step) {
		if (area != null) {
			final Roi r = (Roi) area.clone();
			r.setStrokeColor(EditOverlay.AREA);
			r.setFillColor(null);
			place(r, frame);
		}
		for (int i = 0; i < targets.size(); i++) {
			final Roi track = EditOverlay.track(tracks.get(i));
			if (track != null) place(track, frame);
			final Point h = step.handles().get(i), t = targets.get(i);
			place(EditOverlay.arrow(h, t), frame);
			place(EditOverlay.dot(h, EditOverlay.HANDLE), frame);
			place(EditOverlay.dot(t, EditOverlay.TARGET), frame);
		}
	}

	private void place(final Roi r, final int frame) {
		if (channels > 1) r.setPosition(0, 1, frame);
		else r.setPosition(frame);
		overlay.add(r);
	}

	/** Builds (or updates) the displayed image. */
	private void refresh() {
		if (imp == null) {
			imp = new ImagePlus(title(), stack);
			if (channels > 1) {
				imp.setDimensions(channels, 1, recorded.size());
				imp = new CompositeImage(imp, IJ.COMPOSITE);
				Rendering.channelsLike(source, imp, meta);
			}
			imp.setOverlay(overlay);
			imp.setCalibration(source.getCalibration().copy());
			if (live) imp.show();
		}
		else {
			if (channels > 1) imp.setStack(stack, channels, 1, recorded.size());
			else imp.setStack(stack);
			imp.setOverlay(overlay);
			if (live) imp.setPosition(1, 1, recorded.size());
		}
		shown = recorded.size();
	}

	private String title() {
		String t = source.getTitle();
		final int dot = t.lastIndexOf('.');
		if (dot > 0 && t.length() - dot <= 5) t = t.substring(0, dot);
		return t + " drag";
	}

	/**
	 * The finished stack, with the drag's verification in the last slice's label ("...; verified 4.2 px, not
	 * arrived"): see {@link #finish(String)}.
	 */
	public ImagePlus finish(final String params, final DragVerification.Result verification) {
		if (verification != null && !recorded.isEmpty()) {
			final String label = stack.getSliceLabel(stack.getSize()) + String.format(Locale.ROOT, "; verified %.1f px, %s",
				verification.meanDistance(), verification.arrived() ? "arrived" : "not arrived");
			for (int k = stack.getSize() - channels + 1; k <= stack.getSize(); k++)
				stack.setSliceLabel(label, k);
		}
		return finish(params);
	}

	/** The finished stack: metadata on it and its display range; shown only if it was live. */
	public ImagePlus finish(final String params) {
		refresh();
		ImageProperties.set(imp, meta.name(), model.dir(), latents.get(latents.size() - 1));
		for (int i = 0; i < latents.size(); i++)
			ImageProperties.setSlice(imp, i + 1, latents.get(i));
		imp.setProp(ImageProperties.PARAMS, params);
		if (mapping != null) imp.setProp(ImageProperties.INTENSITY, mapping.encode());
		if (channels == 1 && source.getNChannels() == 1 && source.getType() != ImagePlus.COLOR_RGB) imp
			.setDisplayRange(source.getDisplayRangeMin(), source.getDisplayRangeMax());
		return imp;
	}

	/** The steps that became slices (their images and latents are the slices and the slices' properties). */
	public List<DragStep> recorded() {
		return recorded;
	}

	/** The tracks of every handle over every step. */
	public List<List<Point>> tracks() {
		return tracks;
	}
}
