package io.github.dragganfiji.batch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A batch's job table: a CSV file with a header row ({@code .csv}) or JSON Lines ({@code .jsonl}, one object a line).
 * One row a job: {@code id}, {@code op} (drag, invert, invert+drag, generate), the input ({@code image}, or
 * {@code model} + {@code seed} [+ {@code psi}]) and any drag or invert option by its command-line name ({@code points},
 * {@code mask}, {@code mask-rect} or {@code mask_rect}, {@code mode}, {@code steps}, ...). Relative paths resolve
 * against the table's folder. Each row is checked on its own: a bad one becomes a {@link Job} with an error sentence
 * and the others go on.
 */
public final class JobTable {

	/** The operations a row may name. */
	public static final List<String> OPS = List.of("drag", "invert", "invert+drag", "generate");

	/** The latent spaces of an inversion (core.Projector.Space's keys). */
	static final List<String> SPACES = java.util.Arrays.stream(io.github.dragganfiji.core.Projector.Space.values()).map(
		io.github.dragganfiji.core.Projector.Space::key).toList();

	/** The drag modes (core.DragMode's keys). */
	static final List<String> MODES = List.of("paper", "anchored", "line", "stable");

	/** The columns a row may have besides id and op: the CLI options of drag, invert and generate, by their names. */
	static final List<String> COLUMNS = List.of("image", "model", "seed", "psi", "class", "points", "points-csv", "mask",
		"mask-rect", "steps", "lr", "lambda", "r1", "r2", "stop", "layers", "tracking", "every", "mode", "region-radius",
		"slice", "w", "raw", "region-mask", "geometry", "space", "msssim", "starts", "tune-steps", "tune-lr", "tune-locality", "invert-steps",
		"bits");

	/** Columns that are the commands' flags: true/yes/1 gives the flag, anything else leaves it out. */
	static final Set<String> FLAG_COLUMNS = Set.of("w", "raw", "region-mask");

	/** Columns naming files, resolved against the table's folder. */
	static final Set<String> PATHS = Set.of("image", "mask", "points-csv");

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
	private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

	/**
	 * One row of the table.
	 *
	 * @param line the row's line in the file (1 = the first line)
	 * @param id the job's id (its output folder's name); "line-N" where the row gave none or a bad one
	 * @param op the operation, or null where the row's is unknown
	 * @param options the row's options by CLI name, paths resolved against the table's folder
	 * @param error null, or the sentence saying why this row cannot run
	 */
	public record Job(int line, String id, String op, Map<String, String> options, String error)
		implements java.io.Serializable
	{

		/** The row as the single-job command's arguments ({@code --name value}; flags without a value). */
		public List<String> arguments() {
			final List<String> args = new ArrayList<>();
			for (final Map.Entry<String, String> e : options.entrySet()) {
				if (FLAG_COLUMNS.contains(e.getKey())) {
					if (truthy(e.getValue())) args.add("--" + e.getKey());
					continue;
				}
				args.add("--" + e.getKey());
				args.add(e.getValue());
			}
			return args;
		}
	}

	private JobTable() {}

