package io.github.dragganfiji.cli;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.plugin.GifWriter;
import ij.plugin.MontageMaker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a command's results: TIFF stacks (with their metadata), an animated GIF, a PNG montage, text. Every file is
 * written under a temporary name in its folder and renamed when complete, so an interrupted run leaves the old file
 * or the new one, never a fragment.
 */
final class Outputs {

	private Outputs() {}

	/** A file writer that may fail. */
	@FunctionalInterface
	private interface Writer {

		boolean write(Path tmp) throws IOException;
	}

	/** Writes through a temporary file in the same folder, then renames it over {@code file}. */
	private static Path atomically(final Path file, final Writer w) throws IOException {
		final Path abs = file.toAbsolutePath();
		final Path dir = abs.getParent();
		if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException("cannot write " + file + ": " + dir +
			" is a file, not a folder");
		try {
			Files.createDirectories(dir);
		}
		catch (final IOException e) {
			throw new IOException("cannot create the folder " + dir + " (" + e.getClass().getSimpleName() + ": " + e
				.getMessage() + ")", e);
		}
		final String name = abs.getFileName().toString();
		final int dot = name.lastIndexOf('.');
		// The temporary name keeps the extension: ImageJ's writers choose the format by it.
		final Path tmp = dir.resolve("." + (dot > 0 ? name.substring(0, dot) : name) + ".part" + ProcessHandle
			.current().pid() + (dot > 0 ? name.substring(dot) : ""));
		try {
			if (!w.write(tmp)) throw new IOException("cannot write " + file + " (is the folder writable?)");
			try {
				Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (final AtomicMoveNotSupportedException e) {
				Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
			}
			return file;
		}
		finally {
			Files.deleteIfExists(tmp);
		}
	}

	/**
	 * Refuses to write {@code names} into {@code outDir} when one of them is {@code input}: an output never replaces
	 * an input.
	 */
	static void refuseOverwriting(final Path input, final Path outDir, final List<String> names) {
		for (final String n : names)
			if (same(input, outDir.resolve(n))) throw new IllegalArgumentException("--out " + outDir + " would " +
				"overwrite the input " + input + " (its " + n + "): choose another --out folder.");
	}

	/** Refuses to write {@code output} when it is {@code input}. */
	static void refuseOverwriting(final Path input, final Path output) {
		if (same(input, output)) throw new IllegalArgumentException("--out " + output + " is the input image: the " +
			"input is never overwritten. Choose another --out file.");
	}

	private static boolean same(final Path a, final Path b) {
		try {
			if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
		}
		catch (final IOException e) {
			// fall back to comparing the paths
		}
		return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
	}

	/** Saves an image or stack as TIFF, keeping the DragGAN properties. */
	static Path tiff(final ImagePlus imp, final Path file) throws IOException {
		return atomically(file, tmp -> {
			final FileSaver fs = new FileSaver(imp);
			return imp.getStackSize() > 1 ? fs.saveAsTiffStack(tmp.toString()) : fs.saveAsTiff(tmp.toString());
		});
	}

	/** Writes a text file (UTF-8). */
	static Path text(final String text, final Path file) throws IOException {
		return atomically(file, tmp -> {
			Files.writeString(tmp, text, StandardCharsets.UTF_8);
			return true;
		});
	}

	/** The stack with its overlay burnt in, as RGB, scaled up so that small images stay readable. */
	static ImagePlus flattened(final ImagePlus stack) {
		final ImagePlus copy = stack.duplicate();
		if (stack.getOverlay() != null) copy.setOverlay(stack.getOverlay().duplicate());
		final int scale = Math.max(1, 256 / Math.max(stack.getWidth(), 1));
		if (scale > 1) {
			final ImagePlus big = copy.resize(copy.getWidth() * scale, copy.getHeight() * scale, "none");
			if (copy.getOverlay() != null) {
				big.setOverlay(copy.getOverlay().duplicate().scale(scale, scale));
			}
			big.setDimensions(copy.getNChannels(), copy.getNSlices(), copy.getNFrames());
			return flatten(big);
		}
		return flatten(copy);
	}

	private static ImagePlus flatten(final ImagePlus imp) {
		if (imp.getStackSize() == 1) return imp.flatten();
		imp.flattenStack();
		return imp;
	}

	/** An animated GIF of the flattened steps. */
	static Path gif(final ImagePlus flat, final Path file) throws IOException {
		return atomically(file, tmp -> {
			final String err = GifWriter.save(flat, tmp.toString());
			if (err != null && !err.isBlank()) throw new IOException("could not write " + file + ": " + err);
			return true;
		});
	}

	/** A PNG montage of up to 12 evenly spaced steps (the first and the last always), labelled. */
	static Path montage(final ImagePlus flat, final Path file) throws IOException {
		final int n = flat.getStackSize();
		final int count = Math.min(12, n);
		final ij.ImageStack picked = new ij.ImageStack(flat.getWidth(), flat.getHeight());
		for (int i = 0; i < count; i++) {
			final int slice = 1 + (count == 1 ? 0 : (int) Math.round(i * (n - 1) / (double) (count - 1)));
			// The last slice's label also has the verified distance: the montage shows that one, to fit the panel.
			final String label = flat.getStack().getSliceLabel(slice);
			picked.addSlice(label == null ? null : label.replaceFirst(", mean distance [0-9.]+ px; ", ", "), flat
				.getStack().getProcessor(slice));
		}
		final int cols = Math.min(count, 4), rows = (count + cols - 1) / cols;
		final ImagePlus m = new MontageMaker().makeMontage2(new ImagePlus(flat.getTitle(), picked), cols, rows, 1.0, 1,
			count, 1, 2, true);
		// FileSaver, not IJ.saveAs: the latter goes through ImageJ's menus, which need a display.
		return atomically(file, tmp -> new FileSaver(m).saveAsPng(tmp.toString()));
	}
}
