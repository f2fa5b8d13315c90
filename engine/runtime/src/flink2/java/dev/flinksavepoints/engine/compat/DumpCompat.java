package dev.flinksavepoints.engine.compat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.state.ttl.TtlAwareSerializer;

/** Flink 2.x: V5+ metadata stores operator uid and name; TtlAwareSerializer wraps are unwrapped. */
public final class DumpCompat {
    private DumpCompat() {}

    public static String operatorUid(OperatorState state) {
        return state.getOperatorUid().orElse(null);
    }

    public static String operatorName(OperatorState state) {
        return state.getOperatorName().orElse(null);
    }

    public static TypeSerializer<?> unwrapTtlAware(TypeSerializer<?> s) {
        if (s instanceof TtlAwareSerializer) {
            return ((TtlAwareSerializer<?, ?>) s).getOriginalTypeSerializer();
        }
        return s;
    }
}
