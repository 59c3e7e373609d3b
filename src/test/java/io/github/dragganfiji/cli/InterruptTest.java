package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;

import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.model.TestBundles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C and SIGTERM on the real command line, in its own JVM (the test's class path): the drag stops at a step
 * boundary, the steps done are written (complete files, no temporary ones left), the JVM exits promptly with the
 * signal's status and never crashes (no hs_err file: libtorch is not cut off mid-step).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InterruptTest {

	@TempDir
	static Path dir;

	private static Path image;

	/**
	 * 8 handles dragged across the image, each to another's place: on random weights they do not arrive. The paper's
	 * mode: it runs until its steps are done (the robust modes stop when there is no progress).
	 */
	static final String CROSSING = "0,0,31,31;31,31,0,0;0,31,31,0;31,0,0,31;16,0,16,31;16,31,16,0;0,16,31,16;31,16," +
		"0,16";

	@BeforeAll
	static void image() {
		image = dir.resolve("g.tif");
		assertEquals(0, Main.run(new String[] { "generate", "--model", TestBundles.TINY.toAbsolutePath().toString(),
			"--seed", "4", "--out", image.toString() }));
	}

	/** A running command line and the lines of its stderr. */
	private record Cli(Process process, List<String> err, Thread reader) {}

	/** Starts a long drag ({@link #CROSSING}) and waits until it passes {@code step}. */
	private static Cli start(final Path out, final int steps, final int every, final int step) throws IOException,
		InterruptedException
	{
		final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
			.toString(), "-Xmx512m", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
			"io.github.dragganfiji.cli.Main", "drag", "--image", image.toString(), "--points",
			CROSSING, "--steps", Integer.toString(steps), "--every", Integer.toString(every), "--mode", "paper",
			"--device", "cpu", "--threads", "1", "--out", out.toString()));
		final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect
			.DISCARD).start();
		final List<String> err = Collections.synchronizedList(new ArrayList<>());
		final CountDownLatch reached = new CountDownLatch(1);
		final Thread reader = new Thread(() -> {
			try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
				StandardCharsets.UTF_8)))
			{
				for (String line; (line = r.readLine()) != null;) {
					err.add(line);
					// Off a terminal the progress bar prints every 10th step: "[###...] step 20/100000 ..."
					final var m = java.util.regex.Pattern.compile("\\] step (\\d+)/").matcher(line);
					if (m.find() && Integer.parseInt(m.group(1)) >= step) reached.countDown();
				}
			}
			catch (final IOException e) {
				// the process ended
			}
			reached.countDown();
		});
		reader.setDaemon(true);
		reader.start();
		assertTrue(reached.await(120, TimeUnit.SECONDS), "the drag did not reach step " + step + ": " + err);
		return new Cli(p, err, reader);
	}

	/** Waits for the exit; checks the status, the absence of a crash and of temporary files; returns the stack. */
	private static ImagePlus stopped(final Cli cli, final Path out, final int status) throws InterruptedException,
		IOException
	{
		final long t0 = System.nanoTime();
		assertTrue(cli.process().waitFor(60, TimeUnit.SECONDS), "no exit within 60 s of the signal");
		final double seconds = (System.nanoTime() - t0) / 1e9;
		cli.reader().join(10_000); // every line of stderr read
		assertEquals(status, cli.process().exitValue(), String.join("\n", cli.err()));
		assertTrue(seconds < 30, "exit took " + seconds + " s");
		try (var files = Files.list(dir)) {
			assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("hs_err")), "the JVM crashed");
		}
		try (var files = Files.list(out)) {
			assertFalse(files.anyMatch(f -> f.getFileName().toString().contains(".part")), "a temporary file is left");
		}
		final String log = String.join("\n", cli.err());
		assertFalse(log.contains("\tat ") || log.contains("Exception"), log);
		final ImagePlus stack = IJ.openImage(out.resolve("drag.tif").toString());
		assertTrue(stack != null && ImageProperties.latent(stack, stack.getStackSize()) != null, "a complete stack");
		return stack;
	}

	@Test
	void sigtermStopsAtAStepBoundaryAndWritesTheStepsDone() throws Exception {
		final Path out = dir.resolve("term");
		final Cli cli = start(out, 100_000, 1, 20);
		cli.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its stderr)
		final ImagePlus stack = stopped(cli, out, 143);
		assertTrue(stack.getStackSize() >= 21, "every step done is kept: " + stack.getStackSize());
		final String summary = Files.readString(out.resolve("summary.txt"));
		assertTrue(summary.startsWith("Stopped, not arrived after "), summary);
		assertTrue(cli.err().stream().anyMatch(l -> l.contains("DragGAN: stopping at the end of the current step")),
			cli.err().toString());
	}

	@Test
	void ctrlCStopsTheDragToo() throws Exception {
		// A JVM started with SIGINT ignored (a background job of a script) cannot see Ctrl-C at all.
		assumeFalse(ignored(2), "SIGINT is ignored in this environment");
		final Path out = dir.resolve("int");
		final Cli cli = start(out, 100_000, 10, 30);
		assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(cli.process().pid())).start().waitFor());
		final ImagePlus stack = stopped(cli, out, 130);
		assertTrue(stack.getStackSize() >= 4, "every 10th step done and the last: " + stack.getStackSize());
	}

	@Test
	void aSignalWhileWritingLeavesCompleteFiles() throws Exception {
		// 300 recorded steps take a while to write (TIFF, GIF, montage): the signal arrives during the writing.
		final Path out = dir.resolve("writing");
		final Cli cli = start(out, 300, 1, 300);
		cli.process().toHandle().destroy();
		assertTrue(cli.process().waitFor(60, TimeUnit.SECONDS));
		cli.reader().join(10_000);
		final int status = cli.process().exitValue();
		assertTrue(status == 143 || status == 0, "status " + status);
		final ImagePlus stack = stopped(cli, out, status);
		assertEquals(301, stack.getStackSize(), "the whole drag, written completely");
		assertTrue(Files.readString(out.resolve("summary.txt")).contains("drag.gif (100 of them, evenly spaced)"),
			"a long drag's animation shows 100 steps: writing it takes bounded time");
	}

	/** Whether this JVM (and so its children) ignores a signal: /proc/self/status SigIgn. */
	private static boolean ignored(final int signal) throws IOException {
		for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
			if (line.startsWith("SigIgn:")) return (Long.parseLong(line.substring(7).trim(), 16) >> (signal - 1) & 1) == 1;
		return false;
	}
}
