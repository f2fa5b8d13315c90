package dev.flinksavepoints.engine.util;

/**
 * JSON string literals for the JSON lines the subcommands print: the escapes of docs/dump-format.md §3
 * ({@code \" \\ \b \t \n \f \r}, other control characters and unpaired surrogates as {@code \}{@code u} + 4
 * lowercase hex digits, everything else as is).
 */
public final class JsonText {
    private JsonText() {}

    /** Appends {@code s} as a JSON string literal. */
    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\b': sb.append("\\b"); break;
                case '\t': sb.append("\\t"); break;
                case '\n': sb.append("\\n"); break;
                case '\f': sb.append("\\f"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        u(sb, c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(i + 1));
                            i++;
                        } else {
                            u(sb, c);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        u(sb, c);
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        string(sb, s);
        return sb.toString();
    }

    private static void u(StringBuilder sb, char c) {
        String h = Integer.toHexString(c);
        sb.append("\\u");
        for (int k = h.length(); k < 4; k++) sb.append('0');
        sb.append(h);
    }
}
