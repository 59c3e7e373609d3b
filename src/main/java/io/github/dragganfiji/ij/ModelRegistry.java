package io.github.dragganfiji.ij;

import ij.IJ;
import ij.Prefs;

import io.github.dragganfiji.model.GeneratorBundle;
import io.github.dragganfiji.model.InvalidBundleException;
import io.github.dragganfiji.model.ModelMetadata;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where generator bundles are found, in this order: the folders added with Models… (preference
 * {@code draggan.modelDirs}), {@code -Ddraggan.models=DIR}, {@code <ImageJ>/models/draggan}, and
 * {@code sample-models} in the working directory (a checkout of this repository). A bundle is a sub-folder holding
 * model.json; the first bundle of a name wins.
 */
public final class ModelRegistry {

	static final String PREF = "draggan.modelDirs";

	private ModelRegistry() {}

	/**
	 * A bundle found on disk.
	 *
	 * @param dir its folder
	 * @param metadata its metadata, or null when model.json is invalid
	 * @param problem why it cannot be used, or null
	 */
	public record Entry(Path dir, ModelMetadata metadata, String problem) {

		public String name() {
			return metadata != null ? metadata.name() : dir.getFileName().toString();
		}
	}

	/** The folders searched, in order. */
	public static List<Path> searchPath() {
		final List<Path> dirs = new ArrayList<>();
		for (final String d : Prefs.get(PREF, "").split(File.pathSeparator))
			if (!d.isBlank()) dirs.add(Path.of(d));
		final String prop = System.getProperty("draggan.models");
		if (prop != null && !prop.isBlank()) dirs.add(Path.of(prop));
		final String user = System.getProperty("draggan.userModels");
		if (user != null && !user.isBlank()) dirs.add(Path.of(user));
		final String ij = IJ.getDirectory("imagej");
		if (ij != null) dirs.add(Path.of(ij, "models", "draggan"));
		dirs.add(Path.of("sample-models").toAbsolutePath());
		return dirs;
	}

	/**
	 * Where converted and tuned models go: {@code -Ddraggan.userModels=DIR} if set, else
	 * {@code <ImageJ>/models/draggan} when it can be written, else {@code ~/.draggan/models}.
	 */
	public static Path userFolder() {
		final String prop = System.getProperty("draggan.userModels");
		if (prop != null && !prop.isBlank()) return Path.of(prop);
		final String ij = IJ.getDirectory("imagej");
		if (ij != null) {
			final Path p = Path.of(ij, "models", "draggan");
			try {
				Files.createDirectories(p);
				if (Files.isWritable(p)) return p;
			}
			catch (final IOException e) {
				// fall through to the home folder
			}
		}
		return Path.of(System.getProperty("user.home"), ".draggan", "models");
	}

	/** Adds a folder to the search path unless it is on it already. */
	public static void addFolderIfNeeded(final Path dir) {
		final Path abs = dir.toAbsolutePath().normalize();
		for (final Path p : searchPath())
			if (p.toAbsolutePath().normalize().equals(abs)) return;
		addFolder(abs);
	}

	/** Adds a folder to the search path (remembered in ImageJ's preferences). */
	public static void addFolder(final Path dir) {
		final String old = Prefs.get(PREF, "");
		final String abs = dir.toAbsolutePath().toString();
		for (final String d : old.split(File.pathSeparator))
			if (d.equals(abs)) return;
		Prefs.set(PREF, old.isBlank() ? abs : old + File.pathSeparator + abs);
		Prefs.savePreferences();
	}

	/** Every bundle found, by name. A folder that is itself a bundle counts too. */
	public static Map<String, Entry> bundles() {
		final Map<String, Entry> out = new LinkedHashMap<>();
		for (final Path dir : searchPath()) {
			if (!Files.isDirectory(dir)) continue;
			if (Files.isRegularFile(dir.resolve(GeneratorBundle.METADATA_FILE))) add(out, dir);
			try (Stream<Path> subs = Files.list(dir)) {
				subs.sorted().filter(p -> Files.isRegularFile(p.resolve(GeneratorBundle.METADATA_FILE))).forEach(
					p -> add(out, p));
			}
			catch (final IOException e) {
				// unreadable folder: skip it
			}
		}
		return out;
	}

	private static void add(final Map<String, Entry> out, final Path dir) {
		Entry e;
		try {
			e = new Entry(dir, GeneratorBundle.readMetadata(dir), null);
		}
		catch (final InvalidBundleException x) {
			e = new Entry(dir, null, x.getMessage());
		}
		out.putIfAbsent(e.name(), e);
	}

	/** The usable bundle of this name (or at this folder); an IllegalArgumentException otherwise. */
	public static Entry find(final String name) {
		final Path asDir = Path.of(name);
		if (Files.isRegularFile(asDir.resolve(GeneratorBundle.METADATA_FILE))) return new Entry(asDir,
			GeneratorBundle.readMetadata(asDir), null);
		final Entry e = bundles().get(name);
		if (e == null) throw new IllegalArgumentException("No DragGAN model named '" + name + "'. Models are " +
			"looked for in: " + searchPath() + ". Add a folder with Plugins > DragGAN > Models...");
		if (e.problem() != null) throw new IllegalArgumentException("The model '" + name + "' cannot be used: " + e
			.problem());
		return e;
	}
}
