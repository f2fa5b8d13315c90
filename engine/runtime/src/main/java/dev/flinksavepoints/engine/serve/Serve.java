package dev.flinksavepoints.engine.serve;

import dev.flinksavepoints.engine.Main;
import dev.flinksavepoints.engine.UsageException;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.security.FlinkSecurityManager;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code engine.jar serve}: a local Flink MiniCluster with the complete REST API and web UI
 * (jar upload/run, savepoints, stop-with-savepoint), bound to 127.0.0.1 only.
 *
 * <p>Protocol: once the cluster is up, exactly one JSON line goes to stdout:
 * {@code {"event":"ready","rest":"http://127.0.0.1:PORT","flinkVersion":"1.20.3"}}. Everything
 * else (Flink's logs, and the stdout of user jobs such as {@code print()} sinks) goes to stderr.
 *
 * <p>Lifetime: the process ends (cluster closed, exit code 0) when its stdin reaches EOF, i.e.
 * when the process that started it goes away, and on SIGTERM/SIGINT. A user job calling
 * {@code System.exit} gets an exception instead of killing the cluster.
 */
public final class Serve {
    private static final String LOOPBACK = "127.0.0.1";

    private Serve() {}

    /** Parsed command line. */
    static final class Options {
        int port = 0;
        Path workDir;
        /** A local directory, or null when {@link #savepointUri} names a non-local file system. */
        Path savepointDir;
        /** What goes into execution.checkpointing.savepoint-dir. */
        String savepointUri;
        int slots = 4;
        String backend = "hashmap";
    }

    public static int run(String[] args) throws Exception {
        Options opts = parse(args);
        PrintStream protocolOut = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

        Files.createDirectories(opts.workDir);
        if (opts.savepointDir != null) Files.createDirectories(opts.savepointDir);
        Path uploads = Files.createDirectories(opts.workDir.resolve("jars"));
        Path tmp = Files.createDirectories(opts.workDir.resolve("tmp"));
        Path checkpoints = Files.createDirectories(opts.workDir.resolve("checkpoints"));

        Configuration conf = configuration(opts, uploads, tmp, checkpoints);
        installSystemExitInterception(conf);

        // Anything a job prints (print() sinks, System.out in user code) must not corrupt the
        // stdout protocol: from here on System.out is stderr. The ready line uses protocolOut.
        System.setOut(System.err);

        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean(false);
        CountDownLatch closeDone = new CountDownLatch(1);
        String[] reason = {"unknown"};

        MiniClusterConfiguration mcConf = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(opts.slots)
                .build();
        MiniCluster cluster = new MiniCluster(mcConf);

        Runnable close = () -> {
            if (!closed.compareAndSet(false, true)) return;
            try {
                cluster.closeAsync().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("serve: closing the cluster failed: " + Main.oneLine(e));
            } finally {
                closeDone.countDown();
            }
        };

        // Safety net for signals we do not handle ourselves (and for SIGTERM if the handler
        // below could not be installed): close the cluster before the JVM goes away.
        Thread hook = new Thread(() -> {
            reason[0] = "JVM shutdown";
            stop.countDown();
            close.run();
            awaitQuietly(closeDone, 35);
        }, "serve-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);
        ServeSignals.install(sig -> {
            reason[0] = "SIG" + sig;
            stop.countDown();
        });

        startStdinWatcher(System.in, () -> {
            reason[0] = "stdin closed";
            stop.countDown();
        });

        try {
            cluster.start();
        } catch (Exception e) {
            close.run();
            throw new Exception("could not start the Flink MiniCluster", e);
        }
        URI rest = cluster.getRestAddress().get(60, TimeUnit.SECONDS);
        String url = "http://" + LOOPBACK + ":" + rest.getPort();
        awaitRestLeader(url);

        System.err.println("serve: Flink " + Main.flinkVersion() + " at " + url
                + " (slots " + opts.slots + ", backend " + opts.backend
                + ", savepoints " + opts.savepointUri + ", work dir " + opts.workDir + ")");
        protocolOut.println("{\"event\":\"ready\",\"rest\":\"" + url + "\",\"flinkVersion\":\""
                + jsonEscape(Main.flinkVersion()) + "\"}");
        protocolOut.flush();

        stop.await();
        System.err.println("serve: stopping (" + reason[0] + ")");
        close.run();
        awaitQuietly(closeDone, 35);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running; it only waits for the close we just did
        }
        return 0;
    }

    /**
     * The REST endpoint is up before the dispatcher's leader is known to it, and answers 503 ("ongoing
     * leader election") until then. "Ready" means the REST API works, so wait for a 200 on /overview.
     */
    private static void awaitRestLeader(String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int status = -1;
        while (System.nanoTime() < deadline) {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(url + "/overview").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try {
                status = c.getResponseCode();
                if (status == 200) return;
            } catch (java.io.IOException notYet) {
                status = -1;
            } finally {
                c.disconnect();
            }
            Thread.sleep(100);
        }
        throw new Exception("the REST API at " + url + " did not become ready within 60 s (last HTTP status " + status + ")");
    }

    static Options parse(String[] args) {
        Options o = new Options();
        Path work = null;
        String savepoints = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value;
            String name = a;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (a.equals("--help") || a.equals("-h")) {
                throw new UsageException(usage());
            } else {
                if (i + 1 >= args.length) throw new UsageException("missing value for " + a + "\n" + usage());
                value = args[++i];
            }
            switch (name) {
                case "--port":
                    o.port = parseInt(name, value, 0, 65535);
                    break;
                case "--slots":
                    o.slots = parseInt(name, value, 1, 1024);
                    break;
                case "--work-dir":
                    work = Path.of(value);
                    break;
                case "--savepoint-dir":
                    savepoints = value;
                    break;
                case "--backend":
                    if (!value.equals("hashmap") && !value.equals("rocksdb")) {
                        throw new UsageException("--backend must be hashmap or rocksdb, got '" + value + "'");
                    }
                    o.backend = value;
                    break;
                default:
                    throw new UsageException("unknown option '" + a + "'\n" + usage());
            }
        }
        o.workDir = (work != null ? work : Path.of(System.getProperty("java.io.tmpdir"), "flink-savepoints-serve"))
                .toAbsolutePath().normalize();
        if (savepoints != null && isUri(savepoints) && !savepoints.startsWith("file:")) {
            o.savepointDir = null; // e.g. s3://…: handed to Flink as is
            o.savepointUri = savepoints;
        } else {
            Path local = savepoints == null ? o.workDir.resolve("savepoints")
                    : savepoints.startsWith("file:") ? Path.of(URI.create(savepoints)) : Path.of(savepoints);
            o.savepointDir = local.toAbsolutePath().normalize();
            o.savepointUri = o.savepointDir.toUri().toString();
        }
        return o;
    }

    /** {@code scheme://…} or {@code file:/…}, but not a Windows drive path like {@code C:\\x}. */
    private static boolean isUri(String s) {
        return s.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:/.*");
    }

    static String usage() {
        return "usage: serve [--port 0] [--savepoint-dir <dir>] [--work-dir <dir>] [--slots 4] [--backend hashmap|rocksdb]";
    }

    private static int parseInt(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number between " + min + " and " + max + ", got '" + value + "'");
        }
    }

    static Configuration configuration(Options o, Path uploads, Path tmp, Path checkpoints) {
        Configuration conf = new Configuration();
        // Network: loopback only. Jar upload means remote code execution.
        conf.setString("rest.bind-address", LOOPBACK);
        conf.setString("rest.address", LOOPBACK);
        conf.setString("rest.bind-port", Integer.toString(o.port));
        conf.setString("jobmanager.bind-host", LOOPBACK);
        conf.setString("jobmanager.rpc.address", LOOPBACK);
        conf.setString("taskmanager.bind-host", LOOPBACK);
        conf.setString("taskmanager.host", LOOPBACK);
        // Web submission (defaults, spelled out because the extension relies on them).
        conf.setString("web.submit.enable", "true");
        conf.setString("web.cancel.enable", "true");
        conf.setString("web.upload.dir", uploads.toString());
        conf.setString("web.tmpdir", tmp.toString());
        conf.setString("io.tmp.dirs", tmp.toString());
        // State.
        conf.setString("state.backend.type", o.backend);
        conf.setString("execution.checkpointing.savepoint-dir", o.savepointUri);
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        // User code must not be able to end the cluster with System.exit().
        conf.setString("cluster.intercept-user-system-exit", "THROW");
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(o.slots));
        return conf;
    }

    private static void installSystemExitInterception(Configuration conf) {
        try {
            FlinkSecurityManager.setFromConfiguration(conf);
        } catch (Throwable t) {
            // Java 18+ refuses System.setSecurityManager unless -Djava.security.manager=allow.
            System.err.println("serve: WARNING: cannot intercept System.exit() in user code ("
                    + Main.oneLine(t) + "); run Java 17 or add -Djava.security.manager=allow");
        }
    }

    private static void startStdinWatcher(InputStream in, Runnable onEof) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // input is ignored; only EOF matters
                }
            } catch (IOException e) {
                // a broken stdin counts as closed
            }
            onEof.run();
        }, "serve-stdin-watcher");
        t.setDaemon(true);
        t.start();
    }

    private static void awaitQuietly(CountDownLatch latch, int seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
