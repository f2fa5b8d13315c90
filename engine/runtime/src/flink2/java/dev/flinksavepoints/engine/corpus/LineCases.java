package dev.flinksavepoints.engine.corpus;

import java.util.Map;

/** Corpus cases of the Flink 2.x build only: none (the Scala API case is Flink 1.x only). */
final class LineCases {
    private LineCases() {}

    static void add(Map<String, Cases.Spec> m) {
        // Flink 2 has no Scala API
    }
}
