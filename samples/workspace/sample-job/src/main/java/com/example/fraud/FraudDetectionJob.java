package com.example.fraud;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;

import java.time.Duration;

/**
 * A small fraud-detection pipeline with keyed state, timers and windows:
 *
 * <pre>
 *   transactions (endless, throttled)
 *     -> keyBy(account) -> FraudDetector (ValueState + timer) -> alerts -> alert counter -> sink
 *     -> keyBy(account) -> 10 s tumbling window aggregate      -> summaries            -> sink
 * </pre>
 *
 * Arguments: {@code --rate 20} transactions per second, {@code --accounts 50},
 * {@code --window-seconds 10}, {@code --checkpoint-seconds 10}, {@code --sink print|discard}.
 */
public class FraudDetectionJob {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int rate = args.getInt("rate", 20);
        int accounts = args.getInt("accounts", 50);
        int windowSeconds = args.getInt("window-seconds", 10);
        int checkpointSeconds = args.getInt("checkpoint-seconds", 10);
        boolean print = !args.get("sink", "print").equals("discard");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(checkpointSeconds * 1000L);

        // An endless source: numbers 0, 1, 2, ... (the range will not run out in our lifetime).
        // Its read position is operator state, so it needs a stable uid like every stateful operator.
        DataStream<Transaction> transactions = env
                .fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "sequence")
                .uid("sequence-source")
                .setParallelism(1)
                .map(new TransactionGenerator(accounts, rate))
                .name("transactions")
                .uid("transaction-generator")
                .setParallelism(1);

        DataStream<Alert> alerts = transactions
                .keyBy(tx -> tx.accountId)
                .process(new FraudDetector())
                .name("fraud-detector")
                .uid("fraud-detector");

        DataStream<AccountSummary> summaries = transactions
                .keyBy(tx -> tx.accountId)
                .window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(windowSeconds)))
                .aggregate(new SpendingAggregate())
                .name("spending-per-window")
                .uid("spending-per-window");

        // DELIBERATELY NO .uid() HERE (for the demo): this keyed reduce keeps state (the running
        // alert count per account), but its operator ID is derived from the job's structure.
        // Change the pipeline and a savepoint no longer matches this operator: its state is lost,
        // or the restore fails. The uid linter flags this line; the fix is `.uid("alert-counter")`.
        DataStream<Alert> countedAlerts = alerts
                .keyBy(alert -> alert.accountId)
                .reduce(Alert::merge)
                .name("alert-counter");

        if (print) {
            countedAlerts.print().name("print-alerts").uid("print-alerts");
            summaries.print().name("print-summaries").uid("print-summaries");
        } else {
            countedAlerts.sinkTo(new DiscardingSink<>()).name("discard-alerts").uid("discard-alerts");
            summaries.sinkTo(new DiscardingSink<>()).name("discard-summaries").uid("discard-summaries");
        }

        env.execute("Fraud detection (sample)");
    }
}
