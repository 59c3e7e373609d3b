package io.github.dragganfiji.site;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.imagej.updater.CommandLine;
import net.imagej.updater.FilesCollection;
import net.imagej.updater.Installer;
import net.imagej.updater.UpdateSite;
import net.imagej.updater.util.Progress;

/**
 * DragGAN's Fiji update site, laid out, uploaded and installed with the ImageJ updater's own code
 * ({@link CommandLine}, the command line Fiji's CI and {@code ImageJ --update} use; its {@code file:} uploader).
 * <p>
 * What goes on the site: the plugin jar (plugins/), every runtime dependency a current Fiji does not ship
 * (DJL's api, pytorch-engine, pytorch-jni in jars/), the libtorch natives per platform (jars/&lt;platform&gt;/, which
 * the updater installs only on that platform) and the sample models (models/draggan/NAME/, without the
 * training-only discriminator). The jars Fiji ships (managed by pom-scijava: ImageJ 1.x, scijava-common, gson, JNA,
 * slf4j-api, commons-compress and its commons-io and commons-codec) are not on the site: the plugin uses Fiji's.
 */
final class FijiSite {

	static final String NAME = "DragGAN";

	private FijiSite() {}

	/** A jar of the class path, by its place in a Maven repository: .../GROUP/ARTIFACT/VERSION/FILE. */
	record Artifact(Path jar, String group, String artifact, String version, String classifier) {

		static Artifact of(final Path jar, final Path repository) {
			final Path rel = repository.relativize(jar);
			final int n = rel.getNameCount();
			final String version = rel.getName(n - 2).toString();
			final String artifact = rel.getName(n - 3).toString();
			final String group = rel.subpath(0, n - 3).toString().replace(File.separatorChar, '.');
			final String file = jar.getFileName().toString();
			final String base = artifact + "-" + version;
			final String classifier = file.startsWith(base + "-") ? file.substring(base.length() + 1, file.length() - 4)
				: "";
			return new Artifact(jar, group, artifact, version, classifier);
		}

		/** Fiji's platform folder under jars/ for a DJL native classifier, or null for a platform-neutral jar. */
		String platform() {
			return switch (classifier) {
			case "" -> null;
			case "linux-x86_64" -> "linux64";
			case "linux-aarch64" -> "linux-arm64";
			case "win-x86_64" -> "win64";
			case "osx-aarch64" -> "macos-arm64";
			case "osx-x86_64" -> "macos64";
			default -> throw new IllegalArgumentException("no Fiji platform for " + jar);
			};
		}
	}

	/**
	 * What goes on the site and what stays Fiji's: the plugin jar, the runtime jars a current Fiji lacks (with any
	 * extra natives), the runtime jars Fiji ships (each at Fiji's version, or {@link #plan} throws), the sample models.
	 */
	record Plan(Path pluginJar, List<Artifact> siteJars, List<Artifact> fijiJars, List<Path> models) {}

	/**
	 * The site's plan from Maven's {@code target/} (the packaged jar, runtime-classpath.txt), pom-scijava 45 in the
	 * local repository (the versions a current Fiji ships), {@code sampleModels} and {@code extraNatives}: more
	 * pytorch-native-cpu jars from the local repository, for other platforms.
	 */
	static Plan plan(final Path target, final Path sampleModels, final List<Path> extraNatives) throws IOException {
		final List<Path> runtime = new ArrayList<>(runtimeClassPath(target.resolve("runtime-classpath.txt")));
		final Path repository = repository(runtime);
		runtime.addAll(extraNatives);
		final Map<String, String> managed = managedVersions(repository.resolve(
			"org/scijava/pom-scijava/45.0.0/pom-scijava-45.0.0.pom"));
		final List<Artifact> siteJars = new ArrayList<>(), fijiJars = new ArrayList<>();
		for (final Path p : runtime) {
			final Artifact a = Artifact.of(p.toAbsolutePath(), repository);
			if (!shippedByFiji(a, managed)) {
				siteJars.add(a);
				continue;
			}
			// What Fiji ships, the plugin must use at Fiji's version: the site adds only what Fiji lacks.
			final String v = managed.getOrDefault(a.artifact(), managed.get(a.group() + "." + a.artifact()));
			if (!v.equals(a.version())) throw new IllegalStateException(a.artifact() + " " + a.version() +
				" is on the plugin's class path, but a current Fiji ships version " + v + ".");
			fijiJars.add(a);
		}
		final List<Path> jars;
		try (var s = Files.list(target)) {
			jars = s.filter(j -> j.getFileName().toString().matches("DragGAN_Fiji-[0-9][^-]*(-SNAPSHOT)?\\.jar"))
				.toList();
		}
		if (jars.size() != 1) throw new IllegalStateException("Expected one plugin jar in " + target + ", found " +
			jars + "; run mvn package first.");
		final List<Path> models;
		try (var s = Files.list(sampleModels)) {
			models = s.filter(m -> Files.isRegularFile(m.resolve("model.json"))).sorted().toList();
		}
		return new Plan(jars.get(0), siteJars, fijiJars, models);
	}

