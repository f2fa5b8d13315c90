package com.example.fraud;

import java.util.HashMap;
import java.util.Map;

/** Minimal {@code --name value} argument parsing (like Flink's ParameterTool, without the dependency). */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("expected --name value, got '" + a + "'");
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    int getInt(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }
}
