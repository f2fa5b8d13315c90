package dev.flinksavepoints.engine.compat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.OperatorState;

/** Flink 1.20: metadata has no operator uid or name; there is no TtlAwareSerializer. */
public final class DumpCompat {
    private DumpCompat() {}

    public static String operatorUid(OperatorState state) {
        return null;
    }

    public static String operatorName(OperatorState state) {
        return null;
    }

    public static TypeSerializer<?> unwrapTtlAware(TypeSerializer<?> s) {
        return s;
    }

    /** A heap keyed backend restored from {@code handles} (the hashmap backend's checkpoint layout). */
    public static org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<Object> heapBackend(
            TypeSerializer<Object> keySer, ClassLoader cl, int maxParallelism, org.apache.flink.runtime.state.KeyGroupRange range,
            java.util.Collection<org.apache.flink.runtime.state.KeyedStateHandle> handles, org.apache.flink.core.fs.CloseableRegistry registry)
            throws org.apache.flink.runtime.state.BackendBuildingException {
        return new org.apache.flink.runtime.state.heap.HeapKeyedStateBackendBuilder<>(
                null, keySer, cl, maxParallelism, range, new org.apache.flink.api.common.ExecutionConfig(),
                org.apache.flink.runtime.state.ttl.TtlTimeProvider.DEFAULT,
                org.apache.flink.runtime.state.metrics.LatencyTrackingStateConfig.disabled(), handles,
                org.apache.flink.runtime.state.UncompressedStreamCompressionDecorator.INSTANCE,
                org.apache.flink.runtime.state.LocalRecoveryConfig.BACKUP_AND_RECOVERY_DISABLED,
                new org.apache.flink.runtime.state.heap.HeapPriorityQueueSetFactory(range, maxParallelism, 128),
                true, registry).build();
    }
}
