package io.github.dragganfiji.ij;

import ij.IJ;

import io.github.dragganfiji.model.ModelSearchPath;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The plugin's model search path, in this order: the folders added with Models… (preference
 * {@code draggan.modelDirs}), {@code -Ddraggan.models=DIR} and {@code -Ddraggan.userModels=DIR} given to Fiji,
 * {@code <ImageJ>/models/draggan}, and {@code sample-models} in the working directory (a checkout of this
 * repository). Tuned and converted models go to {@link #userFolder()}.
 */
public final class FijiModels {

	static final String PREF = "draggan.modelDirs";
	private static final String HINT = "Add a folder with Plugins > DragGAN > Models...";

	private FijiModels() {}

	/** The search path as the preferences and the JVM's options say now. */
	public static ModelSearchPath searchPath() {
		final List<Path> dirs = new ArrayList<>();
		for (final String d : DialogMemory.get(PREF, "").split(File.pathSeparator))
			if (!d.isBlank()) dirs.add(Path.of(d));
		final String prop = System.getProperty("draggan.models");
		if (prop != null && !prop.isBlank()) dirs.add(Path.of(prop));
		final String user = System.getProperty("draggan.userModels");
		if (user != null && !user.isBlank()) dirs.add(Path.of(user));
		final String ij = IJ.getDirectory("imagej");
		if (ij != null) dirs.add(Path.of(ij, "models", "draggan"));
		dirs.add(Path.of("sample-models").toAbsolutePath());
		return new ModelSearchPath(dirs, HINT);
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
		for (final Path p : searchPath().folders())
			if (p.toAbsolutePath().normalize().equals(abs)) return;
		addFolder(abs);
	}

	/** Adds a folder to the search path (remembered in ImageJ's preferences). */
	public static void addFolder(final Path dir) {
		final String old = DialogMemory.get(PREF, "");
		final String abs = dir.toAbsolutePath().toString();
		for (final String d : old.split(File.pathSeparator))
			if (d.equals(abs)) return;
		DialogMemory.set(PREF, old.isBlank() ? abs : old + File.pathSeparator + abs);
		DialogMemory.save();
	}
}
