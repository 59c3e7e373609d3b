package io.github.dragganfiji.image;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.plugin.GifWriter;
import ij.plugin.MontageMaker;

import io.github.dragganfiji.app.DragUseCase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a command's results: TIFF stacks (with their metadata), an animated GIF, a PNG montage, text. Every file is
 * written under a temporary name in its folder and renamed when complete, so an interrupted run leaves the old file
 * or the new one, never a fragment.
 */
public final class Outputs {

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
		Files.createDirectories(dir); // its failures are typed: Main explains them
		final String name = abs.getFileName().toString();
		final int dot = name.lastIndexOf('.');
		// The temporary name keeps the extension: ImageJ's writers choose the format by it.
		final Path tmp = dir.resolve("." + (dot > 0 ? name.substring(0, dot) : name) + ".part" + ProcessHandle
			.current().pid() + (dot > 0 ? name.substring(dot) : ""));
		try {
			if (!w.write(tmp)) throw new IOException("cannot write " + file + ": the folder " + dir + " cannot be " +
				"written to. Choose another --out.");
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
	public static void refuseOverwriting(final Path input, final Path outDir, final List<String> names) {
		for (final String n : names)
			if (same(input, outDir.resolve(n))) throw new IllegalArgumentException("--out " + outDir + " would " +
				"overwrite the input " + input + " (its " + n + "): choose another --out folder.");
	}

	/**
	 * Checks, before any work and without making anything, that {@code dir} is or can become a folder this process
	 * can write into; an IllegalArgumentException says what is in the way.
	 */
	public static void requireFolder(final Path dir) {
		final Path abs = dir.toAbsolutePath().normalize();
		if (Files.exists(abs) && !Files.isDirectory(abs)) throw new IllegalArgumentException("--out " + dir + " is a " +
			"file, not a folder: give a folder for the results.");
		Path existing = abs;
		while (existing != null && !Files.exists(existing))
			existing = existing.getParent();
		if (existing == null) return;
		if (!Files.isDirectory(existing)) throw new IllegalArgumentException("--out " + dir + " cannot be made: " +
			existing + " is a file, not a folder. Choose another --out.");
		if (!Files.isWritable(existing)) throw new IllegalArgumentException("--out " + dir + " cannot be written: " +
			"the folder " + existing + " is read-only for you. Choose another --out.");
	}

	/** Makes the output folder once every input is checked, before the long work that fills it. */
	public static void makeFolder(final Path dir) {
		requireFolder(dir);
		try {
			Files.createDirectories(dir);
		}
		catch (final IOException e) {
			throw new IllegalArgumentException("--out " + dir + " cannot be made (" + explain(e).replaceAll("\\.$",
				"") + "). Choose another --out.", e);
		}
	}

	/** Checks, before any work, that {@code file} can be written: not a folder, in a folder that can be written. */
	public static void requireFile(final Path file) {
		if (Files.isDirectory(file)) throw new IllegalArgumentException("--out " + file + " is a folder: give a " +
			"file name, e.g. " + file.resolve("result.tif") + ".");
		final Path parent = file.toAbsolutePath().normalize().getParent();
		if (parent != null) requireFolder(parent);
	}

	/** An I/O failure as a sentence: which file and what is wrong with it, in words. */
	public static String explain(final IOException e) {
		if (e instanceof AccessDeniedException a) return "cannot use " + a.getFile() + ": permission denied " +
			"(read-only?). Choose a file or folder you can write to.";
		if (e instanceof NoSuchFileException n) return "no such file or folder: " + n.getFile() + (n.getReason() == null
			? "." : " (" + n.getReason() + ").");
		if (e instanceof FileAlreadyExistsException f) return "cannot make the folder " + f.getFile() + ": a file " +
			"has that name. Choose another --out.";
		if (e instanceof FileSystemException f) {
			final String reason = f.getReason() == null ? "" : f.getReason();
			if (reason.contains("Not a directory")) return "cannot use " + f.getFile() + ": a part of that path is " +
				"a file, not a folder. Choose another --out.";
			if (reason.contains("Read-only")) return "cannot write " + f.getFile() + ": the file system is read-only. " +
				"Choose another --out.";
			if (reason.contains("No space")) return "cannot write " + f.getFile() + ": the disk is full. Free some " +
				"space or choose another --out.";
			return "cannot use " + f.getFile() + (reason.isBlank() ? "." : ": " + reason + ".");
		}
		return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
	}

	/** Refuses to write {@code output} when it is {@code input}. */
	public static void refuseOverwriting(final Path input, final Path output) {
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
	public static Path tiff(final ImagePlus imp, final Path file) throws IOException {
		return atomically(file, tmp -> {
			final FileSaver fs = new FileSaver(imp);
			return imp.getStackSize() > 1 ? fs.saveAsTiffStack(tmp.toString()) : fs.saveAsTiff(tmp.toString());
		});
	}

	/** Deletes a file or a folder with everything in it (deepest first); nothing when it does not exist. */
	public static void deleteTree(final Path p) throws IOException {
		if (p == null || !Files.exists(p)) return;
		try (java.util.stream.Stream<Path> s = Files.walk(p)) {
			for (final Path q : s.sorted(java.util.Comparator.reverseOrder()).toList())
				Files.deleteIfExists(q);
		}
	}

	/** Writes a text file (UTF-8). */
	public static Path text(final String text, final Path file) throws IOException {
		return atomically(file, tmp -> {
			Files.writeString(tmp, text, StandardCharsets.UTF_8);
			return true;
		});
	}

	/** The most steps the animation (and the montage drawn from it) shows; evenly spaced, the first and last always. */
	public static final int MAX_ANIMATION_FRAMES = 100;

	/**
	 * The stack with its overlay burnt in, as RGB, scaled up so that small images stay readable; at most
	 * {@link #MAX_ANIMATION_FRAMES} evenly spaced steps, so that writing a long drag takes bounded time and memory.
	 */
	public static ImagePlus flattened(final ImagePlus stack) {
		final ImagePlus copy = frames(stack, MAX_ANIMATION_FRAMES);
		if (copy == stack) {
			final ImagePlus dup = stack.duplicate();
			if (stack.getOverlay() != null) dup.setOverlay(stack.getOverlay().duplicate());
			return scaledAndFlattened(dup, stack.getWidth());
		}
		return scaledAndFlattened(copy, stack.getWidth());
	}

	/** Up to {@code max} evenly spaced steps (frames of a composite) of a result stack, with their overlay. */
	static ImagePlus frames(final ImagePlus stack, final int max) {
		final int c = stack.getNChannels(), n = c > 1 ? stack.getNFrames() : stack.getStackSize();
		if (n <= max) return stack;
		final int[] pick = new int[max];
		final java.util.Map<Integer, Integer> index = new java.util.HashMap<>();
		for (int k = 0; k < max; k++) {
			pick[k] = 1 + (int) Math.round(k * (n - 1) / (double) (max - 1));
			index.put(pick[k], k + 1);
		}
		final ij.ImageStack picked = new ij.ImageStack(stack.getWidth(), stack.getHeight());
		for (final int t : pick)
			for (int ch = 1; ch <= c; ch++) {
				final int i = c > 1 ? stack.getStackIndex(ch, 1, t) : t;
				picked.addSlice(stack.getStack().getSliceLabel(i), stack.getStack().getProcessor(i).duplicate());
			}
		ImagePlus out = new ImagePlus(stack.getTitle(), picked);
		out.setCalibration(stack.getCalibration().copy());
		if (c > 1) {
			out.setDimensions(c, 1, max);
			final ij.CompositeImage ci = new ij.CompositeImage(out, ((ij.CompositeImage) stack).getMode());
			ci.setLuts(((ij.CompositeImage) stack).getLuts());
			out = ci;
		}
		else out.setDisplayRange(stack.getDisplayRangeMin(), stack.getDisplayRangeMax());
		if (stack.getOverlay() != null) {
			final ij.gui.Overlay o = new ij.gui.Overlay();
			for (final ij.gui.Roi r : stack.getOverlay().toArray()) {
				final Integer k = index.get(c > 1 ? r.getTPosition() : r.getPosition());
				if (k == null) continue;
				final ij.gui.Roi copy = (ij.gui.Roi) r.clone();
				if (c > 1) copy.setPosition(0, 1, k);
				else copy.setPosition(k);
				o.add(copy);
			}
			out.setOverlay(o);
		}
		return out;
	}

	private static ImagePlus scaledAndFlattened(final ImagePlus copy, final int width) {
		final int scale = Math.max(1, 256 / Math.max(width, 1));
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
	public static Path gif(final ImagePlus flat, final Path file) throws IOException {
		return atomically(file, tmp -> {
			final String err = GifWriter.save(flat, tmp.toString());
			if (err != null && !err.isBlank()) throw new IOException("could not write " + file + ": " + err);
			return true;
		});
	}

	/** A PNG montage of up to 12 evenly spaced steps (the first and the last always), labelled. */
	public static Path montage(final ImagePlus flat, final Path file) throws IOException {
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

	/** What a drag writes into its folder. */
	public static final List<String> DRAG_FILES = List.of("start.tif", "drag.tif", "drag.gif", "montage.png",
		"summary.txt");

	/**
	 * Writes a finished drag into {@code out}: start.tif (the input), drag.tif (one slice per step, with latents),
	 * drag.gif and montage.png (at most {@value #MAX_ANIMATION_FRAMES} evenly spaced steps) and summary.txt;
	 * returns the summary.
	 */
	public static String drag(final ImagePlus stack, final DragUseCase.Result r, final Path out,
		final ImagePlus input) throws IOException
	{
		Files.createDirectories(out);
		tiff(input, out.resolve("start.tif"));
		tiff(stack, out.resolve("drag.tif"));
		final ImagePlus flat = flattened(stack);
		gif(flat, out.resolve("drag.gif"));
		montage(flat, out.resolve("montage.png"));
		final int slices = stack.getNChannels() > 1 ? stack.getNFrames() : stack.getStackSize();
		final String s = r.summary() + "Wrote " + out.resolve("drag.tif") + " (" + slices + " slices), drag.gif" +
			(slices > MAX_ANIMATION_FRAMES ? " (" + MAX_ANIMATION_FRAMES + " of them, evenly spaced)" : "") +
			", montage.png, start.tif\n";
		text(s, out.resolve("summary.txt"));
		return s;
	}
}
