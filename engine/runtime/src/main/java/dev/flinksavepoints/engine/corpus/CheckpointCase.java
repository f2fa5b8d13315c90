package dev.flinksavepoints.engine.corpus;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Corpus cases that keep a retained checkpoint instead of taking a savepoint ({@code Spec.checkpoint()}).
 *
 * <p>Checkpointing is not periodic: once every record has been emitted, the runner triggers
 * {@code Spec.checkpoints} checkpoints one after the other through the job's MiniCluster (so their ids are
 * 1, 2, … in every run), then cancels the job; the checkpoint storage retains the last one on cancellation
 * ({@code RETAIN_ON_CANCELLATION}, one retained checkpoint). With incremental RocksDB checkpoints the
 * second one references the SST files the first one uploaded (nothing changed in between).
 *
 * <p>Where the checkpoint ends up:
 * <ul>
 *   <li>state inline (the default of checkpoint cases): the data-inline threshold is Flink's maximum (1 MB),
 *       so every handle is a byte-stream handle inside {@code _metadata}; {@code chk-N/_metadata} is copied
 *       to {@code <case>/savepoint/} like a savepoint and stays valid wherever the folder moves. The case
 *       fails if the checkpoint wrote any other file.</li>
 *   <li>state in files ({@code corpus --state-in-files}): threshold 0, and Flink writes the checkpoint
 *       straight into the case folder (no job-id subfolder): {@code <case>/chk-N/_metadata},
 *       {@code <case>/shared/}, {@code <case>/taskowned/}. Files in {@code chk-N/} are relative handles, but
 *       {@code shared/} (incremental SST files) and {@code taskowned/} files are named by absolute path, so the
 *       checkpoint is left where it was written. {@code --file-merging} adds checkpoint file merging (state
 *       handles become segments of merged files in {@code taskowned/} and {@code shared/}).</li>
 * </ul>
 */
final class CheckpointCase {
    private CheckpointCase() {}

    /** Flink's upper bound of execution.checkpointing.data-inline-threshold. */
    static final String INLINE_THRESHOLD = "1mb";

    /** Checkpoint storage of the case: the case folder itself (state in files) or the work folder. */
    static Path storage(Cases.Spec s, Path work, Path caseDir) {
        return s.stateInFiles ? caseDir : work.resolve("checkpoints");
    }

    /** Adds the checkpoint settings of a checkpoint case to the job's configuration. */
    static void configure(Configuration conf, Cases.Spec s, Path work, Path caseDir) throws IOException {
        Map<String, String> m = new HashMap<>();
        m.put("execution.checkpointing.dir", storage(s, work, caseDir).toUri().toString());
        m.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        m.put("execution.checkpointing.num-retained", "1");
        m.put("execution.checkpointing.incremental", Boolean.toString(s.incremental));
        if (s.fileMerging) m.put("execution.checkpointing.file-merging.enabled", "true");
        if (s.stateInFiles) {
            m.put("execution.checkpointing.create-subdir", "false");
            // a previous run's checkpoint in the case folder
            for (String d : new String[] {"savepoint", "shared", "taskowned"}) Corpus.deleteTree(caseDir.resolve(d));
            for (Path chk : checkpointDirs(caseDir)) Corpus.deleteTree(chk);
        } else {
            m.put("execution.checkpointing.data-inline-threshold", INLINE_THRESHOLD);
        }
        conf.addAll(Configuration.fromMap(m));
    }

    /**
     * Triggers {@code s.checkpoints} checkpoints in a row (every record has been emitted: their barriers
     * follow all of them) and returns the pointer of the last one.
     */
    static String trigger(JobClient client, Cases.Spec s, long deadline) throws Exception {
        MiniCluster cluster = miniCluster(client);
        String pointer = null;
        for (int i = 0; i < s.checkpoints; i++) {
            pointer = null;
            while (pointer == null) {
                try {
                    pointer = cluster.triggerCheckpoint(client.getJobID()).get(Corpus.TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    // e.g. "not all required tasks are currently running": retry until the deadline
                    if (System.currentTimeMillis() > deadline) throw e;
                    Thread.sleep(300);
                }
            }
        }
        return pointer;
    }

    /** The MiniCluster behind a local environment's job client (it has no public accessor). */
    private static MiniCluster miniCluster(JobClient client) throws Exception {
        try {
            Field f = client.getClass().getDeclaredField("miniCluster");
            f.setAccessible(true);
            return (MiniCluster) f.get(client);
        } catch (NoSuchFieldException | ClassCastException e) {
            throw new IllegalStateException("cannot trigger a checkpoint through " + client.getClass().getName(), e);
        }
    }

    /**
     * After the job was cancelled: checks that the last triggered checkpoint was retained, and for an
     * inline case copies its {@code _metadata} to {@code <case>/savepoint/}.
     */
    static void store(Cases.Spec s, String pointer, Path caseDir) throws IOException {
        Path chk = pointer.startsWith("file:") ? Paths.get(URI.create(pointer)) : Paths.get(pointer);
        if (!Files.isRegularFile(chk.resolve("_metadata"))) {
            throw new IllegalStateException("the checkpoint " + chk.getFileName() + " was not retained after cancelling the job");
        }
        // subsumed checkpoints Flink may still be deleting in the background: only the retained one stays
        for (Path other : checkpointDirs(chk.getParent())) if (!other.equals(chk)) Corpus.deleteQuietly(other);
        if (s.stateInFiles) return;
        // inline: the checkpoint must be _metadata alone, or the copy would point at files that are gone
        List<String> others = new ArrayList<>();
        try (Stream<Path> files = Files.walk(chk.getParent())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p) && !p.equals(chk.resolve("_metadata"))) others.add(chk.getParent().relativize(p).toString());
            }
        }
        if (!others.isEmpty()) {
            throw new IllegalStateException("state outside _metadata in an inline checkpoint case: " + String.join(", ", others));
        }
        Path dest = caseDir.resolve("savepoint");
        Corpus.deleteTree(dest);
        Files.createDirectories(dest);
        Files.copy(chk.resolve("_metadata"), dest.resolve("_metadata"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<Path> checkpointDirs(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("chk-")).forEach(out::add);
        }
        return out;
    }
}
