package io.github.dragganfiji.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragInput;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The drag use case on the real engine and the tiny bundle, and the rules every front end takes from it: the
 * real-image plan (default region, paste-back), the parameters line and the outcome in words.
 */
class DragUseCaseTest {

	private static final ModelSearchPath.Entry TINY = ModelSearchPath.Entry.at(TestBundles.TINY);
	private static final ModelMetadata M = TINY.metadata();
	private static final int RES = M.resolution();

	private static DragInput oneHandle() {
		final int c = RES / 2;
		return DragInput.of(List.of(new Point(c - 3, c)), List.of(new Point(c + 3, c)), null, RES, RES);
	}

	@Test
	void aGeneratedImageWithoutAnAreaKeepsWhatItWasNotAskedToMove() {
		final List<String> log = new ArrayList<>();
		final DragInput in = oneHandle();
		final DragUseCase.Plan p = DragUseCase.plan(in, false, "generated", RealImageOptions.defaults(RES), log::add);
		assertSame(in, p.input(), "the drag itself runs as asked, unmasked");
		assertTrue(p.pasteBack());
		assertArrayEquals(in.aroundSegments(RealImageOptions.defaults(RES).regionRadius()).movable(), p.area(),
			"pasted into the start image outside the region around the segment");
		assertEquals(1, log.size());
		assertTrue(log.get(0).contains("'generated' has no area ROI") && log.get(0).contains("raw generator output"),
			log.get(0));
		assertTrue(DragUseCase.params(DragConfig.defaults(RES, M.learningRate(), M.dragLayers()), p, M.name())
			.endsWith("mask=false pasteArea=region pasteBack=true"));
	}

	@Test
	void aGeneratedImageAsRawOutputIsThePapers() {
		final List<String> log = new ArrayList<>();
		final DragInput in = oneHandle();
		final DragUseCase.Plan p = DragUseCase.plan(in, false, "generated", new RealImageOptions(false, RES / 8),
			log::add);
		assertSame(in, p.input());
		assertFalse(p.pasteBack());
		assertNull(p.pasteWeights());
		assertNull(p.area(), "the whole image may change");
		assertTrue(log.isEmpty());
	}

	@Test
	void aRealImageWithoutAnAreaMovesOnlyAroundItsSegmentsAndIsPastedBack() {
		final List<String> log = new ArrayList<>();
		final RealImageOptions real = new RealImageOptions(true, 4);
		final DragUseCase.Plan p = DragUseCase.plan(oneHandle(), true, "cells.tif", real, log::add);
		assertTrue(p.pasteBack());
		assertEquals(RealImageOptions.DEFAULT_REGION_AS_MASK, p.input().masked(), "the region masks the drag only " +
			"when that is the default");
		final boolean[] m = p.area();
		assertArrayEquals(oneHandle().aroundSegments(4).movable(), m, "the area is the region around the segment");
		assertArrayEquals(m, p.shown().movable(), "the result shows the area");
		final int c = RES / 2;
		assertTrue(m[c * RES + c], "the segment may move");
		assertFalse(m[0], "a corner far from the segment may not");
		assertEquals(1, log.size());
		assertTrue(log.get(0).contains("'cells.tif' is a real image and has no area ROI"), log.get(0));
		final float[] w = p.pasteWeights();
		assertEquals(RES * RES, w.length);
		assertEquals(0, w[0], "outside the region the original is kept");
		assertFalse(DragUseCase.plan(oneHandle(), true, "cells.tif", new RealImageOptions(false, 4), s -> {})
			.pasteBack(), "raw output asked: no paste-back");
	}

	@Test
	void theRegionMasksTheDragWhenAskedOrWhenNothingIsPastedBack() {
		final DragUseCase.Plan free = DragUseCase.plan(oneHandle(), true, "cells.tif", new RealImageOptions(true, 4,
			false), s -> {});
		assertFalse(free.input().masked(), "free: the drag itself is unmasked");
		assertNotNull(free.area(), "... and the paste-back is bounded by the region");
		assertEquals(0, free.pasteWeights()[0]);
		final DragUseCase.Plan held = DragUseCase.plan(oneHandle(), true, "cells.tif", new RealImageOptions(true, 4,
			true), s -> {});
		assertTrue(held.input().masked(), "region as mask: the drag is masked by it");
		assertArrayEquals(held.area(), held.input().movable());
		assertArrayEquals(free.area(), held.area(), "the same region either way");
		final DragUseCase.Plan raw = DragUseCase.plan(oneHandle(), true, "cells.tif", new RealImageOptions(false, 4,
			false), s -> {});
		assertTrue(raw.input().masked(), "raw output: the region is all that keeps the rest, so it masks the drag");
	}

	/** An area ROI: the top half of the image. */
	private static boolean[] topHalf() {
		final boolean[] area = new boolean[RES * RES];
		for (int i = 0; i < area.length / 2; i++)
			area[i] = true;
		return area;
	}

	/** One handle in the top half, moved 2 px, with this area ROI. */
	private static DragInput oneHandleIn(final boolean[] area) {
		final int c = RES / 4;
		return DragInput.of(List.of(new Point(c, c)), List.of(new Point(c + 2, c)), area, RES, RES);
	}

