package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The drag loop on the real tiny bundle through the real engine. */
class DragSessionTest {

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

	/**
	 * Java against tools/reference_drag.py (the official algorithm in PyTorch) for 30 steps: the loss to 1e-3
	 * relative and the same tracked handles, as long as tracking is unambiguous (best and second-best candidate
	 * differ by more than 1e-4 relative; float noise between the two libtorch builds is about 1e-6).
	 */
	@org.junit.jupiter.params.ParameterizedTest(name = "{0} at {1} thread(s)")
	@org.junit.jupiter.params.provider.CsvSource({ "tiny-drag.json, 1", "tiny-drag.json, 2", "tiny-drag-l1.json, 1",
		"tiny-drag-l1.json, 2" })
	void matchesThePythonReference(final String fixture, final int threads) {
		// Exactly this many threads, also on a busy machine (the adaptive count would change it between steps).
		ThreadTuner.withThreads(threads, () -> {
			try {
				replay(fixture);
			}
			catch (final IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
			return null;
		});
	}

	/**
	 * One latent, one drag (docs/reproducibility.md): a drag of a one-channel bundle gives the same steps at 1
	 * thread, at 2, and when the thread count changes at every step (as the adaptive tuner may change it mid-drag).
	 */
	@Test
	void sameDragAtAnyThreadCount() {
		try (Generator gray = GeneratorBundle.load(TestBundles.FIXTURES.resolve("tiny-gray"), Device.cpu())) {
			final float[] w = gray.latentOf(3, 0.7, 0);
			final List<List<DragStep>> runs = new ArrayList<>();
			for (final String mode : new String[] { "1", "2", ThreadTuner.ALTERNATE }) {
				final String before = System.getProperty(ThreadTuner.PROPERTY);
				final List<DragStep> steps = new ArrayList<>();
				final Runnable drag = () -> {
					try (DragSession s = new DragSession(gray, w, DragInput.of(List.of(new Point(10, 12)), List.of(new Point(
						18, 16)), null, 32, 32), cfg(12)))
					{
						s.run(steps::add, () -> false);
					}
				};
				try {
					if (mode.equals(ThreadTuner.ALTERNATE)) {
						System.setProperty(ThreadTuner.PROPERTY, mode);
						drag.run();
					}
					else ThreadTuner.withThreads(Integer.parseInt(mode), () -> { // exactly this many, at every step
						drag.run();
						return null;
					});
				}
				finally {
					TestBundles.restoreProperty(ThreadTuner.PROPERTY, before);
				}
				runs.add(steps);
			}
			final List<DragStep> ref = runs.get(0);
			assertTrue(ref.size() > 5, "the drag ran");
			for (final List<DragStep> other : runs.subList(1, runs.size())) {
				assertEquals(ref.size(), other.size(), "step count");
				for (int i = 0; i < ref.size(); i++) {
					assertEquals(ref.get(i).handles(), other.get(i).handles(), "handles at step " + i);
					if (!Double.isNaN(ref.get(i).loss())) assertEquals(ref.get(i).loss(), other.get(i).loss(), 1e-4 * Math
						.abs(ref.get(i).loss()), "loss at step " + i);
				}
				final float[] a = ref.get(ref.size() - 1).ws(), b = other.get(other.size() - 1).ws();
				double worst = 0;
				for (int i = 0; i < a.length; i++)
					worst = Math.max(worst, Math.abs(a[i] - b[i]));
				assertTrue(worst < 1e-4, "final latents differ by " + worst);
			}
		}
	}

	private static void replay(final String fixture) throws IOException {
		final JsonObject fx = TestBundles.readJson(TestBundles.FIXTURES.resolve(fixture));
		final JsonObject c = fx.getAsJsonObject("config");
		final List<Point> handles = points(c.getAsJsonArray("handles"));
		final List<Point> targets = points(c.getAsJsonArray("targets"));
		final JsonArray r = c.getAsJsonArray("mask");
		final boolean[] movable = new boolean[32 * 32];
		for (int y = r.get(1).getAsInt(); y < r.get(3).getAsInt(); y++)
			for (int x = r.get(0).getAsInt(); x < r.get(2).getAsInt(); x++)
				movable[y * 32 + x] = true;
		final DragConfig cfg = new DragConfig(c.get("steps").getAsInt(), c.get("lr").getAsDouble(), c.get("lam")
			.getAsDouble(), c.get("r1").getAsInt(), c.get("r2").getAsInt(), Double.NaN, true, c.get("layers")
				.getAsInt(), c.get("norm").getAsString().equals("l1") ? TrackingNorm.L1 : TrackingNorm.L2, 1);
		final List<DragStep> steps = new ArrayList<>();
		try (DragSession s = session(handles, targets, movable, cfg)) {
			s.run(steps::add, () -> false);
		}
		final JsonArray ref = fx.getAsJsonArray("steps");
		assertEquals(ref.size(), steps.size(), "step count");
		int compared = 0;
		double worstLoss = 0;
		for (int i = 0; i < ref.size(); i++) {
			final JsonObject e = ref.get(i).getAsJsonObject();
			boolean clear = true;
			for (final JsonElement m : e.getAsJsonArray("margins"))
				clear &= m.getAsDouble() > 1e-4;
			if (!clear) break;
			assertEquals(points(e.getAsJsonArray("handles")), steps.get(i).handles(), "handles at step " + i);
			if (!e.get("loss").isJsonNull()) {
				final double expected = e.get("loss").getAsDouble();
				final double rel = Math.abs(steps.get(i).loss() - expected) / Math.abs(expected);
				worstLoss = Math.max(worstLoss, rel);
				assertTrue(rel <= 1e-3, "loss at step " + i + ": " + steps.get(i).loss() + " vs " + expected);
			}
			compared++;
		}
		System.out.printf("drag parity (%s): %d of %d steps compared, worst loss rel. error %.1e%n", fixture, compared,
			ref.size(), worstLoss);
		assertTrue(compared >= 20, "only " + compared + " unambiguous steps: the fixture is too weak");
		assertNotEquals(handles.get(1), steps.get(steps.size() - 1).handles().get(1), "the handle moved");
	}

	@Test
	void wPlusFreezesTheLaterLayersBitForBit() {
		final int k = 4, wDim = 32;
		final List<DragStep> steps = drag(slow(20).withLatentSpace(true, k));
		assertEquals(21, steps.size(), "no arrival within 20 steps");
		final float[] last = steps.get(20).ws();
		assertArrayEquals(Arrays.copyOfRange(ws0, k * wDim, ws0.length), Arrays.copyOfRange(last, k * wDim,
			last.length), "layers k.. stay at w0");
		assertFalse(Arrays.equals(Arrays.copyOfRange(ws0, 0, k * wDim), Arrays.copyOfRange(last, 0, k * wDim)),
			"the first k layers moved");
		assertFalse(Arrays.equals(Arrays.copyOfRange(last, 0, wDim), Arrays.copyOfRange(last, wDim, 2 * wDim)),
			"W+: layers move independently");
	}

	@Test
	void wModeSharesOneW() {
		final int k = 6, wDim = 32;
		final List<DragStep> steps = drag(slow(20).withLatentSpace(false, k));
		assertEquals(21, steps.size(), "no arrival within 20 steps");
		final float[] last = steps.get(20).ws();
		for (int layer = 1; layer < k; layer++)
			assertArrayEquals(Arrays.copyOfRange(last, 0, wDim), Arrays.copyOfRange(last, layer * wDim, (layer + 1) *
				wDim), "layer " + layer + " equals layer 0");
		assertArrayEquals(Arrays.copyOfRange(ws0, k * wDim, ws0.length), Arrays.copyOfRange(last, k * wDim,
			last.length));
		assertFalse(Arrays.equals(Arrays.copyOfRange(ws0, 0, wDim), Arrays.copyOfRange(last, 0, wDim)));
	}

	@Test
	void recordsEveryNthImageAndAlwaysTheLast() {
		final List<DragStep> steps = drag(cfg(7).withRecordEvery(3));
		assertEquals(8, steps.size());
		for (final DragStep s : steps) {
			final boolean expected = s.index() % 3 == 0 || s.index() == 7;
			assertEquals(expected, s.image() != null, "step " + s.index());
			if (s.image() != null) assertEquals(3 * 32 * 32, s.image().length);
		}
		assertTrue(Double.isNaN(steps.get(7).loss()), "the last step makes no update");
		assertFalse(Double.isNaN(steps.get(0).loss()));
	}

	@Test
	void cancelKeepsTheStepsDone() {
		final List<DragStep> steps = new ArrayList<>();
		final DragResult r;
		try (DragSession s = session(List.of(new Point(8, 8)), List.of(new Point(20, 20)), null,
			cfg(100)))
		{
			r = s.run(steps::add, () -> steps.size() >= 5);
		}
		assertTrue(r.cancelled());
		assertFalse(r.arrived());
		assertEquals(5, r.updates());
		assertEquals(6, steps.size());
		assertNotNull(steps.get(5).image());
	}

	@Test
	void arrivalStopsAtOnce() {
		final List<DragStep> steps = new ArrayList<>();
		final DragResult r;
		try (DragSession s = session(List.of(new Point(8, 8)), List.of(new Point(8.5, 8)), null,
			cfg(100)))
		{
			r = s.run(steps::add, () -> false);
		}
		assertTrue(r.arrived());
		assertEquals(0, r.updates());
		assertEquals(1, steps.size());
	}

	@Test
	void badInputIsRefusedWithAReason() {
		final List<Point> h = List.of(new Point(4, 4));
		assertMessage("outside the 32 x 32 image", () -> session(List.of(new Point(40, 4)), h, null,
			cfg(1)));
		assertMessage("target 1 at (4, -1) is outside", () -> session(h, List.of(new Point(4, -1)),
			null, cfg(1)));
		assertMessage("1 handles but 2 targets", () -> session(h, List.of(new Point(1, 1), new Point(
			2, 2)), null, cfg(1)));
		assertMessage("no handle points", () -> session(List.of(), List.of(), null, cfg(1)));
		assertMessage("the movable area is empty", () -> session(h, List.of(new Point(9, 9)),
			new boolean[32 * 32], cfg(1)));
		assertMessage("the latent has 3 values", () -> new DragSession(g, new float[3], DragInput.of(h, List.of(new Point(9, 9)),
			null, 32, 32), cfg(1)));
	}

	@Test
	void aFullMaskMeansNoMaskTerm() {
		final boolean[] all = new boolean[32 * 32];
		Arrays.fill(all, true);
		final List<DragStep> with = drag(cfg(3), all);
		final List<DragStep> without = drag(cfg(3), null);
		for (int i = 0; i < with.size(); i++)
			assertEquals(without.get(i).loss(), with.get(i).loss(), 0.0);
	}

	private static void assertMessage(final String part, final org.junit.jupiter.api.function.Executable e) {
		final IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
		assertTrue(x.getMessage().contains(part), x.getMessage());
	}

	/** A session on the tiny bundle's 32 x 32 images from ws0. */
	private static DragSession session(final List<Point> handles, final List<Point> targets, final boolean[] movable,
		final DragConfig cfg)
	{
		return new DragSession(g, ws0, DragInput.of(handles, targets, movable, 32, 32), cfg);
	}

	/** The paper's step size: on this random network the handles cannot reach far targets in 20 steps. */
	static DragConfig slow(final int steps) {
		return cfg(steps).withLearningRate(2e-3);
	}

	/** The paper's loop (whatever the default mode is) with a large step for the tiny random network. */
	static DragConfig cfg(final int steps) {
		return DragConfig.defaults(32, 0.05, 6).withMaxSteps(steps).withRadii(3, 4).withMode(DragMode.PAPER);
	}

	private static List<DragStep> drag(final DragConfig cfg) {
		return drag(cfg, null);
	}

	private static List<DragStep> drag(final DragConfig cfg, final boolean[] movable) {
		final List<DragStep> steps = new ArrayList<>();
		try (DragSession s = session(List.of(new Point(4, 12), new Point(28, 20)), List.of(new Point(
			28, 12), new Point(4, 20)), movable, cfg))
		{
			s.run(steps::add, () -> false);
		}
		return steps;
	}

	private static List<Point> points(final JsonArray a) {
		final List<Point> out = new ArrayList<>();
		for (final JsonElement e : a) {
			final JsonArray p = e.getAsJsonArray();
			out.add(new Point(p.get(0).getAsDouble(), p.get(1).getAsDouble()));
		}
		return out;
	}
}
