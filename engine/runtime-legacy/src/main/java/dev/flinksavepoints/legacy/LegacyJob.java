package dev.flinksavepoints.legacy;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one job of the legacy corpus. Records are {@code (id, name, timestamp)} derived from the ids
 * 0..119 of {@link IdSource}; every operator has a uid. Nothing fires before the savepoint: there are
 * no watermarks (event-time timers and windows stay registered) and processing-time timers are set
 * to 2100-01-01.
 *
 * <ul>
 *   <li>{@code string-keyed} / {@code long-keyed}: value, list, map, reducing and aggregating state,
 *       an event-time and a processing-time timer per key, keyed by String / by Long;</li>
 *   <li>{@code window-aggregate} / {@code window-list}: tumbling event-time windows (TimeWindow
 *       namespace) with an incremental aggregate and with a buffering process function;</li>
 *   <li>{@code buffer}: operator list state and union list state;</li>
 *   <li>{@code rules}: broadcast state fed by a second source.</li>
 * </ul>
 */
final class LegacyJob {
    private LegacyJob() {}

    static final long RECORDS = 120;
    static final long RULES = 4;
    static final long BASE_TIME = 1_600_000_000_000L;
    /** 2100-01-01T00:00:00Z */
    static final long FAR_FUTURE = 4_102_444_800_000L;

    static final List<String> UIDS = Arrays.asList("ids", "events", "timestamps", "string-keyed", "long-keyed",
            "window-aggregate", "window-list", "buffer", "rule-ids", "rule-records", "rules");

    /** 24 names (non-ASCII, outside the BMP, empty): the String keys. */
    static final String[] NAMES = {"alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan",
        "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoë",
        "émile", "李雷", "", "\uD834\uDD1E clef"};

    static final TypeInformation<Tuple3<Long, String, Long>> EVENT = Types.TUPLE(Types.LONG, Types.STRING, Types.LONG);

    /** Expected records from both sources (the runner waits for them before the savepoint). */
    static long expectedRecords() {
        return RECORDS + RULES;
    }

    static void build(StreamExecutionEnvironment env) {
        DataStream<Long> ids = env.fromSource(new IdSource(RECORDS), WatermarkStrategy.noWatermarks(), "ids", Types.LONG)
                .uid("ids")
                .setParallelism(1);
        DataStream<Tuple3<Long, String, Long>> events = ids
                .map(new ToEvent()).returns(EVENT).uid("events").setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<Long, String, Long>>noWatermarks()
                        .withTimestampAssigner((e, previous) -> e.f2))
                .uid("timestamps").setParallelism(1);

        events.keyBy(new ByName(), Types.STRING).process(new StateFn<String>()).returns(Types.LONG).uid("string-keyed");
        events.keyBy(new ByNumber(), Types.LONG).process(new StateFn<Long>()).returns(Types.LONG).uid("long-keyed");

        events.keyBy(new ByNumber(), Types.LONG)
                .window(Compat.tumblingEventTime(3_600_000L))
                .aggregate(new CountAgg(), Types.LONG, Types.LONG)
                .uid("window-aggregate");
        events.keyBy(new ByNumber(), Types.LONG)
                .window(Compat.tumblingEventTime(3_600_000L))
                .process(new ListWindowFn(), Types.STRING)
                .uid("window-list");

        events.keyBy(new ByBucket(), Types.LONG).map(new BufferMap()).returns(EVENT).uid("buffer");

