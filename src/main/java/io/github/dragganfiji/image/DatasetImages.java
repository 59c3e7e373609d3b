package io.github.dragganfiji.image;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import io.github.dragganfiji.app.DatasetUseCase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The images of a training set, read by ImageJ: TIFF and PNG files (folders: their TIFF and PNG files, sorted by
 * name) or an open image; 8-, 16- and 32-bit grayscale, RGB and multi-channel images, each slice and time point of a
 * stack one frame.
 */
public final class DatasetImages {

	private DatasetImages() {}

	/** Whether a file name is one a training set reads (TIFF or PNG). */
	static boolean isImage(final Path p) {
		final String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		return !n.startsWith(".") && (n.endsWith(".tif") || n.endsWith(".tiff") || n.endsWith(".png"));
	}

	/** The sources of files and folders, in the order given (each folder's images sorted by name). */
	public static List<DatasetUseCase.Source> of(final List<Path> inputs) throws IOException {
		final List<DatasetUseCase.Source> out = new ArrayList<>();
		for (final Path in : inputs) {
			if (Files.isDirectory(in)) {
				final List<Path> files = new ArrayList<>();
				try (var list = Files.list(in)) {
					list.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted().forEach(files::add);
				}
				if (files.isEmpty()) throw new IllegalArgumentException("The folder " + in + " holds no TIFF or PNG " +
					"images.");
				for (final Path f : files)
					out.add(file(f));
			}
			else if (Files.isRegularFile(in)) out.add(file(in));
			else throw new IllegalArgumentException("No such image or folder: " + in);
		}
		return out;
	}

	/** A file, read when the use case asks. */
	public static DatasetUseCase.Source file(final Path file) {
		return new DatasetUseCase.Source() {

			@Override
			public String name() {
				return file.toString();
			}

			@Override
			public Path file() {
				return file;
			}

			@Override
			public DatasetUseCase.Picture read() {
				if (!Files.isReadable(file)) throw new IllegalArgumentException("Cannot read " + file + " (permission " +
					"denied?).");
				final ImagePlus imp;
				try {
					imp = IJ.openImage(file.toString());
				}
				catch (final RuntimeException e) {
					throw new IllegalArgumentException("Cannot read " + file + " as an image (" + e.getClass()
						.getSimpleName() + ").");
				}
				if (imp == null || imp.getStackSize() == 0) throw new IllegalArgumentException("Cannot read " + file +
					" as an image: it is not a TIFF or PNG ImageJ can open, or it is damaged.");
				try {
					return picture(imp, file.toString());
				}
				finally {
					imp.close();
				}
			}
		};
	}

	/** An open image (its pixels as they are now). */
	public static DatasetUseCase.Source open(final ImagePlus imp) {
		return new DatasetUseCase.Source() {

			@Override
			public String name() {
				return imp.getTitle();
			}

			@Override
			public DatasetUseCase.Picture read() {
				return picture(imp, imp.getTitle());
			}
		};
	}

	/** An image's frames: every slice and time point, each with its channels as float planes of raw values. */
	public static DatasetUseCase.Picture picture(final ImagePlus imp, final String name) {
		final int w = imp.getWidth(), h = imp.getHeight();
		final ImageStack stack = imp.getStack();
		final List<float[][]> frames = new ArrayList<>();
		if (imp.getType() == ImagePlus.COLOR_RGB) {
			for (int i = 1; i <= stack.getSize(); i++) {
				final ColorProcessor cp = (ColorProcessor) stack.getProcessor(i);
				final float[][] f = new float[3][w * h];
				final int[] px = (int[]) cp.getPixels();
				for (int k = 0; k < px.length; k++) {
					f[0][k] = px[k] >> 16 & 0xff;
					f[1][k] = px[k] >> 8 & 0xff;
					f[2][k] = px[k] & 0xff;
				}
				frames.add(f);
			}
			return new DatasetUseCase.Picture(name, w, h, 3, 8, frames);
		}
		final int c = imp.getNChannels(), z = imp.getNSlices(), t = imp.getNFrames();
		if (c * z * t != stack.getSize()) throw new IllegalArgumentException(name + " has a stack of " + stack
			.getSize() + " planes that is not channels x slices x frames (" + c + " x " + z + " x " + t + ").");
		for (int ti = 1; ti <= t; ti++)
			for (int zi = 1; zi <= z; zi++) {
				final float[][] f = new float[c][];
				for (int ci = 1; ci <= c; ci++)
					f[ci - 1] = plane(stack.getProcessor(imp.getStackIndex(ci, zi, ti)));
				frames.add(f);
			}
		return new DatasetUseCase.Picture(name, w, h, c, imp.getBitDepth() == 24 ? 8 : imp.getBitDepth(), frames);
	}

	/** A processor's raw values (not calibrated) as floats. */
	static float[] plane(final ImageProcessor ip) {
		final int n = ip.getPixelCount();
		final float[] f = new float[n];
		if (ip instanceof ByteProcessor) {
			final byte[] p = (byte[]) ip.getPixels();
			for (int i = 0; i < n; i++)
				f[i] = p[i] & 0xff;
		}
		else if (ip instanceof ShortProcessor) {
			final short[] p = (short[]) ip.getPixels();
			for (int i = 0; i < n; i++)
				f[i] = p[i] & 0xffff;
		}
		else System.arraycopy((float[]) ip.convertToFloat().getPixels(), 0, f, 0, n);
		return f;
	}
}
