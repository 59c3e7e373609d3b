package io.github.dragganfiji.image;

import ij.IJ;
import ij.ImagePlus;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the images a command is given (the writing is {@link Outputs}). */
public final class Inputs {

	private Inputs() {}

	/** Opens an image file; an IllegalArgumentException when it is missing or not an image. */
	public static ImagePlus open(final Path file) {
		if (!Files.isRegularFile(file)) throw new IllegalArgumentException("No such image: " + file);
		final ImagePlus imp = IJ.openImage(file.toString());
		if (imp == null) throw new IllegalArgumentException("Cannot open " + file + " as an image");
		return imp;
	}
}
