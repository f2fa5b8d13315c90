package dev.flinksavepoints.engine.timers;

import dev.flinksavepoints.engine.UsageException;
import dev.flinksavepoints.engine.util.Args;
import dev.flinksavepoints.engine.util.JsonText;
import dev.flinksavepoints.engine.util.LocalRestore;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code engine.jar timers-check --savepoint <dir> --uid <uid> --key-type String|Long|Integer
 * [--backend hashmap|rocksdb] [--parallelism N] [--max-parallelism N] [--watermarks w1,w2,…]
 * [--hold-ms N] [--service user-timers] [--namespace VoidNamespace|TimeWindow]}.
 *
 * <p>Restores a job from the savepoint on a local MiniCluster (no allowNonRestoredState): the operator
 * {@code uid} is a {@link KeyedProcessFunction} (timer service {@code user-timers}, VoidNamespace), or, for
 * another service name or a TimeWindow namespace, a plain keyed operator with that timer service. Nothing
 * registers new timers, so whatever fires was restored. Event time is driven by a bounded source: after
 * {@code --hold-ms} (default 1500; processing-time timers in the past fire meanwhile) it advances the
 * watermark through {@code --watermarks} in order, then to Long.MAX_VALUE, and the job ends (pending
 * processing-time timers in the future are dropped by Flink at end of input).
 *
 * <p>Prints one JSON line per fired timer: {"event":"timer","key":…,"timestamp":…,"domain":"event"|"processing",
 * "watermark":…,"firedAt":…[,"namespace":{"start":…,"end":…}]} ({@code watermark} = the operator's watermark
 * when the timer fired, {@code firedAt} = wall clock ms), then {"event":"timers-check","fired":N,"startedAt":…,"endedAt":…}.
 */
public final class TimersCheck {
    private TimersCheck() {}

