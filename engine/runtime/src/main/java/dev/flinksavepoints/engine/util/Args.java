package dev.flinksavepoints.engine.util;

import dev.flinksavepoints.engine.UsageException;

/** Command-line helpers shared by the engine.jar subcommands. */
public final class Args {
    private Args() {}

    /** The value of option {@code name}, expected at {@code a[i]} (right after the option). */
    public static String value(String[] a, int i, String name) {
        if (i >= a.length) throw new UsageException(name + " needs a value");
        return a[i];
    }
}
