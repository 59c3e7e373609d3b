package io.github.dragganfiji.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ByteProcessor;

import io.github.dragganfiji.cli.Main;
import io.github.dragganfiji.model.TestBundles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * draggan batch on Spark embedded (local[2]) over a table of 9 jobs on the tiny bundle: drag (from a seed and from a
 * TIFF), a 2-handle drag with a mask, invert, invert+drag, generate and three bad rows. Each job's folder holds what
 * the single-job command writes for the same row, with the same steps and verified distances; a rerun does only the
 * missing jobs; with the fault test's hook every job's first attempt fails and Spark's retry still does each once.
 */
class BatchTest {

	@TempDir
	static Path tmp;

	private static final String MODEL = TestBundles.TINY.toAbsolutePath().toString();
	private static String userBefore, memoryBefore;
	private static Path table;

	@BeforeAll
	static void inputs() throws IOException {
		userBefore = System.setProperty("draggan.userModels", tmp.resolve("user-models").toString());
		memoryBefore = System.setProperty("spark.testing.memory", Long.toString(1L << 30)); // the tests' 512 MB heap
		final Path in = Files.createDirectories(tmp.resolve("in"));
		assertEquals(0, Main.run(new String[] { "generate", "--model", MODEL, "--seed", "4", "--out", in.resolve("g.tif")
			.toString() }));
		final ImagePlus g = IJ.openImage(in.resolve("g.tif").toString());
		new ij.io.FileSaver(new ImagePlus("real", g.getProcessor().resize(40, 36, true))).saveAsPng(in.resolve("real.png")
			.toString());
		final ByteProcessor mask = new ByteProcessor(32, 32);
		mask.setValue(255);
		mask.setRoi(2, 2, 28, 28);
		mask.fill();
		new ij.io.FileSaver(new ImagePlus("mask", mask)).saveAsPng(in.resolve("mask.png").toString());
		table = tmp.resolve("jobs.csv");
		Files.writeString(table, String.join("\n",
			"id,op,image,model,seed,points,mask,mask_rect,mode,steps,invert-steps,tune-steps,r1,r2",
			"seed-drag,drag,," + MODEL + ",4,\"6,16,26,16\",,,paper,3,,,3,4",
			"tiff-drag,drag,in/g.tif,,,\"6,16,20,16\",,\"2,8,28,16\",anchored,3,,,3,4",
			"two-handles,drag,in/g.tif,,,\"6,10,12,10;20,22,24,26\",in/mask.png,,paper,3,,,3,4",
			"inv,invert,in/real.png," + MODEL + ",,,,,,4,,0,,",
			"inv-drag,invert+drag,in/real.png," + MODEL + ",,\"6,16,12,16\",,,paper,2,4,0,3,4",
			"gen,generate,," + MODEL + ",7,,,,,,,,,",
			"no-image,drag,in/missing.tif,,,\"6,16,26,16\",,,,3,,,,",
			"bad-points,drag,," + MODEL + ",4,\"6,16,26\",,,,3,,,,",
			"bad-mode,drag,," + MODEL + ",4,\"6,16,26,16\",,,sideways,3,,,,") + "\n");
	}

	@AfterAll
	static void restore() {
		TestBundles.restoreProperty("draggan.userModels", userBefore);
		TestBundles.restoreProperty("spark.testing.memory", memoryBefore);
		TestBundles.restoreProperty(JobRunner.FAIL_FIRST_ATTEMPT, null);
	}

	private static final Map<String, String> CPU = Map.of("device", "cpu");

