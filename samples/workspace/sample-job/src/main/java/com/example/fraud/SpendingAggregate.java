package com.example.fraud;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Sums up the transactions of one account in one window. */
public class SpendingAggregate implements AggregateFunction<Transaction, AccountSummary, AccountSummary> {
    @Override
    public AccountSummary createAccumulator() {
        return new AccountSummary();
    }

    @Override
    public AccountSummary add(Transaction tx, AccountSummary acc) {
        acc.accountId = tx.accountId;
        acc.transactions++;
        acc.total += tx.amount;
        acc.largest = Math.max(acc.largest, tx.amount);
        return acc;
    }

    @Override
    public AccountSummary getResult(AccountSummary acc) {
        return acc;
    }

    @Override
    public AccountSummary merge(AccountSummary a, AccountSummary b) {
        AccountSummary m = new AccountSummary();
        m.accountId = a.accountId != null ? a.accountId : b.accountId;
        m.transactions = a.transactions + b.transactions;
        m.total = a.total + b.total;
        m.largest = Math.max(a.largest, b.largest);
        return m;
    }
}
