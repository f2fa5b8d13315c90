package com.example.fraud;

/** Spending of one account in one window. Also used as the window's accumulator. */
public class AccountSummary {
    public String accountId;
    public long transactions;
    public double total;
    public double largest;

    public AccountSummary() {}

    @Override
    public String toString() {
        return String.format("Summary{%s: %d transactions, total %.2f, largest %.2f}",
                accountId, transactions, total, largest);
    }
}
