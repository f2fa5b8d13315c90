package dev.flinksavepoints.engine.compat;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

import java.util.concurrent.CompletableFuture;

/** Flink 2.x side of the corpus shim. */
public final class CorpusCompat {
    private CorpusCompat() {}

    public static final int FLINK_LINE = 2;

    /** Triggers a savepoint of a running job through its (MiniCluster) client. */
    public static CompletableFuture<String> triggerSavepoint(JobClient client, String targetDirectory, boolean nativeFormat) {
        return client.triggerSavepoint(targetDirectory, nativeFormat ? SavepointFormatType.NATIVE : SavepointFormatType.CANONICAL);
    }
}