    public static int run(String[] args) throws Exception {
        String savepoint = null;
        String uid = null;
        String keyType = "String";
        String backend = "hashmap";
        String service = "user-timers";
        String namespace = "VoidNamespace";
        int parallelism = 1;
        int maxParallelism = 128;
        long holdMs = 1500;
        List<Long> watermarks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--savepoint": savepoint = Args.value(args, ++i, "--savepoint"); break;
                case "--uid": uid = Args.value(args, ++i, "--uid"); break;
                case "--key-type": keyType = Args.value(args, ++i, "--key-type"); break;
                case "--backend": backend = Args.value(args, ++i, "--backend"); break;
                case "--service": service = Args.value(args, ++i, "--service"); break;
                case "--namespace": namespace = Args.value(args, ++i, "--namespace"); break;
                case "--parallelism": parallelism = Integer.parseInt(Args.value(args, ++i, "--parallelism")); break;
                case "--max-parallelism": maxParallelism = Integer.parseInt(Args.value(args, ++i, "--max-parallelism")); break;
                case "--hold-ms": holdMs = Long.parseLong(Args.value(args, ++i, "--hold-ms")); break;
                case "--watermarks":
                    for (String w : Args.value(args, ++i, "--watermarks").split(",")) if (!w.trim().isEmpty()) watermarks.add(Long.parseLong(w.trim()));
                    break;
                default:
                    throw new UsageException("unknown argument '" + args[i] + "' (usage: timers-check --savepoint <dir> --uid <uid> [--key-type String|Long|Integer] [--backend hashmap|rocksdb] [--parallelism N] [--max-parallelism N] [--watermarks w1,w2,…] [--hold-ms N] [--service name] [--namespace VoidNamespace|TimeWindow])");
            }
        }
        if (savepoint == null || uid == null) throw new UsageException("--savepoint and --uid are required");
        LocalRestore.checkOptions(savepoint, backend);
        if (!namespace.equals("VoidNamespace") && !namespace.equals("TimeWindow")) throw new UsageException("--namespace must be VoidNamespace or TimeWindow");
        TypeInformation<Object> kt = keyTypeOf(keyType);

        StreamExecutionEnvironment env = LocalRestore.environment(savepoint, backend, parallelism, maxParallelism);

        long[] wms = new long[watermarks.size() + 1];
        for (int i = 0; i < watermarks.size(); i++) wms[i] = watermarks.get(i);
        wms[watermarks.size()] = Long.MAX_VALUE;
        DataStream<Long> ticks = env.fromSequence(0, wms.length - 1)
                .setParallelism(1)
                .uid("fsp-timers-ticks");
        DataStream<Object> driven = ticks
                .transform("watermarks", kt, new WatermarkDriver(wms, holdMs))
                .setParallelism(1)
                .uid("fsp-timers-watermarks");
        DataStream<String> fired;
        if (service.equals("user-timers") && namespace.equals("VoidNamespace")) {
            fired = driven.keyBy(new LocalRestore.Identity(), kt).process(new Report(), Types.STRING).uid(uid).setMaxParallelism(maxParallelism);
        } else {
            fired = driven.keyBy(new LocalRestore.Identity(), kt)
                    .transform("timers " + uid, Types.STRING, new ServiceOperator(service, namespace.equals("TimeWindow")))
                    .uid(uid)
                    .setMaxParallelism(maxParallelism);
        }
        long startedAt = System.currentTimeMillis();
        int n = 0;
        try (CloseableIterator<String> it = fired.executeAndCollect("timers-check " + new File(savepoint).getName())) {
            while (it.hasNext()) {
                System.out.println(it.next());
                n++;
            }
        }
        System.out.println("{\"event\":\"timers-check\",\"fired\":" + n + ",\"startedAt\":" + startedAt + ",\"endedAt\":" + System.currentTimeMillis() + "}");
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static TypeInformation<Object> keyTypeOf(String t) {
        switch (t) {
            case "String": return (TypeInformation) Types.STRING;
            case "Long": return (TypeInformation) Types.LONG;
            case "Integer": case "Int": return (TypeInformation) Types.INT;
            default: throw new UsageException("--key-type must be String, Long or Integer");
        }
    }

    static String line(Object key, long timestamp, boolean event, long watermark, Object namespace) {
        StringBuilder sb = new StringBuilder("{\"event\":\"timer\",\"key\":");
        json(sb, key);
        sb.append(",\"timestamp\":").append(timestamp);
        sb.append(",\"domain\":\"").append(event ? "event" : "processing").append('"');
        sb.append(",\"watermark\":").append(watermark);
        sb.append(",\"firedAt\":").append(System.currentTimeMillis());
        if (namespace instanceof TimeWindow) {
            TimeWindow w = (TimeWindow) namespace;
            sb.append(",\"namespace\":{\"start\":").append(w.getStart()).append(",\"end\":").append(w.getEnd()).append('}');
        }
        return sb.append('}').toString();
    }

    static void json(StringBuilder sb, Object v) {
        if (v == null) sb.append("null");
        else if (v instanceof Number) sb.append(v);
        else JsonText.string(sb, v.toString());
    }

    /** The restored job's function: declares no state, registers no timers, reports every timer that fires. */
    static final class Report extends KeyedProcessFunction<Object, Object, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(Object value, Context ctx, Collector<String> out) {
            // the driver emits no records
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect(line(ctx.getCurrentKey(), timestamp, ctx.timeDomain() == TimeDomain.EVENT_TIME, ctx.timerService().currentWatermark(), null));
        }
    }

    /** For other timer services / namespaces: a keyed operator that only owns the named timer service. */
    static final class ServiceOperator extends AbstractStreamOperator<String> implements OneInputStreamOperator<Object, String>, Triggerable<Object, Object> {
        private static final long serialVersionUID = 1L;
        private final String service;
        private final boolean window;
        private transient InternalTimerService<Object> timers;

        ServiceOperator(String service, boolean window) {
            this.service = service;
            this.window = window;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void open() throws Exception {
            super.open();
            TypeSerializer ns = window ? new TimeWindow.Serializer() : VoidNamespaceSerializer.INSTANCE;
            timers = getInternalTimerService(service, ns, this);
        }

        @Override
        public void processElement(StreamRecord<Object> element) {
            // the driver emits no records
        }

        @Override
        public void onEventTime(InternalTimer<Object, Object> timer) {
            output.collect(new StreamRecord<>(line(timer.getKey(), timer.getTimestamp(), true, timers.currentWatermark(), timer.getNamespace())));
        }

        @Override
        public void onProcessingTime(InternalTimer<Object, Object> timer) {
            output.collect(new StreamRecord<>(line(timer.getKey(), timer.getTimestamp(), false, timers.currentWatermark(), timer.getNamespace())));
        }
    }

    /**
     * Turns ticks into watermarks: waits {@code holdMs} on the first tick, then emits watermark i for tick i;
     * the upstream's own watermarks are dropped (its final Long.MAX_VALUE is the last of ours anyway).
     */
    static final class WatermarkDriver extends AbstractStreamOperator<Object> implements OneInputStreamOperator<Long, Object> {
        private static final long serialVersionUID = 1L;
        private final long[] watermarks;
        private final long holdMs;
        private transient boolean held;

        WatermarkDriver(long[] watermarks, long holdMs) {
            this.watermarks = watermarks;
            this.holdMs = holdMs;
        }

        @Override
        public void processElement(StreamRecord<Long> element) throws Exception {
            if (!held) {
                held = true;
                if (holdMs > 0) Thread.sleep(holdMs);
            }
            int i = (int) (long) element.getValue();
            output.emitWatermark(new Watermark(watermarks[i]));
        }

        @Override
        public void processWatermark(Watermark mark) {
            // ours only
        }
    }
}
