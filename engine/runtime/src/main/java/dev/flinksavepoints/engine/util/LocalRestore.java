package dev.flinksavepoints.engine.util;

import dev.flinksavepoints.engine.UsageException;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.File;

/** Restoring a job from a savepoint on a local MiniCluster (the check and timers-check subcommands). */
public final class LocalRestore {
    private LocalRestore() {}

    /** Fails with a usage error when the savepoint does not exist or the backend is not hashmap or rocksdb. */
    public static void checkOptions(String savepoint, String backend) {
        if (!new File(savepoint).exists()) throw new UsageException("savepoint not found: " + savepoint);
        if (!backend.equals("hashmap") && !backend.equals("rocksdb")) throw new UsageException("--backend must be hashmap or rocksdb");
    }

    /**
     * A local environment whose job restores from {@code savepoint} (no allowNonRestoredState) with the
     * given state backend; the MiniCluster's REST endpoint binds a free port.
     */
    public static StreamExecutionEnvironment environment(String savepoint, String backend, int parallelism, int maxParallelism) {
        Configuration conf = new Configuration();
        SavepointRestoreSettings.toConfiguration(SavepointRestoreSettings.forPath(new File(savepoint).getAbsolutePath(), false), conf);
        conf.setString("state.backend.type", backend);
        conf.setString("rest.bind-port", "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(maxParallelism);
        return env;
    }

    /** Keys a stream by its records themselves (the restored jobs' sources emit keys). */
    public static final class Identity implements KeySelector<Object, Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public Object getKey(Object value) {
            return value;
        }
    }
}
