package dev.flinksavepoints.engine.check;

import dev.flinksavepoints.engine.UsageException;
import dev.flinksavepoints.engine.util.Args;
import dev.flinksavepoints.engine.util.Csv;
import dev.flinksavepoints.engine.util.JsonText;
import dev.flinksavepoints.engine.util.LocalRestore;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.BufferedReader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code engine.jar check --savepoint <dir> --spec <spec.json> [--parallelism N] [--backend hashmap|rocksdb]
 * [--resave <dir>] [--print]}: builds a job that declares the spec's operators (same uids, state names,
 * types and max parallelism), restores it from the savepoint on a local MiniCluster (no
 * allowNonRestoredState), lets every operator write all the state it restored, and compares that with the
 * spec's data: missing and extra entries both fail. With {@code --resave <dir>} the restored job keeps
 * running and Flink takes a canonical savepoint of it into {@code <dir>} (stop-with-savepoint).
 * Prints one JSON line {"event":"check","ok":…}; exit 0 when the state matches, 1 when it does not.
 */
public final class Check {
    private Check() {}

    public static int run(String[] args) throws Exception {
        String savepoint = null;
        String spec = null;
        String backend = "hashmap";
        String resave = null;
        boolean print = false;
        int parallelism = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--savepoint": savepoint = Args.value(args, ++i, "--savepoint"); break;
                case "--spec": spec = Args.value(args, ++i, "--spec"); break;
                case "--backend": backend = Args.value(args, ++i, "--backend"); break;
                case "--parallelism": parallelism = Integer.parseInt(Args.value(args, ++i, "--parallelism")); break;
                case "--resave": resave = Args.value(args, ++i, "--resave"); break;
                case "--print": print = true; break;
                default: throw new UsageException("unknown argument '" + args[i] + "' (usage: check --savepoint <dir> --spec <spec.json> [--parallelism N] [--backend hashmap|rocksdb] [--resave <dir>] [--print])");
            }
        }
        if (savepoint == null || spec == null) throw new UsageException("--savepoint and --spec are required");
        File specFile = new File(spec).getAbsoluteFile();
        if (!specFile.isFile()) throw new UsageException("spec file not found: " + specFile);
        LocalRestore.checkOptions(savepoint, backend);
        JsonNode root = new ObjectMapper().readTree(specFile);
        int maxParallelism = root.path("maxParallelism").asInt(128);

        List<CheckOperator.OpDef> ops = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        int n = 0;
        for (JsonNode op : root.path("operators")) {
            CheckOperator.OpDef d = new CheckOperator.OpDef();
            d.uid = op.path("uid").asText("");
            if (d.uid.isEmpty()) throw new UsageException("check: every operator needs a uid");
            d.fileTag = "op" + (n++);
            if (op.has("keyType")) d.keyType = SpecTypes.parse(op.get("keyType"));
            for (JsonNode st : op.path("states")) {
                CheckOperator.StateDef s = new CheckOperator.StateDef();
                s.name = st.path("name").asText();
                s.kind = st.path("kind").asText();
                s.valueType = SpecTypes.parse(st.get("valueType"));
                if (s.kind.equals("map")) s.userKeyType = SpecTypes.parse(st.has("userKeyType") ? st.get("userKeyType") : new ObjectMapper().readTree("\"String\""));
                if (s.kind.equals("broadcast")) s.keyType = SpecTypes.parse(st.has("keyType") ? st.get("keyType") : new ObjectMapper().readTree("\"String\""));
                if (d.keyType == null && st.has("keyType") && !s.kind.equals("broadcast")) d.keyType = SpecTypes.parse(st.get("keyType"));
                d.states.add(s);
                expected.addAll(Expected.lines(d, s, st, specFile.getParentFile(), parallelism));
            }
            ops.add(d);
        }

        Path out = Files.createTempDirectory("fsp-check-");
        StreamExecutionEnvironment env = LocalRestore.environment(savepoint, backend, parallelism, maxParallelism);
        boolean bounded = resave == null;
        for (CheckOperator.OpDef d : ops) {
            CheckOperator op = new CheckOperator(d, out.toString());
            if (d.keyType != null) {
                @SuppressWarnings({"unchecked", "rawtypes"})
                DataStream<Object> src = env.fromSource(new IdleSource(bounded, d.keyType), WatermarkStrategy.noWatermarks(), "source " + d.uid).uid("fsp-check-source-" + d.uid);
                @SuppressWarnings({"unchecked", "rawtypes"})
                TypeInformation<Object> kt = (TypeInformation) d.keyType;
                src.keyBy(new LocalRestore.Identity(), kt).transform("check " + d.uid, Types.STRING, op).uid(d.uid).setMaxParallelism(maxParallelism);
            } else {
                @SuppressWarnings({"unchecked", "rawtypes"})
                DataStream<Object> src = env.fromSource(new IdleSource(bounded, Types.STRING), WatermarkStrategy.noWatermarks(), "source " + d.uid).uid("fsp-check-source-" + d.uid);
                src.transform("check " + d.uid, Types.STRING, op).uid(d.uid).setMaxParallelism(maxParallelism);
            }
        }

        String resavedPath = null;
        if (bounded) {
            env.execute("check " + new File(savepoint).getName());
        } else {
            JobClient client = env.executeAsync("check+resave " + new File(savepoint).getName());
            int want = ops.size() * parallelism;
            long deadline = System.currentTimeMillis() + 180_000;
            while (countOutputs(out) < want) {
                if (System.currentTimeMillis() > deadline) throw new IllegalStateException("the restored job did not report its state in time");
                if (client.getJobStatus().get().isGloballyTerminalState()) {
                    client.getJobExecutionResult().get();
                    throw new IllegalStateException("the restored job ended before reporting its state");
                }
                Thread.sleep(100);
            }
            resavedPath = client.stopWithSavepoint(false, new File(resave).getAbsolutePath(), SavepointFormatType.CANONICAL).get(180, TimeUnit.SECONDS);
            try {
                client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // stop-with-savepoint ends the job; its result is not needed
            }
        }

        List<String> actual = new ArrayList<>();
        File[] files = out.toFile().listFiles((dir, name) -> name.endsWith(".jsonl"));
        if (files != null) {
            for (File f : files) {
                for (String l : Files.readAllLines(f.toPath(), StandardCharsets.UTF_8)) if (!l.isEmpty()) actual.add(prefix(ops, f.getName()) + l);
            }
            for (File f : files) f.delete();
        }
        out.toFile().delete();
        Collections.sort(actual);
        Collections.sort(expected);
        List<String> missing = diff(expected, actual);
        List<String> extra = diff(actual, expected);
        if (print) for (String l : actual) System.out.println(l);
        StringBuilder sb = new StringBuilder("{\"event\":\"check\",\"ok\":").append(missing.isEmpty() && extra.isEmpty());
        sb.append(",\"operators\":").append(ops.size()).append(",\"entries\":").append(actual.size()).append(",\"expected\":").append(expected.size());
        sb.append(",\"missing\":").append(list(missing)).append(",\"extra\":").append(list(extra));
        if (resavedPath != null) {
            sb.append(",\"resaved\":");
            JsonText.string(sb, resavedPath.startsWith("file:") ? new File(java.net.URI.create(resavedPath)).getPath() : resavedPath);
        }
        System.out.println(sb.append('}'));
        return missing.isEmpty() && extra.isEmpty() ? 0 : 1;
    }

    private static int countOutputs(Path dir) {
        File[] f = dir.toFile().listFiles((d, name) -> name.endsWith(".jsonl"));
        return f == null ? 0 : f.length;
    }

    /** Lines are compared per operator: "<uid> " + line. */
    private static String prefix(List<CheckOperator.OpDef> ops, String file) {
        for (CheckOperator.OpDef d : ops) if (file.startsWith(d.fileTag + "-")) return d.uid + " ";
        return "? ";
    }

    /** Multiset difference a − b of two sorted lists. */
    private static List<String> diff(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>();
        int j = 0;
        for (String x : a) {
            while (j < b.size() && b.get(j).compareTo(x) < 0) j++;
            if (j < b.size() && b.get(j).equals(x)) j++;
            else out.add(x);
        }
        return out;
    }

    private static String list(List<String> l) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(l.size(), 20); i++) {
            if (i > 0) sb.append(',');
            JsonText.string(sb, l.get(i));
        }
        return sb.append(']').toString();
    }

    /** The lines the restored job must report, from the spec's data files. */
    static final class Expected {
        private Expected() {}

        static List<String> lines(CheckOperator.OpDef op, CheckOperator.StateDef s, JsonNode st, File base, int parallelism) throws Exception {
            File data = new File(st.path("data").asText());
            if (!data.isAbsolute()) data = new File(base, data.getPath());
            String keyField = st.path("keyField").asText("");
            String userKeyField = st.path("userKeyField").asText("");
            String valueField = st.path("valueField").asText("");
            List<String> out = new ArrayList<>();
            Map<String, String> values = new LinkedHashMap<>();
            Map<String, List<Object>> lists = new LinkedHashMap<>();
            Map<String, Object> keys = new LinkedHashMap<>();
            Map<String, Object[]> maps = new TreeMap<>();
            Map<String, Object[]> bcast = new TreeMap<>();
            for (Map<String, JsonNode> row : rows(data, op, s, keyField, userKeyField, valueField)) {
                Object value = SpecTypes.toJava(row.get(valueField), s.valueType);
                switch (s.kind) {
                    case "value": {
                        Object key = SpecTypes.toJava(row.get(keyField), op.keyType);
                        String k = Render.json(key);
                        if (value == null) values.remove(k);
                        else values.put(k, CheckOperator.keyedLine(s.name, key, value));
                        break;
                    }
                    case "list": {
                        Object key = SpecTypes.toJava(row.get(keyField), op.keyType);
                        String k = Render.json(key);
                        keys.put(k, key);
                        lists.computeIfAbsent(k, x -> new ArrayList<>()).add(value);
                        break;
                    }
                    case "map": {
                        Object key = SpecTypes.toJava(row.get(keyField), op.keyType);
                        Object uk = SpecTypes.toJava(row.get(userKeyField), s.userKeyType);
                        maps.put(Render.json(key) + "\u0000" + Render.json(uk), new Object[] {key, uk, value});
                        break;
                    }
                    case "operator-list":
                        out.add(CheckOperator.listLine(s.name, value));
                        break;
                    case "operator-union":
                        for (int i = 0; i < parallelism; i++) out.add(CheckOperator.unionLine(s.name, i, value));
                        break;
                    case "broadcast": {
                        Object key = SpecTypes.toJava(row.get(keyField), s.keyType);
                        bcast.put(Render.json(key), new Object[] {key, value});
                        break;
                    }
                    default:
                        throw new UsageException("check: unknown state kind " + s.kind);
                }
            }
            out.addAll(values.values());
            for (Map.Entry<String, List<Object>> e : lists.entrySet()) out.add(CheckOperator.keyedLine(s.name, keys.get(e.getKey()), e.getValue()));
            for (Object[] m : maps.values()) out.add(CheckOperator.mapLine(s.name, m[0], m[1], m[2]));
            for (Object[] b : bcast.values()) for (int i = 0; i < parallelism; i++) out.add(CheckOperator.broadcastLine(s.name, i, b[0], b[1]));
            List<String> prefixed = new ArrayList<>();
            for (String l : out) prefixed.add(op.uid + " " + l);
            return prefixed;
        }

        private static List<Map<String, JsonNode>> rows(File data, CheckOperator.OpDef op, CheckOperator.StateDef s, String keyField, String userKeyField, String valueField) throws Exception {
            List<Map<String, JsonNode>> out = new ArrayList<>();
            boolean csv = data.getName().toLowerCase().endsWith(".csv");
            ObjectMapper mapper = new ObjectMapper();
            try (BufferedReader r = Files.newBufferedReader(data.toPath(), StandardCharsets.UTF_8)) {
                List<String> header = null;
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.trim().isEmpty()) continue;
                    Map<String, JsonNode> row = new LinkedHashMap<>();
                    if (csv) {
                        List<String> cells = Csv.split(line);
                        if (header == null) { header = cells; continue; }
                        for (int i = 0; i < header.size(); i++) {
                            String name = header.get(i).trim();
                            String cell = i < cells.size() ? cells.get(i) : null;
                            TypeInformation<?> t = name.equals(keyField) ? (s.kind.equals("broadcast") ? s.keyType : op.keyType)
                                    : name.equals(userKeyField) ? s.userKeyType : name.equals(valueField) ? s.valueType : null;
                            if (t != null) row.put(name, SpecTypes.cell(cell, t));
                        }
                    } else {
                        JsonNode n = mapper.readTree(line);
                        for (String f : new String[] {keyField, userKeyField, valueField}) if (!f.isEmpty()) row.put(f, n.get(f));
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }
}
