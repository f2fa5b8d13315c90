package dev.flinksavepoints.legacy;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code java -jar legacy-corpus.jar --out <dir> --oracle-flink <version> [--case <name>]… [--list]}:
 * runs {@link LegacyJob} on an in-process MiniCluster of the Flink release this jar was built with,
 * takes a canonical savepoint per case and writes {@code <out>/<case>/savepoint/} and
 * {@code <out>/<case>/case.json}. The oracle ({@code dump.jsonl}) is written afterwards by the current
 * {@code engine.jar dump}, whose Flink version {@code --oracle-flink} names in case.json.
 */
public final class LegacyCorpus {
    private LegacyCorpus() {}

    static final long TIMEOUT_MS = 180_000;
    static final int PARALLELISM = 2;
    static final int MAX_PARALLELISM = 128;

    /** One savepoint to take. */
    static final class Case {
        final String name;
        final boolean rocksdb;
        final boolean stateInFiles;

        Case(String name, boolean rocksdb, boolean stateInFiles) {
            this.name = name;
            this.rocksdb = rocksdb;
            this.stateInFiles = stateInFiles;
        }
    }

    static Map<String, Case> cases() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("state-heap", new Case("state-heap", false, true));
        m.put("state-rocksdb", new Case("state-rocksdb", true, false));
        return m;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("legacy-corpus: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("legacy-corpus: " + e);
            code = 1;
        }
        // the MiniCluster leaves non-daemon threads behind
        System.exit(code);
    }

    static int run(String[] args) throws Exception {
        Path out = null;
        String oracle = null;
        List<String> wanted = new ArrayList<>();
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out": out = Paths.get(value(args, ++i)); break;
                case "--oracle-flink": oracle = value(args, ++i); break;
                case "--case": wanted.add(value(args, ++i)); break;
                case "--list": list = true; break;
                default: throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "' (usage: --out <dir> --oracle-flink <version> [--case <name>]… [--list])");
            }
        }
        Map<String, Case> all = cases();
        if (list) {
            for (String n : all.keySet()) System.out.println(n);
            return 0;
        }
        if (out == null || oracle == null) throw new IllegalArgumentException("--out <dir> and --oracle-flink <version> are required");
        List<Case> run = new ArrayList<>();
        for (String w : wanted.isEmpty() ? new ArrayList<>(all.keySet()) : wanted) {
            Case c = all.get(w);
            if (c == null) throw new IllegalArgumentException("unknown case '" + w + "' (known: " + String.join(", ", all.keySet()) + ")");
            run.add(c);
        }
        Files.createDirectories(out);
        int failures = 0;
        for (Case c : run) {
            Path work = Files.createTempDirectory("fsp-legacy-corpus-");
            long t0 = System.currentTimeMillis();
            try {
                runCase(c, out, work, oracle);
                System.err.println("legacy-corpus: Flink " + flinkVersion() + " " + c.name + " ok (" + (System.currentTimeMillis() - t0) + " ms)");
            } catch (Exception e) {
                failures++;
                System.err.println("legacy-corpus: Flink " + flinkVersion() + " " + c.name + " FAILED: " + e);
                e.printStackTrace();
            } finally {
                deleteQuietly(work);
            }
        }
        return failures == 0 ? 0 : 1;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    /** The Flink release this jar was built with (a filtered resource). */
    static String flinkVersion() {
        Properties p = new Properties();
        try (InputStream in = LegacyCorpus.class.getResourceAsStream("/legacy-corpus.properties")) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // reported as unknown
        }
        return p.getProperty("flink.version", "unknown");
    }

    /** The heap backend by the name the release documents: FsStateBackend on 1.13, HashMapStateBackend after. */
    static String heapBackend() {
        return flinkVersion().startsWith("1.13.") ? "filesystem" : "hashmap";
    }

    static Configuration configuration(Case c, Path work) {
        Map<String, String> m = new LinkedHashMap<>();
        String backend = c.rocksdb ? "rocksdb" : heapBackend();
        // old and new key of each option: a release ignores the keys it does not know
        m.put("state.backend", backend);
        m.put("state.backend.type", backend);
        m.put("state.checkpoints.dir", work.resolve("checkpoints").toUri().toString());
        m.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        m.put("state.savepoints.dir", work.resolve("savepoints").toUri().toString());
        m.put("execution.checkpointing.savepoint-dir", work.resolve("savepoints").toUri().toString());
        if (c.stateInFiles) {
            m.put("state.storage.fs.memory-threshold", "0b");
            m.put("execution.checkpointing.data-inline-threshold", "0b");
        }
        m.put("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
        m.put("io.tmp.dirs", work.resolve("tmp").toString());
        m.put("rest.bind-address", "127.0.0.1");
        m.put("rest.address", "127.0.0.1");
        m.put("rest.bind-port", "0");
        m.put("jobmanager.bind-host", "127.0.0.1");
        m.put("taskmanager.bind-host", "127.0.0.1");
        m.put("taskmanager.host", "127.0.0.1");
        m.put("pipeline.max-parallelism", Integer.toString(MAX_PARALLELISM));
        m.put("parallelism.default", Integer.toString(PARALLELISM));
        m.put("taskmanager.numberOfTaskSlots", "4");
        return Configuration.fromMap(m);
    }

    static void runCase(Case c, Path out, Path work, String oracle) throws Exception {
        Files.createDirectories(work.resolve("tmp"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, configuration(c, work));
        env.setMaxParallelism(MAX_PARALLELISM);
        LegacyJob.build(env);
        IdSource.EMITTED.set(0);
        JobClient client = env.executeAsync("legacy-corpus-" + c.name);
        String savepoint = null;
        try {
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (IdSource.EMITTED.get() < LegacyJob.expectedRecords()) {
                checkAlive(client, deadline);
                Thread.sleep(50);
            }
            // every record is out; the savepoint barrier follows them through every channel
            while (savepoint == null) {
                checkAlive(client, deadline);
                try {
                    savepoint = Compat.triggerSavepoint(client, work.resolve("savepoints").toUri().toString())
                            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    // e.g. "not all required tasks are currently running": retry until the deadline
                    if (System.currentTimeMillis() > deadline) throw e;
                    Thread.sleep(300);
                }
            }
        } finally {
            try {
                client.cancel().get(60, TimeUnit.SECONDS);
                waitTerminal(client);
            } catch (Exception ignored) {
                // already gone
            }
        }
        Path src = savepoint.startsWith("file:") ? Paths.get(URI.create(savepoint)) : Paths.get(savepoint);
        Path caseDir = out.resolve(c.name);
        Path dest = caseDir.resolve("savepoint");
        deleteTree(dest);
        Files.createDirectories(dest);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = dest.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.write(caseDir.resolve("case.json"), caseJson(c, metadataVersion(dest.resolve("_metadata")), oracle)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The int after the magic number of {@code _metadata}. */
    static int metadataVersion(Path metadata) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(metadata))) {
            in.readInt();
            return in.readInt();
        }
    }

    static String caseJson(Case c, int metadataVersion, String oracle) {
        String backend = c.rocksdb ? "rocksdb" : heapBackend();
        String backendText = c.rocksdb ? "RocksDB" : backend.equals("filesystem") ? "FsStateBackend" : "HashMapStateBackend";
        String description = "Savepoint written by Flink " + flinkVersion() + " (_metadata V" + metadataVersion + "): String- and "
                + "Long-keyed value, list, map, reducing and aggregating state with timers, tumbling event-time windows, "
                + "operator list, union and broadcast state; " + backendText + ", parallelism " + PARALLELISM + ", "
                + (c.stateInFiles ? "state in files" : "inline");
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"name\": ").append(q(c.name)).append(",\n");
        b.append("  \"description\": ").append(q(description)).append(",\n");
        b.append("  \"flinkVersion\": ").append(q(flinkVersion())).append(",\n");
        b.append("  \"metadataVersion\": ").append(metadataVersion).append(",\n");
        b.append("  \"oracleFlinkVersion\": ").append(q(oracle)).append(",\n");
        b.append("  \"job\": \"legacy\",\n");
        b.append("  \"backend\": ").append(q(backend)).append(",\n");
        b.append("  \"format\": \"CANONICAL\",\n");
        b.append("  \"parallelism\": ").append(PARALLELISM).append(",\n");
        b.append("  \"maxParallelism\": ").append(MAX_PARALLELISM).append(",\n");
        b.append("  \"keyGroupPrefixBytes\": 1,\n");
        b.append("  \"stateInFiles\": ").append(c.stateInFiles).append(",\n");
        b.append("  \"snapshotCompression\": false,\n");
        b.append("  \"stateKinds\": ").append(arr(Arrays.asList("ValueState", "ListState", "MapState", "ReducingState",
                "AggregatingState", "event-time timers", "processing-time timers", "window state (TimeWindow namespace)",
                "operator list state", "union list state", "broadcast state", "FLIP-27 source split state"))).append(",\n");
        b.append("  \"types\": ").append(arr(Arrays.asList("String keys (empty, non-ASCII, outside the BMP)",
                "Long keys (negative)", "Long", "String", "Tuple2<Long, Long> accumulator", "Tuple3<Long, String, Long>"))).append(",\n");
        b.append("  \"uids\": ").append(arr(LegacyJob.UIDS)).append(",\n");
        b.append("  \"varying\": []\n");
        return b.append("}\n").toString();
    }

    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') b.append('\\').append(ch);
            else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
            else b.append(ch);
        }
        return b.append('"').toString();
    }

    static String arr(List<String> xs) {
        List<String> qs = new ArrayList<>();
        for (String x : xs) qs.add(q(x));
        return "[" + String.join(", ", qs) + "]";
    }

    private static void checkAlive(JobClient client, long deadline) throws Exception {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out waiting for the job");
        JobStatus st = client.getJobStatus().get(30, TimeUnit.SECONDS);
        if (st.isGloballyTerminalState() || st == JobStatus.FAILING) {
            String why = "";
            try {
                client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                why = ": " + e;
            }
            throw new IllegalStateException("job ended early (" + st + ")" + why);
        }
    }

    private static void waitTerminal(JobClient client) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) return;
            } catch (Exception e) {
                return;
            }
            Thread.sleep(100);
        }
    }

    static void deleteQuietly(Path p) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                deleteTree(p);
                return;
            } catch (IOException | java.io.UncheckedIOException e) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
        }
    }
}
