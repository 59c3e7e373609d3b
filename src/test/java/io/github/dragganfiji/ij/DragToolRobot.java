package io.github.dragganfiji.ij;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.gui.ImageCanvas;
import ij.gui.Toolbar;

import io.github.dragganfiji.app.DragEditor;
import io.github.dragganfiji.image.ImageProperties;
import io.github.dragganfiji.image.LatentImage;
import io.github.dragganfiji.model.Latent;

import java.awt.EventQueue;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Drives the DragGAN tool in a real ImageJ on a real display (Xvfb in the tests) with {@link Robot} mouse clicks and
 * key presses, as a user would: installs the tool from its menu command, generates an image, clicks two handle/target
 * pairs, presses Space, checks between two screen grabs while the edit runs that the displayed image and the handle
 * overlay changed, presses Space to stop, Ctrl+Z to undo (the screen, the pixels and the latent are back to the
 * start), Ctrl+Shift+Z to redo; draws a rectangle with ImageJ's rectangle tool and goes on with it as the movable
 * area (tinted on screen); H for the history stack; checks that the macro recorder got the edits and that the
 * recorded macro, replayed, ends at the tool's latent. Prints the measured figures (in-place updates per second,
 * Space to the first visible change, with {@code --baseline-steps} the engine alone in the same JVM); with
 * {@code --gif FILE} also writes the session as an animated GIF.
 * <p>
 * Run in a JVM of its own with a display ({@code DragToolGuiTest} does); exits 0 when every check passed, 1 with
 * the reason otherwise. Arguments: {@code --models DIR --model NAME --seed N --zoom PERCENT
 * --points "hx,hy,tx,ty;hx,hy,tx,ty" [--area x,y,w,h] [--run-steps N] [--baseline-steps N] [--gif FILE]}: with
 * {@code --run-steps} the first edit runs for at least that many steps (or until it arrives) before Space stops it.
 */
public final class DragToolRobot {

	private final Robot robot;
	private final ScreenRecorder recorder;
	private ImagePlus imp;
	private ImageCanvas canvas;
	private int runSteps;
	private int baselineSteps;
	private String area = "20,20,90,60";

	private DragToolRobot(final Path gif) throws Exception {
		robot = new Robot();
		recorder = gif == null ? null : new ScreenRecorder(robot, gif);
	}

	public static void main(final String[] args) {
		try {
			final java.util.Map<String, String> a = new java.util.HashMap<>();
			for (int i = 0; i + 1 < args.length; i += 2)
				a.put(args[i], args[i + 1]);
			System.setProperty("draggan.models", a.get("--models"));
			final DragToolRobot r = new DragToolRobot(a.containsKey("--gif") ? Path.of(a.get("--gif")) : null);
			r.runSteps = Integer.parseInt(a.getOrDefault("--run-steps", "0"));
			r.baselineSteps = Integer.parseInt(a.getOrDefault("--baseline-steps", "0"));
			r.area = a.getOrDefault("--area", r.area);
			r.session(a.get("--model"),
				Integer.parseInt(a.get("--seed")), Integer.parseInt(a.getOrDefault("--zoom", "200")), a.get(
					"--points"));
			System.out.println("ALL CHECKS PASSED");
			System.exit(0);
		}
		catch (final Throwable t) {
			System.out.println("FAILED: " + t);
			t.printStackTrace(System.out);
			final String log = ij.IJ.getLog(); // what the plugin told the user (an error, a note)
			if (log != null && !log.isBlank()) System.out.println("ImageJ's log:\n" + log);
			for (final java.awt.Window w : java.awt.Window.getWindows()) // an error message the user would see
				if (w.isShowing() && w instanceof java.awt.Dialog d) System.out.println("a dialog is open: " + d.getTitle() +
					": " + text(d));
			System.exit(1);
		}
	}

