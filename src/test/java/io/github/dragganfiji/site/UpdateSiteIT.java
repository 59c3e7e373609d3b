package io.github.dragganfiji.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

import ij.IJ;
import ij.ImagePlus;
import io.github.dragganfiji.site.FijiSite.Artifact;

/**
 * The install test as Fiji's own CI does it: the update site built from the packaged jar and uploaded to a local
 * {@code file:} site with the updater's upload code; a fresh Fiji-like folder (the jars a current Fiji ships, no
 * DragGAN) adds the site ({@link FijiSite#addSiteOffline}) and updates with the updater's command line; ImageJ,
 * started from the installed files only in a new JVM, runs a headless macro that generates an image and drags it;
 * the result stack is checked. Then a newer site replaces the plugin jar, and deactivating the site removes its
 * files and leaves a working ImageJ.
 */
class UpdateSiteIT {

	static final Path TARGET = Path.of("target").toAbsolutePath();
	static final Path WORK = TARGET.resolve("update-site-it");
	/** The sample model the macro uses (the site carries all of sample-models/). */
	static final String MODEL = "nuclei-128";
	/** The plugin jar's entry in db.xml, whatever its version: plugins/DragGAN_Fiji-VERSION.jar. */
	static final String PLUGIN = "plugins/DragGAN_Fiji-";

