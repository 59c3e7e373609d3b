package io.github.dragganfiji.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job table of {@code draggan batch}: real files in a temporary folder, CSV and JSON Lines. */
class JobTableTest {

	@TempDir
	Path dir;

	@Test
	void csvRowsAreCheckedEachOnItsOwn() throws Exception {
		Files.writeString(dir.resolve("cell.tif"), "x");
		Files.writeString(dir.resolve("m.png"), "x");
		final Path table = dir.resolve("jobs.csv");
		Files.writeString(table, String.join("\n", //
			"id,op,image,model,seed,points,mask,mask_rect,mode,steps,colour", //
			"a,drag,,tiny-random,3,\"10,10,14,12\",,,anchored,5,", //
			"b,invert,cell.tif,,,,,,,7,", //
			"c,generate,,tiny-random,4,,,,,,", //
			"d,drag,,tiny-random,5,\"10,10,14,12;20,20,18,22\",m.png,,,5,", //
			"e,drag,missing.tif,,,\"1,1,2,2\",,,,5,", //
			"f,drag,,tiny-random,6,\"10,10,14\",,,,5,", //
			"g,drag,,tiny-random,7,\"10,10,14,12\",,,sideways,5,", //
			"h,drag,,tiny-random,8,\"10,10,14,12\",,,,5,blue", //
			"a,generate,,tiny-random,9,,,,,,", //
			""));
		final List<JobTable.Job> jobs = JobTable.read(table);
		assertEquals(9, jobs.size());
		for (int i = 0; i < 4; i++) assertNull(jobs.get(i).error(), jobs.get(i).toString());
		assertEquals(List.of("--model", "tiny-random", "--seed", "3", "--points", "10,10,14,12", "--mode", "anchored",
			"--steps", "5"), jobs.get(0).arguments());
		assertEquals(dir.resolve("cell.tif").toAbsolutePath().toString(), jobs.get(1).options().get("image"));
		assertEquals(dir.resolve("m.png").toAbsolutePath().toString(), jobs.get(3).options().get("mask"));
		assertEquals("Job e: the image file " + dir.resolve("missing.tif").toAbsolutePath() + " does not exist.",
			jobs.get(4).error());
		assertEquals("Job f: points '10,10,14' are not \"hx,hy,tx,ty;...\" (four numbers a handle).", jobs.get(5).error());
		assertEquals("Job g: unknown mode 'sideways' (one of paper, anchored, line, stable).", jobs.get(6).error());
		assertEquals("Job h: unknown column 'colour'.", jobs.get(7).error());
		assertEquals("Job a: the id 'a' is used by an earlier row.", jobs.get(8).error());
		assertEquals(10, jobs.get(8).line());
	}

	@Test
	void jsonLinesTakeTheSameColumns() throws Exception {
		final Path sub = Files.createDirectories(dir.resolve("in"));
		Files.writeString(sub.resolve("cell.tif"), "x");
		final Path table = dir.resolve("jobs.jsonl");
		Files.writeString(table, String.join("\n", //
			"{\"id\":\"x1\",\"op\":\"invert+drag\",\"image\":\"in/cell.tif\",\"points\":\"5,5,9,9\",\"mask-rect\":\"0,0,16,16\",\"w\":true}", //
			"", //
			"{\"id\":\"x2\",\"op\":\"paint\",\"model\":\"tiny-gray\",\"seed\":1}", //
			"not json", //
			"{\"id\":\"x4\",\"op\":\"drag\",\"model\":\"tiny-gray\",\"seed\":\"one\",\"points\":\"1,1,2,2\"}"));
		final List<JobTable.Job> jobs = JobTable.read(table);
		assertEquals(4, jobs.size());
		assertNull(jobs.get(0).error());
		assertTrue(jobs.get(0).arguments().contains("--w"));
		assertEquals("Job x2: unknown op 'paint' (one of drag, invert, invert+drag, generate).", jobs.get(1).error());
		assertEquals("Job line-4: line 4 is not valid JSON.", jobs.get(2).error());
		assertEquals("Job x4: seed needs a whole number, not 'one'.", jobs.get(3).error());
	}

	@Test
	void aMissingOrEmptyTableIsOneSentence() throws Exception {
		assertEquals("The job table " + dir.resolve("none.csv") + " does not exist.",
			assertThrows(IllegalArgumentException.class, () -> JobTable.read(dir.resolve("none.csv"))).getMessage());
		final Path empty = Files.writeString(dir.resolve("empty.csv"), "id,op\n");
		assertEquals("The job table " + empty + " has no jobs.",
			assertThrows(IllegalArgumentException.class, () -> JobTable.read(empty)).getMessage());
	}
}
