package dev.flinksavepoints.engine.corpus;

import dev.flinksavepoints.engine.Main;
import dev.flinksavepoints.engine.UsageException;
import dev.flinksavepoints.engine.compat.CorpusCompat;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code engine.jar corpus --out <dir> [--case <name>]… [--list] [--work <dir>] [--state-in-files [--file-merging]]}: runs the sample jobs
 * on an in-process MiniCluster, takes one savepoint (or, for checkpoint cases, a retained checkpoint: CheckpointCase) per case and writes
 * {@code <out>/<case>/savepoint/} (the savepoint folder's files) and {@code <out>/<case>/case.json}.
 * Dumps ({@code dump.jsonl}) are produced separately with {@code engine.jar dump}.
 */
public final class Corpus {
    private Corpus() {}

    static final long TIMEOUT_MS = 180_000;

    public static int run(String[] args) throws Exception {
        Path out = null;
        Path work = null;
        List<String> wanted = new ArrayList<>();
        boolean list = false;
        boolean inFiles = false;
        boolean fileMerging = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out": out = Paths.get(value(args, ++i, a)); break;
                case "--work": work = Paths.get(value(args, ++i, a)); break;
                case "--case": wanted.add(value(args, ++i, a)); break;
                case "--list": list = true; break;
                // every handle in its own file (threshold 0); a checkpoint case's checkpoint then stays where Flink wrote it
                case "--state-in-files": inFiles = true; break;
                // checkpoint cases: checkpoint file merging (segments of shared files; never inline, so with --state-in-files only)
                case "--file-merging": fileMerging = true; break;
                default: throw new UsageException("unknown argument '" + a + "' (usage: corpus --out <dir> [--case <name>]… [--list] [--state-in-files [--file-merging]])");
            }
        }
        Map<String, Cases.Spec> all = Cases.all();
        if (list) {
            for (Cases.Spec s : all.values()) System.out.println(s.name + "\t" + s.description);
            return 0;
        }
        if (out == null) throw new UsageException("--out <dir> is required");
        List<Cases.Spec> run = new ArrayList<>();
        if (wanted.isEmpty()) {
            run.addAll(all.values());
        } else {
            for (String w : wanted) {
                Cases.Spec s = all.get(w);
                if (s == null) throw new UsageException("unknown case '" + w + "' (known: " + String.join(", ", all.keySet()) + ")");
                run.add(s);
            }
        }
        if (inFiles) for (Cases.Spec s : run) s.files();
        if (fileMerging && !inFiles) throw new UsageException("--file-merging needs --state-in-files (merged files are never inline)");
        if (fileMerging) for (Cases.Spec s : run) s.fileMerging();
        Files.createDirectories(out);
        boolean ownWork = work == null;
        if (ownWork) work = Files.createTempDirectory("fsp-corpus-");
        int failures = 0;
        try {
            for (Cases.Spec s : run) {
                long t0 = System.currentTimeMillis();
                try {
                    runCase(s, out, work.resolve(s.name));
                    System.err.println("corpus: " + s.name + " ok (" + (System.currentTimeMillis() - t0) + " ms)");
                } catch (Exception e) {
                    failures++;
                    System.err.println("corpus: " + s.name + " FAILED: " + Main.oneLine(e));
                    if (Boolean.getBoolean("engine.corpus.trace")) e.printStackTrace();
                }
            }
        } finally {
            if (ownWork) deleteQuietly(work);
        }
        return failures == 0 ? 0 : 1;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new UsageException(flag + " needs a value");
        return args[i];
    }

    static Configuration configuration(Cases.Spec s, Path work) {
        Map<String, String> m = new HashMap<>();
        m.put("state.backend.type", s.backend);
        m.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        m.put("execution.checkpointing.savepoint-dir", work.resolve("savepoints").toUri().toString());
        if (s.stateInFiles) m.put("execution.checkpointing.data-inline-threshold", "0b");
        else if (s.largeInline) m.put("execution.checkpointing.data-inline-threshold", CheckpointCase.INLINE_THRESHOLD);
        if (s.compression) m.put("execution.checkpointing.snapshot-compression", "true");
        m.put("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
        m.put("io.tmp.dirs", work.resolve("tmp").toString());
        m.put("rest.bind-address", "127.0.0.1");
        m.put("rest.address", "127.0.0.1");
        m.put("rest.bind-port", "0");
        m.put("jobmanager.bind-host", "127.0.0.1");
        m.put("taskmanager.bind-host", "127.0.0.1");
        m.put("taskmanager.host", "127.0.0.1");
        m.put("pipeline.max-parallelism", Integer.toString(s.maxParallelism));
        m.put("parallelism.default", Integer.toString(s.parallelism));
        m.put("taskmanager.numberOfTaskSlots", "16");
        return Configuration.fromMap(m);
    }

    static void runCase(Cases.Spec s, Path out, Path work) throws Exception {
        deleteQuietly(work);
        Files.createDirectories(work.resolve("tmp"));
        Configuration conf = configuration(s, work);
        if (s.checkpoint) CheckpointCase.configure(conf, s, work, out.resolve(s.name));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(s.parallelism, conf);
        env.setMaxParallelism(s.maxParallelism);
        Jobs.Ctx ctx = new Jobs.Ctx(env, work, s.parallelism, s.backend);
        s.job.build(ctx);
        CorpusSource.EMITTED.set(0);
        Jobs.CLOSED.set(0);
        Jobs.STARTED.set(0);
        JobClient client = env.executeAsync("corpus-" + s.name);
        String savepoint;
        try {
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (CorpusSource.EMITTED.get() < ctx.expected) {
                checkAlive(client, deadline);
                Thread.sleep(50);
            }
            while (Jobs.STARTED.get() < ctx.expectedStarted) {
                checkAlive(client, deadline);
                Thread.sleep(50);
            }
            if (ctx.expectedClosed > 0) {
                while (Jobs.CLOSED.get() < ctx.expectedClosed) {
                    checkAlive(client, deadline);
                    Thread.sleep(50);
                }
                // let the JobManager learn that those tasks are FINISHED before the savepoint is triggered
                Thread.sleep(3000);
            }
            // Every id has been emitted; the savepoint barrier follows them through every channel.
            savepoint = null;
            Exception last = null;
            if (s.checkpoint) savepoint = CheckpointCase.trigger(client, s, deadline);
            while (savepoint == null) {
                checkAlive(client, deadline);
                try {
                    savepoint = CorpusCompat.triggerSavepoint(client, work.resolve("savepoints").toUri().toString(), s.nativeFormat)
                            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    // e.g. "not all required tasks are currently running": retry until the deadline
                    last = e;
                    if (System.currentTimeMillis() > deadline) throw e;
                    Thread.sleep(300);
                }
            }
            if (last != null && Boolean.getBoolean("engine.corpus.trace")) System.err.println("corpus: retried after " + Main.oneLine(last));
        } finally {
            try {
                client.cancel().get(60, TimeUnit.SECONDS);
                waitTerminal(client);
            } catch (Exception ignored) {
                // the job may already be gone
            }
        }
        if (s.checkpoint) {
            CheckpointCase.store(s, savepoint, out.resolve(s.name));
            Files.write(out.resolve(s.name).resolve("case.json"), s.toJson().getBytes(StandardCharsets.UTF_8));
            deleteQuietly(work);
            return;
        }
        Path src = savepoint.startsWith("file:") ? Paths.get(URI.create(savepoint)) : Paths.get(savepoint);
        Path caseDir = out.resolve(s.name);
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
        Files.write(caseDir.resolve("case.json"), s.toJson().getBytes(StandardCharsets.UTF_8));
        deleteQuietly(work);
    }

    /** The per-job MiniCluster may still be removing its own temp files: retry, never fail the case. */
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

    private static void checkAlive(JobClient client, long deadline) throws Exception {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out waiting for the job");
        JobStatus st = client.getJobStatus().get(30, TimeUnit.SECONDS);
        if (st.isGloballyTerminalState() || st == JobStatus.FAILING) {
            String why = "";
            try {
                client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                why = ": " + Main.oneLine(e);
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

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
        }
    }

    /** Minimal JSON string quoting (JSON.stringify rules for the characters we use). */
    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\t': b.append("\\t"); break;
                case '\r': b.append("\\r"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String arr(List<String> xs) {
        List<String> qs = new ArrayList<>();
        for (String x : xs) qs.add(q(x));
        return "[" + String.join(", ", qs) + "]";
    }
}
