package dev.flinksavepoints.legacy;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.time.Time;

import java.util.concurrent.CompletableFuture;

/** Flink 1.13 … 1.x: the APIs that differ from Flink 2.x. */
final class Compat {
    private Compat() {}

    static TumblingEventTimeWindows tumblingEventTime(long sizeMillis) {
        return TumblingEventTimeWindows.of(Time.milliseconds(sizeMillis));
    }

    /** A canonical savepoint (the only kind before 1.15, the default since). */
    static CompletableFuture<String> triggerSavepoint(JobClient client, String targetDirectory) {
        return client.triggerSavepoint(targetDirectory);
    }
}
