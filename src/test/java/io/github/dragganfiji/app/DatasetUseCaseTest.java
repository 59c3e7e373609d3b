package io.github.dragganfiji.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.core.IntensityMapping;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The rules without files: tile positions, the printed train.py lines (NVIDIA's 'auto' batch and gamma). */
class DatasetUseCaseTest {

	@Test
	void tilesCoverTheImageWithTheLastFlushWithTheEdge() {
		assertArrayEquals(new int[] { 0 }, DatasetUseCase.starts(32, 32, 32));
		assertArrayEquals(new int[] { 0, 32, 48 }, DatasetUseCase.starts(80, 32, 32));
		assertArrayEquals(new int[] { 0, 24, 48 }, DatasetUseCase.starts(80, 32, 24));
		assertArrayEquals(new int[] { 0, 16, 32 }, DatasetUseCase.starts(64, 32, 16));
	}

	@Test
	void trainLinesUseTheirAutoConfigsBatchAndGamma() {
		final IntensityMapping m = new IntensityMapping(new double[] { 0 }, new double[] { 1 }, new double[] { 0 },
			new double[] { 255 });
		final DatasetUseCase.Result r = new DatasetUseCase.Result(Path.of("x/cells.zip"), 10, 1, 256, 1, "L", 16, m,
			List.of());
		// their train.py: mb = max(min(gpus * min(4096 // res, 32), 64), gpus); gamma = 0.0002 * res**2 / mb
		assertTrue(r.trainCommand(1).contains("--data=cells.zip --gpus=1 --cfg=auto --batch=16 --gamma=0.8192 "), r
			.trainCommand(1));
		assertTrue(r.trainCommand(8).contains("--gpus=8 --cfg=auto --batch=64 --gamma=0.2048 "), r.trainCommand(8));
		final DatasetUseCase.Result big = new DatasetUseCase.Result(Path.of("c.zip"), 10, 1, 512, 3, "RGB", 8, m,
			List.of("a", "b"));
		assertTrue(big.trainCommand(1).contains("--batch=8 --gamma=6.554 ") && big.trainCommand(1).endsWith(
			"--cond=1"), big.trainCommand(1));
	}
}
