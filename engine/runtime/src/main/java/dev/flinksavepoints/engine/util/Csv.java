package dev.flinksavepoints.engine.util;

import java.util.ArrayList;
import java.util.List;

/** CSV lines of the bootstrap spec's data files (docs/bootstrap-spec.md). */
public final class Csv {
    private Csv() {}

    /** The cells of one CSV line: comma-separated, {@code "…"} quotes a cell, {@code ""} inside quotes is one quote. */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                else if (c == '"') quoted = false;
                else cur.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { out.add(cur.toString()); cur.setLength(0); }
            else cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }
}
