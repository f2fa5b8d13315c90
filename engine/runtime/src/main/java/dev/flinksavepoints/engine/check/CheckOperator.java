package dev.flinksavepoints.engine.check;

import dev.flinksavepoints.engine.util.JsonText;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Declares the spec's states (same names, types and kinds), and right after the restore writes everything
 * it holds as canonical JSON lines to {@code <outDir>/<operator>-<subtask>.jsonl}. Keyed states are walked with
 * {@code applyToAllKeys}, which looks every key up again through its own key group, so an entry stored in
 * the wrong key group shows up as a wrong value.
 */
final class CheckOperator extends AbstractStreamOperator<String> implements OneInputStreamOperator<Object, String> {
    private static final long serialVersionUID = 1L;

    static final class StateDef implements Serializable {
        private static final long serialVersionUID = 1L;
        String name;
        String kind;
        TypeInformation<?> valueType;
        TypeInformation<?> userKeyType;
        TypeInformation<?> keyType;
    }

    static final class OpDef implements Serializable {
        private static final long serialVersionUID = 1L;
        String uid;
        String fileTag;
        TypeInformation<?> keyType;
        List<StateDef> states = new ArrayList<>();
    }

    private final OpDef def;
    private final String outDir;
    private transient List<String> lines;

    CheckOperator(OpDef def, String outDir) {
        this.def = def;
        this.outDir = outDir;
    }

    private static String line(String state, Integer subtask, Object key, boolean hasKey, Object userKey, boolean hasUserKey, Object value) {
        StringBuilder sb = new StringBuilder("{\"state\":");
        JsonText.string(sb, state);
        if (subtask != null) sb.append(",\"subtask\":").append(subtask);
        if (hasKey) { sb.append(",\"key\":"); Render.write(sb, key); }
        if (hasUserKey) { sb.append(",\"userKey\":"); Render.write(sb, userKey); }
        sb.append(",\"value\":");
        Render.write(sb, value);
        return sb.append('}').toString();
    }

    static String keyedLine(String state, Object key, Object value) { return line(state, null, key, true, null, false, value); }
    static String mapLine(String state, Object key, Object userKey, Object value) { return line(state, null, key, true, userKey, true, value); }
    static String listLine(String state, Object value) { return line(state, null, null, false, null, false, value); }
    static String unionLine(String state, int subtask, Object value) { return line(state, subtask, null, false, null, false, value); }
    static String broadcastLine(String state, int subtask, Object key, Object value) { return line(state, subtask, key, true, null, false, value); }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void initializeState(StateInitializationContext ctx) throws Exception {
        super.initializeState(ctx);
        lines = new ArrayList<>();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        for (StateDef s : def.states) {
            switch (s.kind) {
                case "operator-list": {
                    ListState<Object> st = ctx.getOperatorStateStore().getListState(new ListStateDescriptor(s.name, s.valueType));
                    for (Object o : st.get()) lines.add(listLine(s.name, o));
                    break;
                }
                case "operator-union": {
                    ListState<Object> st = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor(s.name, s.valueType));
                    for (Object o : st.get()) lines.add(unionLine(s.name, subtask, o));
                    break;
                }
                case "broadcast": {
                    BroadcastState<Object, Object> st = ctx.getOperatorStateStore().getBroadcastState(new MapStateDescriptor(s.name, s.keyType, s.valueType));
                    for (Map.Entry<Object, Object> e : st.entries()) lines.add(broadcastLine(s.name, subtask, e.getKey(), e.getValue()));
                    break;
                }
                default:
                    break;
            }
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open() throws Exception {
        super.open();
        for (StateDef s : def.states) {
            switch (s.kind) {
                case "value":
                    getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                            new ValueStateDescriptor(s.name, s.valueType),
                            (key, state) -> lines.add(keyedLine(s.name, key, ((ValueState<Object>) state).value())));
                    break;
                case "list":
                    getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                            new ListStateDescriptor(s.name, s.valueType),
                            (key, state) -> {
                                List<Object> l = new ArrayList<>();
                                Iterable<Object> it = ((ListState<Object>) state).get();
                                if (it != null) for (Object o : it) l.add(o);
                                lines.add(keyedLine(s.name, key, l));
                            });
                    break;
                case "map":
                    getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                            new MapStateDescriptor(s.name, s.userKeyType, s.valueType),
                            (key, state) -> {
                                for (Map.Entry<Object, Object> e : ((MapState<Object, Object>) state).entries()) {
                                    lines.add(mapLine(s.name, key, e.getKey(), e.getValue()));
                                }
                            });
                    break;
                default:
                    break;
            }
        }
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        Path target = Paths.get(outDir, def.fileTag + "-" + subtask + ".jsonl");
        Path tmp = Paths.get(outDir, "." + def.fileTag + "-" + subtask + ".tmp");
        Files.write(tmp, (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void processElement(StreamRecord<Object> element) {}
}