	/**
	 * Builds the update site into a {@code file:} folder (tools/update-site.sh):
	 * {@code FijiSite SITE_FOLDER [NATIVE_JAR...]}, run in the repository root after {@code mvn package}.
	 */
	public static void main(final String... args) throws Exception {
		if (args.length < 1) {
			System.err.println("Usage: FijiSite SITE_FOLDER [pytorch-native-cpu JAR...]");
			System.exit(2);
		}
		final Path site = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
		final List<Path> natives = new ArrayList<>();
		for (int i = 1; i < args.length; i++)
			natives.add(Path.of(args[i]));
		final Path target = Path.of("target").toAbsolutePath();
		final Plan plan = plan(target, Path.of("sample-models"), natives);
		final Path staging = target.resolve("update-site-staging");
		// The staging folder's updater records belong to one site: another site starts from a fresh folder.
		if (Files.exists(staging.resolve("db.xml.gz"))) {
			final FilesCollection files = new FilesCollection(staging.toFile());
			files.tryLoadingCollection();
			final UpdateSite known = files.getUpdateSite(NAME, true);
			if (known == null || !known.getURL().equals(url(site))) deleteTree(staging);
		}
		stage(staging, plan.pluginJar(), plan.siteJars(), plan.models());
		upload(staging, site);
		System.out.println("Update site " + url(site) + ": " + plan.pluginJar().getFileName() + ", " + plan
			.siteJars().size() + " jars, " + plan.models().size() + " sample models. In Fiji: Help > Update... > " +
			"Manage Update Sites > Add Unlisted Site, URL " + url(site));
	}

	/** The local Maven repository: the folder above .../net/imagej/ij/VERSION/ij-VERSION.jar. */
	static Path repository(final List<Path> runtime) {
		for (final Path p : runtime)
			if (p.getFileName().toString().startsWith("ij-") && p.getParent().getParent().getFileName().toString()
				.equals("ij")) return p.getParent().getParent().getParent().getParent().getParent();
		throw new IllegalStateException("ImageJ 1.x (net.imagej:ij) is not on the runtime class path " + runtime);
	}

	/**
	 * The artifacts pom-scijava manages, with their versions: its {@code <ARTIFACT.version>} properties, resolved.
	 * A current Fiji ships these versions (Fiji's own release follows pom-scijava).
	 */
	static Map<String, String> managedVersions(final Path pomScijava) throws IOException {
		final String pom = Files.readString(pomScijava);
		final Map<String, String> props = new TreeMap<>();
		final Matcher m = Pattern.compile("<([A-Za-z0-9_.-]+)\\.version>([^<]*)</\\1\\.version>").matcher(pom);
		while (m.find())
			props.put(m.group(1), m.group(2).trim());
		final Map<String, String> resolved = new TreeMap<>();
		for (final String key : props.keySet())
			resolved.put(key, resolve(props, props.get(key), 0));
		return resolved;
	}

	private static String resolve(final Map<String, String> props, final String value, final int depth) {
		final Matcher m = Pattern.compile("^\\$\\{([A-Za-z0-9_.-]+)\\.version\\}$").matcher(value);
		if (!m.matches() || depth > 10) return value;
		final String next = props.get(m.group(1));
		return next == null ? value : resolve(props, next, depth + 1);
	}

	/** Whether a runtime dependency is one a current Fiji ships (pom-scijava manages it), so not on the site. */
	static boolean shippedByFiji(final Artifact a, final Map<String, String> managed) {
		return managed.containsKey(a.artifact()) || managed.containsKey(a.group() + "." + a.artifact());
	}