	private void session(final String model, final int seed, final int zoom, final String points) throws Exception {
		final ImageJ imagej = onEdt(() -> new ImageJ());
		onEdt(() -> {
			imagej.setLocation(0, 0);
			return null;
		});
		// The menu entries exactly as plugins.config declares them (the jar is not in a plugins folder here).
		for (final String line : Files.readAllLines(Path.of("plugins.config"))) {
			if (line.isBlank() || line.startsWith("#")) continue;
			final String[] parts = line.split(",", 3);
			Menus.getCommands().put(parts[1].trim().replace("\"", ""), parts[2].trim().replaceAll("\\(.*\\)$", ""));
		}
		IJ.run("DragGAN Tool");
		check(Toolbar.getPlugInTool() instanceof DragTool, "the DragGAN tool is selected after its menu command");
		IJ.run("Generate Image...", "model=" + model + " seed=" + seed + " truncation=0.7 bit=8-bit device=cpu");
		imp = WindowManager.getCurrentImage();
		check(imp != null && ImageProperties.latent(imp, 1) != null, "a generated image with its latent");
		IJ.run(imp, "Set... ", "zoom=" + zoom);
		onEdt(() -> {
			imp.getWindow().setLocation(0, imagej.getHeight() + 10);
			return null;
		});
		canvas = imp.getCanvas();
		waitFor(() -> canvas.isShowing() && Math.abs(canvas.getMagnification() - zoom / 100.0) < 1e-9, 20_000,
			"the image window at " + zoom + " %");
		robot.waitForIdle();
		Thread.sleep(500);
		IJ.log("DragGAN tool, driven by java.awt.Robot");
		waitFor(() -> WindowManager.getWindow("Log") != null, 10_000, "the Log window");
		onEdt(() -> { // the Log away from the image and the recorded region
			final java.awt.Window log = WindowManager.getWindow("Log");
			if (log != null) log.setLocation(700, 400);
			return null;
		});
		if (recorder != null) recorder.start(new Rectangle(0, 0, Math.max(imagej.getWidth(), imp.getWindow().getX() + imp
			.getWindow().getWidth()), imp.getWindow().getY() + imp.getWindow().getHeight()));
		IJ.run("Record...");
		waitFor(() -> ij.plugin.frame.Recorder.getInstance() != null, 10_000, "the macro recorder");
		onEdt(() -> { // beside the image: the recorded lines appear in the animation
			ij.plugin.frame.Recorder.getInstance().setBounds(imp.getWindow().getWidth() + 8, imp.getWindow().getY(), Math
				.max(300, imagej.getWidth() - imp.getWindow().getWidth() - 8), imp.getWindow().getHeight());
			return null;
		});
		final Latent start = ImageProperties.latent(imp, 1);
		final byte[] startPixels = ((byte[]) imp.getProcessor().getPixels()).clone();

		final double[] xy = Arrays.stream(points.split("[;,]")).mapToDouble(Double::parseDouble).toArray();
		final double before1 = baseline(xy);

		// Two pairs, clicked: handle, target, handle, target.
		for (int i = 0; i < xy.length; i += 2) {
			click(xy[i], xy[i + 1]);
			final int placed = i / 2 + 1;
			waitFor(() -> session() != null && count(session().editor().pairs()) == placed, 20_000, "point " +
				placed + " placed");
		}
		List<DragEditor.Pair> placed = session().editor().pairs();
		check(placed.size() == xy.length / 4, "two pairs placed: " + placed);
		for (int k = 0; k < placed.size(); k++)
			check(placed.get(k).handle().x() == xy[4 * k] && placed.get(k).target().y() == xy[4 * k + 3],
				"pair " + (k + 1) + " where it was clicked: " + placed.get(k));
		// Dragging a point moves it (the last target, 4 px down and back); an Alt-click removes the nearest pair.
		final int last = xy.length - 2;
		drag(xy[last] + 0.5, xy[last + 1] + 0.5, xy[last] + 0.5, xy[last + 1] + 4.5);
		check(session().editor().pairs().get(placed.size() - 1).target().equals(new io.github.dragganfiji.core.Point(
			xy[last], xy[last + 1] + 4)), "the dragged target moved: " + session().editor().pairs());
		drag(xy[last] + 0.5, xy[last + 1] + 4.5, xy[last] + 0.5, xy[last + 1] + 0.5);
		click(3, 3);
		click(10, 3);
		check(session().editor().pairs().size() == placed.size() + 1, "a third pair");
		robot.keyPress(KeyEvent.VK_ALT);
		click(4, 4);
		robot.keyRelease(KeyEvent.VK_ALT);
		check(session().editor().pairs().equals(placed), "Alt-click removed it again: " + session().editor().pairs());
		waitForWarmEngine();
		robot.waitForIdle();
		Thread.sleep(300);
		final BufferedImage before = grab();

		// Space: the edit starts; measure the time to the first visible change of the image.
		final long t0 = System.nanoTime();
		key(KeyEvent.VK_SPACE);
		BufferedImage first;
		while (true) {
			first = grab();
			if (imageChanged(before, first) > 0) break;
			if (System.nanoTime() - t0 > 60e9) throw new AssertionError("the image did not change within 60 s of Space");
			Thread.sleep(2);
		}
		final double firstVisibleMs = (System.nanoTime() - t0) / 1e6;
		check(session().editor().running(), "the edit runs after Space");

		// While it runs: two grabs, the image and the handle overlay differ between them.
		waitFor(() -> session().framesShown() >= 3, 60_000, "three steps shown");
		final BufferedImage a = grab();
		final int framesA = session().framesShown();
		final byte[] pixelsA = ((byte[]) imp.getProcessor().getPixels()).clone();
		BufferedImage b;
		while (true) {
			Thread.sleep(100);
			if (!session().editor().running()) throw new AssertionError("the edit ended before the handles moved");
			b = grab();
			if (imageChanged(a, b) > 0 && red(a).distance(red(b)) > 0.5) break;
			if (session().framesShown() > framesA + 400) throw new AssertionError("the handles did not move in 400 steps");
		}
		final byte[] pixelsB = ((byte[]) imp.getProcessor().getPixels()).clone();
		check(!Arrays.equals(pixelsA, pixelsB), "the image's own pixels changed in place");
		check(session().editor().running(), "still running at the second grab");
		System.out.printf(Locale.ROOT, "while running: %d image pixels and the handles (red, %.1f px on screen) " +
			"changed between two grabs %d steps apart%n", imageChanged(a, b), red(a).distance(red(b)), session()
				.framesShown() - framesA);

		// Space stops (after --run-steps steps, unless it ended by itself); the edit is kept.
		waitFor(() -> session().framesShown() >= runSteps || !session().editor().running(), 600_000, runSteps +
			" steps");
		if (session().editor().running()) key(KeyEvent.VK_SPACE);
		waitFor(() -> !session().editor().running() && session().lastStats() != null, 60_000, "the edit stopped");
		waitFor(() -> session().editor().history().size() == 1, 10_000, "one edit in the history");
		settle();
		final DragEditor.Edit edit = session().editor().history().get(0);
		check(ImageProperties.latent(imp, 1).equals(edit.after()), "the image carries the edit's latent");
		check(!ImageProperties.latent(imp, 1).equals(start), "the latent moved");
		final byte[] editedPixels = ((byte[]) imp.getProcessor().getPixels()).clone();
		final LiveDrag.Stats stats = session().lastStats();

		// Ctrl+Z: back to the start, on screen, in the pixels and the latent.
		keys(KeyEvent.VK_CONTROL, KeyEvent.VK_Z);
		waitFor(() -> session().editor().history().isEmpty(), 10_000, "undone");
		settle();
		check(ImageProperties.latent(imp, 1).equals(start), "after undo the image carries the start latent");
		check(Arrays.equals(startPixels, (byte[]) imp.getProcessor().getPixels()), "after undo the pixels are the " +
			"start's");
		final BufferedImage undone = grab();
		check(sameImage(before, undone), "after undo the window shows what it showed before Space (" + imageChanged(
			before, undone) + " pixels differ)");

		// Ctrl+Shift+Z: the edit again.
		keys(KeyEvent.VK_CONTROL, KeyEvent.VK_SHIFT, KeyEvent.VK_Z);
		waitFor(() -> session().editor().history().size() == 1, 10_000, "redone");
		settle();
		check(ImageProperties.latent(imp, 1).equals(edit.after()), "after redo the image carries the edit's latent");
		check(Arrays.equals(editedPixels, (byte[]) imp.getProcessor().getPixels()), "after redo the edited pixels");

		// A movable area: a rectangle drawn with ImageJ's rectangle tool, shown in the tool's overlay (cyan) while the
		// second edit runs from where the first ended.
		IJ.setTool("rectangle");
		final int[] box = Arrays.stream(area.split(",")).mapToInt(Integer::parseInt).toArray();
		drag(box[0], box[1], box[0] + box[2], box[1] + box[3]);
		waitFor(() -> imp.getRoi() != null && imp.getRoi().isArea(), 10_000, "the rectangle");
		IJ.setTool(DragTool.NAME);
		check(Toolbar.getPlugInTool() instanceof DragTool, "the DragGAN tool again");
		key(KeyEvent.VK_SPACE);
		waitFor(() -> session().editor().running() && session().framesShown() >= 3 || session().editor().history()
			.size() == 2, 60_000, "the second edit's steps");
		final BufferedImage masked = grab();
		final int tinted = cyan(masked);
		check(tinted > box[2] * box[3] * canvas.getMagnification() * canvas.getMagnification() / 2, "the movable " +
			"area tinted cyan (" + tinted + " px)");
		if (session().editor().running()) key(KeyEvent.VK_ESCAPE); // Esc stops too
		waitFor(() -> session().editor().history().size() == 2 && !session().editor().running(), 60_000,
			"the second edit kept");
		settle();
		final DragEditor.Edit second = session().editor().history().get(1);
		check(second.input().masked() && second.before().equals(edit.after()), "it went on from the first edit, " +
			"with the area");

		// H: the history as a stack, one slice per step with its latent.
		final int windows = WindowManager.getImageCount();
		key(KeyEvent.VK_H);
		waitFor(() -> WindowManager.getImageCount() == windows + 1, 20_000, "the history stack");
		final ImagePlus history = WindowManager.getImage(imp.getTitle() + " history");
		check(history != null && history.getStackSize() == edit.slices() + second.slices(),
			"the history has one slice per step of both edits");
		check(ImageProperties.latent(history, history.getStackSize()).equals(second.after()), "its last slice's latent");

		// The recorder got each edit (and the undo) as Drag... macro lines; replayed, they end at the same latent.
		final String macro = session().macro();
		final String recorded = onEdt(() -> ij.plugin.frame.Recorder.getInstance().getText());
		check(recorded.contains(macro.substring(macro.lastIndexOf("// DragGAN tool: edit"))), "the recorder has the " +
			"last edit's lines");
		check(count(recorded, "run(\"Drag...\"") == 3 && recorded.contains("close(); // DragGAN tool: undo"),
			"and every edit, the undo and the redo");
		if (recorder != null) recorder.finish();
		final Latent end = session().editor().latent();
		replay("run(\"Generate Image...\", \"model=" + model + " seed=" + seed + " truncation=0.7 bit=8-bit " +
			"device=cpu\");\n" + macro, end);

		final double before2 = baseline(xy);
		if (baselineSteps > 0) System.out.printf(Locale.ROOT, "the same drag without the tool or a window, in this JVM: " +
			"%.1f ms per step before the session, %.1f ms after (over %d steps)%n", before1, before2, baselineSteps);
		System.out.printf(Locale.ROOT, "figures: %d steps; %d in-place updates, %.1f per second; Space to the first " +
			"visible change %.0f ms (screen grabs), %.0f ms (the tool's own clock); %.1f ms per step, of which the " +
			"tool %.1f ms on the worker; %.1f ms drawing per update%n", edit.updates(), stats.framesShown(), stats
				.updatesPerSecond(), firstVisibleMs, stats.firstChangeMillis(), stats.stepMillis(), stats.toolMillis(),
			stats.paintMillis());
	}

