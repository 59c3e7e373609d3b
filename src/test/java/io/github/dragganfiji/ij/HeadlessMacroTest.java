package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Menus;
import ij.WindowManager;
import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import net.imagej.patcher.LegacyHooks;
import net.imagej.patcher.LegacyInjector;

/**
 * Runs ImageJ 1.x macros headless (java.awt.headless=true, no display) with
 * ImageJ patched by ij1-patcher, so that a {@code GenericDialog} is filled
 * from the macro options instead of throwing a {@code HeadlessException}.
 * <p>
 * The patching must happen before the JVM loads any of the {@code ij.*}
 * classes it patches. The build does it at JVM start with
 * {@code -javaagent:ij1-patcher.jar=init} (surefire's argLine in pom.xml),
 * whatever other tests in the same JVM do with ImageJ and in whatever order.
 * The static initializer below is the fallback for runs without that agent
 * (e.g. from an IDE) and a no-op once patched; without the agent, it fails
 * (ExceptionInInitializerError, "No _hooks field found in ij.IJ") if an
 * earlier test in the same JVM already used ImageJ.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a dialog waiting for a user would hang
class HeadlessMacroTest {

	static {
		LegacyInjector.preinit();
	}

	@BeforeAll
	static void registerCommand() {
		// Menus.getCommands() is null until ImageJ 1.x is initialised; headless,
		// nothing initialises it before the first IJ.run(). The patched
		// IJ.runPlugIn treats the class name "ij.IJ.init" as "run IJ.init()".
		if (Menus.getCommands() == null) IJ.runPlugIn("ij.IJ.init", null);
		assertNotNull(Menus.getCommands(), "ImageJ 1.x menus not initialised");
		Menus.getCommands().put(EchoPlugin.COMMAND, EchoPlugin.class.getName());
	}

	@BeforeEach
	@AfterEach
	void reset() {
		EchoPlugin.lastImage = null;
		IJ.getErrorMessage(); // clears IJ's last error message
	}

	/**
	 * Outcome of {@link #runMacro}: the macro error message (IJ.error in a
	 * plugin, unknown command, syntax error) or null; whether the macro was
	 * aborted by "Macro canceled" (exit(), IJ.error(msg) without a title, an
	 * unknown command); and everything IJ.log'ed meanwhile, which includes the
	 * stack traces of exceptions thrown by plugins (ImageJ's Executer catches
	 * and logs them; the macro goes on).
	 */
	record MacroRun(String error, boolean aborted, List<String> log) {}

	/** The recipe: runs a macro headless, capturing its errors and log. */
	static MacroRun runMacro(final String macro) {
		final LogCapture log = new LogCapture();
		final ClassLoader loader = IJ.class.getClassLoader();
		LegacyInjector.installHooks(loader, log); // IJ.log(s) calls IJ._hooks.log(s)
		final Interpreter interp = new Interpreter();
		interp.setIgnoreErrors(true); // errors end the macro; no dialog, no stderr
		boolean aborted = false;
		try {
			interp.run(macro, null);
		}
		catch (final RuntimeException e) {
			if (!Macro.MACRO_CANCELED.equals(e.getMessage())) throw e;
			aborted = true;
		}
		finally {
			LegacyInjector.installHooks(loader, null); // back to EssentialLegacyHooks
		}
		return new MacroRun(interp.getErrorMessage(), aborted, List.copyOf(log.lines));
	}

	@Test
	void imageJIsPatchedAndHeadless() throws Exception {
		assertTrue(GraphicsEnvironment.isHeadless(), "java.awt.headless is not true");
		// ij1-patcher adds the public static field IJ._hooks
		assertNotNull(IJ.class.getField("_hooks").get(null));
		// ... and makes GenericDialog extend its HeadlessGenericDialog
		assertEquals("net.imagej.patcher.HeadlessGenericDialog",
			ij.gui.GenericDialog.class.getSuperclass().getName());
	}

	@Test
	void macroRunsPluginWithDialogFilledFromOptions() {
		final MacroRun run = runMacro("run(\"Echo Test...\", \"seed=42 name=hello flag\");");
		assertEquals(new MacroRun(null, false, List.of()), run);

		final ImagePlus imp = EchoPlugin.lastImage;
		assertNotNull(imp, "EchoPlugin did not run");
		assertEquals("echo hello 42 true", imp.getTitle());
		assertEquals("42", imp.getProp("echo.seed"));
		assertEquals(42.0, imp.getNumericProp("echo.seed"));
		// shown images are batch-mode images headless; WindowManager finds them by title
		assertSame(imp, WindowManager.getImage("echo hello 42 true"));
		imp.close();
		assertNull(WindowManager.getImage("echo hello 42 true"));
	}

	@Test
	void omittedOptionsTakeTheDefaultsAndCheckboxesAreOff() {
		assertNull(runMacro("run(\"Echo Test...\", \"name=x\");").error());
		assertEquals("echo x 0 false", EchoPlugin.lastImage.getTitle());
		EchoPlugin.lastImage.close();
	}

	@Test
	void ijRunFromJavaWorksToo() {
		IJ.run(EchoPlugin.COMMAND, "seed=7 name=java");
		assertEquals("echo java 7 false", EchoPlugin.lastImage.getTitle());
		EchoPlugin.lastImage.close();
	}

	@Test
	void ijErrorInMacroIsCapturedWithoutDialog() {
		final MacroRun run = runMacro(
			"run(\"Echo Test...\", \"seed=-1 name=bad\");\n" +
			"newImage(\"must not exist\", \"8-bit\", 4, 4, 1);");
		assertEquals(EchoPlugin.NEGATIVE_SEED + "-1", run.error());
		assertFalse(run.aborted());
		assertNull(EchoPlugin.lastImage);
		// the error ended the macro: the statement after run() did not execute
		assertNull(WindowManager.getImage("must not exist"));
	}

	@Test
	void unknownCommandAbortsTheMacro() {
		final MacroRun run = runMacro("run(\"No Such Command\", \"x=1\");");
		assertEquals("Unrecognized command: \"No Such Command\"", run.error());
		assertTrue(run.aborted());
	}

	@Test
	void pluginExceptionsAreOnlyLoggedAndTheMacroGoesOn() {
		// Headless, a GenericDialog needs non-empty macro options; without them
		// its constructor throws. A non-number for a numeric field throws
		// NumberFormatException (a real GenericDialog would give NaN).
		final MacroRun run = runMacro(
			"run(\"Echo Test...\");\n" +
			"run(\"Echo Test...\", \"seed=abc\");\n" +
			"newImage(\"after\", \"8-bit\", 4, 4, 1);");
		assertNull(run.error());
		assertFalse(run.aborted());
		assertEquals(2, run.log().size());
		assertTrue(run.log().get(0).contains(
			"Cannot instantiate headless dialog except in macro mode"), run.log().get(0));
		assertTrue(run.log().get(1).startsWith("java.lang.NumberFormatException"),
			run.log().get(1));
		final ImagePlus after = WindowManager.getImage("after");
		assertNotNull(after, "the macro stopped after the exceptions");
		after.close();
	}

	@Test
	void ijErrorFromJavaIsCapturedViaLogHook() {
		final LogCapture log = new LogCapture();
		final ClassLoader loader = IJ.class.getClassLoader();
		LegacyInjector.installHooks(loader, log);
		final RuntimeException canceled;
		try {
			IJ.redirectErrorMessages(); // IJ.error -> IJ.log instead of a message box
			canceled = assertThrows(RuntimeException.class,
				() -> IJ.run(EchoPlugin.COMMAND, "seed=-5 name=java"));
		}
		finally {
			LegacyInjector.installHooks(loader, null);
		}
		// IJ.error(title, msg) aborts: IJ.run rethrows it as "Macro canceled"
		assertEquals(Macro.MACRO_CANCELED, canceled.getMessage());
		assertNull(EchoPlugin.lastImage);
		assertEquals(List.of("Echo Test: " + EchoPlugin.NEGATIVE_SEED + "-5"), log.lines);
		assertEquals(EchoPlugin.NEGATIVE_SEED + "-5", IJ.getErrorMessage());
		assertNull(IJ.getLog()); // headless there is no Log window to read back
	}

	/**
	 * Collects IJ.log output. Extends LegacyHooks, not EssentialLegacyHooks: the
	 * verifier may load this class and its superclass when it checks the test
	 * class, i.e. before the static initializer has run preinit(), and
	 * EssentialLegacyHooks must not be loaded before ImageJ is patched.
	 */
	static final class LogCapture extends LegacyHooks {

		final List<String> lines = Collections.synchronizedList(new ArrayList<>());

		@Override
		public void log(final String message) {
			lines.add(message);
		}
	}
}
