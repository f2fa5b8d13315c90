package dev.flinksavepoints.engine.dump;

import dev.flinksavepoints.engine.util.JsonText;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** A tiny JSON writer that produces exactly what docs/dump-format.md §3 prescribes. */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean needComma;

    Json beginObject() { sep(); sb.append('{'); needComma = false; return this; }
    Json endObject() { sb.append('}'); needComma = true; return this; }
    Json beginArray() { sep(); sb.append('['); needComma = false; return this; }
    Json endArray() { sb.append(']'); needComma = true; return this; }

    Json name(String n) { sep(); string(sb, n); sb.append(':'); needComma = false; return this; }

    Json value(String s) {
        sep();
        if (s == null) sb.append("null"); else string(sb, s);
        needComma = true;
        return this;
    }
    Json value(long v) { sep(); sb.append(v); needComma = true; return this; }
    Json value(boolean v) { sep(); sb.append(v); needComma = true; return this; }
    Json nul() { sep(); sb.append("null"); needComma = true; return this; }
    /** Inserts pre-rendered JSON. */
    Json raw(String json) { sep(); sb.append(json); needComma = true; return this; }
    Json number(String digits) { return raw(digits); }
    Json dbl(double d) {
        if (Double.isNaN(d)) return value("NaN");
        if (Double.isInfinite(d)) return value(d > 0 ? "Infinity" : "-Infinity");
        return raw(formatDouble(d));
    }
    Json flt(float f) {
        if (Float.isNaN(f)) return value("NaN");
        if (Float.isInfinite(f)) return value(f > 0 ? "Infinity" : "-Infinity");
        return raw(formatFloat(f));
    }

    Json member(String n, String v) { return name(n).value(v); }
    Json member(String n, long v) { return name(n).value(v); }
    Json member(String n, boolean v) { return name(n).value(v); }

    private void sep() { if (needComma) sb.append(','); }

    @Override
    public String toString() { return sb.toString(); }

    static String hex(byte[] b, int from, int to) {
        char[] digits = "0123456789abcdef".toCharArray();
        StringBuilder s = new StringBuilder((to - from) * 2);
        for (int i = from; i < to; i++) {
            s.append(digits[(b[i] >> 4) & 0xF]).append(digits[b[i] & 0xF]);
        }
        return s.toString();
    }

    static String hex(byte[] b) { return hex(b, 0, b.length); }

    /** A JSON string literal with the escapes of docs/dump-format.md §3.1 (shared with the other subcommands). */
    static void string(StringBuilder sb, String s) {
        JsonText.string(sb, s);
    }

    static String formatDouble(double d) {
        if (d == 0) return "0";
        BigDecimal exact = new BigDecimal(d);
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) return layout(r);
        }
        return layout(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
    }

    static String formatFloat(float f) {
        if (f == 0) return "0";
        BigDecimal exact = new BigDecimal(f);
        for (int p = 1; p <= 9; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.floatValue() == f) return layout(r);
        }
        return layout(exact.round(new MathContext(9, RoundingMode.HALF_EVEN)));
    }

    /** ECMAScript Number::toString layout of a decimal with digits s and exponent n (value = 0.s × 10^n). */
    static String layout(BigDecimal r) {
        boolean neg = r.signum() < 0;
        BigDecimal a = r.abs().stripTrailingZeros();
        String digits = a.unscaledValue().toString();
        int k = digits.length();
        int n = k - a.scale(); // value = digits × 10^(n-k)
        StringBuilder sb = new StringBuilder();
        if (neg) sb.append('-');
        if (k <= n && n <= 21) {
            sb.append(digits);
            for (int i = 0; i < n - k; i++) sb.append('0');
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.");
            for (int i = 0; i < -n; i++) sb.append('0');
            sb.append(digits);
        } else {
            int e = n - 1;
            sb.append(digits.charAt(0));
            if (k > 1) sb.append('.').append(digits, 1, k);
            sb.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
        }
        return sb.toString();
    }
}
