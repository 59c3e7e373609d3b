package io.github.dragganfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.model.TestBundles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first minutes: the demo, as a new user runs it in a JVM of its own, prints only this project's lines on
 * stderr — no libtorch NNPACK warnings (forced here where gcc can build a stand-in NNPACK that fails to initialize, as
 * it does on CPUs NNPACK does not support), no DJL WARN about a CUDA driver that is not there, no INFO about
 * extracting libraries. With --verbose those lines come back (so the check below can fail).
 */
class QuietOutputTest {

	/** The lines this project prints on stderr during a demo. */
	private static final Pattern OWN = Pattern.compile("^(DJL PyTorch engine: |\\[[#.]+\\] step |draggan demo: |" +
		"DragGAN: ).*");

	@TempDir
	static Path tmp;

	/** A library that makes NNPACK's initialization fail ("Unsupported hardware"), or null without gcc. */
	private static Path nnpackFails;

	@BeforeAll
	static void buildTheNnpackStandIn() throws IOException, InterruptedException {
		final Path c = tmp.resolve("nnpfail.c");
		Files.writeString(c, "int nnp_initialize(void) { return 51; /* nnp_status_unsupported_hardware */ }\n");
		final Path so = tmp.resolve("libnnpfail.so");
		try {
			final Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", so.toString(), c.toString())
				.redirectErrorStream(true).start();
			p.getInputStream().readAllBytes();
			if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) nnpackFails = so;
		}
		catch (final IOException e) {
			nnpackFails = null; // no gcc: the demo runs with the CPU's own NNPACK
		}
	}

	private static List<String> demoStderr(final Path out, final String... extra) throws IOException,
		InterruptedException
	{
		final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
			.toString(), "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("surefire.test.class.path",
				System.getProperty("java.class.path")), Main.class.getName(), "demo", "--model", TestBundles.TINY
					.toAbsolutePath().toString(), "--steps", "3", "--device", "cpu", "--out", out.toString()));
		cmd.addAll(List.of(extra));
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
		if (nnpackFails != null) pb.environment().put("LD_PRELOAD", nnpackFails.toString());
		final Process p = pb.start();
		final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the demo ends");
		assertEquals(0, p.exitValue(), err);
		return err.lines().toList();
	}

	@Test
	void theDemoPrintsOnlyItsOwnLines() throws IOException, InterruptedException {
		final List<String> err = demoStderr(tmp.resolve("quiet"));
		final List<String> foreign = err.stream().filter(l -> !OWN.matcher(l).matches()).toList();
		assertTrue(foreign.isEmpty(), "foreign lines on stderr (NNPACK stand-in " + (nnpackFails != null) + "):\n" +
			String.join("\n", foreign));
		assertEquals(1, err.stream().filter(l -> l.startsWith("DJL PyTorch engine: ")).count(),
			"one line says which engine, device and threads: " + err);
	}

	@Test
	void verboseShowsTheEnginesOwnLines() throws IOException, InterruptedException {
		final List<String> err = demoStderr(tmp.resolve("verbose"), "--verbose");
		assertTrue(err.stream().anyMatch(l -> l.contains("ai.djl.")), "DJL's log lines with --verbose: " + err);
	}
}
