package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImageListener;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.ImageWindow;
import ij.gui.Toolbar;
import ij.plugin.tool.PlugInTool;

import io.github.dragganfiji.core.DragConfig;
import io.github.dragganfiji.core.Point;
import io.github.dragganfiji.model.ModelMetadata;

import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.awt.KeyEventDispatcher;
import java.awt.KeyboardFocusManager;
import java.awt.MenuItem;
import java.awt.PopupMenu;
import java.awt.Window;
import java.awt.event.KeyEvent;
import java.awt.event.MouseEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plugins › DragGAN › DragGAN Tool: the interactive drag as a toolbar tool, live in the image window. On an image
 * that carries a latent, clicks alternate handle (red) and target (blue); dragging a point moves it; Alt- or
 * Ctrl-click removes the nearest pair; an area selection (or the ROI Manager's area ROIs) is the movable region.
 * Space starts and stops an edit (Esc stops), the image updates in place while the worker thread runs; after a stop,
 * change the points and press Space to go on from the current latent. Ctrl+Z / Ctrl+Shift+Z undo and redo whole
 * edits, H shows the history as a stack (one slice per step, overlays and latents). Right-click the tool's icon for
 * the same as a menu; double-click it for the options. Each finished edit is recorded as the equivalent
 * {@code run("Drag...")} when the recorder is open. The per-image work is in {@link LiveDrag}.
 */
public class DragTool extends PlugInTool {

	static final String NAME = "DragGAN Tool";
	/** A handle (red dot, lower left), an arrow, a target (blue dot, upper right). */
	static final String ICON = "C444L4bb4Lb474Lb4b8Cf00V0b55C00fVb055";

	private static final Map<ImagePlus, LiveDrag> SESSIONS = new ConcurrentHashMap<>();
	private static boolean installed;

	private LiveDrag grabbedIn;
	private int grabbed = -1;

	@Override
	public void run(final String arg) {
		if (GraphicsEnvironment.isHeadless()) {
			IJ.log("DragGAN: the DragGAN tool needs a display; in macros and headless use Plugins > DragGAN > Drag...");
			return;
		}
		install();
		Toolbar.addPlugInTool(this);
		IJ.showStatus("DragGAN tool: click a handle, then its target; Space starts and stops");
	}

	/** Once per JVM: the keys (before ImageJ's shortcuts see them) and closing images. */
	private static synchronized void install() {
		if (installed) return;
		installed = true;
		KeyboardFocusManager.getCurrentKeyboardFocusManager().addKeyEventDispatcher(new Keys());
		ImagePlus.addImageListener(new ImageListener() {

			@Override
			public void imageOpened(final ImagePlus imp) {}

			@Override
			public void imageUpdated(final ImagePlus imp) {}

			@Override
			public void imageClosed(final ImagePlus imp) {
				final LiveDrag s = SESSIONS.remove(imp);
				if (s != null) s.editor().stop();
			}
		});
	}

	@Override
	public String getToolName() {
		return NAME;
	}

	@Override
	public String getToolIcon() {
		return ICON;
	}

	/** The session of this image window, made on first use; null (with the reason shown) when it cannot be edited. */
	static LiveDrag session(final ImagePlus imp, final boolean create) {
		LiveDrag s = SESSIONS.get(imp);
		if (s != null && !s.editor().running() && !s.stillFits()) {
			// Converted, resized or re-stacked since: its edits cannot be undone into it any more.
			SESSIONS.remove(imp);
			IJ.log("DragGAN tool: '" + imp.getTitle() + "' changed type or size; its edit history is dropped.");
			s = null;
		}
		if (s != null || !create) return s;
		final LiveDrag[] made = new LiveDrag[1];
		PluginSupport.guard(NAME, () -> made[0] = LiveDrag.open(imp, DialogMemory.device(), DialogMemory.realImage(imp.getWidth())));
		if (made[0] == null) return null;
		SESSIONS.put(made[0].imp(), made[0]);
		made[0].warmUp();
		made[0].redraw();
		return made[0];
	}

	@Override
	public void mousePressed(final ImagePlus imp, final MouseEvent e) {
		e.consume();
		final LiveDrag s = session(imp, true);
		if (s == null || s.imp() != imp) return; // a stack's slice opened in its own window: edit it there
		if (s.editor().running()) {
			IJ.showStatus("DragGAN: an edit is running; Space or Esc stops it");
			return;
		}
		final Point p = pixel(imp, e);
		if (e.isAltDown() || e.isControlDown() || e.isMetaDown()) {
			if (s.editor().removePairNear(p)) s.pointsChanged();
			return;
		}
		int i = s.editor().pointNear(p, Math.max(1.5, 6 / imp.getCanvas().getMagnification()));
		if (i < 0) {
			final boolean[] ok = { false };
			PluginSupport.guard(NAME, () -> {
				s.editor().addPoint(p);
				ok[0] = true;
			});
			if (!ok[0]) return;
			final var pairs = s.editor().pairs();
			i = 2 * (pairs.size() - 1) + (pairs.get(pairs.size() - 1).complete() ? 1 : 0);
			s.pointsChanged();
		}
		grabbed = i;
		grabbedIn = s;
	}

	@Override
	public void mouseDragged(final ImagePlus imp, final MouseEvent e) {
		e.consume();
		if (grabbed < 0 || grabbedIn == null || grabbedIn.imp() != imp || grabbedIn.editor().running()) return;
		grabbedIn.editor().movePoint(grabbed, pixel(imp, e));
		grabbedIn.pointsChanged();
	}

	@Override
	public void mouseReleased(final ImagePlus imp, final MouseEvent e) {
		e.consume();
		grabbed = -1;
		grabbedIn = null;
	}

	/** The pixel under the mouse (its centre, in the convention of {@link Point}). */
	private static Point pixel(final ImagePlus imp, final MouseEvent e) {
		final double x = imp.getCanvas().offScreenXD(e.getX()), y = imp.getCanvas().offScreenYD(e.getY());
		return new Point(Math.min(Math.max(Math.floor(x), 0), imp.getWidth() - 1), Math.min(Math.max(Math.floor(y),
			0), imp.getHeight() - 1));
	}

	/** Space, the popup's Start/Stop: stops a running edit, else starts one from the current latent. */
	static void startOrStop(final ImagePlus imp) {
		final LiveDrag s = imp == null ? null : session(imp, false);
		if (s == null) {
			IJ.showStatus("DragGAN: click a handle, then where it should go, first");
			return;
		}
		if (s.editor().running()) {
			s.editor().stop();
			IJ.showStatus("DragGAN: stopping");
			return;
		}
		for (final LiveDrag other : SESSIONS.values())
			if (other.editor().running()) {
				IJ.showStatus("DragGAN: an edit runs on '" + other.imp().getTitle() + "'; stop it first (Space there)");
				return;
			}
		PluginSupport.guard(NAME, () -> s.start(config(s.editor().model().metadata())));
	}

	static void undo(final ImagePlus imp) {
		final LiveDrag s = idle(imp);
		if (s != null) PluginSupport.guard(NAME, () -> {
			if (!s.undo()) IJ.showStatus("DragGAN: nothing to undo");
		});
	}

	static void redo(final ImagePlus imp) {
		final LiveDrag s = idle(imp);
		if (s != null) PluginSupport.guard(NAME, () -> {
			if (!s.redo()) IJ.showStatus("DragGAN: nothing to redo");
		});
	}

	/** H, the popup's Show history as stack. */
	static void showHistory(final ImagePlus imp) {
		final LiveDrag s = idle(imp);
		if (s == null) return;
		final ImagePlus h = s.history();
		if (h == null) IJ.showStatus("DragGAN: no edit yet");
		else h.show();
	}

	/** The session of a window when no edit runs in it; null (with a note) otherwise. */
	private static LiveDrag idle(final ImagePlus imp) {
		final LiveDrag s = imp == null ? null : session(imp, false);
		if (s == null) IJ.showStatus("DragGAN: no edit on this image yet");
		else if (s.editor().running()) {
			IJ.showStatus("DragGAN: an edit is running; Space or Esc stops it first");
			return null;
		}
		return s;
	}

	/** The tool's drag parameters: the paper's defaults for the model, with the options' steps, rate and lambda. */
	static DragConfig config(final ModelMetadata m) {
		final DragConfig d = DragConfig.defaults(m.resolution(), m.learningRate(), m.dragLayers());
		final double lr = DialogMemory.get("draggan.tool.lr", 0);
		return d.withMaxSteps((int) DialogMemory.get("draggan.tool.steps", 500)).withLearningRate(lr > 0 ? lr : d
			.learningRate()).withLambdaMask(DialogMemory.get("draggan.tool.lambda", d.lambdaMask()));
	}

	@Override
	public void showOptionsDialog() {
		final GenericDialog gd = new GenericDialog(NAME);
		gd.addNumericField("Max steps per edit", DialogMemory.get("draggan.tool.steps", 500), 0);
		gd.addNumericField("Learning rate (0 = the model's)", DialogMemory.get("draggan.tool.lr", 0), 4);
		gd.addNumericField("Mask lambda", DialogMemory.get("draggan.tool.lambda", 20), 1);
		gd.addChoice("Device", PluginSupport.DEVICES, DialogMemory.device());
		gd.addMessage("Space starts and stops, Esc stops, Ctrl+Z / Ctrl+Shift+Z undo and redo edits,\n" +
			"H shows the history as a stack, Alt-click removes a pair. Other parameters: the paper's.\n" +
			"The device applies to images the tool has not edited yet.");
		gd.showDialog();
		if (gd.wasCanceled()) return;
		final double steps = gd.getNextNumber(), lr = gd.getNextNumber(), lambda = gd.getNextNumber();
		final String device = gd.getNextChoice();
		if (!(steps >= 1 && steps == Math.rint(steps)) || !(lr >= 0) || !(lambda >= 0)) {
			IJ.error(NAME, "Max steps must be a whole number of at least 1, the learning rate and lambda 0 or more.");
			return;
		}
		DialogMemory.set("draggan.tool.steps", steps);
		DialogMemory.set("draggan.tool.lr", lr);
		DialogMemory.set("draggan.tool.lambda", lambda);
		DialogMemory.set(DialogMemory.DEVICE, device);
	}

	@Override
	public void showPopupMenu(final MouseEvent e, final Toolbar tb) {
		final PopupMenu menu = new PopupMenu(NAME);
		item(menu, "Start / stop [Space]", () -> startOrStop(WindowManager.getCurrentImage()));
		item(menu, "Undo edit [Ctrl+Z]", () -> undo(WindowManager.getCurrentImage()));
		item(menu, "Redo edit [Ctrl+Shift+Z]", () -> redo(WindowManager.getCurrentImage()));
		item(menu, "Show history as stack [H]", () -> showHistory(WindowManager.getCurrentImage()));
		item(menu, "Remove all points", () -> {
			final LiveDrag s = idle(WindowManager.getCurrentImage());
			if (s != null) {
				s.editor().clearPoints();
				s.pointsChanged();
			}
		});
		menu.addSeparator();
		item(menu, "Options...", this::showOptionsDialog);
		tb.add(menu);
		menu.show(e.getComponent(), e.getX(), e.getY());
	}

	private static void item(final PopupMenu menu, final String label, final Runnable action) {
		final MenuItem it = new MenuItem(label);
		it.addActionListener(a -> action.run());
		menu.add(it);
	}

	/** The image of the window a component is in, or null. */
	private static ImagePlus imageOf(final Component c) {
		Component w = c;
		while (w != null && !(w instanceof Window))
			w = w.getParent();
		return w instanceof ImageWindow iw ? iw.getImagePlus() : null;
	}

	/**
	 * The tool's keys, seen before any component (and ImageJ's shortcuts): in an image window with the tool selected,
	 * Space, Ctrl+Z, Ctrl+Shift+Z and H; Esc stops a running edit whatever the tool. Other keys go on as usual.
	 */
	private static final class Keys implements KeyEventDispatcher {

		@Override
		public boolean dispatchKeyEvent(final KeyEvent e) {
			if (e.getID() != KeyEvent.KEY_PRESSED) return false;
			final ImagePlus imp = imageOf(e.getComponent());
			if (imp == null) return false;
			final LiveDrag s = SESSIONS.get(imp);
			final int code = e.getKeyCode();
			if (code == KeyEvent.VK_ESCAPE) {
				if (s == null || !s.editor().running()) return false;
				s.editor().stop();
				IJ.showStatus("DragGAN: stopping");
				return true;
			}
			if (!(Toolbar.getPlugInTool() instanceof DragTool)) return false;
			final boolean ctrl = e.isControlDown() || e.isMetaDown();
			if (code == KeyEvent.VK_SPACE && !ctrl) startOrStop(imp);
			else if (code == KeyEvent.VK_Z && ctrl && s != null) {
				if (e.isShiftDown()) redo(imp);
				else undo(imp);
			}
			else if (code == KeyEvent.VK_H && !ctrl && !e.isAltDown()) showHistory(imp);
			else return false;
			return true;
		}
	}
}
