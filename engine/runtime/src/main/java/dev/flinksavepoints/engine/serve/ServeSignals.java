package dev.flinksavepoints.engine.serve;

import java.util.function.Consumer;

/**
 * Turns SIGTERM and SIGINT into an orderly stop request, so that {@code serve} closes the cluster
 * and exits with code 0 instead of the signal's 143/130. If the JDK does not allow installing
 * handlers, the JVM's default behaviour remains and the shutdown hook in {@link Serve} closes the
 * cluster.
 */
final class ServeSignals {
    private ServeSignals() {}

    static void install(Consumer<String> onSignal) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> onSignal.accept(sig.getName()));
            } catch (Throwable t) {
                System.err.println("serve: cannot handle SIG" + name + " (" + t.getMessage() + "); relying on the shutdown hook");
            }
        }
    }
}
