package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

/**
 * Test-only ImageJ 1.x command "Echo Test...": reads its parameters through a
 * {@link GenericDialog} (filled from the macro options when run from a macro,
 * even headless once ij1-patcher has patched ImageJ), then shows a new image
 * whose title echoes them.
 * <p>
 * Error path: {@code seed < 0} reports {@code IJ.error("Echo Test", ...)} and
 * creates nothing.
 */
public class EchoPlugin implements PlugIn {

	/** Command label under which the tests register this plugin. */
	public static final String COMMAND = "Echo Test...";

	/** Message of the error path ({@code seed < 0}), followed by the seed. */
	public static final String NEGATIVE_SEED = "seed must be >= 0, got ";

	/** The last image this plugin created: a static hook for the tests. */
	public static volatile ImagePlus lastImage;

	@Override
	public void run(final String arg) {
		final GenericDialog gd = new GenericDialog("Echo Test");
		gd.addNumericField("seed", 0, 0);
		gd.addStringField("name", "world");
		gd.addCheckbox("flag", false);
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final int seed = (int) gd.getNextNumber();
		final String name = gd.getNextString();
		final boolean flag = gd.getNextBoolean();
		if (gd.invalidNumber()) {
			IJ.error("Echo Test", "seed is not a number");
			return;
		}
		if (seed < 0) {
			IJ.error("Echo Test", NEGATIVE_SEED + seed);
			return;
		}
		final ImagePlus imp = IJ.createImage("echo " + name + " " + seed + " " + flag,
			"8-bit black", 8, 8, 1);
		imp.setProp("echo.seed", seed);
		lastImage = imp;
		imp.show();
	}
}