	@Test
	void eachJobsThreadsAndALocalMastersCores() {
		assertEquals(0, BatchCommand.threads(Map.of()), "no --threads");
		assertEquals(3, BatchCommand.threads(Map.of("threads", "3")), "--threads N: N a job");
		assertEquals(0, BatchCommand.threads(Map.of("threads", "0")), "0 (all cores) is Spark's share");
		assertEquals(0, BatchCommand.threads(Map.of("threads", "x")), "a bad value is the job's own error");
		assertEquals(1, BatchCommand.share(0, 1, 2, 2), "two jobs on two cores: one thread each");
		assertEquals(2, BatchCommand.share(0, 1, 2, 1), "the last job left has both cores");
		assertEquals(2, BatchCommand.share(0, 1, 8, 3), "three jobs on eight cores: two each");
		assertEquals(2, BatchCommand.share(0, 2, 2, 2), "never less than spark.task.cpus");
		assertEquals(3, BatchCommand.share(3, 1, 8, 1), "--threads N stays N");
		assertEquals(2, BatchCommand.localCores("local[2]"));
		assertEquals(4, BatchCommand.localCores("local[4,3]"));
		assertEquals(1, BatchCommand.localCores("local"));
		assertEquals(Runtime.getRuntime().availableProcessors(), BatchCommand.localCores("local[*]"));
	}

	@Test
	void aTableRunsOnSparkEmbeddedAsTheSingleJobCommandsWouldAndARerunDoesOnlyWhatIsMissing() throws IOException {
		final Path out = tmp.resolve("batch");
		final List<JobTable.Job> jobs = JobTable.read(table);
		final ByteArrayOutputStream console = new ByteArrayOutputStream();
		final List<JobRunner.Result> r = BatchCommand.run(jobs, out, "local[2]", 0, CPU, new PrintStream(console, true,
			StandardCharsets.UTF_8));
		final Map<String, JobRunner.Result> by = byId(r);
		final String log = console.toString(StandardCharsets.UTF_8);
		assertTrue(log.contains("6 of 6 jobs finished (0 failed)"), log);
		for (final String id : List.of("seed-drag", "tiff-drag", "two-handles", "inv", "inv-drag", "gen"))
			assertEquals("done", by.get(id).status(), id + ": " + by.get(id));
		assertTrue(by.get("no-image").error().contains("in/missing.tif does not exist"), by.get("no-image").error());
		assertTrue(by.get("bad-points").error().startsWith("Job bad-points: points '6,16,26' are not"), by.get(
			"bad-points").error());
		assertEquals("Job bad-mode: unknown mode 'sideways' (one of paper, anchored, line, stable).", by.get("bad-mode")
			.error());
		for (final String id : List.of("no-image", "bad-points", "bad-mode")) {
			assertEquals("failed", by.get(id).status());
			assertFalse(Files.exists(out.resolve(id)), id);
		}
		assertEquals(2, by.get("two-handles").distances().split(";").length);
		assertFalse(by.get("inv").psnr().isEmpty(), "an inversion's PSNR");
		assertFalse(by.get("inv-drag").ssim().isEmpty(), "an inversion's SSIM");
		assertFalse(by.get("inv-drag").distances().isEmpty(), "and its drag's distances");

		// The single-job commands on the same rows write the same files, steps and verified distances.
		for (final JobTable.Job j : jobs) {
			if (j.error() != null) continue;
			final Path single = tmp.resolve("single").resolve(j.id());
			final List<String> args = new ArrayList<>(j.arguments());
			args.addAll(List.of("--device", "cpu"));
			switch (j.op()) {
				case "generate" -> run("generate", args, single.resolve("generated.tif"));
				case "invert" -> run("invert", JobRunner.invertOptions(j.options()), single.resolve("inverted.tif"));
				case "invert+drag" -> {
					run("invert", JobRunner.invertOptions(j.options()), single.resolve("inverted.tif"));
					final Map<String, String> d = JobRunner.dragOptions(j.options());
					d.put("image", single.resolve("inverted.tif").toString());
					run("drag", d, single);
				}
				default -> run("drag", args, single);
			}
			assertEquals(files(single), files(out.resolve(j.id())), j.id() + ": the same files");
			if (Files.exists(single.resolve("summary.txt"))) {
				final JobRunner.Result s = JobRunner.metrics(j.id(), Files.readString(single.resolve("summary.txt")), "", 0,
					"", single);
				final JobRunner.Result b = by.get(j.id());
				assertEquals(s.steps(), b.steps(), j.id() + ": steps");
				assertEquals(s.arrived(), b.arrived(), j.id() + ": arrived");
				final String[] sd = s.distances().split(";"), bd = b.distances().split(";");
				assertEquals(sd.length, bd.length);
				for (int i = 0; i < sd.length; i++)
					assertEquals(Double.parseDouble(sd[i]), Double.parseDouble(bd[i]), 0.5, j.id() + ": handle " + (i + 1));
				assertTrue(Files.readString(out.resolve(j.id()).resolve("summary.txt")).contains(out.resolve(j.id())
					.resolve("drag.tif").toString()), "the summary names the job's own folder");
			}
		}
		final List<String> rows = Files.readAllLines(out.resolve("results.csv"));
		assertEquals(String.join(",", JobRunner.Result.COLUMNS), rows.get(0));
		assertEquals(10, rows.size());

		// A rerun: only the missing job runs, the done ones are skipped, the bad rows stay failed.
		JobRunner.delete(out.resolve("tiff-drag"));
		final long genTime = Files.getLastModifiedTime(out.resolve("gen").resolve("generated.tif")).toMillis();
		final Map<String, JobRunner.Result> again = byId(BatchCommand.run(jobs, out, "local[2]", 0, CPU, new PrintStream(
			new ByteArrayOutputStream())));
		assertEquals("done", again.get("tiff-drag").status());
		for (final String id : List.of("seed-drag", "two-handles", "inv", "inv-drag", "gen"))
			assertEquals("skipped", again.get(id).status(), id);
		assertEquals(by.get("inv").psnr(), again.get("inv").psnr(), "a skipped job keeps its numbers");
		assertEquals("failed", again.get("bad-mode").status());
		assertEquals(genTime, Files.getLastModifiedTime(out.resolve("gen").resolve("generated.tif")).toMillis());
		assertEquals(List.of(), unfinished(out));
	}

