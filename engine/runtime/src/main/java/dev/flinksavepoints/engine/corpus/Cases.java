package dev.flinksavepoints.engine.corpus;

import dev.flinksavepoints.engine.Main;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The corpus cases: a job plus how it is run and saved. */
final class Cases {
    private Cases() {}

    static final class Spec {
        final String name;
        final String description;
        final String jobName;
        final Jobs.Job job;
        String backend = "hashmap";
        boolean nativeFormat;
        int parallelism = 1;
        int maxParallelism = 128;
        boolean stateInFiles;
        /** Inline at Flink's largest data-inline threshold (1 MB) instead of the default 20 KB. */
        boolean largeInline;
        boolean compression;
        List<String> stateKinds = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> uids = new ArrayList<>();
        List<String> varying = new ArrayList<>();
        /** A retained checkpoint instead of a savepoint (CheckpointCase): the last of {@code checkpoints} in a row. */
        boolean checkpoint;
        int checkpoints;
        boolean incremental;
        boolean fileMerging;

        Spec(String name, String jobName, Jobs.Job job, String description) {
            this.name = name;
            this.jobName = jobName;
            this.job = job;
            this.description = description;
        }

        Spec rocksdb() { backend = "rocksdb"; return this; }
        Spec nativeFormat() { nativeFormat = true; return this; }
        Spec p(int p) { parallelism = p; return this; }
        Spec maxP(int m) { maxParallelism = m; return this; }
        Spec files() { stateInFiles = true; return this; }
        Spec largeInline() { largeInline = true; return this; }
        Spec compressed() { compression = true; return this; }
        Spec kinds(String... k) { stateKinds.addAll(Arrays.asList(k)); return this; }
        Spec types(String... t) { types.addAll(Arrays.asList(t)); return this; }
        Spec uids(String... u) { uids.addAll(Arrays.asList(u)); return this; }
        Spec varying(String... v) { varying.addAll(Arrays.asList(v)); return this; }
        /** Checkpoints are in the backend's own (native) format. */
        Spec checkpoint(int n) { checkpoint = true; checkpoints = n; nativeFormat = true; return this; }
        Spec incremental() { incremental = true; return this; }
        Spec fileMerging() { fileMerging = true; return this; }

        String toJson() {
            StringBuilder b = new StringBuilder("{\n");
            b.append("  \"name\": ").append(Corpus.q(name)).append(",\n");
            b.append("  \"description\": ").append(Corpus.q(description)).append(",\n");
            b.append("  \"flinkVersion\": ").append(Corpus.q(Main.flinkVersion())).append(",\n");
            b.append("  \"job\": ").append(Corpus.q(jobName)).append(",\n");
            b.append("  \"backend\": ").append(Corpus.q(backend)).append(",\n");
            b.append("  \"format\": ").append(Corpus.q(nativeFormat ? "NATIVE" : "CANONICAL")).append(",\n");
            if (checkpoint) {
                b.append("  \"checkpoint\": true,\n");
                b.append("  \"checkpoints\": ").append(checkpoints).append(",\n");
                b.append("  \"incremental\": ").append(incremental).append(",\n");
                b.append("  \"fileMerging\": ").append(fileMerging).append(",\n");
            }
            b.append("  \"parallelism\": ").append(parallelism).append(",\n");
            b.append("  \"maxParallelism\": ").append(maxParallelism).append(",\n");
            b.append("  \"keyGroupPrefixBytes\": ").append(maxParallelism > 128 ? 2 : 1).append(",\n");
            b.append("  \"stateInFiles\": ").append(stateInFiles).append(",\n");
            b.append("  \"snapshotCompression\": ").append(compression).append(",\n");
            b.append("  \"stateKinds\": ").append(Corpus.arr(stateKinds)).append(",\n");
            b.append("  \"types\": ").append(Corpus.arr(types)).append(",\n");
            b.append("  \"uids\": ").append(Corpus.arr(uids)).append(",\n");
            b.append("  \"varying\": ").append(Corpus.arr(varying)).append("\n");
            return b.append("}\n").toString();
        }
    }

