package io.github.dragganfiji.batch;

import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.model.GeneratorCache;
import io.github.dragganfiji.runtime.ThreadTuner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code draggan batch JOBS --out DIR}: runs a job table on Apache Spark, embedded in this JVM ({@code local[*]}, the
 * default) or on a cluster ({@code --master spark://...}, or {@code spark-submit --class} this class). Bad rows,
 * failed jobs and jobs already done are rows of DIR/results.csv like the others; a rerun does only the jobs without
 * a complete DIR/&lt;id&gt;/. {@code cli.Main} reaches this class by name only, so that the plugin never needs Spark.
 */
public final class BatchCommand {

	/** The command's help. */
	public static final String HELP = """
		draggan batch JOBS.csv|JOBS.jsonl --out DIR [--master local[*]|local[N,RETRIES]|spark://HOST:PORT|yarn]
		              [--partitions N (default: one a job)] [--device auto|cpu|gpu] [--threads N]
		  Runs a table of drag, invert, invert+drag and generate jobs on Apache Spark, embedded in this JVM by default.
		  The table: CSV with a header row, or JSON Lines; one row a job with an id (its output folder's name), an
		  op (drag by default), the input (image, or model and seed [and psi]) and any option of 'draggan drag',
		  'invert' or 'generate' by its name (points, mask or mask_rect, mode, steps, lr, ...; invert-steps for an
		  invert+drag's inversion). Relative paths resolve against the table's folder. For example:
		    id,op,model,seed,points,mode,steps
		    cell-01,drag,nuclei-128,1,"60,64,70,64",anchored,50
		    gen-07,generate,nuclei-128,7,,,
		  DIR/<id>/ gets what the single-job command writes (drag: drag.tif, drag.gif, montage.png, start.tif,
		  summary.txt; invert: inverted.tif and its reconstruction; generate: generated.tif), only once complete.
		  DIR/results.csv: id, status (done, failed, skipped), error, steps, verified distances and arrival per
		  handle, PSNR and SSIM of inversions, seconds, host, output. A bad row or a failed job is one sentence there
		  and never stops the others. Run it again to do the failed and missing jobs only. An executor runs as many
		  jobs at once as it has cores for (spark.task.cpus cores a job, 1 by default; --threads N: N), each with
		  its own copy of the model; when fewer jobs are left than cores, they share all the cores (not with
		  --threads). docs/batch.md: clusters.
		""";

	private BatchCommand() {}

	/** spark-submit's entry point: {@code spark-submit --class io.github.dragganfiji.batch.BatchCommand JAR JOBS --out DIR}. */
	public static void main(final String[] args) {
		final String[] all = new String[args.length + 1];
		all[0] = "batch";
		System.arraycopy(args, 0, all, 1, args.length);
		System.exit(io.github.dragganfiji.cli.Main.run(all));
	}

	/**
	 * Runs the command (the arguments after "batch"); returns the exit code: 0 when every job is done or skipped, 1
	 * when some failed (results.csv says why), 2 for a usage error.
	 *
	 * @throws IllegalArgumentException with one sentence where the table itself cannot be used
	 */
	public static int run(final String[] args) throws IOException {
		final Map<String, String> o = new HashMap<>();
		String table = null;
		for (int i = 0; i < args.length; i++) {
			if (args[i].startsWith("--")) {
				final String k = args[i].substring(2);
				if (!List.of("out", "master", "partitions", "device", "threads").contains(k)) return usage("unknown " +
					"option " + args[i]);
				if (i + 1 == args.length) return usage(args[i] + " needs a value");
				o.put(k, args[++i]);
			}
			else if (table == null) table = args[i];
			else return usage("one job table, not '" + table + "' and '" + args[i] + "'");
		}
		if (table == null) return usage("give the job table (JOBS.csv or JOBS.jsonl)");
		if (!o.containsKey("out")) return usage("--out DIR is required");
		final int partitions;
		try {
			partitions = Integer.parseInt(o.getOrDefault("partitions", "0"));
		}
		catch (final NumberFormatException e) {
			return usage("--partitions needs a whole number, not '" + o.get("partitions") + "'");
		}
		final Map<String, String> extra = new LinkedHashMap<>();
		for (final String k : List.of("device", "threads"))
			if (o.containsKey(k)) extra.put(k, o.get(k));
		final Path out = Path.of(o.get("out")).toAbsolutePath().normalize();
		final List<JobTable.Job> jobs = JobTable.read(Path.of(table));
		final String master = o.getOrDefault("master", System.getProperty("spark.master", "local[*]"));
		final List<JobRunner.Result> results = run(jobs, out, master, partitions, extra, System.err);
		long failed = 0;
		for (final JobRunner.Result r : results)
			if (r.status().equals("failed")) failed++;
		return failed == 0 ? 0 : 1;
	}

	private static int usage(final String message) {
		System.err.println("draggan batch: " + message + " (see 'draggan batch --help')");
		return 2;
	}

	/**
	 * Runs the jobs on Spark with this master and writes DIR/results.csv; returns the results in the table's order.
	 *
	 * @param partitions Spark partitions (0: one a job, so that a retried task redoes one job)
	 * @param extra options every job gets (--device, --threads)
	 * @param console where the progress lines go
	 */
	public static List<JobRunner.Result> run(final List<JobTable.Job> jobs, final Path out, final String master,
		final int partitions, final Map<String, String> extra, final PrintStream console) throws IOException
	{
		Outputs.requireFolder(out);
		Files.createDirectories(out);
		final Map<String, JobRunner.Result> before = ResultsTable.read(out.resolve(ResultsTable.NAME));
		final List<JobTable.Job> todo = new ArrayList<>();
		final Map<String, JobRunner.Result> results = new LinkedHashMap<>();
		for (final JobTable.Job j : jobs) {
			if (j.error() != null) results.put(j.id(), JobRunner.Result.failed(j.id(), j.error(), 0, ""));
			else if (j.id().startsWith(ResultsTable.NAME)) results.put(j.id(), JobRunner.Result.failed(j.id(), "Job " + j
				.id() + ": the id is the name of the batch's results table; choose another.", 0, ""));
			else if (Files.isDirectory(out.resolve(j.id()))) results.put(j.id(), ResultsTable.skipped(j.id(), before.get(j
				.id()), out.resolve(j.id())));
			else todo.add(j);
		}
		final long skipped = results.values().stream().filter(r -> r.status().equals("skipped")).count();
		console.println("draggan batch: " + jobs.size() + " jobs: " + todo.size() + " to run, " + skipped +
			" done before (skipped), " + (results.size() - skipped) + " bad " + (results.size() - skipped == 1 ? "row"
				: "rows") + "; Spark master " + master + ".");
		if (!todo.isEmpty()) for (final JobRunner.Result r : spark(todo, out, master, partitions, extra, console))
			results.put(r.id(), r);
		final List<JobRunner.Result> ordered = new ArrayList<>();
		for (final JobTable.Job j : jobs)
			ordered.add(results.get(j.id()));
		ResultsTable.write(ordered, out.resolve(ResultsTable.NAME));
		final long done = ordered.stream().filter(r -> r.status().equals("done")).count(), failed = ordered.stream()
			.filter(r -> r.status().equals("failed")).count();
		console.println("draggan batch: " + done + " done, " + failed + " failed, " + skipped + " skipped; wrote " + out
			.resolve(ResultsTable.NAME));
		return ordered;
	}

	private static List<JobRunner.Result> spark(final List<JobTable.Job> todo, final Path out, final String master,
		final int partitions, final Map<String, String> extra, final PrintStream console)
	{
		quietLogs();
		final SparkConf conf = new SparkConf().setAppName("draggan batch").setMaster(master)
			.setIfMissing("spark.ui.enabled", "false").setIfMissing("spark.ui.showConsoleProgress", "false");
		if (master.startsWith("local")) conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing(
			"spark.driver.bindAddress", "127.0.0.1");
		// --threads N: N cores a job, so that an executor runs as many jobs at once as it has N cores for.
		final int threads = Math.max(1, threads(extra)); // 1 unless --threads gives more
		final int local = master.startsWith("local") ? localCores(master) : 0; // 0: the executors' own
		if (threads > 1) conf.setIfMissing("spark.task.cpus", Integer.toString(local > 0 ? Math.min(threads, local)
			: threads));
		// The JVM's -Ddraggan.* options (the model folders, the device) go with the jobs to every executor.
		final HashMap<String, String> props = new HashMap<>();
		for (final String k : System.getProperties().stringPropertyNames())
			if (k.startsWith("draggan.")) props.put(k, System.getProperty(k));
		final String root = out.toString();
		final HashMap<String, String> options = new HashMap<>(extra);
		final long t0 = System.nanoTime();
		try (JavaSparkContext sc = new JavaSparkContext(conf)) {
			sc.setLogLevel(Boolean.getBoolean("draggan.verbose") ? "INFO" : "ERROR");
			final LongAccumulator done = sc.sc().longAccumulator("done"), failed = sc.sc().longAccumulator("failed");
			final int n = todo.size();
			sc.sc().addSparkListener(new SparkListener() {

				@Override
				public void onTaskEnd(final SparkListenerTaskEnd e) {
					final long d = done.value(), f = failed.value(), finished = d + f;
					final double secs = (System.nanoTime() - t0) / 1e9;
					final String eta = finished == 0 || finished >= n ? "" : String.format(Locale.ROOT, ", about %s left",
						duration(secs / finished * (n - finished)));
					console.println(String.format(Locale.ROOT, "draggan batch: %d of %d jobs finished (%d failed) in %s%s",
						finished, n, f, duration(secs), eta));
				}
			});
			return sc.parallelize(todo, partitions > 0 ? partitions : n).map(job -> {
				for (final Map.Entry<String, String> p : props.entrySet())
					if (System.getProperty(p.getKey()) == null) System.setProperty(p.getKey(), p.getValue());
				final TaskContext tc = TaskContext.get();
				final int attempt = tc == null ? 0 : tc.attemptNumber(), fixed = threads(options), perTask = tc == null ? 1
					: Math.max(1, tc.cpus()), cores = local > 0 ? local : executorCores();
				// Tasks on one executor run side by side: each its own copy of the model, its share of the cores; the
				// share grows when fewer tasks run (the table's last jobs, a table shorter than the cores).
				RUNNING.incrementAndGet();
				final JobRunner.Result r;
				try {
					r = GeneratorCache.sideBySide(() -> ThreadTuner.withShare(() -> share(fixed, perTask, cores, RUNNING
						.get()), () -> JobRunner.run(job, Path.of(root), attempt, options)));
				}
				finally {
					RUNNING.decrementAndGet();
				}
				(r.status().equals("failed") ? failed : done).add(1);
				return r;
			}).collect();
		}
	}

	/** The batch's tasks running in this JVM now (an executor's, or the driver's with a local master). */
	private static final AtomicInteger RUNNING = new AtomicInteger();

	/** --threads N (N a job), or 0 where not given (a bad value: the job's own command says what is wrong). */
	static int threads(final Map<String, String> options) {
		try {
			return Math.max(0, Integer.parseInt(options.getOrDefault("threads", "0")));
		}
		catch (final NumberFormatException e) {
			return 0;
		}
	}

	/**
	 * The intra-op threads of one job now: --threads where given; else the executor's cores divided among the tasks
	 * running on it, at least the cores Spark gives a task (spark.task.cpus, 1 by default: an executor of N cores runs
	 * N jobs at a time, one thread each, and the last job left has all N).
	 */
	static int share(final int threads, final int perTask, final int cores, final int running) {
		if (threads > 0) return threads;
		return Math.max(perTask, cores / Math.max(1, running));
	}

	/** An executor's cores: spark.executor.cores where set, else what its JVM sees (a standalone Worker's executor). */
	private static int executorCores() {
		final SparkEnv env = SparkEnv.get();
		final int all = Runtime.getRuntime().availableProcessors();
		return env == null ? all : env.conf().getInt("spark.executor.cores", all);
	}

	/** The cores of a local master: local 1, local[N] and local[N,R] N, local[*] all of this machine's. */
	static int localCores(final String master) {
		final java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+)").matcher(master);
		if (m.lookingAt()) return Math.max(1, Integer.parseInt(m.group(1)));
		return master.equals("local") ? 1 : Runtime.getRuntime().availableProcessors();
	}

	static String duration(final double s) {
		return s < 90 ? String.format(Locale.ROOT, "%.0f s", s) : String.format(Locale.ROOT, "%d min %02d s", (long) s /
			60, (long) s % 60);
	}

	/** Spark's and its libraries' log lines off (slf4j-simple reads these per logger; results.csv has the failures), unless --verbose. */
	private static void quietLogs() {
		if (Boolean.getBoolean("draggan.verbose")) return;
		for (final String p : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop", "io.netty",
			"org.apache.logging", "org.apache.parquet", "org.apache.zookeeper", "org.eclipse.jetty"))
			if (System.getProperty("org.slf4j.simpleLogger.log." + p) == null) System.setProperty(
				"org.slf4j.simpleLogger.log." + p, "off");
	}

	/** results.csv: one row a job, in the table's order; written to a temporary file and renamed (Outputs.text). */
	static final class ResultsTable {

		static final String NAME = "results.csv";

		private ResultsTable() {}

		static void write(final List<JobRunner.Result> rows, final Path file) throws IOException {
			final StringBuilder s = new StringBuilder(String.join(",", JobRunner.Result.COLUMNS)).append('\n');
			for (final JobRunner.Result r : rows) {
				final List<String> cells = new ArrayList<>();
				for (final String c : r.cells())
					cells.add(c.contains(",") || c.contains("\"") || c.contains("\n") ? "\"" + c.replace("\"", "\"\"")
						.replace('\n', ' ') + "\"" : c);
				s.append(String.join(",", cells)).append('\n');
			}
			Outputs.text(s.toString(), file);
		}

		/** The rows of an earlier run's results.csv by id (none when there is none). */
		static Map<String, JobRunner.Result> read(final Path file) throws IOException {
			final Map<String, JobRunner.Result> rows = new HashMap<>();
			if (!Files.isRegularFile(file)) return rows;
			final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
			for (int i = 1; i < lines.size(); i++) {
				final List<String> c = JobTable.csv(lines.get(i));
				if (c.size() != JobRunner.Result.COLUMNS.size()) continue;
				double secs;
				try {
					secs = Double.parseDouble(c.get(8));
				}
				catch (final NumberFormatException e) {
					secs = 0;
				}
				rows.put(c.get(0), new JobRunner.Result(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5), c.get(
					6), c.get(7), secs, c.get(9), c.get(10)));
			}
			return rows;
		}

		/** A job whose output exists: its earlier numbers, status skipped. */
		static JobRunner.Result skipped(final String id, final JobRunner.Result before, final Path dir) {
			return before == null ? new JobRunner.Result(id, "skipped", "", "", "", "", "", "", 0, "", dir.toString())
				: new JobRunner.Result(id, "skipped", "", before.steps(), before.distances(), before.arrived(), before
					.psnr(), before.ssim(), before.seconds(), before.host(), dir.toString());
		}
	}
}
