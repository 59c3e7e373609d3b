package io.github.dragganfiji.cli;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.plugin.GifWriter;
import ij.plugin.MontageMaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a drag's result: the TIFF stack (with its metadata), an animated GIF and a PNG montage of the steps. */
final class Outputs {

	private Outputs() {}

	/** Saves an image or stack as TIFF, keeping the DragGAN properties. */
	static Path tiff(final ImagePlus imp, final Path file) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		final FileSaver fs = new FileSaver(imp);
		final boolean ok = imp.getStackSize() > 1 ? fs.saveAsTiffStack(file.toString()) : fs.saveAsTiff(file
			.toString());
		if (!ok) throw new IOException("could not write " + file);
		return file;
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
		final String err = GifWriter.save(flat, file.toString());
		if (err != null && !err.isBlank()) throw new IOException("could not write " + file + ": " + err);
		return file;
	}

	/** A PNG montage of up to 12 evenly spaced steps (the first and the last always), labelled. */
	static Path montage(final ImagePlus flat, final Path file) throws IOException {
		final int n = flat.getStackSize();
		final int count = Math.min(12, n);
		final ij.ImageStack picked = new ij.ImageStack(flat.getWidth(), flat.getHeight());
		for (int i = 0; i < count; i++) {
			final int slice = 1 + (count == 1 ? 0 : (int) Math.round(i * (n - 1) / (double) (count - 1)));
			picked.addSlice(flat.getStack().getSliceLabel(slice), flat.getStack().getProcessor(slice));
		}
		final int cols = Math.min(count, 4), rows = (count + cols - 1) / cols;
		final ImagePlus m = new MontageMaker().makeMontage2(new ImagePlus(flat.getTitle(), picked), cols, rows, 1.0, 1,
			count, 1, 2, true);
		// FileSaver, not IJ.saveAs: the latter goes through ImageJ's menus, which need a display.
		if (!new FileSaver(m).saveAsPng(file.toString())) throw new IOException("could not write " + file);
		return file;
	}
}