        DataStream<Tuple2<String, Long>> rules = env
                .fromSource(new IdSource(RULES), WatermarkStrategy.noWatermarks(), "rule-ids", Types.LONG)
                .uid("rule-ids").setParallelism(1)
                .map(new ToRule()).returns(Types.TUPLE(Types.STRING, Types.LONG)).uid("rule-records").setParallelism(1);
        BroadcastStream<Tuple2<String, Long>> broadcast = rules.broadcast(RulesFn.RULE_STATE);
        events.connect(broadcast).process(new RulesFn(), Types.LONG).uid("rules");
    }

    static final class ToEvent implements MapFunction<Long, Tuple3<Long, String, Long>> {
        @Override
        public Tuple3<Long, String, Long> map(Long id) {
            return Tuple3.of(id, NAMES[(int) (id % NAMES.length)], BASE_TIME + id * 60_000L);
        }
    }

    static final class ToRule implements MapFunction<Long, Tuple2<String, Long>> {
        @Override
        public Tuple2<String, Long> map(Long id) {
            return Tuple2.of("rule-" + id, id * 10);
        }
    }

    static final class ByName implements KeySelector<Tuple3<Long, String, Long>, String> {
        @Override
        public String getKey(Tuple3<Long, String, Long> e) {
            return e.f1;
        }
    }

    /** 29 Long keys from -3 to 25. */
    static final class ByNumber implements KeySelector<Tuple3<Long, String, Long>, Long> {
        @Override
        public Long getKey(Tuple3<Long, String, Long> e) {
            return e.f0 % 29 - 3;
        }
    }

    /** Spreads the records over both subtasks of {@code buffer} deterministically. */
    static final class ByBucket implements KeySelector<Tuple3<Long, String, Long>, Long> {
        @Override
        public Long getKey(Tuple3<Long, String, Long> e) {
            return e.f0 % 8;
        }
    }

    static final class Sum implements ReduceFunction<Long> {
        @Override
        public Long reduce(Long a, Long b) {
            return a + b;
        }
    }

    /** Average of the ids: a Tuple2(sum, count) accumulator, a Double result. */
    static final class Average implements AggregateFunction<Long, Tuple2<Long, Long>, Double> {
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

    static final class CountAgg implements AggregateFunction<Tuple3<Long, String, Long>, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Tuple3<Long, String, Long> e, Long acc) {
            return acc + 1;
        }

        @Override
        public Long getResult(Long acc) {
            return acc;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    static final class ListWindowFn extends ProcessWindowFunction<Tuple3<Long, String, Long>, String, Long, TimeWindow> {
        @Override
        public void process(Long key, Context ctx, Iterable<Tuple3<Long, String, Long>> in, Collector<String> out) {
            long n = 0;
            for (Tuple3<Long, String, Long> ignored : in) n++;
            out.collect(key + "@" + ctx.window() + "=" + n);
        }
    }

    /**
     * Every keyed state kind. The handles are created on first use (no open(): its signature differs
     * between Flink 1.x and 2.x).
     */
    static final class StateFn<K> extends KeyedProcessFunction<K, Tuple3<Long, String, Long>, Long> {
        private transient ValueState<Long> count;
        private transient ListState<String> names;
        private transient MapState<String, Long> buckets;
        private transient ReducingState<Long> sum;
        private transient AggregatingState<Long, Double> average;

        private void handles() {
            if (count != null) return;
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            names = getRuntimeContext().getListState(new ListStateDescriptor<>("names", Types.STRING));
            buckets = getRuntimeContext().getMapState(new MapStateDescriptor<>("buckets", Types.STRING, Types.LONG));
            sum = getRuntimeContext().getReducingState(new ReducingStateDescriptor<>("sum", new Sum(), Types.LONG));
            average = getRuntimeContext().getAggregatingState(
                    new AggregatingStateDescriptor<>("average", new Average(), Types.TUPLE(Types.LONG, Types.LONG)));
        }

        @Override
        public void processElement(Tuple3<Long, String, Long> e, Context ctx, Collector<Long> out) throws Exception {
            handles();
            Long c = count.value();
            count.update(c == null ? 1L : c + 1);
            names.add(e.f1 + "#" + e.f0);
            String bucket = "bucket-" + (e.f0 % 3);
            Long b = buckets.get(bucket);
            buckets.put(bucket, b == null ? 1L : b + 1);
            sum.add(e.f0);
            average.add(e.f0);
            ctx.timerService().registerEventTimeTimer(e.f2 + 86_400_000L);
            ctx.timerService().registerProcessingTimeTimer(FAR_FUTURE);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<Long> out) {
            out.collect(timestamp);
        }
    }

    /**
     * Operator list state (the ids it saw whose id is a multiple of 5) and union list state (how many
     * records this subtask saw, as one element).
     */
    static final class BufferMap implements MapFunction<Tuple3<Long, String, Long>, Tuple3<Long, String, Long>>, CheckpointedFunction {
        private transient ListState<Long> bufferedState;
        private transient ListState<Long> seenState;
        private final List<Long> buffered = new ArrayList<>();
        private long seen;

        @Override
        public Tuple3<Long, String, Long> map(Tuple3<Long, String, Long> e) {
            seen++;
            if (e.f0 % 5 == 0) buffered.add(e.f0);
            return e;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            bufferedState.clear();
            for (Long id : buffered) bufferedState.add(id);
            seenState.clear();
            seenState.add(seen);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            bufferedState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("buffered", Types.LONG));
            seenState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("seen", Types.LONG));
            for (Long id : bufferedState.get()) buffered.add(id);
        }
    }

    /** Broadcast state: rule name -> threshold. */
    static final class RulesFn extends BroadcastProcessFunction<Tuple3<Long, String, Long>, Tuple2<String, Long>, Long> {
        static final MapStateDescriptor<String, Long> RULE_STATE = new MapStateDescriptor<>("rules", Types.STRING, Types.LONG);

        @Override
        public void processElement(Tuple3<Long, String, Long> e, ReadOnlyContext ctx, Collector<Long> out) throws Exception {
            Long threshold = ctx.getBroadcastState(RULE_STATE).get("rule-" + (e.f0 % LegacyJob.RULES));
            if (threshold != null && e.f0 < threshold) out.collect(e.f0);
        }

        @Override
        public void processBroadcastElement(Tuple2<String, Long> rule, Context ctx, Collector<Long> out) throws Exception {
            BroadcastState<String, Long> state = ctx.getBroadcastState(RULE_STATE);
            state.put(rule.f0, rule.f1);
        }
    }
}
