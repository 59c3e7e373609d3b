package io.github.dragganfiji.batch;

import io.github.dragganfiji.cli.Main;
import io.github.dragganfiji.image.Outputs;
import io.github.dragganfiji.runtime.ShutdownGuard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one job of a table where it is called (an executor's task thread, or the driver in tests), through the
 * single-job commands themselves ({@code draggan drag / invert / generate}, in this JVM), so that DIR/&lt;id&gt;/ holds
 * exactly what those commands write. The job writes into DIR/.tmp-&lt;id&gt;-&lt;random&gt;/, which is renamed to
 * DIR/&lt;id&gt;/ only once complete: a job killed mid-way leaves no DIR/&lt;id&gt;/, and the next attempt (Spark's task
 * retry, or a rerun) first removes what such an attempt left. A job's failure is its result, never an exception.
 */
public final class JobRunner {

	/** The system property of the fault test: "true" fails each job's first attempt after its outputs are written. */
	public static final String FAIL_FIRST_ATTEMPT = "draggan.batch.failFirstAttempt";

	/** The sentence of a job that the JVM's shutdown (Ctrl-C, SIGTERM) stopped: a rerun does it. */
	static final String INTERRUPTED = "Job %s: interrupted (the JVM is shutting down); run the batch again to do it.";

	/** The prefix of an unfinished job's folder. */
	static final String TEMP = ".tmp-";

	/**
	 * Invert's own options in an invert+drag row (image, model, device and threads go to both, the rest to the drag;
	 * invert-steps is invert's --steps).
	 */
	static final Set<String> INVERT_OPTIONS = Set.of("geometry", "space", "msssim", "starts", "tune-steps", "tune-lr",
		"tune-locality");

	/**
	 * What became of a job: a row of results.csv.
	 *
	 * @param id the job's id
	 * @param status done, failed or skipped
	 * @param error the sentence saying why it failed ("" otherwise)
	 * @param steps the drag's steps ("" without a drag)
	 * @param distances the verified final distance of each handle to its target, px, ';' between handles
	 * @param arrived whether each handle arrived (yes/no, ';' between handles)
	 * @param psnr the inversion's PSNR, dB ("" without an inversion)
	 * @param ssim the inversion's SSIM
	 * @param seconds the job's wall time
	 * @param host the executor's host
	 * @param output the job's output folder ("" when none)
	 */
	public record Result(String id, String status, String error, String steps, String distances, String arrived,
		String psnr, String ssim, double seconds, String host, String output) implements Serializable
	{

		/** The columns of results.csv. */
		public static final List<String> COLUMNS = List.of("id", "status", "error", "steps", "distances", "arrived",
			"psnr", "ssim", "seconds", "host", "output");

		/** This result's cells, in {@link #COLUMNS}' order. */
		public List<String> cells() {
			return List.of(id, status, error, steps, distances, arrived, psnr, ssim, String.format(Locale.ROOT, "%.1f",
				seconds), host, output);
		}

		static Result failed(final String id, final String error, final double seconds, final String host) {
			return new Result(id, "failed", error, "", "", "", "", "", seconds, host, "");
		}
	}

	private JobRunner() {}

	/**
	 * Runs a job into {@code root}/&lt;id&gt;/ unless that folder exists (then it is "skipped").
	 *
	 * @param attempt this task's attempt number (0 = the first), for the fault test's hook
	 * @param extra options given to every job (the batch command's --device and --threads)
	 */
	public static Result run(final JobTable.Job job, final Path root, final int attempt, final Map<String, String> extra) {
		final long t0 = System.nanoTime();
		final String host = host();
		final Path done = root.resolve(job.id());
		if (job.error() != null) return Result.failed(job.id(), job.error(), 0, "");
		if (Files.isDirectory(done)) return new Result(job.id(), "skipped", "", "", "", "", "", "", 0, host, done
			.toString());
		if (ShutdownGuard.stopping()) return Result.failed(job.id(), INTERRUPTED.formatted(job.id()), 0, host);
		Path tmp = null;
		final ByteArrayOutputStream[] console = ThreadStreams.capture();
		try {
			removeUnfinished(root, job.id());
			tmp = root.resolve(TEMP + job.id() + "-" + UUID.randomUUID().toString().substring(0, 8));
			final Map<String, String> o = new LinkedHashMap<>(job.options());
			o.putAll(extra);
			final String failure = switch (job.op()) {
				case "generate" -> command("generate", o, tmp.resolve("generated.tif"), console);
				case "invert" -> command("invert", invertOptions(o), tmp.resolve("inverted.tif"), console);
				case "invert+drag" -> {
					final String f = command("invert", invertOptions(o), tmp.resolve("inverted.tif"), console);
					if (f != null) yield f;
					final Map<String, String> d = dragOptions(o);
					d.put("image", tmp.resolve("inverted.tif").toString());
					yield command("drag", d, tmp, console);
				}
				default -> command("drag", o, tmp, console);
			};
			final double seconds = (System.nanoTime() - t0) / 1e9;
			if (failure == null && ShutdownGuard.stopping()) { // a drag stopped early by Ctrl-C is not the job's result
				delete(tmp);
				return Result.failed(job.id(), INTERRUPTED.formatted(job.id()), seconds, host);
			}
			if (failure != null) {
				delete(tmp);
				return Result.failed(job.id(), "Job " + job.id() + ": " + failure, seconds, host);
			}
			final Path summary = tmp.resolve("summary.txt");
			String drag = "";
			if (Files.isRegularFile(summary)) { // the summary names the folder the drag wrote into: the final one
				drag = Files.readString(summary, StandardCharsets.UTF_8).replace(tmp.toString(), done.toString());
				Outputs.text(drag, summary);
			}
			if (Boolean.getBoolean(FAIL_FIRST_ATTEMPT) && attempt == 0) throw new IllegalStateException("the fault " +
				"test's hook fails the first attempt of job " + job.id());
			Files.createDirectories(root);
			try {
				Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (final IOException e) {
				if (!Files.isDirectory(done)) throw e;
				delete(tmp); // another attempt of this job finished first
			}
			return metrics(job.id(), drag, ThreadStreams.text(console[0]), seconds, host, done);
		}
		catch (final IOException e) {
			delete(tmp);
			return Result.failed(job.id(), "Job " + job.id() + ": " + Outputs.explain(e) + ".", (System.nanoTime() - t0) /
				1e9, host);
		}
		finally {
			ThreadStreams.release();
		}
	}

	/** Runs one single-job command with these options and --out; null when it succeeded, else its sentence. */
	private static String command(final String cmd, final Map<String, String> o, final Path out,
		final ByteArrayOutputStream[] console)
	{
		final List<String> args = new ArrayList<>(List.of(cmd));
		args.addAll(new JobTable.Job(0, "", cmd, o, null).arguments());
		args.add("--out");
		args.add(out.toString());
		final int errorsBefore = ThreadStreams.text(console[1]).length();
		final int code;
		try {
			code = Main.run(args.toArray(String[]::new));
		}
		catch (final Throwable e) { // an Error past the command's own sentences
			return "unexpected error (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ").";
		}
		if (code == 0) return null;
		final String[] lines = ThreadStreams.text(console[1]).substring(errorsBefore).split("\n");
		final String prefix = "draggan " + cmd + ": ";
		for (int i = lines.length - 1; i >= 0; i--)
			if (lines[i].startsWith(prefix)) return end(lines[i].substring(prefix.length()).trim());
		return "draggan " + cmd + " failed (exit code " + code + ").";
	}

	private static String end(final String s) {
		return s.endsWith(".") ? s : s + ".";
	}

	static Map<String, String> invertOptions(final Map<String, String> o) {
		final Map<String, String> i = new LinkedHashMap<>();
		for (final String k : List.of("image", "model", "device", "threads"))
			if (o.containsKey(k)) i.put(k, o.get(k));
		for (final Map.Entry<String, String> e : o.entrySet())
			if (INVERT_OPTIONS.contains(e.getKey())) i.put(e.getKey(), e.getValue());
		if (o.containsKey("invert-steps")) i.put("steps", o.get("invert-steps"));
		else if (o.containsKey("steps") && !o.containsKey("points")) i.put("steps", o.get("steps"));
		if (!o.containsKey("points") && o.containsKey("lr")) i.put("lr", o.get("lr"));
		return i;
	}

	static Map<String, String> dragOptions(final Map<String, String> o) {
		final Map<String, String> d = new LinkedHashMap<>();
		for (final Map.Entry<String, String> e : o.entrySet())
			if (!INVERT_OPTIONS.contains(e.getKey()) && !e.getKey().equals("invert-steps") && !e.getKey().equals("image"))
				d.put(e.getKey(), e.getValue());
		return d;
	}

	private static final Pattern STEPS = Pattern.compile("after (\\d+) steps in");
	private static final Pattern HANDLE = Pattern.compile(
		"^handle \\d+: .*?, ([0-9.]+) px from its target \\(verified[^)]*\\): (arrived|not arrived)", Pattern.MULTILINE);
	private static final Pattern INVERSION = Pattern.compile("PSNR ([0-9.]+) dB, SSIM ([0-9.]+)");

	/** A done job's numbers, read from the drag's summary and the inversion's console line. */
	static Result metrics(final String id, final String dragSummary, final String out, final double seconds,
		final String host, final Path dir)
	{
		final Matcher s = STEPS.matcher(dragSummary);
		final List<String> distances = new ArrayList<>(), arrived = new ArrayList<>();
		final Matcher h = HANDLE.matcher(dragSummary);
		while (h.find()) {
			distances.add(h.group(1));
			arrived.add(h.group(2).equals("arrived") ? "yes" : "no");
		}
		final Matcher inv = INVERSION.matcher(out);
		final boolean inverted = inv.find();
		return new Result(id, "done", "", s.find() ? s.group(1) : "", String.join(";", distances), String.join(";",
			arrived), inverted ? inv.group(1) : "", inverted ? inv.group(2) : "", seconds, host, dir.toString());
	}

	/** Removes what killed or failed attempts of this job left (DIR/.tmp-&lt;id&gt;-*). */
	static void removeUnfinished(final Path root, final String id) throws IOException {
		if (!Files.isDirectory(root)) return;
		try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TEMP + id + "-*")) {
			for (final Path p : ds)
				if (p.getFileName().toString().length() == TEMP.length() + id.length() + 9) delete(p);
		}
	}

	static void delete(final Path p) {
		try {
			Outputs.deleteTree(p);
		}
		catch (final IOException e) {
			// left for the next attempt's removeUnfinished
		}
	}

	static String host() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (final IOException e) {
			return "localhost";
		}
	}
}
