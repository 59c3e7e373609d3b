package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DragGAN tool as a user works with it: {@link DragToolRobot} drives a real ImageJ window with java.awt.Robot
 * clicks and keys on the shipped sample model, in a JVM of its own (this one is headless) on a display: $DISPLAY
 * when set, else an Xvfb this test starts (skipped, saying so, only when there is neither; .ci/run installs xvfb).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DragToolGuiTest {

	@Test
	void aUserEditsLiveInTheImageWindow() throws Exception {
		Assumptions.assumeTrue(Files.exists(Path.of(System.getProperty("java.home"), "lib", "libawt_xawt.so")) || !System
			.getProperty("os.name").startsWith("Linux"), "This Java has no X11 toolkit (a -headless JRE; apt-get " +
				"install openjdk-17-jre): the DragGAN tool's window test cannot run here.");
		String display = System.getenv("DISPLAY");
		Process xvfb = null;
		if (display == null || display.isBlank()) {
			final Path bin = onPath("Xvfb");
			Assumptions.assumeTrue(bin != null, "No display ($DISPLAY unset) and no Xvfb (apt-get install xvfb): the " +
				"DragGAN tool's window test cannot run here.");
			xvfb = new ProcessBuilder(bin.toString(), "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten",
				"tcp").redirectError(ProcessBuilder.Redirect.DISCARD).start();
			final BufferedReader number = new BufferedReader(new InputStreamReader(xvfb.getInputStream(),
				StandardCharsets.US_ASCII));
			final String n = CompletableFuture.supplyAsync(() -> {
				try {
					return number.readLine();
				}
				catch (final IOException e) {
					return null;
				}
			}).get(30, TimeUnit.SECONDS);
			assertNotNull(n, "Xvfb did not start");
			display = ":" + n.trim();
		}
		try {
			final String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
			final ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
				.toString(), "-Xmx1g", "-cp", cp, DragToolRobot.class.getName(), "--models", Path.of("sample-models")
					.toAbsolutePath().toString(), "--model", "nuclei-128", "--seed", "5", "--zoom", "200", "--points",
				"40,60,56,52;90,30,90,50")).redirectErrorStream(true).directory(new File("."));
			pb.environment().put("DISPLAY", display);
			final Process p = pb.start();
			final CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
				try {
					return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				}
				catch (final IOException e) {
					return "(output unreadable: " + e + ")";
				}
			});
			final boolean ended = p.waitFor(240, TimeUnit.SECONDS);
			if (!ended) p.destroyForcibly();
			final String output = out.get(30, TimeUnit.SECONDS);
			System.out.println(output.lines().filter(l -> !l.startsWith("ok: ") && !l.contains(" WARN ")).reduce("",
				(a, b) -> a + b + "\n"));
			assertTrue(ended, "the session did not end within 240 s:\n" + output);
			assertEquals(0, p.exitValue(), output);
			assertTrue(output.contains("ALL CHECKS PASSED"), output);
		}
		finally {
			if (xvfb != null) xvfb.destroy();
		}
	}

	private static Path onPath(final String name) {
		for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			final Path p = Path.of(dir, name);
			if (Files.isExecutable(p)) return p;
		}
		return null;
	}
}
