package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The robust drag modes on the real tiny bundle through the real engine: what each part promises. */
class DragModesTest {

	private static Generator g;
	private static float[] ws0;

	@BeforeAll
	static void load() throws IOException {
		g = GeneratorBundle.load(TestBundles.TINY, Device.cpu());
		ws0 = TestBundles.parityLatent();
	}

	@AfterAll
	static void close() {
		g.close();
	}

	private static final List<Point> HANDLES = List.of(new Point(6, 12), new Point(26, 20));
	private static final List<Point> TARGETS = List.of(new Point(20, 12), new Point(12, 24));

	private static DragConfig cfg(final DragMode mode, final int steps) {
		return DragConfig.defaults(32, 0.05, 6).withMaxSteps(steps).withRadii(3, 4).withMode(mode);
	}

	private static DragResult run(final DragConfig cfg, final boolean[] movable, final List<DragStep> steps) {
		try (DragSession s = new DragSession(g, ws0, DragInput.of(HANDLES, TARGETS, movable, 32, 32), cfg)) {
			return s.run(steps::add, () -> false);
		}
	}

	@ParameterizedTest
	@EnumSource(DragMode.class)
	void everyModeUpdatesOnlyTheFirstLayersAndIsVerified(final DragMode mode) {
		final List<DragStep> steps = new ArrayList<>();
		final int k = 4, wDim = 32;
		final DragResult r = run(cfg(mode, 12).withLatentSpace(true, k), null, steps);
		assertTrue(r.updates() >= 1 && r.updates() <= 12, "updates " + r.updates());
		final float[] last = steps.get(steps.size() - 1).ws();
		assertArrayEquals(Arrays.copyOfRange(ws0, k * wDim, ws0.length), Arrays.copyOfRange(last, k * wDim, last
			.length), "layers k.. stay at w0");
		assertFalse(Arrays.equals(Arrays.copyOfRange(ws0, 0, k * wDim), Arrays.copyOfRange(last, 0, k * wDim)),
			"the first k layers moved");
		for (final DragStep s : steps)
			for (final Point p : s.handles())
				assertTrue(p.x() >= 0 && p.y() >= 0 && p.x() <= 31 && p.y() <= 31, mode + ": " + p + " on the image");
		assertNotNull(r.verification());
		assertEquals(2, r.verification().handles().size());
		assertEquals(HANDLES.get(0).distance(TARGETS.get(0)), r.verification().handles().get(0).startDistance(), 1e-9);
	}

	@Test
	void anchoredSupervisionEqualsThePapersAtTheStartThenDiffers() {
		// At step 0 the current features are F0, so pulling toward F0(p0 + o) is pulling toward F(p + o).
		final List<DragStep> paper = new ArrayList<>(), anchored = new ArrayList<>();
		run(cfg(DragMode.PAPER, 6), null, paper);
		run(cfg(DragMode.ANCHORED, 6), null, anchored);
		assertEquals(paper.get(0).loss(), anchored.get(0).loss(), 1e-6 * paper.get(0).loss());
		assertNotEquals(paper.get(5).loss(), anchored.get(5).loss(), "after updates the references differ");
	}

	@Test
	void lineTrackingStaysOnTheSegmentAndMovesAtMostR2PerStep() {
		final List<DragStep> steps = new ArrayList<>();
		run(cfg(DragMode.LINE, 25), null, steps);
		boolean moved = false;
		for (int i = 1; i < steps.size(); i++)
			for (int h = 0; h < HANDLES.size(); h++) {
				final Point a = HANDLES.get(h), b = TARGETS.get(h), p = steps.get(i).handles().get(h), q = steps.get(i - 1)
					.handles().get(h);
				// distance of p from the line through a and b
				final double off = Math.abs((b.x() - a.x()) * (a.y() - p.y()) - (a.x() - p.x()) * (b.y() - a.y())) / a
					.distance(b);
				assertTrue(off < 1e-6, "step " + i + " handle " + h + " at " + p + " is off its segment by " + off);
				assertTrue(p.distance(q) <= 4 + 1e-9, "moved " + p.distance(q) + " px in one step (r2 = 4)");
				assertTrue(p.distance(b) <= a.distance(b) + 1 + 1e-9, "at most one step back from the start");
				moved |= p.distance(q) > 0;
			}
		assertTrue(moved, "the tracker moved");
	}

