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
}