	@Test
	void aGeneratedImageWithAUsersAreaIsPastedIntoTheStartImageUnlessRaw() {
		final boolean[] area = topHalf();
		final DragInput in = oneHandleIn(area);
		final List<String> log = new ArrayList<>();
		final DragUseCase.Plan p = DragUseCase.plan(in, false, "generated", RealImageOptions.defaults(RES), log::add);
		assertFalse(p.input().masked(), "the drag itself runs unmasked (RealImageOptions.DEFAULT_REGION_AS_MASK)");
		assertEquals(in.handles(), p.input().handles());
		assertTrue(p.drawn());
		assertTrue(DragUseCase.params(DragConfig.defaults(RES, M.learningRate(), M.dragLayers()), p, M.name())
			.endsWith("mask=false pasteArea=roi pasteBack=true"));
		assertSame(in, DragUseCase.plan(in, false, "generated", RealImageOptions.defaults(RES).withRegionAsMask(true),
			s -> {}).input(), "held: the area masks the drag too");
		assertTrue(p.pasteBack(), "every pixel outside the area stays the start image's");
		assertArrayEquals(area, p.area(), "the area bounds the paste-back");
		for (int i = 0; i < area.length; i++)
			if (!area[i]) assertEquals(0f, p.pasteWeights()[i]);
		assertTrue(log.isEmpty(), "no real-image note for a generated image");
		assertFalse(DragUseCase.plan(in, false, "generated", new RealImageOptions(false, 4), s -> {}).pasteBack(),
			"raw output: the generator's pixels everywhere");
	}

	@Test
	void aUsersAreaIsKeptOnARealImage() {
		final boolean[] area = topHalf();
		final DragInput in = oneHandleIn(area);
		final DragUseCase.Plan p = DragUseCase.plan(in, true, "x", RealImageOptions.defaults(RES), s -> {});
		assertArrayEquals(area, p.area());
		assertFalse(p.input().masked(), "the area bounds the paste-back; the drag runs unmasked");
		assertTrue(p.pasteBack());
		assertSame(in, DragUseCase.plan(in, true, "x", new RealImageOptions(false, 4), s -> {}).input(),
			"raw output: the area is the drag's mask (the paper's)");
	}

	@Test
	void aDragRunsAndSaysHowItEnded() {
		final Latent start = GenerateUseCase.run(new GenerateUseCase.Request(TINY, 5, 0.7, 0, DeviceChoice.CPU),
			s -> {}).latent();
		final DragConfig cfg = DragConfig.defaults(RES, M.learningRate(), M.dragLayers()).withMaxSteps(4);
		final DragUseCase.Plan plan = DragUseCase.plan(oneHandle(), false, "seed 5", new RealImageOptions(false, RES / 8),
			s -> {}); // raw output
		final List<DragStep> steps = new ArrayList<>();
		final DragUseCase.Result r = DragUseCase.run(new DragUseCase.Request(TINY, start, plan.input(), cfg,
			DeviceChoice.CPU), steps::add, () -> false, s -> {});
		assertFalse(steps.isEmpty());
		assertEquals(r.drag().last().index(), steps.get(steps.size() - 1).index());
		assertTrue(r.drag().updates() <= 4);
		assertNotNull(r.drag().verification());
		assertNotNull(r.threadUsage());
		final String how = r.outcome();
		assertTrue(List.of("arrived", "not arrived", "stopped, not arrived", "diverged, stopped, not arrived")
			.contains(how), how);
		assertEquals(r.drag().verification().arrived(), how.equals("arrived"));
		final String summary = r.summary();
		assertTrue(summary.startsWith(Character.toUpperCase(how.charAt(0)) + how.substring(1) + " after " + r.drag()
			.updates() + " steps"), summary);
		assertTrue(summary.contains("handle 1: now at"), summary);
		final String params = DragUseCase.params(cfg, plan, M.name());
		assertTrue(params.startsWith("model=" + M.name() + " steps=4 "), params);
		assertTrue(params.endsWith("mask=false pasteBack=false"), params);
		assertTrue(params.contains("handles=" + (RES / 2 - 3) + ".0," + (RES / 2) + ".0->"), params);
	}

	@Test
	void aCancelledDragKeepsItsStepsAndSaysSo() {
		final Latent start = GenerateUseCase.run(new GenerateUseCase.Request(TINY, 6, 0.7, 0, DeviceChoice.CPU),
			s -> {}).latent();
		final DragConfig cfg = DragConfig.defaults(RES, M.learningRate(), M.dragLayers()).withMaxSteps(50);
		final int[] seen = new int[1];
		final DragUseCase.Result r = DragUseCase.run(new DragUseCase.Request(TINY, start, oneHandle(), cfg,
			DeviceChoice.CPU), s -> seen[0]++, () -> seen[0] >= 2, s -> {});
		assertTrue(r.drag().cancelled());
		assertTrue(r.note(cfg).startsWith("Stopped after step"), r.note(cfg));
		if (!r.drag().verification().arrived()) assertEquals("stopped, not arrived", r.outcome());
	}

	@Test
	void aLatentOfAnotherModelIsRefused() {
		final Latent wrong = new Latent(M.numWs() + 1, M.wDim(), new float[(M.numWs() + 1) * M.wDim()]);
		final DragConfig cfg = DragConfig.defaults(RES, M.learningRate(), M.dragLayers());
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
			new DragUseCase.Request(TINY, wrong, oneHandle(), cfg, DeviceChoice.CPU));
		assertTrue(e.getMessage().contains("does not fit the model"), e.getMessage());
	}
}