	/**
	 * The engine alone on the same image, points and parameters, without the tool or a window, on a thread of its own
	 * like the tool's worker (on the JVM's main thread libtorch ran several times slower here): ms per step (NaN if
	 * not asked).
	 */
	private double baseline(final double[] xy) throws InterruptedException {
		if (baselineSteps <= 0) return Double.NaN;
		final double[] out = new double[1];
		final Thread t = new Thread(() -> out[0] = engineAlone(xy), "baseline");
		t.start();
		t.join();
		return out[0];
	}

	private double engineAlone(final double[] xy) {
		final LatentImage li = LatentImage.of(imp, FijiModels.searchPath());
		final List<io.github.dragganfiji.core.Point> hs = new ArrayList<>(), ts = new ArrayList<>();
		for (int i = 0; i < xy.length; i += 4) {
			hs.add(new io.github.dragganfiji.core.Point(xy[i], xy[i + 1]));
			ts.add(new io.github.dragganfiji.core.Point(xy[i + 2], xy[i + 3]));
		}
		final int res = li.model().metadata().resolution();
		final io.github.dragganfiji.app.DragUseCase.Result r = io.github.dragganfiji.app.DragUseCase.run(
			new io.github.dragganfiji.app.DragUseCase.Request(li.model(), li.latent(), io.github.dragganfiji.core.DragInput
				.of(hs, ts, null, res, res), DragTool.config(li.model().metadata()).withMaxSteps(baselineSteps),
			io.github.dragganfiji.runtime.DeviceChoice.CPU), step -> {}, () -> false, s -> {});
		return r.seconds() * 1000 / (r.drag().updates() + 1);
	}

