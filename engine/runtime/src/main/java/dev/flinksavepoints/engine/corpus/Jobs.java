package dev.flinksavepoints.engine.corpus;

import dev.flinksavepoints.engine.corpus.CorpusTypes.Address;
import dev.flinksavepoints.engine.corpus.CorpusTypes.Color;
import dev.flinksavepoints.engine.corpus.CorpusTypes.Customer;
import dev.flinksavepoints.engine.corpus.CorpusTypes.Money;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sample jobs. Every record is derived from an id of {@link CorpusSource}; every operator has a uid.
 * Nothing fires: there are no watermarks (event-time timers and windows stay registered) and
 * processing-time timers are set to fixed instants in the year 2100.
 */
final class Jobs {
    private Jobs() {}

    /** What a job needs from the runner, and what it reports back. */
    static final class Ctx {
        final StreamExecutionEnvironment env;
        final java.nio.file.Path work;
        final int parallelism;
        final String backend;
        long expected;
        /** Operators whose close() must have run (bounded inputs that finish) before the savepoint. */
        long expectedClosed;
        /** Subtasks of {@link ThrottleMap} that must have passed two records (a live split) before the savepoint. */
        long expectedStarted;

        Ctx(StreamExecutionEnvironment env, java.nio.file.Path work, int parallelism, String backend) {
            this.env = env;
            this.work = work;
            this.parallelism = parallelism;
            this.backend = backend;
        }

        DataStream<Long> ids(String uid, long count, int parallelism) {
            expected += count;
            return env.fromSource(new CorpusSource(count, parallelism), WatermarkStrategy.noWatermarks(), uid)
                    .uid(uid)
                    .setParallelism(parallelism);
        }
    }

    /** close() calls of {@link ClosingMap}: a bounded input has finished. */
    static final java.util.concurrent.atomic.AtomicLong CLOSED = new java.util.concurrent.atomic.AtomicLong();

    /** Identity map that counts its close(), i.e. the end of its (bounded) input. */
    static final class ClosingMap extends RichMapFunction<Long, Long> {
        @Override
        public Long map(Long v) {
            return v;
        }

        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }

    /** Subtasks of {@link ThrottleMap} that have passed their second record. */
    static final java.util.concurrent.atomic.AtomicLong STARTED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Identity map that sleeps a little per record: chained to a source, it holds the source back so a
     * long sequence stays unfinished (and its split live) when the savepoint is taken. Counts, once per
     * subtask, that two records have passed (the subtask's reader holds a split, and both parities of
     * its sequence are downstream).
     */
    static final class ThrottleMap extends RichMapFunction<Long, Long> {
        private transient int seen;

        @Override
        public Long map(Long v) throws InterruptedException {
            if (++seen == 2) STARTED.incrementAndGet();
            Thread.sleep(2);
            return v;
        }
    }

    interface Job {
        void build(Ctx ctx) throws Exception;
    }

    /** Fixed instant in 2100 for processing-time timers. */
    static final long FAR_PROCESSING_TIME = 4_102_444_800_000L;
    /** Offset for event-time timers (never reached: there are no watermarks). */
    static final long FAR_EVENT_OFFSET = 1_000_000_000L;

    static final String[] KEYS = {
        "", "a", "Z", "héllo", "naïve café", "日本語", "Ω≈ç√", "😀", "𝄞 clef", "tab\tand \"quote\"",
        "line\nbreak", "back\\slash", "key-12", "key-13", "key-14", "key-15", "key-16", "key-17", "key-18", "key-19"
    };

