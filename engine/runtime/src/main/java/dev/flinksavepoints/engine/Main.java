package dev.flinksavepoints.engine;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entry point of engine.jar. Each subcommand is a class with {@code public static int run(String[] args)}.
 * Errors end as one clear line on stderr and a non-zero exit code: 2 for bad arguments, 1 otherwise.
 */
public final class Main {
    private static final Map<String, String> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("serve", "dev.flinksavepoints.engine.serve.Serve");
        COMMANDS.put("dump", "dev.flinksavepoints.engine.dump.Dump");
        COMMANDS.put("corpus", "dev.flinksavepoints.engine.corpus.Corpus");
        COMMANDS.put("bootstrap", "dev.flinksavepoints.engine.bootstrap.Bootstrap");
        COMMANDS.put("check", "dev.flinksavepoints.engine.check.Check");
        COMMANDS.put("timers-check", "dev.flinksavepoints.engine.timers.TimersCheck");
        COMMANDS.put("splits", "dev.flinksavepoints.engine.splits.Splits");
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    static int run(String[] args, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            err.println("usage: java -jar engine.jar <" + String.join("|", COMMANDS.keySet()) + "> [options]");
            err.println("Flink " + flinkVersion());
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version")) {
            System.out.println(flinkVersion());
            return 0;
        }
        String className = COMMANDS.get(args[0]);
        if (className == null) {
            err.println("engine: unknown command '" + args[0] + "' (expected one of " + String.join(", ", COMMANDS.keySet()) + ")");
            return 2;
        }
        try {
            Class<?> cls = Class.forName(className);
            Object rc = cls.getMethod("run", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
            return rc instanceof Integer ? (Integer) rc : 0;
        } catch (ClassNotFoundException e) {
            err.println("engine: command '" + args[0] + "' is not available in this build");
            return 2;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UsageException) {
                err.println("engine " + args[0] + ": " + cause.getMessage());
                return 2;
            }
            err.println("engine " + args[0] + ": " + oneLine(cause));
            return 1;
        } catch (ReflectiveOperationException e) {
            err.println("engine: " + oneLine(e));
            return 1;
        }
    }

    /** The innermost useful message of an exception chain, on one line. */
    public static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable cur = t;
        int depth = 0;
        while (cur != null && depth < 6) {
            String msg = cur.getMessage();
            if (sb.length() > 0) sb.append(": ");
            sb.append(msg == null ? cur.getClass().getSimpleName() : msg.replace('\n', ' '));
            if (cur.getCause() == cur) break;
            cur = cur.getCause();
            depth++;
        }
        return sb.toString();
    }

    public static String flinkVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        try (var in = Main.class.getResourceAsStream("/engine.properties")) {
            if (in != null) {
                var p = new java.util.Properties();
                p.load(in);
                v = p.getProperty("flink.version", v);
            }
        } catch (java.io.IOException ignored) {
            // fall through
        }
        return v == null ? "unknown" : v;
    }
}
