package dev.flinksavepoints.engine.corpus;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * Table API / SQL corpus jobs: real SQL queries planned by Flink's planner on the corpus's
 * StreamExecutionEnvironment, so the savepoint holds the state SQL operators keep (RowData keys,
 * accumulators and rows, written by the table runtime's serializers).
 *
 * <p>The planner is not in engine.jar: Maven copies flink-table-planner-loader next to it
 * ({@code <engine.jar folder>/sql-planner/flink-table-planner-loader.jar}) and engine.jar's manifest
 * puts it on the class path. The table runtime (and with it every class the running job and
 * {@code dump} need) is in engine.jar.
 */
final class SqlJobs {
    private SqlJobs() {}

    /** The ids → a table of typed columns (every value derived from the id, so runs are identical). */
    private static final String COLUMNS = "SELECT\n" + String.join(",\n",
            "  CAST(f0 % 5 AS INT) AS user_id",
            "  CASE CAST(f0 % 3 AS INT) WHEN 0 THEN 'eu' WHEN 1 THEN 'north-america' ELSE CAST(NULL AS STRING) END AS region",
            "  CONCAT('n', CAST(f0 AS STRING)) AS short_name",
            "  CONCAT('customer-', CAST(f0 AS STRING), '-é✓😀') AS long_name",
            "  CAST(f0 AS DOUBLE) * 1.5 AS amount",
            "  CAST(CAST(f0 AS DOUBLE) * 1.25 AS DECIMAL(10, 2)) AS price",
            "  CAST(f0 * 1000003 AS DECIMAL(30, 6)) / 7 AS ratio",
            "  TIMESTAMPADD(SECOND, CAST(f0 AS INT), TIMESTAMP '2024-02-29 23:59:07.123') AS ts",
            "  TIMESTAMPADD(SECOND, CAST(f0 AS INT), TIMESTAMP '1969-12-31 23:59:59.123456789') AS ts9",
            "  TO_TIMESTAMP_LTZ(f0 * 1000 + 7, 3) AS ltz",
            "  CAST(TIMESTAMPADD(DAY, CAST(f0 AS INT), TIMESTAMP '2024-02-28 00:00:00') AS DATE) AS d",
            "  TIMESTAMPADD(SECOND, CAST(f0 AS INT), TIME '23:58:07') AS tm",
            "  f0 % 2 = 0 AS flag",
            "  CAST(f0 AS TINYINT) AS tiny",
            "  CAST(f0 * 100 AS SMALLINT) AS small",
            "  CAST(f0 AS FLOAT) / 4 AS flt",
            "  CAST(CONCAT('b', CAST(f0 AS STRING)) AS BYTES) AS bin",
            "  CASE WHEN f0 % 5 = 0 THEN CAST(NULL AS STRING) ELSE CONCAT('note ', CAST(f0 % 4 AS STRING)) END AS note",
            "  CAST(ROW(CONCAT('label-', CAST(f0 AS STRING)), CAST(f0 AS INT), CAST(NULL AS STRING)) AS ROW<label STRING, n INT, missing STRING>) AS nested",
            "  ARRAY[CAST(f0 AS INT), 7] AS arr",
            "  MAP['k', f0] AS m",
            "  pt") + "\nFROM ids";

    /** GROUP BY (GroupAggFunction: RowData key, RowData accumulator per key). */
    private static final String GROUP_BY = String.join("\n",
            "SELECT user_id, region, COUNT(*) AS cnt, SUM(amount) AS sum_amount, SUM(price) AS sum_price,",
            "  MAX(price) AS max_price, SUM(ratio) AS sum_ratio, MAX(short_name) AS max_short, MAX(long_name) AS max_long,",
            "  MIN(ts) AS first_ts, MIN(ts9) AS first_ts9, MAX(ltz) AS last_ltz, MAX(d) AS last_day, MIN(tm) AS first_tm,",
            "  MAX(flag) AS any_flag, MAX(tiny) AS max_tiny, MIN(small) AS min_small, MIN(flt) AS min_flt, MAX(note) AS max_note",
            "FROM v GROUP BY user_id, region");

    /** Deduplication keeping the last row per key (ROW_NUMBER over processing time). */
    private static final String DEDUP = String.join("\n",
            "SELECT user_id, short_name, long_name, price, ratio, ts, ts9, ltz, d, tm, flag, tiny, small, flt, bin, note, nested, arr, m FROM (",
            "  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY pt DESC) AS rn FROM v",
            ") WHERE rn = 1");

    /**
     * COUNT(DISTINCT …) per column (GroupAggFunction: each distinct MapView is a keyed MapState
     * "distinctAcc_<i>" of its own, beside a ValueState "distinctAcc_<i>_null_state" for a NULL key).
     * Its user key is the column's internal value: an ExternalSerializer whose conversion class is the
     * internal one (so it writes exactly what its internal serializer writes) over the table runtime's
     * standalone StringDataSerializer, DecimalDataSerializer, TimestampDataSerializer (DATE: IntSerializer);
     * its value a Long (ExternalSerializer over LongSerializer). No SQL operator declares those standalone
     * serializers bare: the data views' ExternalSerializer is where they reach a savepoint.
     */
    private static final String DISTINCT = String.join("\n",
            "SELECT user_id, COUNT(DISTINCT short_name) AS short_names, COUNT(DISTINCT long_name) AS long_names,",
            "  COUNT(DISTINCT price) AS prices, COUNT(DISTINCT ratio) AS ratios, COUNT(DISTINCT ts) AS tss,",
            "  COUNT(DISTINCT ts9) AS ts9s, COUNT(DISTINCT d) AS days",
            "FROM v GROUP BY user_id");

    /**
     * The GROUP BY and the deduplication over the typed columns. {@code plannerUids}: the planner's
     * uids ({@code table.exec.uid.generation=ALWAYS}: {@code "<exec node id>_<transformation>"});
     * otherwise the operator IDs Flink derives from the topology (the default for SQL jobs). The exec
     * node ids (in uids, and in operator names such as "GroupAggregate[4]", which Flink 2 stores in the
     * metadata) count up per JVM: every job starts them at 1 again, so a case reads the same whether it
     * runs alone or after another SQL case.
     */
    static Jobs.Job sql(boolean plannerUids) {
        return ctx -> build(ctx, plannerUids);
    }

    /** The COUNT(DISTINCT …) GROUP BY over the typed columns, with the planner's uids. */
    static Jobs.Job distinct() {
        return ctx -> {
            StreamTableEnvironment tEnv = columns(ctx, true);
            Jobs.discard(tEnv.toChangelogStream(tEnv.sqlQuery(DISTINCT)), "sql-distinct-sink");
        };
    }

    private static void build(Jobs.Ctx ctx, boolean plannerUids) throws Exception {
        StreamTableEnvironment tEnv = columns(ctx, plannerUids);
        DataStream<Row> grouped = tEnv.toChangelogStream(tEnv.sqlQuery(GROUP_BY));
        Jobs.discard(grouped, "sql-groupby-sink");
        DataStream<Row> dedup = tEnv.toChangelogStream(tEnv.sqlQuery(DEDUP));
        Jobs.discard(dedup, "sql-dedup-sink");
    }

    /** A table environment on the corpus's environment with the view v of typed columns over 60 ids. */
    private static StreamTableEnvironment columns(Jobs.Ctx ctx, boolean plannerUids) throws Exception {
        if (SqlJobs.class.getClassLoader().getResource("flink-table-planner.jar") == null) {
            throw new IllegalStateException("the Flink table planner is not on the class path: engine.jar's manifest expects it at "
                    + "sql-planner/flink-table-planner-loader.jar next to engine.jar (mvn package copies it there)");
        }
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(ctx.env, EnvironmentSettings.newInstance().inStreamingMode().build());
        if (plannerUids) tEnv.getConfig().getConfiguration().setString("table.exec.uid.generation", "ALWAYS");
        resetExecNodeIds();
        tEnv.getConfig().getConfiguration().setString("table.local-time-zone", "UTC");
        DataStream<Long> ids = ctx.ids("ids", 60, 1);
        Table idTable = tEnv.fromDataStream(ids, Schema.newBuilder().columnByExpression("pt", "PROCTIME()").build());
        tEnv.createTemporaryView("ids", idTable);
        tEnv.createTemporaryView("v", tEnv.sqlQuery(COLUMNS));
        return tEnv;
    }

    /** ExecNodeContext.resetIdCounter() inside the planner's own class loader (as Flink's planner tests do). */
    private static void resetExecNodeIds() throws Exception {
        Class<?> module = Class.forName("org.apache.flink.table.planner.loader.PlannerModule");
        java.lang.reflect.Method getInstance = module.getDeclaredMethod("getInstance");
        getInstance.setAccessible(true);
        java.lang.reflect.Field loader = module.getDeclaredField("submoduleClassLoader");
        loader.setAccessible(true);
        ClassLoader planner = (ClassLoader) loader.get(getInstance.invoke(null));
        Class.forName("org.apache.flink.table.planner.plan.nodes.exec.ExecNodeContext", true, planner)
                .getMethod("resetIdCounter").invoke(null);
    }
}
