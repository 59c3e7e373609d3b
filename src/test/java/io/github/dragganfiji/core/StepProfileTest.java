package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import io.github.dragganfiji.model.Generator;
import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A drag's step profile on the tiny bundle: one entry per step, the phases adding up to the step's time. */
class StepProfileTest {

	@Test
	void everyStepIsProfiledAndThePhasesAddUp() throws IOException {
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu())) {
			final List<Point> h = List.of(new Point(8, 8)), t = List.of(new Point(20, 14));
			final DragConfig cfg = DragConfig.defaults(32, 2e-3, 6).withMaxSteps(12).withRecordEvery(4).withMode(
				DragMode.PAPER);
			final List<DragStep> steps = new ArrayList<>();
			final StepProfile p;
			final DragResult r;
			try (DragSession s = new DragSession(g, TestBundles.parityLatent(), DragInput.of(h, t, null, 32, 32), cfg)) {
				r = s.run(steps::add, () -> false);
				p = s.profile();
			}
			assertEquals(steps.size(), p.steps(), "one entry per step reported");
			assertEquals(r.updates() + 1, p.steps(), "step 0 and one per update");
			double sum = 0;
			for (final StepProfile.Phase phase : StepProfile.Phase.values()) {
				final double ms = p.millisPerStep(phase, 0);
				assertTrue(ms >= 0, phase + " " + ms);
				sum += ms;
			}
			assertEquals(p.totalMillisPerStep(0), sum, 1e-6, "the phases add up to the step's time");
			assertTrue(p.millisPerStep(StepProfile.Phase.HEAD, 0) > 0);
			assertTrue(p.millisPerStep(StepProfile.Phase.BACKWARD, 0) > 0);
			final long rendered = steps.stream().filter(s -> s.image() != null).count();
			assertEquals(rendered, p.count(StepProfile.Phase.RENDER, 0), "rendered where a slice was recorded");
			assertEquals(r.updates(), p.count(StepProfile.Phase.ADAM, 0), "one Adam update per update");
			assertEquals(p.steps() - 5, p.count(StepProfile.Phase.HEAD, 5), "from step 5 on");
			assertTrue(p.json(2).contains("\"head_ms\"") && p.describe(0).contains("total"));
		}
	}
}
