package io.github.dragganfiji.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs tools/convert.py (shipped inside the plugin jar) to turn a StyleGAN2 checkpoint (NVIDIA pickle or rosinality
 * .pt) into a bundle, when Python with torch is available; otherwise says the exact command to run. The converter
 * never executes code from the checkpoint (see docs/model-format.md).
 */
public final class ConvertUseCase {

	static final String[] SCRIPTS = { "convert.py", "safe_unpickle.py", "export.py", "stylegan2.py" };
	static final String[] PYTHONS = { "/usr/bin/python3", "python3", "python" };

	private ConvertUseCase() {}

	/** The first Python on this machine that imports torch (property {@code draggan.python} first), or null. */
	public static String findPython() {
		final List<String> candidates = new ArrayList<>();
		final String prop = System.getProperty("draggan.python");
		if (prop != null && !prop.isBlank()) candidates.add(prop);
		candidates.addAll(List.of(PYTHONS));
		for (final String py : candidates)
			if (importsTorch(py)) return py;
		return null;
	}

	static boolean importsTorch(final String python) {
		try {
			final Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
			p.getInputStream().readAllBytes();
			return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
		}
		catch (final IOException e) {
			return false;
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** Copies the converter scripts out of the jar (or the checkout) into a fresh folder; returns convert.py. */
	public static Path extractScripts() throws IOException {
		final Path dir = Files.createTempDirectory("draggan-tools");
		for (final String name : SCRIPTS) {
			try (InputStream in = ConvertUseCase.class.getResourceAsStream("/draggan-tools/" + name)) {
				if (in == null) throw new IOException("the plugin jar lacks draggan-tools/" + name);
				Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		return dir.resolve("convert.py");
	}

	/** The command line that converts {@code in} into the bundle folder {@code out}. */
	public static List<String> command(final String python, final Path script, final Path in, final Path out,
		final List<String> extra)
	{
		final List<String> cmd = new ArrayList<>(List.of(python, script.toString(), in.toString(), out.toString()));
		cmd.addAll(extra);
		return cmd;
	}

	/** The command to show a user without Python + torch (the converter as it is in this repository's tools/). */
	public static String manualCommand(final Path in, final Path out) {
		return "/usr/bin/python3 tools/convert.py " + quote(in.toString()) + " " + quote(out.toString()) +
			"   (needs Python with torch; run it in a checkout of DragGAN for Fiji)";
	}

	private static String quote(final String s) {
		return s.matches("[A-Za-z0-9_./-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
	}

	/** The prefix of the converter's one-line messages (what it refused and why, or what went wrong). */
	static final String PREFIX = "convert.py: ";

	/** Whether an output line is the converter's one-line reason. */
	public static boolean isReason(final String line) {
		return line.startsWith(PREFIX);
	}

	/** Whether the output so far ends inside a Python traceback (an error before the converter could catch it). */
	public static boolean isTraceback(final List<String> lines) {
		for (int i = lines.size() - 1; i >= 0; i--) {
			if (lines.get(i).startsWith("Traceback (most recent call last)")) return true;
			if (isReason(lines.get(i))) return false;
		}
		return false;
	}

	/**
	 * Why a conversion failed, as one sentence: the converter's own message, else the last line of Python's output
	 * (the exception of a traceback), never the traceback itself.
	 */
	public static String reason(final List<String> lines, final int code) {
		for (int i = lines.size() - 1; i >= 0; i--)
			if (isReason(lines.get(i))) return lines.get(i).substring(PREFIX.length()).strip();
		for (int i = lines.size() - 1; i >= 0; i--)
			if (!lines.get(i).isBlank()) return "the converter failed (exit code " + code + "): " + lines.get(i).strip();
		return "the converter failed (exit code " + code + ") without saying why";
	}

	/**
	 * Converts, streaming the converter's output lines to {@code log}; returns its exit code (0 done, 2 refused or
	 * unreadable input, with one line starting {@code convert.py: } saying why). When the JVM exits meanwhile
	 * (Ctrl-C, SIGTERM), the converter is stopped too (it then leaves nothing behind).
	 */
	public static int run(final String python, final Path in, final Path out, final List<String> extra,
		final Consumer<String> log) throws IOException
	{
		final Path script = extractScripts();
		final ProcessBuilder pb = new ProcessBuilder(command(python, script, in, out, extra)).redirectErrorStream(true);
		pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
		final Process p = pb.start();
		final Thread stop = new Thread(() -> {
			p.destroy(); // SIGTERM: the converter removes its half-written bundle
			try {
				p.waitFor(10, TimeUnit.SECONDS);
			}
			catch (final InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}, "DragGAN converter stop");
		Runtime.getRuntime().addShutdownHook(stop);
		try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
			StandardCharsets.UTF_8)))
		{
			for (String line; (line = r.readLine()) != null;)
				log.accept(line);
		}
		try {
			return p.waitFor();
		}
		catch (final InterruptedException e) {
			p.destroy();
			Thread.currentThread().interrupt();
			throw new IOException("conversion interrupted", e);
		}
		finally {
			try {
				Runtime.getRuntime().removeShutdownHook(stop);
			}
			catch (final IllegalStateException shuttingDown) {
				// the hook stops the converter
			}
			try (var files = Files.list(script.getParent())) {
				for (final Path f : (Iterable<Path>) files::iterator)
					Files.deleteIfExists(f);
				Files.deleteIfExists(script.getParent());
			}
			catch (final IOException e) {
				// a temporary folder left behind is harmless
			}
		}
	}
}