    static final String[] KEYED_KINDS = {"ValueState", "ListState", "MapState", "ReducingState",
        "AggregatingState", "event-time timers", "processing-time timers", "FLIP-27 source split state"};
    static final String[] KEYED_TYPES = {"String keys (empty, non-ASCII, outside the BMP, control characters)",
        "Long", "Integer", "String", "Tuple2<Long, Long> accumulator", "Double result"};
    static final String[] KEYED_UIDS = {"ids", "events", "timestamps", "keyed-state", "sink"};

    static final String[] TYPES_TYPES = {"Integer keys", "int", "long", "double (NaN, ±Infinity, -0.0, extremes)", "float",
        "boolean", "char", "byte[]", "enum", "String (empty, non-ASCII, outside the BMP, NUL)", "BigInteger", "BigDecimal",
        "POJO via type extraction (nested POJO, null fields, List and Map fields)",
        "POJO declared with Types.POJO (List and Map fields as LIST / MAP)", "Tuple2", "Tuple3 (with a null field)",
        "Row (named fields, row kinds, null field)", "List<String>", "Map<String, Long>", "Instant", "LocalDate", "LocalTime",
        "LocalDateTime", "Avro GenericRecord (GenericRecordAvroTypeInfo: enum, union, array, map, bytes, nested record)",
        "Kryo generic type (class without a no-arg constructor)"};
    static final String[] TYPES_UIDS = {"ids", "keys", "typed-state", "sink"};

    static final String[] WINDOW_KINDS = {"tumbling event-time windows: reduce (ReducingState), aggregate (AggregatingState), process (ListState)",
        "session windows: reduce, aggregate, process, merging-window-set", "window timers (event time)", "FLIP-27 source split state"};
    static final String[] WINDOW_UIDS = {"ids", "events", "timestamps", "tumbling-reduce", "tumbling-aggregate", "tumbling-process",
        "session-reduce", "session-aggregate", "session-process", "tumbling-reduce-sink", "tumbling-aggregate-sink",
        "tumbling-process-sink", "session-reduce-sink", "session-aggregate-sink", "session-process-sink"};

    static final String TTL_VARYING = "entry.value.$ttl of the ttl-* states (last-access timestamps are processing time)";