    static <T> DataStream<T> withTimestamps(DataStream<T> in, String uid, TimestampOf<T> ts) {
        return in.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<T>noWatermarks().withTimestampAssigner((e, prev) -> ts.of(e)))
                .uid(uid);
    }

    interface TimestampOf<T> extends java.io.Serializable {
        long of(T e);
    }

    static <T> void discard(DataStream<T> in, String uid) {
        in.sinkTo(new DiscardingSink<>()).uid(uid).name(uid);
    }

    // ------------------------------------------------------------------------------------------
    // keyed: every keyed state kind, both timer kinds, String keys incl. empty / non-ASCII / non-BMP
    // ------------------------------------------------------------------------------------------

    static final Job KEYED = ctx -> {
        DataStream<Tuple3<String, Long, Long>> events = ctx.ids("ids", 60, 1)
                .map(id -> Tuple3.of(KEYS[(int) (id % KEYS.length)], (id * 7) % 100, 1_000L * id))
                .returns(Types.TUPLE(Types.STRING, Types.LONG, Types.LONG))
                .uid("events").name("events").setParallelism(1);
        events = withTimestamps(events, "timestamps", e -> e.f2);
        DataStream<String> out = events.keyBy(e -> e.f0, Types.STRING)
                .process(new KeyedStateFn("rocksdb".equals(ctx.backend))).uid("keyed-state").name("keyed-state");
        discard(out, "sink");
    };

    static final class KeyedStateFn extends KeyedProcessFunction<String, Tuple3<String, Long, Long>, String> {
        private transient ValueState<Long> count;
        private transient ListState<String> history;
        private transient MapState<String, Integer> byTag;
        private transient ReducingState<Long> sum;
        private transient AggregatingState<Long, Double> avg;
        /**
         * Puts a null user value into the MapState of the empty key. Only RocksDB can snapshot that: the
         * heap backend's savepoint writer fails on null map values of a non-null-capable serializer.
         */
        private final boolean nullMapValue;

        KeyedStateFn(boolean nullMapValue) {
            this.nullMapValue = nullMapValue;
        }

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            history = getRuntimeContext().getListState(new ListStateDescriptor<>("history", Types.STRING));
            byTag = getRuntimeContext().getMapState(new MapStateDescriptor<>("byTag", Types.STRING, Types.INT));
            sum = getRuntimeContext().getReducingState(new ReducingStateDescriptor<>("sum", Long::sum, Types.LONG));
            avg = getRuntimeContext().getAggregatingState(
                    new AggregatingStateDescriptor<>("avg", new AvgAgg(), Types.TUPLE(Types.LONG, Types.LONG)));
        }

        @Override
        public void processElement(Tuple3<String, Long, Long> e, Context ctx, Collector<String> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1L : c + 1);
            String tag = "t" + (e.f1 % 3);
            history.add(tag + ":" + e.f1);
            Integer n = byTag.get(tag);
            byTag.put(tag, n == null ? 1 : n + 1);
            if (nullMapValue && e.f0.isEmpty()) byTag.put("null-value", null);
            sum.add(e.f1);
            avg.add(e.f1);
            ctx.timerService().registerEventTimeTimer(e.f2 + FAR_EVENT_OFFSET);
            ctx.timerService().registerProcessingTimeTimer(FAR_PROCESSING_TIME + e.f1);
            out.collect(e.f0);
        }
    }

    /** Average of longs; accumulator (sum, count). */
    public static final class AvgAgg implements AggregateFunction<Long, Tuple2<Long, Long>, Double> {
        @Override
        public Tuple2<Long, Long> createAccumulator() {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(Long v, Tuple2<Long, Long> acc) {
            return Tuple2.of(acc.f0 + v, acc.f1 + 1);
        }

        @Override
        public Double getResult(Tuple2<Long, Long> acc) {
            return acc.f1 == 0 ? 0.0 : (double) acc.f0 / acc.f1;
        }

        @Override
        public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    // ------------------------------------------------------------------------------------------
    // types: one ValueState per value type, Integer keys
    // ------------------------------------------------------------------------------------------

    static final Job TYPES = ctx -> {
        DataStream<Integer> keys = ctx.ids("ids", 24, 1)
                .map(id -> (int) (id % 12)).returns(Types.INT)
                .uid("keys").name("keys").setParallelism(1);
        DataStream<Integer> out = keys.keyBy(k -> k, Types.INT)
                .process(new TypesFn()).uid("typed-state").name("typed-state");
        discard(out, "sink");
    };

    static Schema orderSchema() {
        try (InputStream in = Jobs.class.getResourceAsStream("/corpus/order.avsc")) {
            if (in == null) throw new IllegalStateException("corpus/order.avsc is missing from engine.jar");
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static TypeInformation<Customer> customerTypeExplicit() {
        Map<String, TypeInformation<?>> address = new LinkedHashMap<>();
        address.put("street", Types.STRING);
        address.put("city", Types.STRING);
        address.put("zip", Types.INT);
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        fields.put("id", Types.LONG);
        fields.put("name", Types.STRING);
        fields.put("address", Types.POJO(Address.class, address));
        fields.put("favorite", Types.ENUM(Color.class));
        fields.put("tags", Types.LIST(Types.STRING));
        fields.put("scores", Types.MAP(Types.STRING, Types.INT));
        fields.put("balance", Types.DOUBLE);
        return Types.POJO(Customer.class, fields);
    }

    static Customer customer(int k) {
        Customer c = new Customer();
        c.id = 1000L + k;
        c.name = k % 5 == 4 ? null : "customer-" + KEYS[k];
        c.address = k % 2 == 1 ? null : new Address(k % 4 == 0 ? "Main St " + k : null, "Zürich", 8000 + k);
        c.favorite = k % 3 == 2 ? null : Color.values()[k % 3];
        c.tags = k % 4 == 3 ? null : new ArrayList<>(Arrays.asList("t" + k, "common", "ünï"));
        if (k % 3 != 1) {
            c.scores = new HashMap<>();
            c.scores.put("a", k);
            c.scores.put("b", -k);
        }
        c.balance = k % 2 == 0 ? null : k * 10.25;
        return c;
    }

    static final double[] DOUBLES = {
        0.1, -0.0, 1e21, 1.5e-7, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Math.PI,
        123456789.125, Double.MIN_VALUE, Double.MAX_VALUE, -2.0
    };

    static final String[] STRINGS = {
        "", "plain", "héllo wörld", "日本語テキスト", "😀😃", "𝄞 music", "mixed 🎉 text ü", "\u0000nul", "\u001fctl",
        "quote \" backslash \\", "line\nbreak\ttab", "key-11"
    };

    static final class TypesFn extends KeyedProcessFunction<Integer, Integer, Integer> {
        private transient Map<String, ValueState<Object>> states;
        private transient Schema schema;

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void add(String name, TypeInformation<?> type) {
            states.put(name, getRuntimeContext().getState(new ValueStateDescriptor(name, type)));
        }

        @Override
        public void open(OpenContext openContext) {
            states = new LinkedHashMap<>();
            schema = orderSchema();
            add("int", Types.INT);
            add("long", Types.LONG);
            add("double", Types.DOUBLE);
            add("float", Types.FLOAT);
            add("boolean", Types.BOOLEAN);
            add("char", Types.CHAR);
            add("bytes", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
            add("enum", Types.ENUM(Color.class));
            add("string", Types.STRING);
            add("bigInteger", Types.BIG_INT);
            add("bigDecimal", Types.BIG_DEC);
            add("pojo", TypeInformation.of(Customer.class));
            add("pojoTyped", customerTypeExplicit());
            add("tuple2", Types.TUPLE(Types.STRING, Types.INT));
            add("tuple3", Types.TUPLE(Types.LONG, Types.BOOLEAN, Types.STRING));
            add("row", Types.ROW_NAMED(new String[] {"id", "label", "score"}, Types.INT, Types.STRING, Types.DOUBLE));
            add("list", Types.LIST(Types.STRING));
            add("map", Types.MAP(Types.STRING, Types.LONG));
            add("instant", Types.INSTANT);
            add("localDate", Types.LOCAL_DATE);
            add("localTime", Types.LOCAL_TIME);
            add("localDateTime", Types.LOCAL_DATE_TIME);
            add("avro", new GenericRecordAvroTypeInfo(schema));
            add("kryo", TypeInformation.of(Money.class));
        }

        private void set(String name, Object v) throws IOException {
            states.get(name).update(v);
        }

        @Override
        public void processElement(Integer k, Context ctx, Collector<Integer> out) throws Exception {
            set("int", k % 2 == 0 ? k * -1_000_003 : Integer.MAX_VALUE - k);
            set("long", k == 0 ? Long.MIN_VALUE : k == 1 ? Long.MAX_VALUE : k * 1_000_000_000_007L);
            set("double", DOUBLES[k]);
            set("float", k == 3 ? Float.NaN : k * 0.3f);
            set("boolean", k % 2 == 0);
            set("char", STRINGS[6].charAt(k % STRINGS[6].length()));
            byte[] bytes = new byte[k];
            for (int i = 0; i < k; i++) bytes[i] = (byte) (k * 37 + i * 101);
            set("bytes", bytes);
            set("enum", Color.values()[k % 3]);
            set("string", STRINGS[k]);
            set("bigInteger", BigInteger.valueOf(k).pow(30).negate());
            set("bigDecimal", new BigDecimal("1.50").movePointLeft(k));
            set("pojo", customer(k));
            set("pojoTyped", customer(k));
            set("tuple2", Tuple2.of(KEYS[k], k));
            set("tuple3", Tuple3.of(-1L * k, k % 3 == 0, k % 4 == 0 ? null : STRINGS[k]));
            Row row = Row.ofKind(k % 3 == 0 ? RowKind.INSERT : k % 3 == 1 ? RowKind.UPDATE_AFTER : RowKind.DELETE,
                    k, k % 2 == 0 ? null : "label-" + k, k / 4.0);
            set("row", row);
            set("list", k % 5 == 0 ? new ArrayList<>() : new ArrayList<>(Arrays.asList("x" + k, STRINGS[k], "z")));
            Map<String, Long> map = new HashMap<>();
            for (int i = 0; i < k % 4; i++) map.put("m" + i, (long) i * k);
            set("map", map);
            set("instant", Instant.ofEpochSecond(1_700_000_000L + k * 86_400L, k * 1_000_001L));
            set("localDate", LocalDate.of(2024, 2, 29).plusDays(k * 40L));
            set("localTime", LocalTime.of(k, k * 4, 7, k * 1000));
            set("localDateTime", LocalDateTime.of(2024, 2, 29, 23, 59, 7).plusHours(k * 5L));
            set("avro", order(k));
            set("kryo", new Money(k % 2 == 0 ? "EUR" : "CHF", 1999L * k));
            out.collect(k);
        }

        private GenericRecord order(int k) {
            GenericRecord r = new GenericData.Record(schema);
            r.put("id", 5000L + k);
            r.put("customer", KEYS[k]);
            r.put("amount", k * 2.5);
            r.put("paid", k % 2 == 0);
            r.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(), k % 3 == 0 ? "NEW" : "PAID"));
            r.put("note", k % 2 == 0 ? null : "note " + STRINGS[k]);
            r.put("tags", Arrays.asList("a" + k, "b"));
            Map<String, Long> attrs = new HashMap<>();
            attrs.put("z", (long) k);
            attrs.put("a", -1L);
            r.put("attrs", attrs);
            r.put("payload", ByteBuffer.wrap(new byte[] {(byte) k, (byte) 0xff, 0}));
            GenericRecord item = new GenericData.Record(schema.getField("item").schema());
            item.put("sku", "sku-" + k);
            item.put("qty", k * 3);
            r.put("item", item);
            return r;
        }
    }

    // ------------------------------------------------------------------------------------------
    // keys: Tuple2, Tuple3, Long, Double and Boolean keys
    // ------------------------------------------------------------------------------------------

    static final Job KEY_TYPES = ctx -> {
        DataStream<Tuple3<String, Integer, Long>> recs = ctx.ids("ids", 40, 1)
                .map(id -> Tuple3.of(KEYS[(int) (id % 7)], (int) (id % 5), id))
                .returns(Types.TUPLE(Types.STRING, Types.INT, Types.LONG))
                .uid("records").name("records").setParallelism(1);
        TypeInformation<Tuple3<String, Integer, Long>> recType = recs.getType();

        KeyedStream<Tuple3<String, Integer, Long>, Tuple2<String, Integer>> byT2 =
                recs.keyBy(r -> Tuple2.of(r.f0, r.f1), Types.TUPLE(Types.STRING, Types.INT));
        DataStream<Tuple3<String, Integer, Long>> s1 = byT2.process(new Tuple2KeyFn()).returns(recType)
                .uid("tuple2-keyed").name("tuple2-keyed");

        KeyedStream<Tuple3<String, Integer, Long>, Tuple3<Long, Boolean, String>> byT3 =
                s1.keyBy(r -> Tuple3.of(r.f2 % 7, r.f1 % 2 == 0, r.f0), Types.TUPLE(Types.LONG, Types.BOOLEAN, Types.STRING));
        DataStream<Tuple3<String, Integer, Long>> s2 = byT3.process(new Tuple3KeyFn()).returns(recType)
                .uid("tuple3-keyed").name("tuple3-keyed");

        DataStream<Tuple3<String, Integer, Long>> s3 = s2.keyBy(r -> r.f2 % 13, Types.LONG)
                .process(new LongKeyFn()).returns(recType).uid("long-keyed").name("long-keyed");
        DataStream<Tuple3<String, Integer, Long>> s4 = s3.keyBy(r -> r.f2 * 0.5, Types.DOUBLE)
                .process(new DoubleKeyFn()).returns(recType).uid("double-keyed").name("double-keyed");
        DataStream<Tuple3<String, Integer, Long>> s5 = s4.keyBy(r -> r.f2 % 3 == 0, Types.BOOLEAN)
                .process(new BooleanKeyFn()).returns(recType).uid("boolean-keyed").name("boolean-keyed");
        discard(s5, "sink");
    };

    static final class Tuple2KeyFn extends KeyedProcessFunction<Tuple2<String, Integer>, Tuple3<String, Integer, Long>, Tuple3<String, Integer, Long>> {
        private transient ValueState<Long> count;
        private transient MapState<Long, String> ids;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            ids = getRuntimeContext().getMapState(new MapStateDescriptor<>("ids", Types.LONG, Types.STRING));
        }

        @Override
        public void processElement(Tuple3<String, Integer, Long> r, Context ctx, Collector<Tuple3<String, Integer, Long>> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            ids.put(r.f2, "id-" + r.f2);
            out.collect(r);
        }
    }

    static final class Tuple3KeyFn extends KeyedProcessFunction<Tuple3<Long, Boolean, String>, Tuple3<String, Integer, Long>, Tuple3<String, Integer, Long>> {
        private transient ListState<Double> values;

        @Override
        public void open(OpenContext openContext) {
            values = getRuntimeContext().getListState(new ListStateDescriptor<>("values", Types.DOUBLE));
        }

        @Override
        public void processElement(Tuple3<String, Integer, Long> r, Context ctx, Collector<Tuple3<String, Integer, Long>> out) throws Exception {
            // several upstream subtasks feed this operator: keep the list sorted so arrival order does not matter
            List<Double> all = new ArrayList<>();
            for (Double d : values.get()) all.add(d);
            all.add(r.f2 / 4.0);
            all.sort(null);
            values.update(all);
            out.collect(r);
        }
    }

    static final class LongKeyFn extends KeyedProcessFunction<Long, Tuple3<String, Integer, Long>, Tuple3<String, Integer, Long>> {
        private transient ValueState<Boolean> flag;
        private transient ListState<Long> seen;

        @Override
        public void open(OpenContext openContext) {
            flag = getRuntimeContext().getState(new ValueStateDescriptor<>("flag", Types.BOOLEAN));
            seen = getRuntimeContext().getListState(new ListStateDescriptor<>("seen", Types.LONG));
        }

        @Override
        public void processElement(Tuple3<String, Integer, Long> r, Context ctx, Collector<Tuple3<String, Integer, Long>> out) throws Exception {
            Boolean f = flag.value();
            flag.update(f == null || !f);
            List<Long> all = new ArrayList<>();
            for (Long l : seen.get()) all.add(l);
            all.add(r.f2);
            all.sort(null);
            seen.update(all);
            out.collect(r);
        }
    }

    static final class DoubleKeyFn extends KeyedProcessFunction<Double, Tuple3<String, Integer, Long>, Tuple3<String, Integer, Long>> {
        private transient ReducingState<Integer> sum;

        @Override
        public void open(OpenContext openContext) {
            sum = getRuntimeContext().getReducingState(new ReducingStateDescriptor<>("sum", Integer::sum, Types.INT));
        }

        @Override
        public void processElement(Tuple3<String, Integer, Long> r, Context ctx, Collector<Tuple3<String, Integer, Long>> out) throws Exception {
            sum.add(r.f1);
            out.collect(r);
        }
    }

    static final class BooleanKeyFn extends KeyedProcessFunction<Boolean, Tuple3<String, Integer, Long>, Tuple3<String, Integer, Long>> {
        private transient MapState<String, Long> last;

        @Override
        public void open(OpenContext openContext) {
            last = getRuntimeContext().getMapState(new MapStateDescriptor<>("lastByName", Types.STRING, Types.LONG));
        }

        @Override
        public void processElement(Tuple3<String, Integer, Long> r, Context ctx, Collector<Tuple3<String, Integer, Long>> out) throws Exception {
            Long prev = last.get(r.f0);
            last.put(r.f0, prev == null ? r.f2 : Math.max(prev, r.f2));
            out.collect(r);
        }
    }

    // ------------------------------------------------------------------------------------------
    // ttl
    // ------------------------------------------------------------------------------------------

    static final Job TTL = ctx -> {
        DataStream<Tuple3<String, Long, Long>> events = ctx.ids("ids", 30, 1)
                .map(id -> Tuple3.of(KEYS[(int) (id % 10)], id, 1_000L * id))
                .returns(Types.TUPLE(Types.STRING, Types.LONG, Types.LONG))
                .uid("events").name("events").setParallelism(1);
        DataStream<String> out = events.keyBy(e -> e.f0, Types.STRING)
                .process(new TtlFn()).uid("ttl-state").name("ttl-state");
        discard(out, "sink");
    };

    static final class TtlFn extends KeyedProcessFunction<String, Tuple3<String, Long, Long>, String> {
        private transient ValueState<Long> ttlValue;
        private transient ListState<String> ttlList;
        private transient MapState<String, Long> ttlMap;
        private transient ValueState<Long> plain;

        @Override
        public void open(OpenContext openContext) {
            StateTtlConfig ttl = StateTtlConfig.newBuilder(Duration.ofDays(36_500))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build();
            ValueStateDescriptor<Long> v = new ValueStateDescriptor<>("ttl-value", Types.LONG);
            v.enableTimeToLive(ttl);
            ListStateDescriptor<String> l = new ListStateDescriptor<>("ttl-list", Types.STRING);
            l.enableTimeToLive(ttl);
            MapStateDescriptor<String, Long> m = new MapStateDescriptor<>("ttl-map", Types.STRING, Types.LONG);
            m.enableTimeToLive(ttl);
            ttlValue = getRuntimeContext().getState(v);
            ttlList = getRuntimeContext().getListState(l);
            ttlMap = getRuntimeContext().getMapState(m);
            plain = getRuntimeContext().getState(new ValueStateDescriptor<>("plain", Types.LONG));
        }

        @Override
        public void processElement(Tuple3<String, Long, Long> e, Context ctx, Collector<String> out) throws Exception {
            ttlValue.update(e.f1);
            ttlList.add("v" + e.f1);
            ttlMap.put("m" + (e.f1 % 2), e.f1);
            plain.update(e.f1 * 2);
            out.collect(e.f0);
        }
    }

    // ------------------------------------------------------------------------------------------
    // windows: tumbling and session windows with reduce, aggregate and process
    // ------------------------------------------------------------------------------------------

    static final Job WINDOWS = ctx -> {
        DataStream<Tuple3<String, Long, Long>> events = ctx.ids("ids", 80, 1)
                .map(id -> {
                    long j = id / 4; // per-key sequence number
                    return Tuple3.of("w" + (id % 4), id, j * 200 + (j / 5) * 1000 + (id % 4) * 7);
                })
                .returns(Types.TUPLE(Types.STRING, Types.LONG, Types.LONG))
                .uid("events").name("events").setParallelism(1);
        events = withTimestamps(events, "timestamps", e -> e.f2);
        KeyedStream<Tuple3<String, Long, Long>, String> keyed = events.keyBy(e -> e.f0, Types.STRING);

        discard(keyed.window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                .reduce(Jobs::sumEvents).uid("tumbling-reduce").name("tumbling-reduce"), "tumbling-reduce-sink");
        discard(keyed.window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                .aggregate(new EventAvg()).uid("tumbling-aggregate").name("tumbling-aggregate"), "tumbling-aggregate-sink");
        discard(keyed.window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                .process(new CountWindow()).uid("tumbling-process").name("tumbling-process"), "tumbling-process-sink");
        discard(keyed.window(EventTimeSessionWindows.withGap(Duration.ofMillis(500)))
                .reduce(Jobs::sumEvents).uid("session-reduce").name("session-reduce"), "session-reduce-sink");
        discard(keyed.window(EventTimeSessionWindows.withGap(Duration.ofMillis(500)))
                .aggregate(new EventAvg()).uid("session-aggregate").name("session-aggregate"), "session-aggregate-sink");
        discard(keyed.window(EventTimeSessionWindows.withGap(Duration.ofMillis(500)))
                .process(new CountWindow()).uid("session-process").name("session-process"), "session-process-sink");
    };

    static Tuple3<String, Long, Long> sumEvents(Tuple3<String, Long, Long> a, Tuple3<String, Long, Long> b) {
        return Tuple3.of(a.f0, a.f1 + b.f1, Math.max(a.f2, b.f2));
    }

    public static final class EventAvg implements AggregateFunction<Tuple3<String, Long, Long>, Tuple2<Long, Long>, Double> {
        @Override
        public Tuple2<Long, Long> createAccumulator() {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(Tuple3<String, Long, Long> v, Tuple2<Long, Long> acc) {
            return Tuple2.of(acc.f0 + v.f1, acc.f1 + 1);
        }

        @Override
        public Double getResult(Tuple2<Long, Long> acc) {
            return acc.f1 == 0 ? 0.0 : (double) acc.f0 / acc.f1;
        }

        @Override
        public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    public static final class CountWindow extends ProcessWindowFunction<Tuple3<String, Long, Long>, String, String, TimeWindow> {
        @Override
        public void process(String key, Context ctx, Iterable<Tuple3<String, Long, Long>> elements, Collector<String> out) {
            int n = 0;
            for (Tuple3<String, Long, Long> ignored : elements) n++;
            out.collect(key + "@" + ctx.window() + "=" + n);
        }
    }

    // ------------------------------------------------------------------------------------------
    // operator state: ListState, UnionListState, BroadcastState, source split state (parallel)
    // ------------------------------------------------------------------------------------------

    static final MapStateDescriptor<String, Integer> RULES =
            new MapStateDescriptor<>("rules", Types.STRING, Types.INT);
    static final MapStateDescriptor<String, Address> RULE_TARGETS =
            new MapStateDescriptor<>("rule-targets", Types.STRING, TypeInformation.of(Address.class));

    static final Job OPERATOR_STATE = ctx -> {
        int p = ctx.parallelism;
        DataStream<Tuple2<String, Long>> main = ctx.ids("ids", 30, p)
                .map(new BufferingMap()).returns(Types.TUPLE(Types.STRING, Types.LONG))
                .uid("buffering").name("buffering").setParallelism(p);
        DataStream<Tuple2<String, Integer>> rules = ctx.ids("rules-ids", 6, 1)
                .map(id -> Tuple2.of("rule-" + id, id.intValue() * 10)).returns(Types.TUPLE(Types.STRING, Types.INT))
                .uid("rules").name("rules").setParallelism(1);
        BroadcastStream<Tuple2<String, Integer>> bcast = rules.broadcast(RULES, RULE_TARGETS);
        DataStream<String> out = main.keyBy(t -> t.f0, Types.STRING).connect(bcast)
                .process(new BroadcastFn()).uid("broadcast-join").name("broadcast-join");
        discard(out, "sink");
    };

    static final class BufferingMap extends RichMapFunction<Long, Tuple2<String, Long>> implements CheckpointedFunction {
        private final List<String> buffer = new ArrayList<>();
        private long seen;
        private transient ListState<String> buffered;
        private transient ListState<Long> seenUnion;

        @Override
        public Tuple2<String, Long> map(Long id) {
            buffer.add("v" + id);
            seen++;
            return Tuple2.of("k" + (id % 6), id);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            buffered.update(buffer);
            seenUnion.update(List.of(seen, (long) getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            buffered = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("buffered", Types.STRING));
            seenUnion = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("seen", Types.LONG));
            for (String s : buffered.get()) buffer.add(s);
        }
    }

    static final class BroadcastFn extends KeyedBroadcastProcessFunction<String, Tuple2<String, Long>, Tuple2<String, Integer>, String> {
        private transient ValueState<Long> last;

        @Override
        public void open(OpenContext openContext) {
            last = getRuntimeContext().getState(new ValueStateDescriptor<>("last", Types.LONG));
        }

        @Override
        public void processElement(Tuple2<String, Long> e, ReadOnlyContext ctx, Collector<String> out) throws Exception {
            Long prev = last.value();
            last.update(prev == null ? e.f1 : Math.max(prev, e.f1));
            out.collect(e.f0);
        }

        @Override
        public void processBroadcastElement(Tuple2<String, Integer> rule, Context ctx, Collector<String> out) throws Exception {
            ctx.getBroadcastState(RULES).put(rule.f0, rule.f1);
            ctx.getBroadcastState(RULE_TARGETS).put(rule.f0,
                    new Address(rule.f1 % 20 == 0 ? null : "Street " + rule.f1, "Berlin", rule.f1));
        }
    }

    // ------------------------------------------------------------------------------------------
    // finished: a bounded NumberSequenceSource that has finished next to a live source
    // ------------------------------------------------------------------------------------------

    static final Job FINISHED_SOURCE = ctx -> {
        DataStream<Long> live = ctx.ids("ids", 10, 1);
        DataStream<Long> numbers = ctx.env.fromSource(new NumberSequenceSource(100, 119), WatermarkStrategy.noWatermarks(), "numbers")
                .uid("numbers").setParallelism(1)
                .map(new ClosingMap()).returns(Types.LONG).uid("numbers-done").name("numbers-done").setParallelism(1);
        ctx.expectedClosed += 1;
        DataStream<Long> out = live.union(numbers).keyBy(v -> v % 5, Types.LONG)
                .process(new SumFn()).uid("sum").name("sum");
        discard(out, "sink");
    };

    static final class SumFn extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Long> sum;

        @Override
        public void open(OpenContext openContext) {
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            Long s = sum.value();
            sum.update(s == null ? v : s + v);
            out.collect(v);
        }
    }

    // ------------------------------------------------------------------------------------------
    // file sink
    // ------------------------------------------------------------------------------------------

    static final Job FILE_SINK = ctx -> {
        int p = ctx.parallelism;
        DataStream<String> lines = ctx.ids("ids", 20, p)
                .map(id -> "line-" + id).returns(Types.STRING)
                .uid("lines").name("lines").setParallelism(p);
        FileSink<String> sink = FileSink.forRowFormat(new Path(ctx.work.resolve("filesink-out").toUri()), new SimpleStringEncoder<String>("UTF-8"))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(DefaultRollingPolicy.builder().build())
                .build();
        lines.sinkTo(sink).uid("file-sink").name("file-sink").setParallelism(p);
    };

    // ------------------------------------------------------------------------------------------
    // number-sequence: a live NumberSequenceSource (built-in FLIP-27 source) holding its splits
    // ------------------------------------------------------------------------------------------

    /** The whole long range split over the subtasks: it never finishes, so every reader holds a split. */
    static final Job NUMBER_SEQUENCE = ctx -> {
        int p = ctx.parallelism;
        DataStream<Long> numbers = ctx.env.fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "sequence")
                .uid("sequence").setParallelism(p)
                .map(new ThrottleMap()).returns(Types.LONG).uid("throttle").name("throttle").setParallelism(p);
        ctx.expectedStarted += p;
        DataStream<String> parity = numbers.keyBy(v -> v % 2, Types.LONG)
                .process(new ParityFn()).uid("parity").name("parity");
        discard(parity, "sink");
    };

    /** Keyed state that does not depend on how far the sequence got: the name of each key's parity. */
    static final class ParityFn extends KeyedProcessFunction<Long, Long, String> {
        private transient ValueState<String> parity;

        @Override
        public void open(OpenContext openContext) {
            parity = getRuntimeContext().getState(new ValueStateDescriptor<>("parity", Types.STRING));
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<String> out) throws Exception {
            if (parity.value() == null) {
                parity.update(v % 2 == 0 ? "even" : "odd");
                out.collect(parity.value());
            }
        }
    }
}
