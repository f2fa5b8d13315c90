package dev.flinksavepoints.engine.bootstrap;

import dev.flinksavepoints.engine.UsageException;
import dev.flinksavepoints.engine.util.Args;
import dev.flinksavepoints.engine.util.Csv;
import dev.flinksavepoints.engine.util.JsonText;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code engine.jar bootstrap --spec <spec.json> --out <dir> [--parallelism N]}: writes a new savepoint with
 * Flink's State Processor API from JSON-lines or CSV data described by a bootstrap spec
 * (docs/bootstrap-spec.md). This is the reference that {@code fsp bootstrap} is measured and checked against.
 * Keyed value, list and map state of String, Long, Integer, Double and Boolean.
 * The savepoint is written to a temporary sibling folder and renamed into place when complete.
 */
public final class Bootstrap {
    private Bootstrap() {}

    public static int run(String[] args) throws Exception {
        String spec = null;
        String out = null;
        int parallelism = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--spec": spec = Args.value(args, ++i, "--spec"); break;
                case "--out": out = Args.value(args, ++i, "--out"); break;
                case "--parallelism": parallelism = Integer.parseInt(Args.value(args, ++i, "--parallelism")); break;
                default: throw new UsageException("unknown argument '" + args[i] + "' (usage: bootstrap --spec <spec.json> --out <dir> [--parallelism N])");
            }
        }
        if (spec == null || out == null) throw new UsageException("--spec and --out are required");
        File specFile = new File(spec).getAbsoluteFile();
        if (!specFile.isFile()) throw new UsageException("spec file not found: " + specFile);
        File target = new File(out).getAbsoluteFile();
        if (target.exists()) throw new UsageException("output folder already exists: " + target);
        JsonNode root = new ObjectMapper().readTree(specFile);
        int maxParallelism = root.path("maxParallelism").asInt(128);
        if (maxParallelism < 1 || maxParallelism > 32768) throw new UsageException("maxParallelism must be 1..32768, got " + maxParallelism);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(parallelism);
        SavepointWriter writer = SavepointWriter.newSavepoint(env, new HashMapStateBackend(), maxParallelism);

        JsonNode ops = root.path("operators");
        if (!ops.isArray() || ops.size() == 0) throw new UsageException("spec has no operators");
        for (JsonNode op : ops) {
            String uid = text(op, "uid");
            List<StateSpec> states = new ArrayList<>();
            DataStream<Row> records = null;
            String keyType = op.path("keyType").asText("");
            for (JsonNode st : op.path("states")) {
                StateSpec s = StateSpec.parse(st, states.size(), specFile.getParentFile());
                if (keyType.isEmpty()) keyType = s.keyType;
                if (!s.keyType.isEmpty() && !s.keyType.equals(keyType)) {
                    throw new UsageException("operator " + uid + ": all states must share one key type");
                }
                states.add(s);
                DataStream<Row> one = readRecords(env, s);
                records = records == null ? one : records.union(one);
            }
            if (records == null) throw new UsageException("operator " + uid + " has no states");
            @SuppressWarnings("unchecked")
            TypeInformation<Object> keyInfo = (TypeInformation<Object>) typeOf(keyType);
            StateBootstrapTransformation<Row> t = OperatorTransformation.bootstrapWith(records)
                    .keyBy(new KeyOf(keyType), keyInfo)
                    .transform(new Writer(states));
            writer = writer.withOperator(OperatorIdentifier.forUid(uid), t);
        }

        File tmp = new File(target.getParentFile(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try {
            writer.write(tmp.toURI().toString());
            env.execute("bootstrap " + target.getName());
            Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (tmp.exists()) deleteRecursively(tmp);
        }
        System.out.println("{\"event\":\"written\",\"path\":" + JsonText.quote(target.getPath()) + "}");
        return 0;
    }

    private static DataStream<Row> readRecords(StreamExecutionEnvironment env, StateSpec s) throws IOException {
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(s.data.toURI())).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "data " + s.data.getName())
                .map(new LineParser(s))
                .returns(Types.ROW(Types.INT, Types.STRING, Types.STRING, Types.STRING))
                .filter(r -> r.getField(0) != null);
    }

    static TypeInformation<?> typeOf(String t) {
        switch (t) {
            case "String": return Types.STRING;
            case "Long": return Types.LONG;
            case "Integer": return Types.INT;
            case "Double": return Types.DOUBLE;
            case "Boolean": return Types.BOOLEAN;
            default: throw new UsageException("unsupported type '" + t + "' (engine.jar bootstrap supports String, Long, Integer, Double, Boolean)");
        }
    }

    static Object parse(String t, String v) {
        if (v == null) return null;
        switch (t) {
            case "String": return v;
            case "Long": return Long.parseLong(v);
            case "Integer": return Integer.parseInt(v);
            case "Double": return Double.parseDouble(v);
            case "Boolean": return Boolean.parseBoolean(v);
            default: throw new IllegalArgumentException("unsupported type " + t);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw new UsageException("spec: missing \"" + field + "\"");
        return v.asText();
    }

    private static void deleteRecursively(File f) {
        File[] kids = f.listFiles();
        if (kids != null) for (File k : kids) deleteRecursively(k);
        f.delete();
    }

    /** One state of the spec. */
    static final class StateSpec implements Serializable {
        final int index;
        final String name;
        final String kind;
        final String keyType;
        final String userKeyType;
        final String valueType;
        final String keyField;
        final String userKeyField;
        final String valueField;
        final File data;

        private StateSpec(int index, JsonNode n, File base) {
            this.index = index;
            this.name = text(n, "name");
            this.kind = text(n, "kind").toUpperCase();
            this.keyType = n.path("keyType").asText("");
            this.userKeyType = n.path("userKeyType").asText("String");
            this.valueType = text(n, "valueType");
            this.keyField = text(n, "keyField");
            this.userKeyField = n.path("userKeyField").asText("");
            this.valueField = text(n, "valueField");
            File d = new File(text(n, "data"));
            this.data = d.isAbsolute() ? d : new File(base, d.getPath());
            if (!data.isFile()) throw new UsageException("state " + name + ": data file not found: " + data);
            if (!kind.equals("VALUE") && !kind.equals("LIST") && !kind.equals("MAP")) {
                throw new UsageException("state " + name + ": kind must be value, list or map (engine.jar bootstrap)");
            }
            if (kind.equals("MAP") && userKeyField.isEmpty()) throw new UsageException("state " + name + ": map state needs userKeyField");
            typeOf(valueType);
            typeOf(userKeyType);
        }

        static StateSpec parse(JsonNode n, int index, File base) {
            return new StateSpec(index, n, base);
        }

        boolean csv() {
            return data.getName().toLowerCase().endsWith(".csv");
        }
    }

    /** A data line (JSON object or CSV row) to Row(stateIndex, key, userKey, value) as text; header lines → null index. */
    static final class LineParser implements MapFunction<String, Row> {
        private final StateSpec s;
        private transient ObjectMapper mapper;
        private transient String[] header;

        LineParser(StateSpec s) {
            this.s = s;
        }

        @Override
        public Row map(String line) throws Exception {
            if (line.isBlank()) return Row.of(null, null, null, null);
            if (s.csv()) {
                if (header == null) header = csvHeader(s.data);
                List<String> cells = Csv.split(line);
                if (cells.equals(List.of(header))) return Row.of(null, null, null, null);
                return Row.of(s.index, cell(cells, s.keyField), s.userKeyField.isEmpty() ? null : cell(cells, s.userKeyField), cell(cells, s.valueField));
            }
            if (mapper == null) mapper = new ObjectMapper();
            JsonNode n = mapper.readTree(line);
            return Row.of(s.index, field(n, s.keyField), s.userKeyField.isEmpty() ? null : field(n, s.userKeyField), field(n, s.valueField));
        }

        private String cell(List<String> cells, String name) {
            for (int i = 0; i < header.length; i++) if (header[i].equals(name)) return i < cells.size() ? cells.get(i) : null;
            throw new IllegalArgumentException(s.data + ": no column " + name);
        }

        private static String field(JsonNode n, String name) {
            JsonNode v = n.get(name);
            return v == null || v.isNull() ? null : v.asText();
        }

        private static String[] csvHeader(File f) throws IOException {
            try (var r = Files.newBufferedReader(f.toPath())) {
                return Csv.split(r.readLine()).toArray(new String[0]);
            }
        }
    }

    static final class KeyOf implements KeySelector<Row, Object> {
        private final String type;

        KeyOf(String type) {
            this.type = type;
        }

        @Override
        public Object getKey(Row r) {
            return parse(type, (String) r.getField(1));
        }
    }

    /** Writes each record into its state; state handles are created on first use (works on 1.20 and 2.x). */
    static final class Writer extends KeyedStateBootstrapFunction<Object, Row> {
        private final List<StateSpec> states;
        private transient Object[] handles;

        Writer(List<StateSpec> states) {
            this.states = states;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object handle(int i) {
            if (handles == null) handles = new Object[states.size()];
            if (handles[i] == null) {
                StateSpec s = states.get(i);
                TypeInformation v = typeOf(s.valueType);
                switch (s.kind) {
                    case "VALUE": handles[i] = getRuntimeContext().getState(new ValueStateDescriptor(s.name, v)); break;
                    case "LIST": handles[i] = getRuntimeContext().getListState(new ListStateDescriptor(s.name, v)); break;
                    default: handles[i] = getRuntimeContext().getMapState(new MapStateDescriptor(s.name, typeOf(s.userKeyType), v));
                }
            }
            return handles[i];
        }

        @Override
        @SuppressWarnings("unchecked")
        public void processElement(Row r, Context ctx) throws Exception {
            int i = (Integer) r.getField(0);
            StateSpec s = states.get(i);
            Object value = parse(s.valueType, (String) r.getField(3));
            switch (s.kind) {
                case "VALUE": ((ValueState<Object>) handle(i)).update(value); break;
                case "LIST": ((ListState<Object>) handle(i)).add(value); break;
                default: ((MapState<Object, Object>) handle(i)).put(parse(s.userKeyType, (String) r.getField(2)), value);
            }
        }
    }
}
