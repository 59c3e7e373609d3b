package io.github.dragganfiji.ij;

import ij.IJ;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import ij.text.TextWindow;

import io.github.dragganfiji.model.ModelMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Plugins › DragGAN › Models…: lists the bundles found (with their cards) and adds a folder to the search path.
 * Macro: {@code run("Models...", "add=/path/to/folder")} adds, {@code run("Models...", "add=")} just lists.
 */
public class Models implements PlugIn {

	static final String TITLE = "DragGAN Models";

	@Override
	public void run(final String arg) {
		Commands.guard(TITLE, this::models);
	}

	private void models() {
		final GenericDialog gd = new GenericDialog(TITLE);
		gd.addMessage("Search path:\n" + String.join("\n", ModelRegistry.searchPath().stream().map(Path::toString)
			.toList()));
		gd.addDirectoryField("Add folder (optional)", "");
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final String add = gd.getNextString().trim();
		if (!add.isEmpty()) {
			final Path dir = Path.of(add);
			if (!Files.isDirectory(dir)) throw new Commands.UserError("Not a folder: " + add);
			ModelRegistry.addFolder(dir);
			IJ.log("DragGAN: added model folder " + dir.toAbsolutePath());
		}
		final String text = listing(ModelRegistry.bundles());
		if (java.awt.GraphicsEnvironment.isHeadless() || ij.macro.Interpreter.isBatchMode()) IJ.log(text);
		else new TextWindow(TITLE, text, 640, 480);
	}

	/** A readable list of bundles with their metadata and model cards. */
	static String listing(final Map<String, ModelRegistry.Entry> bundles) {
		if (bundles.isEmpty()) return "No DragGAN models found. Search path: " + ModelRegistry.searchPath();
		final StringBuilder s = new StringBuilder();
		for (final ModelRegistry.Entry e : bundles.values()) {
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