	/**
	 * On the tiny random network the paper's tracker often reports arrival while the content is elsewhere (the
	 * failure the verification exists for); the modes that confirm arrival in the image never do, and do confirm
	 * real arrivals.
	 */
	@Test
	void arrivalIsConfirmedInTheImage() {
		final double[][] cases = { { 0, 24, 14, 27, 17 }, { 0, 20, 10, 21, 7 }, { 1, 18, 8, 20, 9 }, { 1, 22, 18, 22,
			22 }, { 2, 6, 12, 7, 14 }, { 2, 21, 6, 24, 8 } };
		int paperContradicted = 0, confirmed = 0;
		for (final double[] c : cases) {
			final float[] start = g.latentOf((long) c[0], 0.7, 0);
			final DragInput in = DragInput.of(List.of(new Point(c[1], c[2])), List.of(new Point(c[3], c[4])), null, 32, 32);
			for (final DragMode mode : DragMode.values()) {
				final DragConfig cfg = DragConfig.defaults(32, 0.05, 6, mode).withMaxSteps(40).withRadii(mode ==
					DragMode.PAPER ? 3 : 4, 4);
				final DragResult r;
				try (DragSession s = new DragSession(g, start, in, cfg)) {
					r = s.run(step -> {}, () -> false);
				}
				if (mode == DragMode.PAPER && r.arrived() && !r.verification().arrived()) paperContradicted++;
				if (mode.checkArrivalInImage) {
					if (r.arrived()) assertTrue(r.verification().arrived(), mode + " " + Arrays.toString(c) + ": " + r
						.verification().describe());
					if (r.arrived()) confirmed++;
				}
			}
		}
		System.out.printf("tiny bundle, %d drags: the paper's tracker reported %d arrivals the image contradicts; the " +
			"modes that check reported %d, all confirmed%n", cases.length, paperContradicted, confirmed);
		assertTrue(paperContradicted >= 1, "a case where the paper's tracker is wrong");
		assertTrue(confirmed >= 1, "a confirmed arrival");
	}

	/** The robust modes keep more state (F0 at every supervised offset, templates): still no array outlives a step. */
	@ParameterizedTest
	@EnumSource(value = DragMode.class, names = { "ANCHORED", "STABLE" })
	void liveArraysStayConstant(final DragMode mode) {
		final List<Integer> live = new ArrayList<>();
		final boolean[] movable = new boolean[32 * 32];
		for (int i = 0; i < movable.length; i++)
			movable[i] = i % 32 > 2 && i % 32 < 29;
		try (DragSession s = new DragSession(g, ws0, DragInput.of(HANDLES, TARGETS, movable, 32, 32), cfg(mode, 30)
			.withRecordEvery(1)))
		{
			s.run(step -> live.add(live()), () -> false);
		}
		assertTrue(live.size() >= 10, "steps " + live.size());
		assertEquals(live.get(2), live.get(live.size() - 2), mode + ": live arrays " + live);
	}

	private static int live() {
		try (ai.djl.ndarray.NDManager probe = ai.djl.ndarray.NDManager.newBaseManager(g.device(), "PyTorch")) {
			return probe.getParentManager().getManagedArrays().size();
		}
	}

	@Test
	void modesByName() {
		assertEquals(DragMode.PAPER, DragMode.parse("paper"));
		assertEquals(DragMode.STABLE, DragMode.parse(" Stable "));
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DragMode.parse("fast"));
		assertTrue(e.getMessage().contains("paper, anchored, line, stable"), e.getMessage());
		assertEquals(DragMode.PAPER, new DragConfig(1, 1e-3, 0, 1, 1, Double.NaN, true, 1, TrackingNorm.L1, 1).mode(),
			"the constructor without a mode is the paper's");
		assertThrows(IllegalArgumentException.class, () -> new DragConfig(1, 1e-3, 0, 1, 1, Double.NaN, true, 1,
			TrackingNorm.L1, 1, null));
	}

	@Test
	void noProgressStops() {
		final StallDetector s = new StallDetector();
		for (int i = 0; i < StallDetector.PATIENCE; i++)
			assertFalse(s.stalled(new double[] { 8 - 0.6 * i }), "progress at step " + i);
		final StallDetector t = new StallDetector();
		boolean stalled = false;
		int at = -1;
		for (int i = 0; i <= StallDetector.PATIENCE + 1 && !stalled; i++) {
			stalled = t.stalled(new double[] { 5, 3 + 0.1 * Math.sin(i) }); // oscillates without getting closer
			at = i;
		}
		assertTrue(stalled);
		assertEquals(StallDetector.PATIENCE, at, "stalled after PATIENCE steps without progress");
	}
}