	@Test
	void withEachFirstAttemptFailingSparkRetriesAndEveryJobIsDoneOnce() throws IOException {
		final Path out = tmp.resolve("faults");
		final Path small = tmp.resolve("small.csv");
		Files.writeString(small, "id,op,model,seed,points,steps,r1,r2\n" + //
			"a,generate," + MODEL + ",1,,,,\n" + //
			"b,drag," + MODEL + ",2,\"6,16,12,16\",2,3,4\n" + //
			"c,generate," + MODEL + ",3,,,,\n");
		System.setProperty(JobRunner.FAIL_FIRST_ATTEMPT, "true");
		final List<JobRunner.Result> r;
		try {
			r = BatchCommand.run(JobTable.read(small), out, "local[2,3]", 0, CPU, new PrintStream(
				new ByteArrayOutputStream()));
		}
		finally {
			System.clearProperty(JobRunner.FAIL_FIRST_ATTEMPT);
		}
		assertEquals(List.of("a", "b", "c"), r.stream().map(JobRunner.Result::id).toList());
		for (final JobRunner.Result x : r)
			assertEquals("done", x.status(), x.toString());
		assertEquals(List.of(), unfinished(out), "no partial output left");
		assertEquals(List.of("generated.tif"), files(out.resolve("a")));
	}

	private static void run(final String cmd, final List<String> args, final Path out) {
		final List<String> all = new ArrayList<>(List.of(cmd));
		all.addAll(args);
		all.addAll(List.of("--out", out.toString()));
		assertEquals(0, Main.run(all.toArray(String[]::new)), String.join(" ", all));
	}

	private static void run(final String cmd, final Map<String, String> o, final Path out) {
		final Map<String, String> with = new java.util.LinkedHashMap<>(o);
		with.put("device", "cpu");
		run(cmd, new JobTable.Job(0, "", cmd, with, null).arguments(), out);
	}

	private static Map<String, JobRunner.Result> byId(final List<JobRunner.Result> r) {
		final Map<String, JobRunner.Result> m = new TreeMap<>();
		for (final JobRunner.Result x : r)
			m.put(x.id(), x);
		return m;
	}

	static List<String> files(final Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}

	static List<String> unfinished(final Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(JobRunner.TEMP)).toList();
		}
	}
}
