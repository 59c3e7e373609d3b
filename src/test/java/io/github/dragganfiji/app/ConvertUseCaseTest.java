package io.github.dragganfiji.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running the converter shipped in the jar from Java, with the real Python converter. */
class ConvertUseCaseTest {

	@TempDir
	Path tmp;

	@Test
	void theScriptsTravelInTheJar() throws IOException {
		final Path script = ConvertUseCase.extractScripts();
		for (final String s : ConvertUseCase.SCRIPTS)
			assertTrue(Files.size(script.getParent().resolve(s)) > 1000, s);
	}

	@Test
	void aMaliciousPickleIsRefusedAndNothingRuns() throws IOException {
		final String python = ConvertUseCase.findPython();
		assumeTrue(python != null, "needs Python with torch (CI installs it)");
		final Path marker = tmp.resolve("pwned");
		// protocol-0 pickle of os.system('touch <marker>')
		final String payload = "cos\nsystem\n(S'touch " + marker + "'\ntR.";
		final Path pkl = tmp.resolve("evil.pkl");
		Files.write(pkl, payload.getBytes(StandardCharsets.ISO_8859_1));
		final List<String> log = new ArrayList<>();
		final int code = ConvertUseCase.run(python, pkl, tmp.resolve("out"), List.of(), log::add);
		assertEquals(2, code, String.join("\n", log));
		assertTrue(log.stream().anyMatch(l -> l.contains("refused") && l.contains("system")), String.join("\n", log));
		assertFalse(Files.exists(marker), "the payload ran");
		assertFalse(Files.exists(tmp.resolve("out").resolve("model.json")));
	}

	@Test
	void withoutPythonTheExactCommandIsGiven() {
		final String c = ConvertUseCase.manualCommand(Path.of("/data/my net.pkl"), Path.of("models/mine"));
		assertTrue(c.startsWith("/usr/bin/python3 tools/convert.py '/data/my net.pkl' models/mine"), c);
	}
}
