package io.github.dragganfiji.ij;

import ij.IJ;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import ij.text.TextWindow;

import io.github.dragganfiji.app.ConvertUseCase;
import io.github.dragganfiji.model.ModelMetadata;
import io.github.dragganfiji.model.ModelSearchPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plugins › DragGAN › Models…: lists the bundles found (with their cards), adds a folder to the search path, and
 * converts a StyleGAN2 checkpoint (NVIDIA pickle or rosinality .pt) into a bundle. Macro:
 * {@code run("Models...", "add=/path/to/folder")} adds, {@code run("Models...", "add=")} just lists,
 * {@code run("Models...", "add= convert=/path/net.pkl converted=mymodel license=CC-BY-4.0")} converts.
 */
public class ModelsPlugin implements PlugIn {

	static final String TITLE = "DragGAN Models";

	@Override
	public void run(final String arg) {
		PluginSupport.guard(TITLE, this::models);
	}

	private void models() {
		final GenericDialog gd = new GenericDialog(TITLE);
		gd.addMessage("Search path:\n" + String.join("\n", FijiModels.searchPath().folders().stream().map(Path::toString)
			.toList()));
		// Headless, ij1-patcher's dialog skips directory and file fields (their values would be missing): plain
		// text fields there, with the same labels and so the same macro keys (add=, convert=).
		if (java.awt.GraphicsEnvironment.isHeadless()) {
			gd.addStringField("Add folder (optional)", "", 40);
			gd.addStringField("Convert checkpoint (optional, .pkl or .pt)", "", 40);
		}
		else {
			gd.addDirectoryField("Add folder (optional)", "");
			gd.addFileField("Convert checkpoint (optional, .pkl or .pt)", "");
		}
		gd.addStringField("Converted model name", "");
		gd.addStringField("License of its weights", "unknown");
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final String add = gd.getNextString().trim();
		final String checkpoint = gd.getNextString().trim();
		final String name = gd.getNextString().trim();
		final String license = gd.getNextString().trim();
		if (!add.isEmpty()) {
			final Path dir = Path.of(add);
			if (!Files.isDirectory(dir)) throw new PluginSupport.UserError("Not a folder: " + add);
			FijiModels.addFolder(dir);
			IJ.log("DragGAN: added model folder " + dir.toAbsolutePath());
		}
		if (!checkpoint.isEmpty()) convert(Path.of(checkpoint), name, license);
		final String text = listing(FijiModels.searchPath().bundles());
		if (java.awt.GraphicsEnvironment.isHeadless() || ij.macro.Interpreter.isBatchMode()) IJ.log(text);
		else new TextWindow(TITLE, text, 640, 480);
	}

	/**
	 * Converts a StyleGAN2 checkpoint into a bundle in the user's model folder, with the Python converter shipped in
	 * the jar; without Python + torch, says the exact command to run instead.
	 */
	static void convert(final Path checkpoint, final String name, final String license) {
		if (!Files.isRegularFile(checkpoint)) throw new PluginSupport.UserError("No such checkpoint: " + checkpoint);
		String base = name.isEmpty() ? checkpoint.getFileName().toString().replaceAll("\\.(pkl|pt|pth)$", "") : name;
		base = base.replaceAll("[^A-Za-z0-9._-]", "_");
		final Path out = FijiModels.userFolder().resolve(base);
		if (Files.exists(out)) throw new PluginSupport.UserError("A model folder named '" + base + "' exists already: " +
			out + ". Choose another name.");
		final String python = ConvertUseCase.findPython();
		if (python == null) throw new PluginSupport.UserError("Converting needs Python with torch, which was not found " +
			"(set -Ddraggan.python=/path/to/python). Run this, then add the folder with Models...:\n" + ConvertUseCase
				.manualCommand(checkpoint, out));
		IJ.log("DragGAN: converting " + checkpoint + " with " + python + " ...");
		final int code;
		final List<String> lines = new java.util.ArrayList<>();
		try {
			code = ConvertUseCase.run(python, checkpoint, out, List.of("--name", base, "--license", license.isEmpty()
				? "unknown" : license), line -> {
					lines.add(line);
					IJ.log("  " + line);
				});
		}
		catch (final IOException e) {
			throw new PluginSupport.UserError("The conversion could not run: " + e.getMessage());
		}
		if (code != 0) throw new PluginSupport.UserError("The conversion of " + checkpoint.getFileName() + " failed: " +
			ConvertUseCase.reason(lines, code));
		FijiModels.addFolderIfNeeded(out.getParent());
		IJ.log("DragGAN: converted into " + out);
	}

	/** A readable list of bundles with their metadata and model cards. */
	static String listing(final Map<String, ModelSearchPath.Entry> bundles) {
		if (bundles.isEmpty()) return "No DragGAN models found. Search path: " + FijiModels.searchPath().folders();
		final StringBuilder s = new StringBuilder();
		for (final ModelSearchPath.Entry e : bundles.values()) {
			s.append("== ").append(e.name()).append("  (").append(e.dir()).append(")\n");
			if (e.problem() != null) {
				s.append("   cannot be used: ").append(e.problem()).append("\n\n");
				continue;
			}
			final ModelMetadata m = e.metadata();
			s.append(String.format(Locale.ROOT, "   %d x %d px, %d channel(s), %d W+ layers; drag optimizes %d, " +
				"learning rate %g, psi %g%n   %s%n   license: %s; trained on: %s%n", m.resolution(), m.resolution(), m
					.imageChannels(), m.numWs(), m.dragLayers(), m.learningRate(), m.truncationPsi(), m.description(), m
						.license(), m.trainingData()));
			final Path card = e.dir().resolve("MODEL_CARD.md");
			if (Files.isRegularFile(card)) try {
				s.append("\n").append(Files.readString(card)).append("\n");
			}
			catch (final IOException x) {
				s.append("   (model card unreadable: ").append(x.getMessage()).append(")\n");
			}
			s.append("\n");
		}
		return s.toString();
	}
}
