package io.github.dragganfiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The house, read from the sources as the next engineer reads them: each package imports only the packages its
 * package-info says it may (the layers below it, never a front end from another front end), nothing of ImageJ below
 * image/, and only DialogMemory touches ImageJ's preferences.
 */
class ArchitectureTest {

	private static final Path SRC = Path.of("src/main/java/io/github/dragganfiji");

	/** Which packages each package may use. */
	private static final Map<String, Set<String>> MAY = Map.of( //
		"batch", Set.of("cli", "app", "image", "core", "model", "runtime"), //
		"cli", Set.of("app", "eval", "image", "core", "model", "runtime"), //
		"ij", Set.of("app", "image", "core", "model", "runtime"), //
		"eval", Set.of("app", "image", "core", "model", "runtime"), //
		"image", Set.of("app", "core", "model", "runtime"), //
		"app", Set.of("core", "model", "runtime"), //
		"core", Set.of("model", "runtime"), //
		"model", Set.of("runtime"), //
		"runtime", Set.of());

	private static final Pattern USE = Pattern.compile("io\\.github\\.dragganfiji\\.(\\w+)\\.([A-Z]\\w*)");

	/** Every main source file by package, its text without comments and strings. */
	private static Map<String, Map<String, String>> sources() {
		final Map<String, Map<String, String>> out = new TreeMap<>();
		try (Stream<Path> files = Files.walk(SRC)) {
			for (final Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
				final String pkg = SRC.relativize(f).getName(0).toString();
				out.computeIfAbsent(pkg, k -> new TreeMap<>()).put(f.getFileName().toString(), code(Files.readString(f)));
			}
		}
		catch (final IOException e) {
			throw new UncheckedIOException(e);
		}
		return out;
	}

	/** Java source without comments, string and character literals (text blocks included). */
	static String code(final String s) {
		final StringBuilder b = new StringBuilder();
		for (int i = 0; i < s.length(); i++) {
			if (s.startsWith("/*", i)) i = s.indexOf("*/", i + 2) + 1;
			else if (s.startsWith("//", i)) i = s.indexOf('\n', i) - 1;
			else if (s.startsWith("\"\"\"", i)) i = s.indexOf("\"\"\"", i + 3) + 2;
			else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
				final char q = s.charAt(i);
				for (i++; s.charAt(i) != q; i++)
					if (s.charAt(i) == '\\') i++;
			}
			else b.append(s.charAt(i));
			if (i < 0) break;
		}
		return b.toString();
	}

	@Test
	void everyPackageUsesOnlyTheLayersItMay() {
		final Map<String, Map<String, String>> src = sources();
		assertEquals(MAY.keySet(), src.keySet(), "the packages are the ones the house plan names");
		final List<String> wrong = new ArrayList<>();
		src.forEach((pkg, files) -> files.forEach((file, code) -> {
			final Matcher m = USE.matcher(code);
			while (m.find())
				if (!m.group(1).equals(pkg) && !MAY.get(pkg).contains(m.group(1))) wrong.add(pkg + "/" + file + " uses " +
					m.group(1) + "." + m.group(2));
		}));
		assertTrue(wrong.isEmpty(), String.join("\n", new TreeSet<>(wrong)));
	}

	@Test
	void imageJStaysInTheFrontEndsAndImageIo() {
		final List<String> wrong = new ArrayList<>();
		sources().forEach((pkg, files) -> files.forEach((file, code) -> {
			if (Set.of("app", "core", "model", "runtime").contains(pkg) && Pattern.compile("\\bimport ij\\.").matcher(code)
				.find()) wrong.add(pkg + "/" + file + " imports ImageJ");
			if (!file.equals("DialogMemory.java") && Pattern.compile("\\bPrefs\\s*\\.").matcher(code).find()) wrong.add(
				pkg + "/" + file + " uses ImageJ's preferences (DialogMemory owns them)");
		}));
		assertTrue(wrong.isEmpty(), String.join("\n", wrong));
	}

	@Test
	void theCheckCanFail() {
		// The reader sees a use in code and not in a comment or a string, so the tests above can fail.
		assertTrue(USE.matcher(code("x = io.github.dragganfiji.ij.DragPlugin.TITLE;")).find());
		assertTrue(!USE.matcher(code("// io.github.dragganfiji.ij.DragPlugin\n\"io.github.dragganfiji.ij.X\"")).find());
	}
}