	@Test
	void aFreshFijiInstallsUpdatesAndRemovesTheSite() throws Exception {
		deleteTree(WORK);
		final Path staging = WORK.resolve("staging");
		final Path site = WORK.resolve("site");
		final Path fiji = WORK.resolve("Fiji.app");

		final FijiSite.Plan plan = FijiSite.plan(TARGET, Path.of("sample-models"), List.of());
		final List<Artifact> siteJars = plan.siteJars(), fijiJars = plan.fijiJars();
		final List<Path> models = plan.models();
		final Path pluginJar = plan.pluginJar();
		assertEquals(List.of("api", "pytorch-engine", "pytorch-jni", "pytorch-native-cpu"), siteJars.stream().map(
			Artifact::artifact).sorted().toList(), "the site's jars");
		System.out.println("site jars: " + siteJars.stream().map(a -> a.jar().getFileName().toString()).toList());
		System.out.println("jars Fiji ships (not on the site): " + fijiJars.stream().map(a -> a.artifact() + " " + a
			.version()).toList());
		assertTrue(models.stream().anyMatch(m -> m.getFileName().toString().equals(MODEL)), "sample models " + models);

		// 1. The site, uploaded by the updater.
		long t0 = System.nanoTime();
		FijiSite.stage(staging, pluginJar, siteJars, models);
		FijiSite.upload(staging, site);
		System.out.printf("site built and uploaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
		final String db = dbXml(site.resolve("db.xml.gz"));
		final String pluginEntry = "plugins/" + pluginJar.getFileName();
		assertTrue(db.contains("filename=\"" + pluginEntry + "\""), db);
		assertTrue(db.contains("filename=\"jars/linux64/pytorch-native-cpu"), db);
		assertTrue(db.contains("filename=\"models/draggan/" + MODEL + "/generator.pt\""), db);
		assertFalse(db.contains("discriminator.pt"), "the training-only discriminator is not on the site");
		assertFalse(db.contains("jars/gson") || db.contains("jars/ij.jar") || db.contains("jars/jna"),
			"no jar a current Fiji ships is on the site: " + db);
		assertTrue(Files.isRegularFile(site.resolve(pluginEntry + "-" + timestamp(db, PLUGIN))),
			"the plugin jar under the updater's name-timestamp");

		// 2. A fresh Fiji-like folder: the jars a current Fiji ships (with ij1-patcher, which Fiji's headless mode uses).
		Files.createDirectories(fiji.resolve("plugins"));
		final Path jars = Files.createDirectories(fiji.resolve("jars"));
		for (final Artifact a : fijiJars)
			Files.copy(a.jar(), jars.resolve(a.jar().getFileName()));
		for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
			if (entry.matches(".*/(ij1-patcher|javassist)-[^/]*\\.jar")) Files.copy(Path.of(entry), jars.resolve(Path
				.of(entry).getFileName()));
		final List<String> fijiBase = list(fiji);
		assertTrue(fijiBase.stream().anyMatch(f -> f.startsWith("jars/ij1-patcher-")), "ij1-patcher " + fijiBase);

		t0 = System.nanoTime();
		FijiSite.addSiteOffline(fiji, FijiSite.NAME, FijiSite.url(site), null, null);
		FijiSite.updater(fiji, "update");
		System.out.printf("fresh Fiji: site added and updated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
		final Path installed = fiji.resolve("plugins").resolve(pluginJar.getFileName());
		assertEquals(sha1(pluginJar), sha1(installed), "the installed plugin jar");
		assertTrue(Files.isRegularFile(fiji.resolve("models/draggan/" + MODEL + "/generator.pt")), list(fiji)
			.toString());
		assertFalse(Files.exists(fiji.resolve("models/draggan/" + MODEL + "/discriminator.pt")));
		for (final Artifact a : siteJars)
			assertTrue(Files.isRegularFile((a.platform() == null ? jars : jars.resolve(a.platform())).resolve(a.jar()
				.getFileName())), a.jar().getFileName() + " installed");

		// 3. Generate + Drag, headless, from the installed files only.
		final Path result = WORK.resolve("result.tif");
		t0 = System.nanoTime();
		final String out = runImageJ(fiji, "run(\"Generate Image...\", \"model=" + MODEL +
			" seed=5 truncation=0.7 bit=8-bit device=cpu\");\n" +
			"generated = getTitle();\n" +
			"makeSelection(\"point\", newArray(44, 54), newArray(44, 50));\n" +
			"run(\"Drag...\", \"max=4 device=cpu record=1\");\n" +
			"print(\"generated: \" + generated + \"; result: \" + getTitle() + \", \" + nSlices + \" slices\");\n" +
			"saveAs(\"Tiff\", \"" + result + "\");\n");
		System.out.printf("headless Generate + Drag from the installed files in %.1f s%n", (System.nanoTime() - t0)
			/ 1e9);
		assertTrue(out.contains("generated: " + MODEL + " seed 5; result: " + MODEL + " seed 5 drag"), out);
		final ImagePlus stack = IJ.openImage(result.toString());
		assertNotNull(stack, "result stack " + result + "; " + out);
		assertEquals(128, stack.getWidth());
		final int slices = stack.getStackSize();
		assertTrue(slices >= 2 && slices <= 5, "slices " + slices + "; " + out);
		assertNotEquals(sha1(stack.getStack().getProcessor(1).getPixels()), sha1(stack.getStack().getProcessor(slices)
			.getPixels()), "the drag changed the image");
		assertTrue(stack.getOverlay() != null && stack.getOverlay().size() >= slices, "the drag's overlay");
		stack.close();

		// 4. A newer site: the next version's jar (another name and checksum) replaces the installed one.
		final Path newer = WORK.resolve("newer").resolve("DragGAN_Fiji-99.0.0.jar");
		rebuiltJar(pluginJar, newer, "rebuilt " + System.currentTimeMillis());
		FijiSite.stage(staging, newer, siteJars, models);
		FijiSite.upload(staging, site);
		assertNotEquals(timestamp(db, PLUGIN), timestamp(dbXml(site.resolve("db.xml.gz")), PLUGIN),
			"the site has a newer plugin jar");
		FijiSite.updater(fiji, "update");
		FijiSite.applyStagedUpdates(fiji);
		assertEquals(sha1(newer), sha1(fiji.resolve("plugins").resolve(newer.getFileName())),
			"the newer plugin jar replaced the installed one");
		assertEquals(List.of("plugins/" + newer.getFileName()), list(fiji).stream().filter(f -> f.startsWith(
			"plugins/")).toList(), "one plugin jar");

		// 5. Removing the site's files leaves a working ImageJ.
		FijiSite.updater(fiji, "deactivate-update-site", FijiSite.NAME);
		FijiSite.applyStagedUpdates(fiji);
		// The updater's own records stay: its db.xml.gz, its checksum cache and the emptied update/ folder.
		final List<String> left = list(fiji).stream().filter(f -> !f.equals("db.xml.gz") && !f.equals(".checksums") &&
			!f.startsWith("update/")).toList();
		assertEquals(fijiBase, left, "after removal, exactly the Fiji that was there before");
		final String after = runImageJ(fiji, "newImage(\"x\", \"8-bit ramp\", 8, 8, 1);\n" +
			"print(\"ImageJ \" + getVersion() + \", mean \" + getValue(\"Mean\"));\n" +
			"run(\"Generate Image...\", \"model=" + MODEL + "\");\n");
		assertTrue(after.matches("(?s).*ImageJ 1\\.\\S+, mean 112.*"), "ImageJ runs a macro: " + after);
		assertTrue(after.contains("Unrecognized command: \"Generate Image...\""), "no DragGAN command left: " + after);
	}

	/**
	 * Starts ImageJ as Fiji's headless mode does, in a new JVM whose class path is the Fiji folder's jars/ and
	 * plugins/, and runs {@code macro} with ImageJ's -batch; returns its output.
	 */
	static String runImageJ(final Path fiji, final String macro) throws Exception {
		final Path file = WORK.resolve("macro.ijm");
		Files.writeString(file, macro);
		final String patcher;
		try (Stream<Path> s = Files.list(fiji.resolve("jars"))) {
			patcher = s.filter(p -> p.getFileName().toString().startsWith("ij1-patcher-")).findFirst().orElseThrow()
				.toString();
		}
		final String cp = Stream.of("jars/*", "jars/linux64/*", "plugins/*").map(d -> fiji.resolve(d).toString())
			.collect(Collectors.joining(File.pathSeparator));
		final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		final List<String> cmd = List.of(java.toString(), "-Xmx1g", "-Djava.awt.headless=true",
			// as Fiji's launcher starts Java 17+: ij1-patcher patches ImageJ 1.x classes, which needs java.lang open
			"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dij.dir=" + fiji,
			"-Dplugins.dir=" + fiji, "-javaagent:" + patcher + "=init", "-cp", cp, "ij.ImageJ", "-batch", file.toString());
		final Path log = WORK.resolve("imagej.log");
		final Process p = new ProcessBuilder(cmd).directory(fiji.toFile()).redirectErrorStream(true).redirectOutput(log
			.toFile()).start();
		try {
			if (!p.waitFor(5, TimeUnit.MINUTES)) throw new AssertionError("ImageJ did not finish in 5 minutes: " + Files
				.readString(log));
		}
		finally {
			p.destroyForcibly();
			p.waitFor();
		}
		final String out = Files.readString(log);
		System.out.println("ImageJ (installed files) said:\n" + out.indent(4));
		assertEquals(0, p.exitValue(), out);
		return out;
	}

	/** A copy of {@code jar} with one more entry: the same plugin, another checksum for the updater. */
	static void rebuiltJar(final Path jar, final Path out, final String stamp) throws IOException {
		Files.createDirectories(out.getParent());
		try (ZipFile in = new ZipFile(jar.toFile()); OutputStream os = Files.newOutputStream(out);
			ZipOutputStream zip = new ZipOutputStream(os))
		{
			for (final ZipEntry e : java.util.Collections.list(in.entries())) {
				zip.putNextEntry(new ZipEntry(e.getName()));
				try (InputStream is = in.getInputStream(e)) {
					is.transferTo(zip);
				}
				zip.closeEntry();
			}
			zip.putNextEntry(new ZipEntry("META-INF/draggan-build.txt"));
			zip.write(stamp.getBytes(StandardCharsets.UTF_8));
			zip.closeEntry();
		}
	}

	static String dbXml(final Path gz) throws IOException {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** The timestamp of the current version of the file whose name starts with {@code filename} in a db.xml. */
	static String timestamp(final String db, final String filename) {
		final int at = db.indexOf("filename=\"" + filename);
		assertTrue(at >= 0, filename + " in db.xml");
		final String rest = db.substring(at, db.indexOf("</plugin>", at));
		final var m = java.util.regex.Pattern.compile("<version [^>]*timestamp=\"(\\d+)\"").matcher(rest);
		assertTrue(m.find(), "version of " + filename + ": " + rest);
		return m.group(1);
	}

	/** Every file under {@code root}, relative, sorted. */
	static List<String> list(final Path root) throws IOException {
		try (Stream<Path> s = Files.walk(root)) {
			return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace(File.separatorChar,
				'/')).sorted().toList();
		}
	}

	static String sha1(final Path file) throws Exception {
		return sha1(Files.readAllBytes(file));
	}

	static String sha1(final Object pixels) throws Exception {
		final byte[] bytes = (byte[]) pixels; // the 8-bit images Generate made
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
	}

	static void deleteTree(final Path root) throws IOException {
		if (!Files.exists(root)) return;
		try (Stream<Path> s = Files.walk(root)) {
			for (final Path p : s.sorted(java.util.Comparator.reverseOrder()).toList())
				Files.delete(p);
		}
	}
}