    static Map<String, Spec> all() {
        Map<String, Spec> m = new LinkedHashMap<>();
        add(m, new Spec("keyed-hashmap", "keyed", Jobs.KEYED,
                "All keyed state kinds and both timer kinds on the hashmap backend, state inline in _metadata")
                .kinds(KEYED_KINDS).types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("keyed-rocksdb", "keyed", Jobs.KEYED,
                "All keyed state kinds and both timer kinds on RocksDB (canonical), parallelism 3 over 128 key groups (uneven ranges), state in files")
                .rocksdb().p(3).files().kinds(KEYED_KINDS).kinds("MapState null user value (RocksDB only)")
                .types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("keyed-rocksdb-native", "keyed", Jobs.KEYED,
                "The keyed job as a NATIVE RocksDB savepoint, parallelism 2, state in files")
                .rocksdb().nativeFormat().p(2).files().kinds(KEYED_KINDS).kinds("MapState null user value (RocksDB only)")
                .types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("keyed-hashmap-native", "keyed", Jobs.KEYED,
                "The keyed job as a NATIVE savepoint of the hashmap backend (checkpoint-layout key-group handles), parallelism 2, inline")
                .nativeFormat().p(2).kinds(KEYED_KINDS).types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("keyed-compressed", "keyed", Jobs.KEYED,
                "The keyed job on the hashmap backend with snapshot compression (Snappy), parallelism 2, state in files")
                .compressed().p(2).files().kinds(KEYED_KINDS).types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("checkpoint-hashmap", "keyed", Jobs.KEYED,
                "A retained checkpoint (not a savepoint) of the keyed job on the hashmap backend: a full checkpoint "
                        + "(checkpoint key-group handles), parallelism 2, every handle inline in _metadata (1 MB inline threshold)")
                .checkpoint(1).p(2).kinds(KEYED_KINDS).types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("checkpoint-rocksdb-incremental", "keyed", Jobs.KEYED,
                "The second of two retained incremental RocksDB checkpoints of the keyed job (its shared SST files are the "
                        + "ones the first uploaded), parallelism 2, every handle inline in _metadata (1 MB inline threshold)")
                .rocksdb().checkpoint(2).incremental().p(2).kinds(KEYED_KINDS).kinds("MapState null user value (RocksDB only)")
                .types(KEYED_TYPES).uids(KEYED_UIDS));
        add(m, new Spec("types-hashmap", "types", Jobs.TYPES,
                "One ValueState per value type, max parallelism 32768 (two-byte key-group prefix), parallelism 2, hashmap, inline")
                .p(2).maxP(32768).kinds("ValueState").types(TYPES_TYPES).uids(TYPES_UIDS));
        add(m, new Spec("types-rocksdb", "types", Jobs.TYPES,
                "One ValueState per value type on RocksDB (canonical), max parallelism 32768, state in files")
                .rocksdb().maxP(32768).files().kinds("ValueState").types(TYPES_TYPES).uids(TYPES_UIDS));
        add(m, new Spec("keys-hashmap", "keys", Jobs.KEY_TYPES,
                "Tuple2, Tuple3, Long, Double and Boolean keys, parallelism 3 over 128 key groups, hashmap, state in files")
                .p(3).files()
                .kinds("ValueState", "MapState", "ListState", "ReducingState")
                .types("Tuple2<String, Integer> key", "Tuple3<Long, Boolean, String> key", "Long key", "Double key",
                        "Boolean key", "Map<Long, String>", "List<Double>", "Map<String, Long>")
                .uids("ids", "records", "tuple2-keyed", "tuple3-keyed", "long-keyed", "double-keyed", "boolean-keyed", "sink"));
        add(m, new Spec("ttl-hashmap", "ttl", Jobs.TTL,
                "ValueState, ListState and MapState with TTL next to a plain ValueState, hashmap, inline")
                .kinds("ValueState with TTL", "ListState with TTL", "MapState with TTL", "ValueState")
                .types("String keys", "Ttl<Long>", "Ttl<String>")
                .uids("ids", "events", "ttl-state", "sink").varying(TTL_VARYING));
        add(m, new Spec("ttl-rocksdb", "ttl", Jobs.TTL,
                "State with TTL on RocksDB (canonical), parallelism 2, state in files")
                .rocksdb().p(2).files()
                .kinds("ValueState with TTL", "ListState with TTL", "MapState with TTL", "ValueState")
                .types("String keys", "Ttl<Long>", "Ttl<String>")
                .uids("ids", "events", "ttl-state", "sink").varying(TTL_VARYING));
        add(m, new Spec("windows-hashmap", "windows", Jobs.WINDOWS,
                "Tumbling and session event-time windows with reduce, aggregate and process, parallelism 2, hashmap, inline")
                .p(2).kinds(WINDOW_KINDS).types("String keys", "TimeWindow namespace", "Tuple3<String, Long, Long>", "Tuple2<Long, Long> accumulator")
                .uids(WINDOW_UIDS));
        add(m, new Spec("windows-rocksdb", "windows", Jobs.WINDOWS,
                "The window job on RocksDB (canonical), parallelism 3 over 128 key groups, state in files")
                .rocksdb().p(3).files().kinds(WINDOW_KINDS)
                .types("String keys", "TimeWindow namespace", "Tuple3<String, Long, Long>", "Tuple2<Long, Long> accumulator")
                .uids(WINDOW_UIDS));
        add(m, new Spec("operator-state", "operator-state", Jobs.OPERATOR_STATE,
                "Operator ListState and UnionListState, two BroadcastStates, FLIP-27 split state of 3 source subtasks, keyed state beside broadcast, hashmap, inline")
                .p(3)
                .kinds("operator ListState", "operator UnionListState", "BroadcastState", "FLIP-27 source split state (3 subtasks)", "ValueState")
                .types("String", "Long", "Map<String, Integer> broadcast", "Map<String, POJO> broadcast", "byte[] (SourceReaderState)")
                .uids("ids", "buffering", "rules-ids", "rules", "broadcast-join", "sink"));
        add(m, new Spec("finished-source", "finished-source", Jobs.FINISHED_SOURCE,
                "A bounded NumberSequenceSource (and its chained map) that has finished before the savepoint, unioned with a live source into keyed state, hashmap, parallelism 2, inline")
                .p(2)
                .kinds("fully finished operators", "source coordinator state of a finished source", "FLIP-27 source split state", "ValueState")
                .types("Long keys", "Long")
                .uids("ids", "numbers", "numbers-done", "sum", "sink"));
        add(m, new Spec("filesink", "filesink", Jobs.FILE_SINK,
                "FileSink (row format, in-progress part files) writer and committer state, parallelism 2, hashmap, state in files")
                .p(2).files()
                .kinds("FileSink writer state (bucket states)", "FileSink committer state", "FLIP-27 source split state")
                .types("byte[]")
                .uids("ids", "lines", "file-sink")
                .varying("element.value of the file-sink writer and committer operators (absolute paths and random part-file UUIDs)"));
        add(m, new Spec("number-sequence", "number-sequence", Jobs.NUMBER_SEQUENCE,
                "A live NumberSequenceSource over 0..Long.MAX_VALUE (throttled by a chained map, so it never finishes) whose 2 readers hold their splits, keyed by parity into a ValueState, hashmap, parallelism 2, inline")
                .p(2)
                .kinds("FLIP-27 source split state (NumberSequenceSource splits)", "source coordinator state", "ValueState")
                .types("byte[] (SourceReaderState: NumberSequenceSplit)", "Long keys", "String")
                .uids("sequence", "throttle", "parity", "sink")
                .varying("element.value of the SourceReaderState of the sequence operator (each reader's position, and which subtask holds which split)"));
        add(m, new Spec("file-source", "file-source", FileSourceJob.JOB,
                "A continuously monitoring FileSource (flink-connector-files, TextLineInputFormat) over 4 text files of 10 lines, parallelism 2: "
                        + "each reader holds the file it has forwarded 4 lines of, the enumerator the 2 pending files and the 4 processed paths; "
                        + "a keyed count per line number, hashmap, inline")
                .p(2)
                .kinds("FLIP-27 source split state (FileSourceSplit with a reader position)",
                        "source coordinator state (FileSource enumerator: pending splits, processed paths)", "ValueState")
                .types("byte[] (SourceReaderState: FileSourceSplit)", "String keys", "Long")
                .uids("files", "pause", "line-counts", "sink")
                .varying("element.value of the SourceReaderState of the files operator (the input files' absolute paths in the temp work folder, and which subtask holds which file)",
                        "coordinatorBytes of the files operator (its enumerator checkpoint holds those absolute paths)"));
        add(m, new Spec("sql-groupby", "sql", SqlJobs.sql(true),
                "Table API / SQL on the DataStream environment (uids by table.exec.uid.generation=ALWAYS): a GROUP BY with "
                        + "COUNT, SUM, MIN and MAX over typed columns, and a ROW_NUMBER deduplication keeping the last row per key; "
                        + "RowData keys, accumulators and rows, parallelism 2, hashmap, inline")
                .p(2)
                .kinds("ValueState (GroupAggFunction accumulators)", "ValueState (deduplication: last row per key)", "FLIP-27 source split state")
                .types("RowData keys (INT, STRING with a NULL; strings up to 7 bytes inline, longer ones in the variable part)",
                        "RowData accumulators: BIGINT, DOUBLE, DECIMAL(10, 2) (compact), DECIMAL(38, 2) and DECIMAL(38, 14) (not compact), "
                                + "STRING (non-ASCII), TIMESTAMP(3), TIMESTAMP(9) (before 1970), TIMESTAMP_LTZ(3), DATE, TIME(0), BOOLEAN, "
                                + "TINYINT, SMALLINT, FLOAT, NULL",
                        "RowData rows (row kind +U): the same types, BYTES, a nested ROW (with a NULL), ARRAY and MAP (raw) and a null *PROCTIME* field")
                // the planner's uids common to both Flink lines (DataStreamToTable is "1_source" in 1.20, "1_external-datastream" in 2.x)
                .uids("ids", "2_calc", "4_group-aggregate", "5_constraint-validator", "5_external-datastream", "7_calc",
                        "9_deduplicate", "10_calc", "11_constraint-validator", "11_external-datastream",
                        "sql-groupby-sink", "sql-dedup-sink"));
        add(m, new Spec("sql-rocksdb", "sql", SqlJobs.sql(false),
                "The SQL job (GROUP BY and ROW_NUMBER deduplication) with the operator IDs Flink derives for SQL jobs by default, "
                        + "on RocksDB (canonical), parallelism 3 over 128 key groups, state in files")
                .rocksdb().p(3).files()
                .kinds("ValueState (GroupAggFunction accumulators)", "ValueState (deduplication: last row per key)", "FLIP-27 source split state")
                .types("RowData keys and values as in sql-groupby")
                .uids("ids", "sql-groupby-sink", "sql-dedup-sink"));
        add(m, new Spec("sql-distinct", "sql-distinct", SqlJobs.distinct(),
                "Table API / SQL on the DataStream environment (uids by table.exec.uid.generation=ALWAYS): a GROUP BY with "
                        + "COUNT(DISTINCT ...) over STRING, DECIMAL, TIMESTAMP and DATE columns; each distinct view is a keyed MapState "
                        + "(with a *_null_state ValueState beside it) whose user keys the table runtime's standalone data serializers "
                        + "write (inside an ExternalSerializer), parallelism 2, hashmap, inline (1 MB inline threshold: the "
                        + "ExternalSerializer snapshots hold Java-serialized DataTypes, some 40 KB of state meta data per subtask)")
                .p(2).largeInline()
                .kinds("MapState (GroupAggFunction distinct views)", "ValueState (GroupAggFunction accumulators; distinct views' null keys, empty)",
                        "FLIP-27 source split state")
                .types("RowData keys (INT)",
                        "MapState user keys (ExternalSerializer over an internal serializer): StringData (StringDataSerializer; "
                                + "up to 7 bytes and longer, non-ASCII), DecimalData (DecimalDataSerializer) DECIMAL(10, 2) (compact) and "
                                + "DECIMAL(38, 14) (not compact), TimestampData (TimestampDataSerializer) TIMESTAMP(3) (compact) and "
                                + "TIMESTAMP(9) (not compact, before 1970), DATE (IntSerializer)",
                        "MapState values: Long (ExternalSerializer over LongSerializer: the bitmask of the COUNT(DISTINCT)s sharing the view)",
                        "RowData accumulators: BIGINT counts and RAW placeholders of the distinct views")
                // the planner's uids common to both Flink lines (DataStreamToTable: "1_source" in 1.20, "1_external-datastream" in 2.x)
                .uids("ids", "2_calc", "4_group-aggregate", "5_constraint-validator", "5_external-datastream", "sql-distinct-sink"));
        LineCases.add(m); // cases of this build's Flink line only (src/flink<line>/java)
        return m;
    }

    private static void add(Map<String, Spec> m, Spec s) {
        m.put(s.name, s);
    }
}
