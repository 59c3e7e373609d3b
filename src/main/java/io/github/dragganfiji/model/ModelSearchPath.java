package io.github.dragganfiji.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where generator bundles are looked for: folders in order, each either a bundle itself (it holds model.json) or a
 * folder of bundles (its sub-folders holding model.json). The first bundle of a name wins. The front ends choose the
 * folders (the Fiji plugin from its preferences and the ImageJ folder, the command line from its options).
 *
 * @param folders the folders, in order
 * @param hint what to tell a user whose model is not found, e.g. how to add a folder
 */
public record ModelSearchPath(List<Path> folders, String hint) {

	/** The folders are kept in order, each once (compared as absolute, normalized paths). */
	public ModelSearchPath {
		final java.util.LinkedHashMap<Path, Path> unique = new java.util.LinkedHashMap<>();
		for (final Path f : folders)
			unique.putIfAbsent(f.toAbsolutePath().normalize(), f);
		folders = List.copyOf(unique.values());
	}

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

		/** The bundle in this folder, its metadata read (an InvalidBundleException when it is not a bundle). */
		public static Entry at(final Path dir) {
			return new Entry(dir, GeneratorBundle.readMetadata(dir), null);
		}
	}

	/** Every bundle found, by name. */
	public Map<String, Entry> bundles() {
		final Map<String, Entry> out = new LinkedHashMap<>();
		for (final Path dir : folders) {
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
			e = Entry.at(dir);
		}
		catch (final InvalidBundleException x) {
			e = new Entry(dir, null, x.getMessage());
		}
		out.putIfAbsent(e.name(), e);
	}

	/** The usable bundle of this name (or at this folder); an IllegalArgumentException saying why otherwise. */
	public Entry find(final String name) {
		if (name == null || name.isBlank()) throw new IllegalArgumentException("No model name given. " + hint);
		final Path asDir = Path.of(name);
		if (Files.isRegularFile(asDir.resolve(GeneratorBundle.METADATA_FILE))) return Entry.at(asDir);
		final Entry e = bundles().get(name);
		if (e == null) throw new IllegalArgumentException("No DragGAN model named '" + name + "'. Models are " +
			"looked for in: " + folders + ". " + hint);
		if (e.problem() != null) throw new IllegalArgumentException("The model '" + name + "' cannot be used: " + e
			.problem());
		return e;
	}

	/** The first usable bundle, in search order; an IllegalArgumentException when there is none. */
	public Entry first() {
		for (final Entry e : bundles().values())
			if (e.problem() == null) return e;
		throw new IllegalArgumentException("No DragGAN model found. Looked in: " + folders + ". " + hint);
	}
}
