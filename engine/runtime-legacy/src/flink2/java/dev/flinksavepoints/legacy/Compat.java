package dev.flinksavepoints.legacy;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Flink 2.x: the APIs that differ from Flink 1.x. */
final class Compat {
    private Compat() {}

    static TumblingEventTimeWindows tumblingEventTime(long sizeMillis) {
        return TumblingEventTimeWindows.of(Duration.ofMillis(sizeMillis));
    }

    static CompletableFuture<String> triggerSavepoint(JobClient client, String targetDirectory) {
        return client.triggerSavepoint(targetDirectory, SavepointFormatType.CANONICAL);
    }
}