	/**
	 * Lays out the site's files in {@code staging}, a Fiji-like folder the site is uploaded from: plugins/, jars/,
	 * jars/PLATFORM/, models/draggan/NAME/. Files of an earlier layout there are replaced.
	 */
	static void stage(final Path staging, final Path pluginJar, final List<Artifact> siteJars, final List<Path> models)
		throws IOException
	{
		final Path plugins = Files.createDirectories(staging.resolve("plugins"));
		try (var old = Files.list(plugins)) {
			for (final Path p : (Iterable<Path>) old::iterator)
				if (p.getFileName().toString().startsWith("DragGAN_Fiji")) Files.delete(p);
		}
		Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
		for (final Artifact a : siteJars) {
			final String platform = a.platform();
			final Path dir = Files.createDirectories(platform == null ? staging.resolve("jars") : staging.resolve("jars")
				.resolve(platform));
			Files.copy(a.jar(), dir.resolve(a.jar().getFileName()), StandardCopyOption.REPLACE_EXISTING);
		}
		for (final Path model : models) {
			final Path dir = Files.createDirectories(staging.resolve("models/draggan").resolve(model.getFileName()
				.toString()));
			try (var files = Files.list(model)) {
				for (final Path f : (Iterable<Path>) files::iterator) {
					// Training-only: the discriminator a later training run goes on with (tools/README.md).
					if (!Files.isRegularFile(f) || f.getFileName().toString().equals("discriminator.pt")) continue;
					Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
	}

	/**
	 * Turns off the ImageJ site that every updater folder starts with and adds the site {@code name} at {@code url}
	 * (with an upload host and folder, or nulls), so that the updater reads only the sites this test adds: the test
	 * runs offline. This is {@code add-update-site}'s own call ({@link FilesCollection#addUpdateSite}, then
	 * {@link FilesCollection#write}); the command itself cannot run here, since it reads the active sites first and
	 * imagej-updater 2.0.1's index reader fails on none (a null warnings buffer in XMLFileDownloader). A real Fiji
	 * keeps the ImageJ site on and runs {@code ImageJ --update add-update-site NAME URL}.
	 */
	static void addSiteOffline(final Path fiji, final String name, final String url, final String host,
		final String uploadDir) throws Exception
	{
		final FilesCollection files = new FilesCollection(fiji.toFile());
		files.tryLoadingCollection();
		final UpdateSite imagej = files.getUpdateSite(FilesCollection.DEFAULT_UPDATE_SITE, true);
		if (imagej != null) imagej.setActive(false);
		if (files.getUpdateSite(name, true) == null) files.addUpdateSite(name, url, host, uploadDir, 0L);
		files.write();
	}

	/**
	 * The updater's command line, as {@code ImageJ --update ARGS} runs it, on {@code fiji}; it throws where the
	 * standalone updater would exit with an error.
	 */
	static void updater(final Path fiji, final String... args) {
		CommandLine.main(fiji.toFile(), 100, QUIET, args);
	}

	/** The updater's progress, not shown: the console keeps what the updater logs (its uploads, its warnings). */
	static final Progress QUIET = new Progress() {

		@Override
		public void setTitle(final String title) {}

		@Override
		public void setCount(final int count, final int total) {}

		@Override
		public void addItem(final Object item) {}

		@Override
		public void setItemCount(final int count, final int total) {}

		@Override
		public void itemDone(final Object item) {}

		@Override
		public void done() {}
	};

	/** Uploads everything in {@code staging} that is not already on the site to the {@code file:} site. */
	static void upload(final Path staging, final Path site) throws Exception {
		Files.createDirectories(site);
		// url, then the uploader's host ("file:" picks the updater's FileUploader) and upload folder
		addSiteOffline(staging, NAME, url(site), "file:localhost", site.toString() + File.separator);
		updater(staging, "upload-complete-site", "--force", NAME);
	}

	static void deleteTree(final Path root) throws IOException {
		if (!Files.exists(root)) return;
		try (var s = Files.walk(root)) {
			for (final Path p : s.sorted(java.util.Comparator.reverseOrder()).toList())
				Files.delete(p);
		}
	}

	static String url(final Path site) {
		return site.toUri().toString();
	}

	/**
	 * What Fiji's launcher does at its next start with the files the updater staged in update/: moves them into
	 * place; an empty file there deletes its namesake.
	 */
	static void applyStagedUpdates(final Path fiji) throws Exception {
		final FilesCollection files = new FilesCollection(fiji.toFile());
		files.read();
		new Installer(files, null).moveUpdatedIntoPlace();
	}

	/** The runtime class path Maven wrote (target/runtime-classpath.txt). */
	static List<Path> runtimeClassPath(final Path file) throws IOException {
		final List<Path> out = new ArrayList<>();
		for (final String s : Files.readString(file).trim().split(File.pathSeparator))
			if (!s.isBlank()) out.add(Path.of(s));
		return out;
	}
}
