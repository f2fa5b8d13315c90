package com.example.fraud;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per account: a tiny payment followed within a minute by a large one is suspicious (fraudsters
 * often test a stolen card with a small amount first).
 *
 * <p>Keyed state:
 * <ul>
 *   <li>{@code small-payment-seen}: a tiny payment happened and the minute has not run out yet;</li>
 *   <li>{@code expiry-timer}: when that minute ends (so the timer can be deleted early);</li>
 *   <li>{@code total-spent}: lifetime spending of the account.</li>
 * </ul>
 * Plus one processing-time timer per flagged account, in the {@code user-timers} service.
 */
public class FraudDetector extends KeyedProcessFunction<String, Transaction, Alert> {
    static final double SMALL = 1.00;
    static final double LARGE = 500.00;
    static final long WINDOW_MS = 60_000;

    private transient ValueState<Boolean> smallPaymentSeen;
    private transient ValueState<Long> expiryTimer;
    private transient ValueState<Double> totalSpent;

    @Override
    public void open(OpenContext openContext) {
        smallPaymentSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("small-payment-seen", Boolean.class));
        expiryTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("expiry-timer", Long.class));
        totalSpent = getRuntimeContext().getState(new ValueStateDescriptor<>("total-spent", Double.class));
    }

    @Override
    public void processElement(Transaction tx, Context ctx, Collector<Alert> out) throws Exception {
        Double spent = totalSpent.value();
        totalSpent.update((spent == null ? 0 : spent) + tx.amount);

        if (Boolean.TRUE.equals(smallPaymentSeen.value())) {
            if (tx.amount >= LARGE) {
                out.collect(new Alert(tx.accountId, "large payment right after a tiny one at " + tx.merchant, tx.amount));
            }
            reset(ctx);
        }
        if (tx.amount < SMALL) {
            smallPaymentSeen.update(true);
            long expiry = ctx.timerService().currentProcessingTime() + WINDOW_MS;
            ctx.timerService().registerProcessingTimeTimer(expiry);
            expiryTimer.update(expiry);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
        // The minute is over without a large payment: forget the tiny one.
        smallPaymentSeen.clear();
        expiryTimer.clear();
    }

    private void reset(Context ctx) throws Exception {
        Long timer = expiryTimer.value();
        if (timer != null) {
            ctx.timerService().deleteProcessingTimeTimer(timer);
        }
        smallPaymentSeen.clear();
        expiryTimer.clear();
    }
}
