package io.github.dragganfiji.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragStep;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.Latent;
import io.github.dragganfiji.model.ModelSearchPath;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The interactive editing session on the real engine and the tiny bundle: points, edits on a worker, undo, redo. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DragEditorTest {

	private static final ModelSearchPath.Entry TINY = ModelSearchPath.Entry.at(TestBundles.TINY);

	private static Latent latent(final long seed) {
		return GenerateUseCase.run(new GenerateUseCase.Request(TINY, seed, 0.7, 0, DeviceChoice.CPU), s -> {})
			.latent();
	}

	private static DragEditor editor() {
		return new DragEditor(TINY, latent(5), DeviceChoice.CPU, s -> {});
	}

	private static DragConfig config(final int steps) {
		return DragConfig.defaults(32, 0.05, 6).withMaxSteps(steps).withRadii(3, 4);
	}

	/** Records what an edit reports and waits for its end. */
	private static final class Recorder implements DragEditor.Listener {

		final List<DragStep> steps = new CopyOnWriteArrayList<>();
		final List<String> threads = new CopyOnWriteArrayList<>();
		final CountDownLatch end = new CountDownLatch(1);
		volatile DragEditor.Edit edit;
		volatile DragUseCase.Result result;
		volatile RuntimeException error;
		Runnable onStep = () -> {};

		@Override
		public void step(final DragStep step) {
			steps.add(step);
			threads.add(Thread.currentThread().getName());
			onStep.run();
		}

		@Override
		public void finished(final DragEditor.Edit e, final DragUseCase.Result r) {
			edit = e;
			result = r;
			end.countDown();
		}

		@Override
		public void failed(final RuntimeException e) {
			error = e;
			end.countDown();
		}

		Recorder await() throws InterruptedException {
			assertTrue(end.await(60, TimeUnit.SECONDS), "the edit ended");
			assertNull(error, () -> "failed: " + error);
			return this;
		}
	}

	private static DragEditor.Edit run(final DragEditor e, final int steps) throws InterruptedException {
		final Recorder r = new Recorder();
		e.start(null, config(steps), r);
		r.await();
		assertTrue(e.await(10_000));
		return r.edit;
	}

	@Test
	void clicksAlternateHandleAndTargetAndAreChecked() {
		final DragEditor e = editor();
		e.addPoint(new Point(6, 16));
		e.addPoint(new Point(26.4, 16.2)); // a click inside a pixel lands on its centre
		e.addPoint(new Point(10, 3));
		assertEquals(List.of(new DragEditor.Pair(new Point(6, 16), new Point(26, 16)), new DragEditor.Pair(new Point(10,
			3), null)), e.pairs());
		assertMessage("Handle 2 has no target yet", () -> e.start(null, config(1), new Recorder()));
		assertMessage("The target is on its handle", () -> e.addPoint(new Point(10, 3)));
		e.addPoint(new Point(10, 9));
		assertMessage("There is a handle on (6, 16) already", () -> e.addPoint(new Point(6, 16)));
		assertMessage("outside the 32 x 32 image", () -> e.addPoint(new Point(32, 4)));
		assertEquals(3, e.pointNear(new Point(10, 8), 1.5), "the target of pair 2");
		assertEquals(-1, e.pointNear(new Point(20, 25), 1.5));
		e.movePoint(3, new Point(12, 40)); // dragged off the image: stays on its edge
		assertEquals(new Point(12, 31), e.pairs().get(1).target());
		assertTrue(e.removePairNear(new Point(25, 17)));
		assertEquals(List.of(new DragEditor.Pair(new Point(10, 3), new Point(12, 31))), e.pairs());
		e.clearPoints();
		assertFalse(e.removePairNear(new Point(1, 1)));
		assertMessage("There are no points", () -> e.start(null, config(1), new Recorder()));
	}

	@Test
	void editsRunOnAWorkerAndGoOnFromTheCurrentLatent() throws InterruptedException {
		final DragEditor e = editor();
		final Latent start = e.latent();
		e.addPoint(new Point(6, 16));
		e.addPoint(new Point(26, 16));
		final Recorder r = new Recorder();
		e.start(null, config(3), r);
		assertThrows(IllegalStateException.class, () -> e.start(null, config(3), new Recorder()), "one at a time");
		r.await();
		assertTrue(e.await(10_000));
		assertFalse(e.running());
		assertEquals(4, r.steps.size(), "step 0 and three updates");
		assertTrue(r.threads.stream().allMatch("DragGAN tool edit"::equals), "steps come from the worker: " +
			r.threads);
		final DragEditor.Edit first = r.edit;
		assertNotNull(first);
		assertEquals(3, first.updates());
		assertEquals(start, first.before());
		final DragStep last = r.steps.get(r.steps.size() - 1);
		assertEquals(new Latent(start.numWs(), start.wDim(), last.ws()), first.after());
		assertEquals(first.after(), e.latent(), "the editor stands at the edit's end");
		assertNotEquals(start, e.latent());
		assertEquals(last.handles().get(0), e.pairs().get(0).handle(), "the handle stands where it was tracked");
		assertEquals(new Point(26, 16), e.pairs().get(0).target());

		// Go on: the next edit starts from the current latent and points.
		e.movePoint(1, new Point(26, 20));
		final DragEditor.Edit second = run(e, 2);
		assertEquals(first.after(), second.before());
		assertEquals(new Point(26, 20), second.input().targets().get(0));
		assertEquals(List.of(first, second), e.history());
	}

	@Test
	void stopEndsAnEditAtAStepAndKeepsIt() throws InterruptedException {
		final DragEditor e = editor();
		e.addPoint(new Point(6, 16));
		e.addPoint(new Point(26, 16));
		final Recorder r = new Recorder();
		r.onStep = () -> {
			if (r.steps.size() == 3) e.stop();
		};
		e.start(null, config(1000), r);
		r.await();
		assertTrue(r.result.drag().cancelled());
		assertFalse(r.edit.arrived());
		assertEquals(3, r.edit.updates(), "stopped at the next step boundary");
		assertEquals(1, e.history().size());
	}

	@Test
	void undoAndRedoTakeWholeEditsBackAndForth() throws InterruptedException {
		final DragEditor e = editor();
		final Latent start = e.latent();
		assertNull(e.undo(), "nothing to undo");
		e.addPoint(new Point(6, 16));
		e.addPoint(new Point(26, 16));
		final List<DragEditor.Pair> placed = e.pairs();
		final DragEditor.Edit a = run(e, 2), b = run(e, 2);
		assertSame(b, e.undo());
		assertEquals(b.before(), e.latent());
		assertEquals(b.pairsBefore(), e.pairs());
		assertSame(a, e.undo());
		assertEquals(start, e.latent(), "back to the start latent");
		assertEquals(placed, e.pairs(), "and the points as placed");
		assertNull(e.undo());
		assertTrue(e.canRedo());
		assertSame(a, e.redo());
		assertEquals(a.after(), e.latent());
		assertEquals(a.pairsAfter(), e.pairs());
		final DragEditor.Edit c = run(e, 1);
		assertFalse(e.canRedo(), "a new edit drops what was undone");
		assertEquals(List.of(a, c), e.history());
	}

	@Test
	void nothingChangesWhileAnEditRuns() throws InterruptedException {
		final DragEditor e = editor();
		e.addPoint(new Point(6, 16));
		e.addPoint(new Point(26, 16));
		final CountDownLatch inStep = new CountDownLatch(1), release = new CountDownLatch(1);
		final Recorder r = new Recorder();
		r.onStep = () -> {
			inStep.countDown();
			try {
				release.await(30, TimeUnit.SECONDS);
			}
			catch (final InterruptedException x) {
				Thread.currentThread().interrupt();
			}
		};
		e.start(null, config(2), r);
		assertTrue(inStep.await(60, TimeUnit.SECONDS));
		assertTrue(e.running());
		for (final Runnable change : List.<Runnable> of(() -> e.addPoint(new Point(3, 3)), () -> e.movePoint(0,
			new Point(5, 5)), () -> e.removePairNear(new Point(6, 16)), e::clearPoints, e::undo, e::redo))
			assertMessage("stop it first", change::run);
		release.countDown();
		r.await();
		assertEquals(1, e.history().size());
	}

	@Test
	void anEditThatMakesNoUpdateIsNotKept() throws InterruptedException {
		final DragEditor e = editor();
		e.addPoint(new Point(6, 16));
		e.addPoint(new Point(7, 16)); // within the paper's 1 px: arrived at step 0
		final Recorder r = new Recorder();
		e.start(null, config(10), r);
		r.await();
		assertTrue(r.result.drag().arrived());
		assertNull(r.edit);
		assertTrue(e.history().isEmpty());
		assertFalse(e.canUndo());
	}

	private static void assertMessage(final String part, final org.junit.jupiter.api.function.Executable x) {
		final RuntimeException t = assertThrows(RuntimeException.class, x);
		assertTrue(t instanceof IllegalArgumentException || t instanceof IllegalStateException, t.toString());
		assertTrue(t.getMessage().contains(part), "expected '" + part + "' in: " + t.getMessage());
	}
}