	/**
	 * Reads a table; only an unreadable file (or no rows at all) is an error of the whole table.
	 *
	 * @throws IllegalArgumentException with one sentence where the file itself cannot be used
	 */
	public static List<Job> read(final Path table) throws IOException {
		if (!Files.isRegularFile(table)) throw new IllegalArgumentException("The job table " + table + " does not exist.");
		final Path folder = table.toAbsolutePath().getParent();
		final List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
		final String name = table.getFileName().toString().toLowerCase(Locale.ROOT);
		final List<Map<String, String>> rows = new ArrayList<>();
		final List<Integer> lineNumbers = new ArrayList<>();
		final List<String> rowErrors = new ArrayList<>();
		if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
			for (int i = 0; i < lines.size(); i++) {
				if (lines.get(i).isBlank()) continue;
				lineNumbers.add(i + 1);
				final Map<String, String> row = new LinkedHashMap<>();
				String error = null;
				try {
					final JsonElement e = JsonParser.parseString(lines.get(i));
					if (!e.isJsonObject()) error = "line " + (i + 1) + " is not a JSON object";
					else for (final Map.Entry<String, JsonElement> f : ((JsonObject) e).entrySet())
						row.put(f.getKey(), f.getValue().isJsonPrimitive() ? f.getValue().getAsString() : f.getValue().toString());
				}
				catch (final JsonParseException ex) {
					error = "line " + (i + 1) + " is not valid JSON";
				}
				rows.add(row);
				rowErrors.add(error);
			}
		}
		else {
			int first = 0;
			while (first < lines.size() && lines.get(first).isBlank()) first++;
			if (first == lines.size()) throw new IllegalArgumentException("The job table " + table + " is empty.");
			final List<String> header = csv(lines.get(first));
			for (int i = first + 1; i < lines.size(); i++) {
				if (lines.get(i).isBlank()) continue;
				lineNumbers.add(i + 1);
				final List<String> cells = csv(lines.get(i));
				final Map<String, String> row = new LinkedHashMap<>();
				String error = cells.size() > header.size()
					? "line " + (i + 1) + " has " + cells.size() + " cells but the header names " + header.size() + " columns"
					: null;
				for (int c = 0; c < Math.min(cells.size(), header.size()); c++)
					if (!cells.get(c).isBlank()) row.put(header.get(c).trim(), cells.get(c).trim());
				rows.add(row);
				rowErrors.add(error);
			}
		}
		if (rows.isEmpty()) throw new IllegalArgumentException("The job table " + table + " has no jobs.");
		final List<Job> jobs = new ArrayList<>();
		final Set<String> ids = new HashSet<>();
		for (int r = 0; r < rows.size(); r++)
			jobs.add(check(lineNumbers.get(r), rows.get(r), rowErrors.get(r), folder, ids));
		return jobs;
	}

	private static Job check(final int line, final Map<String, String> raw, final String parseError, final Path folder,
		final Set<String> ids)
	{
		final String given = raw.get("id");
		final String id = given != null && ID.matcher(given).matches() ? given : "line-" + line;
		final String op = raw.getOrDefault("op", "drag").toLowerCase(Locale.ROOT);
		final Map<String, String> options = new LinkedHashMap<>();
		String error = parseError;
		if (error == null && given == null) error = "the row has no id";
		if (error == null && !ID.matcher(given).matches())
			error = "the id '" + given + "' is not a folder name (letters, digits, '.', '_', '-'; 100 at most)";
		if (error == null && !ids.add(id)) error = "the id '" + id + "' is used by an earlier row";
		if (error == null && !OPS.contains(op)) error = "unknown op '" + raw.get("op") + "' (one of " + String.join(", ", OPS) + ")";
		for (final Map.Entry<String, String> e : raw.entrySet()) {
			if (error != null) break;
			final String k = e.getKey();
			if (k.equals("id") || k.equals("op")) continue;
			final String cli = k.replace('_', '-').toLowerCase(Locale.ROOT);
			if (!COLUMNS.contains(cli)) error = "unknown column '" + k + "'";
			else if (PATHS.contains(cli)) {
				final Path p = folder.resolve(e.getValue()).normalize();
				if (!Files.isRegularFile(p)) error = "the " + cli + " file " + p + " does not exist";
				else options.put(cli, p.toString());
			}
			else options.put(cli, e.getValue());
		}
		if (error == null) error = values(op, options);
		return new Job(line, id, OPS.contains(op) ? op : null, options, error == null ? null : "Job " + id + ": " + error + ".");
	}

	/** The values' own checks, the ones the single-job commands would make before loading a model. */
	private static String values(final String op, final Map<String, String> o) {
		final boolean drags = op.equals("drag") || op.equals("invert+drag");
		if (op.startsWith("invert") && !o.containsKey("image")) return "op " + op + " needs an image";
		if (!op.startsWith("invert") && !o.containsKey("image") && !(o.containsKey("model") && o.containsKey("seed")))
			return "op " + op + " needs an image, or a model and a seed";
		if (drags && !o.containsKey("points") && !o.containsKey("points-csv")) return "op " + op + " needs points";
		if (o.containsKey("points")) {
			final String bad = points(o.get("points"));
			if (bad != null) return bad;
		}
		if (o.containsKey("mask") && o.containsKey("mask-rect")) return "give a mask or a mask-rect, not both";
		if (o.containsKey("mask-rect")) {
			final String[] v = o.get("mask-rect").split(",");
			if (v.length != 4 || !allNumbers(v)) return "mask-rect '" + o.get("mask-rect") + "' is not x,y,w,h";
		}
		if (o.containsKey("mode") && !MODES.contains(o.get("mode").toLowerCase(Locale.ROOT)))
			return "unknown mode '" + o.get("mode") + "' (one of " + String.join(", ", MODES) + ")";
		if (o.containsKey("space") && !SPACES.contains(o.get("space").trim().toLowerCase(Locale.ROOT)))
			return "unknown latent space '" + o.get("space") + "' (" + String.join(" or ", SPACES) + ")";
		for (final String whole : List.of("steps", "seed", "layers", "every", "slice", "starts", "tune-steps", "invert-steps"))
			if (o.containsKey(whole) && !o.get(whole).matches("-?\\d+")) return whole + " needs a whole number, not '" + o.get(whole) + "'";
		for (final String whole : List.of("steps", "starts", "every"))
			if (o.containsKey(whole) && Long.parseLong(o.get(whole)) < 1) return whole + " must be at least 1";
		for (final String num : List.of("psi", "lr", "lambda", "r1", "r2", "stop", "region-radius", "msssim", "tune-lr"))
			if (o.containsKey(num) && !NUMBER.matcher(o.get(num)).matches()) return num + " needs a number, not '" + o.get(num) + "'";
		return null;
	}

	/** Checks "hx,hy,tx,ty;..." as --points takes it; null when fine. */
	static String points(final String s) {
		final String[] pairs = s.split(";");
		for (final String pair : pairs) {
			if (pair.isBlank()) continue;
			final String[] v = pair.trim().split("\\s*,\\s*");
			if (v.length != 4 || !allNumbers(v))
				return "points '" + s + "' are not \"hx,hy,tx,ty;...\" (four numbers a handle)";
		}
		return s.isBlank() ? "points are empty" : null;
	}

	private static boolean allNumbers(final String[] v) {
		for (final String x : v)
			if (!NUMBER.matcher(x.trim()).matches()) return false;
		return true;
	}

	static boolean truthy(final String v) {
		return v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes");
	}

	/** One CSV line: commas separate, double quotes quote ("" inside quotes is one quote). */
	static List<String> csv(final String line) {
		final List<String> cells = new ArrayList<>();
		final StringBuilder b = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < line.length(); i++) {
			final char c = line.charAt(i);
			if (quoted) {
				if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { b.append('"'); i++; }
				else if (c == '"') quoted = false;
				else b.append(c);
			}
			else if (c == '"') quoted = true;
			else if (c == ',') { cells.add(b.toString()); b.setLength(0); }
			else b.append(c);
		}
		cells.add(b.toString());
		return cells;
	}
}
