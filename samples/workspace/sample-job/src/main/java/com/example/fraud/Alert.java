package com.example.fraud;

/** Raised when an account shows a suspicious pattern. */
public class Alert {
    public String accountId;
    public String reason;
    public double amount;
    /** How many alerts this account has raised so far (filled in by the alert counter). */
    public long count;

    public Alert() {}

    public Alert(String accountId, String reason, double amount) {
        this.accountId = accountId;
        this.reason = reason;
        this.amount = amount;
        this.count = 1;
    }

    /** Combines two alerts of one account: keeps the newest and adds up the count. */
    public static Alert merge(Alert previous, Alert latest) {
        Alert merged = new Alert(latest.accountId, latest.reason, latest.amount);
        merged.count = previous.count + latest.count;
        return merged;
    }

    @Override
    public String toString() {
        return String.format("ALERT %s: %s (%.2f), alert #%d", accountId, reason, amount, count);
    }
}
