package io.github.dragganfiji.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dragganfiji.model.TestBundles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * draggan batch on a real Spark standalone cluster on the loopback interface: a Master and one Worker started as
 * child JVMs (bound to 127.0.0.1, free ports), the driver in this JVM (client mode) and the executor the Worker
 * starts with this build's class path (spark.executor.extraClassPath, as spark-submit --jars would give it). The
 * results equal those of the embedded run of the same table. What it started is stopped in every outcome.
 */
class ClusterBatchTest {

	@TempDir
	static Path tmp;

	private static final String MODEL = TestBundles.TINY.toAbsolutePath().toString();
	private static final List<Process> STARTED = new ArrayList<>();
	private static final Thread STOP = new Thread(ClusterBatchTest::stopAll);
	private static String master;
	private static final List<String> PROPS = List.of("spark.executor.extraClassPath", "spark.executor.extraJavaOptions",
		"spark.executor.memory", "spark.cores.max", "spark.driver.host", "spark.driver.bindAddress",
		"spark.testing.memory", "draggan.userModels");
	private static final Map<String, String> BEFORE = new java.util.HashMap<>();

	@BeforeAll
	static void cluster() throws IOException, InterruptedException {
		Runtime.getRuntime().addShutdownHook(STOP);
		final Path home = Files.createDirectories(tmp.resolve("spark-home").resolve("jars")).getParent();
		final int port = freePort(), masterUi = freePort(), workerUi = freePort();
		master = "spark://127.0.0.1:" + port;
		start("master", home, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(
			port), "--webui-port", Integer.toString(masterUi));
		waitFor(port);
		start("worker", home, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--webui-port", Integer
			.toString(workerUi), "--cores", "2", "--memory", "2g", "--work-dir", tmp.resolve("work").toString(), master);
		for (final String k : PROPS)
			BEFORE.put(k, System.getProperty(k));
		System.setProperty("spark.executor.extraClassPath", classPath());
		System.setProperty("spark.executor.extraJavaOptions", String.join(" ", opens()) + " -Djava.awt.headless=true");
		System.setProperty("spark.executor.memory", "1g");
		System.setProperty("spark.cores.max", "2");
		System.setProperty("spark.driver.host", "127.0.0.1");
		System.setProperty("spark.driver.bindAddress", "127.0.0.1");
		System.setProperty("spark.testing.memory", Long.toString(1L << 30));
		System.setProperty("draggan.userModels", tmp.resolve("user-models").toString());
	}

	@AfterAll
	static void stop() {
		stopAll();
		Runtime.getRuntime().removeShutdownHook(STOP);
		for (final String k : PROPS)
			TestBundles.restoreProperty(k, BEFORE.get(k));
	}

	@Test
	void aTableOnAStandaloneClusterGivesTheEmbeddedRunsResults() throws IOException {
		final Path table = tmp.resolve("jobs.csv");
		Files.writeString(table, "id,op,model,seed,points,mask_rect,mode,steps,r1,r2\n" + //
			"gen,generate," + MODEL + ",7,,,,,,\n" + //
			"drag,drag," + MODEL + ",4,\"6,16,26,16\",,paper,3,3,4\n" + //
			"two,drag," + MODEL + ",5,\"6,10,12,10;20,22,24,26\",\"2,2,28,28\",anchored,3,3,4\n" + //
			"bad,drag," + MODEL + ",4,\"6,16,26,16\",,sideways,3,,\n");
		final List<JobTable.Job> jobs = JobTable.read(table);
		final Map<String, String> cpu = Map.of("device", "cpu");
		final List<JobRunner.Result> cluster = BatchCommand.run(jobs, tmp.resolve("cluster"), master, 0, cpu,
			new PrintStream(new ByteArrayOutputStream()));
		final List<JobRunner.Result> local = BatchCommand.run(jobs, tmp.resolve("local"), "local[2]", 0, cpu,
			new PrintStream(new ByteArrayOutputStream()));
		assertEquals(local.size(), cluster.size());
		for (int i = 0; i < local.size(); i++) {
			final JobRunner.Result l = local.get(i), c = cluster.get(i);
			assertEquals(l.id(), c.id());
			assertEquals(l.status(), c.status(), c.toString());
			assertEquals(l.error(), c.error());
			assertEquals(l.steps(), c.steps(), c.id());
			assertEquals(l.arrived(), c.arrived(), c.id());
			final String[] ld = l.distances().split(";"), cd = c.distances().split(";");
			assertEquals(ld.length, cd.length);
			for (int h = 0; h < ld.length; h++)
				if (!ld[h].isEmpty()) assertEquals(Double.parseDouble(ld[h]), Double.parseDouble(cd[h]), 0.5, c.id());
			if (!c.status().equals("failed")) assertEquals(BatchTest.files(tmp.resolve("local").resolve(c.id())), BatchTest
				.files(tmp.resolve("cluster").resolve(c.id())));
		}
		assertEquals("failed", cluster.get(3).status());
		assertNotEquals("", cluster.get(1).host(), "the executor's host");
		assertTrue(Files.isRegularFile(tmp.resolve("cluster").resolve("results.csv")));
		try (var apps = Files.list(tmp.resolve("work"))) {
			assertTrue(apps.anyMatch(a -> a.getFileName().toString().startsWith("app-")), "the Worker ran an executor");
		}
	}

	private static void start(final String name, final Path home, final String main, final String... args)
		throws IOException
	{
		final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
			.toString(), "-Xmx256m"));
		cmd.addAll(opens());
		cmd.addAll(List.of("-cp", classPath(), main));
		cmd.addAll(List.of(args));
		final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name +
			".log").toFile());
		pb.environment().put("SPARK_HOME", home.toString());
		pb.environment().put("SPARK_SCALA_VERSION", "2.13");
		pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
		pb.environment().put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
		pb.environment().put("SPARK_WORKER_DIR", tmp.resolve("work").toString());
		synchronized (STARTED) {
			STARTED.add(pb.start());
		}
	}

	private static void stopAll() {
		synchronized (STARTED) {
			for (int i = STARTED.size() - 1; i >= 0; i--) {
				final Process p = STARTED.get(i);
				p.descendants().forEach(ProcessHandle::destroy); // the executor the Worker started
				p.destroy();
				try {
					if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
						p.descendants().forEach(ProcessHandle::destroyForcibly);
						p.destroyForcibly();
					}
				}
				catch (final InterruptedException e) {
					Thread.currentThread().interrupt();
					p.destroyForcibly();
				}
			}
			STARTED.clear();
		}
	}

	static String classPath() {
		return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
	}

	static List<String> opens() {
		final List<String> o = new ArrayList<>();
		for (final String p : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
			"java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch",
			"sun.nio.cs", "sun.security.action", "sun.util.calendar"))
			o.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
		o.add("-Djdk.reflect.useDirectMethodHandle=false");
		return o;
	}

	private static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return s.getLocalPort();
		}
	}

	private static void waitFor(final int port) throws InterruptedException, IOException {
		final long until = System.nanoTime() + 60_000_000_000L;
		while (System.nanoTime() < until) {
			try (Socket s = new Socket()) {
				s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
				return;
			}
			catch (final IOException e) {
				Thread.sleep(300);
			}
		}
		throw new IOException("the Spark master did not open port " + port + " within 60 s: " + Files.readString(tmp
			.resolve("master.log")));
	}
}
