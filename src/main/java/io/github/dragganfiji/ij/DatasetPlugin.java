package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.io.SaveDialog;
import ij.plugin.PlugIn;

import io.github.dragganfiji.app.DatasetUseCase;
import io.github.dragganfiji.image.DatasetImages;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Plugins › DragGAN › Make Training Set…: the current image (each slice one image) or a folder of TIFF/PNG files to a
 * zip for NVIDIA's StyleGAN2-ADA {@code train.py --data} ({@link DatasetUseCase}); the intensity mapping and the
 * train.py and convert lines go to the Log window. Macro: {@code run("Make Training Set...", "images=[Current image]
 * folder=[] size=256 stride=0 classes=[] output=/path/data.zip");}
 */
public class DatasetPlugin implements PlugIn {

	static final String TITLE = "DragGAN Make Training Set";
	static final String[] SOURCES = { "Current image", "Folder" };

	@Override
	public void run(final String arg) {
		PluginSupport.guard(TITLE, () -> {
			PluginSupport.requireMacroChoice("Images", SOURCES, "image source");
			final GenericDialog gd = new GenericDialog(TITLE);
			final ImagePlus current = WindowManager.getCurrentImage();
			gd.addChoice("Images", SOURCES, current != null ? DialogMemory.get("draggan.dataset.images", SOURCES[0]) : SOURCES[1]);
			gd.addStringField("Folder", DialogMemory.get("draggan.dataset.folder", ""), 30); // string fields: headless-safe
			gd.addNumericField("Size (0 = the images' own)", DialogMemory.get("draggan.dataset.size", 256), 0);
			gd.addNumericField("Stride (0 = the size)", 0, 0);
			gd.addStringField("Classes (CSV, optional)", "", 30);
			gd.addStringField("Output", DialogMemory.get("draggan.dataset.output", ""), 30);
			gd.showDialog();
			if (gd.wasCanceled()) return;
			final String images = gd.getNextChoice();
			final String folder = gd.getNextString().trim();
			final double size = gd.getNextNumber(), stride = gd.getNextNumber();
			final String classes = gd.getNextString().trim();
			String output = gd.getNextString().trim();
			if (Double.isNaN(size) || size != Math.rint(size) || Double.isNaN(stride) || stride != Math.rint(stride))
				throw new PluginSupport.UserError("The size and the stride must be whole numbers.");
			if (output.isEmpty() && !IJ.isMacro()) {
				final SaveDialog sd = new SaveDialog("Save training set", "data", ".zip");
				if (sd.getFileName() == null) return;
				output = sd.getDirectory() + sd.getFileName();
			}
			if (output.isEmpty()) throw new PluginSupport.UserError("Give the output zip (output=/path/data.zip).");
			final List<DatasetUseCase.Source> sources;
			try {
				if (images.equals(SOURCES[0])) {
					if (current == null) throw new PluginSupport.UserError("There is no open image: open one, or choose " +
						"Images: Folder.");
					sources = List.of(DatasetImages.open(current));
				}
				else {
					if (folder.isEmpty()) throw new PluginSupport.UserError("Choose the folder of TIFF or PNG images.");
					sources = DatasetImages.of(List.of(Path.of(folder)));
				}
				final Map<String, String> cls = classes.isEmpty() ? null : DatasetUseCase.readClasses(Path.of(classes));
				final DatasetUseCase.Result r = DatasetUseCase.run(new DatasetUseCase.Request(sources, Path.of(output),
					(int) size, (int) stride, cls), s -> IJ.log("DragGAN: " + s));
				IJ.log(r.report());
			}
			catch (final IOException e) {
				throw new PluginSupport.UserError("The training set could not be read or written: " + e.getMessage() +
					" (" + e.getClass().getSimpleName() + ").");
			}
			DialogMemory.set("draggan.dataset.images", images);
			DialogMemory.set("draggan.dataset.folder", folder);
			DialogMemory.set("draggan.dataset.size", size);
			DialogMemory.set("draggan.dataset.output", output);
		});
	}
}
