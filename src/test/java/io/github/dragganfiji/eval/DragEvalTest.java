package io.github.dragganfiji.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.cli.Main;
import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.DragMode;
import io.github.dragganfiji.model.TestBundles;
import io.github.dragganfiji.runtime.DeviceChoice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval harness end to end on the real tiny bundle (a few steps: this checks the machinery, not accuracy). */
class DragEvalTest {

	@TempDir
	Path tmp;

	@Test
	void writesOneRowPerHandleAndASummary() throws IOException {
		final DragEval.Summary s = DragEval.run(TestBundles.TINY, 6, 3, tmp, DeviceChoice.CPU, null);
		final List<String> rows = Files.readAllLines(tmp.resolve("eval.csv"));
		assertEquals(1 + 2 * (1 + 2 + 5), rows.size(), "header + one row per handle");
		assertTrue(rows.get(0).startsWith("mode,drag,seed,handles,masked"));
		assertTrue(rows.get(1).startsWith(DragConfig.DEFAULT_MODE.key() + ",0,1000,1,false"), rows.get(1));
		assertEquals(16, s.handles());
		assertEquals(DragConfig.DEFAULT_MODE, s.mode());
		assertTrue(s.meanSteps() <= 3);
		assertTrue(Double.isFinite(s.medianDistance()) && s.medianDistance() >= 0);
		assertTrue(s.farther() >= 0 && s.farther() <= 1);
		assertTrue(s.medianLeakage() >= 0, "three of the six drags are masked");
		assertTrue(s.maxChanged() >= s.medianChanged() && s.medianChanged() >= 0 && s.maxChanged() <= 1);
		assertTrue(Double.isFinite(s.pastedDistance()) && s.pastedWithin3() >= 0 && s.pastedWithin3() <= 1,
			"the masked drags composed into the start image are verified too");
		final List<String> header = List.of(rows.get(0).split(","));
		for (final String col : List.of("pasted_verified_dist", "seam_raw", "seam_pasted", "ssim_outside_band",
			"objects_start", "objects_end", "mass_outside_band", "objects_lost", "objects_new", "region_verified_dist",
			"composed_ssim_outside_band", "composed_objects_lost", "composed_objects_new", "composed_mass_outside_band"))
			assertTrue(header.contains(col), col + " in " + header);
		for (final String row : rows.subList(1, rows.size())) {
			final String[] f = row.split(",");
			for (final String col : List.of("ssim_outside_band", "composed_ssim_outside_band")) {
				final double ssim = Double.parseDouble(f[header.indexOf(col)]);
				assertTrue(ssim > 0 && ssim <= 1 + 1e-9, col + ": " + row);
			}
			assertTrue(Integer.parseInt(f[header.indexOf("objects_start")]) >= 0, row);
			final boolean masked = Boolean.parseBoolean(f[header.indexOf("masked")]);
			assertTrue(masked == Double.isNaN(Double.parseDouble(f[header.indexOf("region_verified_dist")])),
				"unmasked drags are composed into the default region: " + row);
		}
		assertTrue(s.minSsimOutside() <= s.ssimOutside() && s.ssimBelow() >= 0 && s.ssimBelow() <= 1);
		assertTrue(s.objectsChanged() >= 0 && s.objectsChanged() <= 1);
		assertTrue(s.objectsLostOrNew() >= 0 && s.objectsLostOrNew() <= 1);
		assertTrue(s.composedSsim() >= s.minComposedSsim() && Double.isFinite(s.regionDistance()));
		assertTrue(Files.readString(tmp.resolve("summary.txt")).contains("band around the paths"));
		assertTrue(Files.readString(tmp.resolve("summary.txt")).contains("median verified distance"));
		assertTrue(Files.readString(tmp.resolve("summary.txt")).contains("composed into the start image"));
	}

	@Test
	void modesRunInterleavedOnTheObjectsSuite() throws IOException {
		final List<DragEval.Summary> s = DragEval.run(TestBundles.TINY, EvalSuite.Kind.OBJECTS, 2, 4, List.of(
			DragMode.PAPER, DragMode.STABLE), new DragEval.Settings(Double.NaN, 0, 0, true), tmp, DeviceChoice.CPU,
			null);
		assertEquals(2, s.size());
		assertEquals(DragMode.PAPER, s.get(0).mode());
		assertEquals(DragMode.STABLE, s.get(1).mode());
		final List<String> rows = Files.readAllLines(tmp.resolve("eval.csv"));
		assertEquals(1 + 2 * (1 + 2), rows.size(), "one row per handle and mode");
		// drag 0 in both modes, then drag 1 in both modes
		assertTrue(rows.get(1).startsWith("paper,0,") && rows.get(2).startsWith("stable,0,") && rows.get(3)
			.startsWith("paper,1,"), rows.toString());
		for (final DragEval.Summary x : s) {
			assertEquals(3, x.handles());
			assertTrue(x.msPerStep() > 0 || x.meanSteps() == 0);
			assertTrue(x.medianStart() > 0, "the objects suite's targets are away from the handles");
		}
		assertTrue(Files.size(tmp.resolve("pictures/drag001-stable.png")) > 0);
		final String summary = Files.readString(tmp.resolve("summary.txt"));
		assertTrue(summary.contains("suite: objects") && summary.contains("mode paper:") && summary.contains(
			"mode stable:"), summary);
	}

	@Test
	void badOptionsAreUsageErrors() {
		final String tiny = TestBundles.TINY.toAbsolutePath().toString();
		assertEquals(2, Main.run(new String[] { "eval", "--bundle", tiny, "--modes", "paper,fast" }));
		assertEquals(2, Main.run(new String[] { "eval", "--bundle", tiny, "--suite", "faces" }));
	}
}