	/** Closes every image, runs the macro (on a thread of its own), checks the latent it ends at. */
	private static void replay(final String macro, final Latent expected) throws Exception {
		for (final int id : WindowManager.getIDList()) {
			final ImagePlus i = WindowManager.getImage(id);
			i.changes = false;
			onEdt(() -> {
				i.close();
				return null;
			});
		}
		final Thread t = new Thread(() -> IJ.runMacro(macro), "replay");
		t.start();
		t.join(300_000);
		final ImagePlus last = WindowManager.getCurrentImage();
		check(last != null && last.getTitle().endsWith(" drag"), "the replay made result stacks");
		final float[] a = expected.ws(), b = ImageProperties.latent(last, last.getStackSize()).ws();
		double worst = 0;
		for (int i = 0; i < a.length; i++)
			worst = Math.max(worst, Math.abs(a[i] - b[i]));
		check(worst < 1e-3, "the recorded macro, replayed, ends at the tool's latent (largest difference " + worst +
			")");
	}

	private static int count(final String s, final String part) {
		int n = 0;
		for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1))
			n++;
		return n;
	}

	/** How many pixels are tinted cyan (the movable area: green and blue above red, grey below). */
	private static int cyan(final BufferedImage img) {
		int n = 0;
		for (int y = 0; y < img.getHeight(); y++)
			for (int x = 0; x < img.getWidth(); x++) {
				final int rgb = img.getRGB(x, y), r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
				if (g == b && g > r) n++;
			}
		return n;
	}

	/** A mouse drag on the canvas from one pixel to another. */
	private void drag(final double x0, final double y0, final double x1, final double y1) throws Exception {
		final java.awt.Point o = onEdt(canvas::getLocationOnScreen);
		final double mag = canvas.getMagnification();
		robot.mouseMove(o.x + (int) (x0 * mag), o.y + (int) (y0 * mag));
		robot.waitForIdle();
		robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
		for (int i = 1; i <= 10; i++) {
			robot.mouseMove(o.x + (int) ((x0 + (x1 - x0) * i / 10) * mag), o.y + (int) ((y0 + (y1 - y0) * i / 10) *
				mag));
			robot.waitForIdle();
		}
		robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
		robot.waitForIdle();
		Thread.sleep(350);
	}

	private LiveDrag session() {
		return DragTool.session(imp, false);
	}

	private static int count(final List<DragEditor.Pair> pairs) {
		int n = 0;
		for (final DragEditor.Pair p : pairs)
			n += p.complete() ? 2 : 1;
		return n;
	}

	/** The tool warms the engine up on the first click; timing the first change needs it done. */
	private static void waitForWarmEngine() throws InterruptedException {
		final long t0 = System.nanoTime();
		while (System.nanoTime() - t0 < 60e9) {
			if (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().contains("warm-up")))
				return;
			Thread.sleep(50);
		}
		throw new AssertionError("the engine did not warm up within 60 s");
	}

	/** Lets the event thread finish what the last key started. */
	private void settle() throws Exception {
		onEdt(() -> null);
		robot.waitForIdle();
		Thread.sleep(200);
		onEdt(() -> null);
	}

	private void click(final double x, final double y) throws Exception {
		final java.awt.Point o = onEdt(canvas::getLocationOnScreen);
		final double mag = canvas.getMagnification();
		robot.mouseMove(o.x + (int) ((x + 0.5) * mag), o.y + (int) ((y + 0.5) * mag));
		robot.waitForIdle();
		robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
		robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
		robot.waitForIdle();
		Thread.sleep(350); // apart from the next click: no double click
	}

	private void key(final int code) {
		robot.keyPress(code);
		robot.keyRelease(code);
	}

	private void keys(final int... codes) {
		for (final int c : codes)
			robot.keyPress(c);
		for (int i = codes.length - 1; i >= 0; i--)
			robot.keyRelease(codes[i]);
	}

	/** The canvas on screen. */
	private BufferedImage grab() throws Exception {
		final Rectangle r = onEdt(() -> new Rectangle(canvas.getLocationOnScreen(), canvas.getSize()));
		final BufferedImage img = robot.createScreenCapture(r);
		if (recorder != null) recorder.frame();
		return img;
	}

	/**
	 * How many pixels of the image itself differ: grey in both grabs and at least 3 px from anything the overlay
	 * drew (coloured or pure white, in either grab).
	 */
	static int imageChanged(final BufferedImage a, final BufferedImage b) {
		final int w = a.getWidth(), h = a.getHeight();
		final boolean[] near = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				if (overlay(a.getRGB(x, y)) || overlay(b.getRGB(x, y))) for (int dy = -3; dy <= 3; dy++)
					for (int dx = -3; dx <= 3; dx++)
						if (x + dx >= 0 && x + dx < w && y + dy >= 0 && y + dy < h) near[(y + dy) * w + x + dx] = true;
		int n = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				if (!near[y * w + x] && differ(a.getRGB(x, y), b.getRGB(x, y))) n++;
		return n;
	}

	/**
	 * Whether a screen pixel is the overlay's own (a dot, a track, an arrow, an outline: its neighbours are left out
	 * of the comparison, as they move); the movable area's tint (cyan at alpha 40 over the gray image: g = b = r +
	 * 40) is not, as the image under it shows through and changes.
	 */
	private static boolean overlay(final int rgb) {
		final int r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
		return !tint(rgb) && (r != g || g != b || r == 255);
	}

	/**
	 * Whether the image differs at a pixel of two grabs: the grey values, seen through the area's tint where one of
	 * them has it (the tint appearing or going is the overlay's change, not the image's; un-tinting rounds, so a
	 * level or two of difference is not counted then).
	 */
	private static boolean differ(final int a, final int b) {
		if (tint(a) == tint(b)) return a != b;
		return Math.abs(grey(a) - grey(b)) > 2;
	}

	/** The grey value under a pixel, through the tint (cyan at alpha 40) where it has it. */
	private static int grey(final int rgb) {
		final int r = rgb >> 16 & 255;
		return tint(rgb) ? (int) Math.round(r / (1 - 40 / 255.0)) : r;
	}

	private static boolean tint(final int rgb) {
		final int r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
		return Math.abs(g - b) <= 1 && Math.abs(g - r - 40) <= 2;
	}

	/** The centroid of the pure red pixels (the handles' dots). */
	static java.awt.geom.Point2D red(final BufferedImage img) {
		double sx = 0, sy = 0;
		int n = 0;
		for (int y = 0; y < img.getHeight(); y++)
			for (int x = 0; x < img.getWidth(); x++)
				if ((img.getRGB(x, y) & 0xffffff) == 0xff0000) {
					sx += x;
					sy += y;
					n++;
				}
		return n == 0 ? new java.awt.geom.Point2D.Double(-1, -1) : new java.awt.geom.Point2D.Double(sx / n, sy / n);
	}

	private static boolean sameImage(final BufferedImage a, final BufferedImage b) {
		if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) return false;
		for (int y = 0; y < a.getHeight(); y++)
			for (int x = 0; x < a.getWidth(); x++)
				if (a.getRGB(x, y) != b.getRGB(x, y)) return false;
		return true;
	}

	private static <T> T onEdt(final Callable<T> c) throws Exception {
		final Object[] out = new Object[1];
		final Exception[] err = new Exception[1];
		EventQueue.invokeAndWait(() -> {
			try {
				out[0] = c.call();
			}
			catch (final Exception e) {
				err[0] = e;
			}
		});
		if (err[0] != null) throw err[0];
		@SuppressWarnings("unchecked")
		final T t = (T) out[0];
		return t;
	}

	private static void waitFor(final java.util.function.BooleanSupplier ok, final long millis, final String what)
		throws InterruptedException
	{
		final long t0 = System.nanoTime();
		while (!ok.getAsBoolean()) {
			if (System.nanoTime() - t0 > millis * 1_000_000L) throw new AssertionError("timed out waiting for " + what);
			Thread.sleep(20);
		}
	}

	/** The labels and text areas of a window, for a failure's report. */
	private static String text(final java.awt.Container c) {
		final StringBuilder s = new StringBuilder();
		for (final java.awt.Component k : c.getComponents()) {
			if (k instanceof java.awt.Label l) s.append(l.getText()).append(' ');
			else if (k instanceof java.awt.TextComponent t) s.append(t.getText()).append(' ');
			else if (k instanceof javax.swing.JLabel l) s.append(l.getText()).append(' ');
			else if (k instanceof javax.swing.text.JTextComponent t) s.append(t.getText()).append(' ');
			if (k instanceof java.awt.Container inner) s.append(text(inner));
		}
		return s.toString().trim();
	}

	private static void check(final boolean ok, final String what) {
		if (!ok) throw new AssertionError("check failed: " + what);
		System.out.println("ok: " + what);
	}

	/** Grabs a screen region now and then and writes the frames as an animated GIF. */
	private static final class ScreenRecorder {

		private final Robot robot;
		private final Path out;
		private final List<BufferedImage> frames = new ArrayList<>();
		private final List<Long> times = new ArrayList<>();
		private Rectangle region;
		private long last;

		ScreenRecorder(final Robot robot, final Path out) {
			this.robot = robot;
			this.out = out;
		}

		void start(final Rectangle r) {
			region = r;
			final Thread t = new Thread(() -> {
				while (region != null) {
					frame();
					try {
						Thread.sleep(40);
					}
					catch (final InterruptedException e) {
						return;
					}
				}
			}, "screen recorder");
			t.setDaemon(true);
			t.start();
		}

		synchronized void frame() {
			final long now = System.nanoTime();
			if (region == null || now - last < 300_000_000L) return;
			last = now;
			frames.add(robot.createScreenCapture(region));
			times.add(now);
		}

		synchronized void finish() throws Exception {
			frame();
			region = null;
			Files.createDirectories(out.toAbsolutePath().getParent());
			GifFrames.write(frames, times, out);
			System.out.println("wrote " + out + " (" + frames.size() + " frames, " + Files.size(out) / 1024 + " KB)");
		}
	}
}
