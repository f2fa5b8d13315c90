package com.example.fraud;

/** A card payment. A Flink POJO: public fields and a public no-argument constructor. */
public class Transaction {
    public String accountId;
    public double amount;
    public String merchant;
    public long timestamp;

    public Transaction() {}

    public Transaction(String accountId, double amount, String merchant, long timestamp) {
        this.accountId = accountId;
        this.amount = amount;
        this.merchant = merchant;
        this.timestamp = timestamp;
    }

    @Override
    public String toString() {
        return String.format("Transaction{%s %.2f at %s}", accountId, amount, merchant);
    }
}
