package io.github.dragganfiji.cli;

import io.github.dragganfiji.model.ModelSearchPath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's model search path: the --model folder when one is given, {@code -Ddraggan.models=DIR} (the
 * {@code draggan} script passes the checkout's sample-models), the user's model folder (where {@code invert} saves
 * tuned models) and {@code sample-models} in the working directory.
 */
final class CliModels {

	private static final String HINT = "Give --model with a bundle folder (one holding model.json).";

	private CliModels() {}

	/** The search path, with the folder of {@code --model} first when it is a folder. */
	static ModelSearchPath searchPath(final String modelOption) {
		final List<Path> dirs = new ArrayList<>();
		if (modelOption != null && !modelOption.isBlank() && Files.isDirectory(Path.of(modelOption))) dirs.add(Path.of(
			modelOption).toAbsolutePath());
		final String prop = System.getProperty("draggan.models");
		if (prop != null && !prop.isBlank()) dirs.add(Path.of(prop));
		dirs.add(userFolder());
		dirs.add(Path.of("sample-models").toAbsolutePath());
		return new ModelSearchPath(dirs, HINT);
	}

	/** Where tuned models go: {@code -Ddraggan.userModels=DIR}, else {@code ~/.draggan/models}. */
	static Path userFolder() {
		final String prop = System.getProperty("draggan.userModels");
		if (prop != null && !prop.isBlank()) return Path.of(prop);
		return Path.of(System.getProperty("user.home"), ".draggan", "models");
	}

	/** The model named (or at the folder named) by {@code --model}; with none, the first found. */
	static ModelSearchPath.Entry model(final Args a) {
		final String name = a.get("model", null);
		final ModelSearchPath models = searchPath(name);
		return name == null ? models.first() : models.find(name);
	}
}
