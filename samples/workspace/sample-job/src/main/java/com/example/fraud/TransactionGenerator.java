package com.example.fraud;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns a sequence number into a plausible transaction, and throttles the stream to
 * {@code ratePerSecond} so that the job runs "forever" at a modest pace.
 *
 * <p>The amounts are derived from the sequence number, so runs are reproducible. Every now and
 * then an account makes a tiny "test" payment followed by a large one: the pattern the
 * {@link FraudDetector} looks for.
 */
public class TransactionGenerator implements MapFunction<Long, Transaction> {
    private static final String[] MERCHANTS = {
        "coffee-corner", "book-nook", "fuel-stop", "grocer", "electronics-hub", "airline", "pharmacy"
    };

    private final int accounts;
    private final long pauseMicros;

    public TransactionGenerator(int accounts, int ratePerSecond) {
        this.accounts = accounts;
        this.pauseMicros = ratePerSecond <= 0 ? 0 : 1_000_000L / ratePerSecond;
    }

    @Override
    public Transaction map(Long seq) throws Exception {
        if (pauseMicros > 0) {
            Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
        }
        long mixed = scramble(seq);
        String account = String.format("acct-%04d", Math.floorMod(mixed, accounts));
        double amount;
        if (seq % 97 == 0) {
            amount = 0.5;                                   // a probing micro-payment ...
        } else if (seq % 97 == 1) {
            account = String.format("acct-%04d", Math.floorMod(scramble(seq - 1), accounts));
            amount = 900 + Math.floorMod(mixed, 400);       // ... followed by a large one
        } else {
            amount = 1 + Math.floorMod(mixed >>> 8, 25_000) / 100.0;
        }
        String merchant = MERCHANTS[(int) Math.floorMod(mixed >>> 20, MERCHANTS.length)];
        return new Transaction(account, amount, merchant, System.currentTimeMillis());
    }

    private static long scramble(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
