package io.github.dragganfiji.model;

import java.nio.file.Path;

/** A generator bundle that cannot be used; the message names the file and the problem. */
public class InvalidBundleException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final Path file;
	private final String problem;

	public InvalidBundleException(final Path file, final String problem) {
		this(file, problem, null);
	}

	public InvalidBundleException(final Path file, final String problem, final Throwable cause) {
		super(file + ": " + problem, cause);
		this.file = file;
		this.problem = problem;
	}

	/** The file at fault. */
	public Path file() {
		return file;
	}

	/** What is wrong with it, without the file name. */
	public String problem() {
		return problem;
	}
}
