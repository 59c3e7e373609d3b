package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.model.DeviceChoice;
import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval harness end to end on the real tiny bundle (a few steps: this checks the machinery, not accuracy). */
class EvalCommandTest {

	@TempDir
	Path tmp;

	@Test
	void writesOneRowPerHandleAndASummary() throws IOException {
		final EvalCommand.Summary s = EvalCommand.run(TestBundles.TINY, 6, 3, tmp, DeviceChoice.CPU, null);
		final List<String> rows = Files.readAllLines(tmp.resolve("eval.csv"));
		assertEquals(1 + 2 * (1 + 2 + 5), rows.size(), "header + one row per handle");
		assertTrue(rows.get(0).startsWith("drag,seed,handles,masked"));
		assertEquals(16, s.handles());
		assertTrue(s.meanSteps() <= 3);
		assertTrue(Double.isFinite(s.medianDistance()) && s.medianDistance() >= 0);
		assertTrue(s.medianLeakage() >= 0, "three of the six drags are masked");
		assertTrue(Files.readString(tmp.resolve("summary.txt")).contains("median final distance"));
	}
}
