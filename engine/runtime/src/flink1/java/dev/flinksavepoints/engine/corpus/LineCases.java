package dev.flinksavepoints.engine.corpus;

import java.util.Map;

/** Corpus cases of the Flink 1.x build only: the Scala API job (Flink 2 has no Scala API). */
final class LineCases {
    private LineCases() {}

    static void add(Map<String, Cases.Spec> m) {
        Cases.Spec s = new Cases.Spec("types-scala", "types-scala", ScalaJobs.TYPES(),
                "Scala API state (createTypeInformation): case classes, Option, Either, Scala collections, an Enumeration; "
                        + "String keys and a case-class key with timers, parallelism 2, hashmap")
                .p(2)
                .kinds("ValueState", "MapState", "ListState", "event-time timers", "FLIP-27 source split state")
                .types("String keys", "case class key (ScalaAccount)",
                        "case class (nested case class, Option, Scala Tuple2, List, Map, Enumeration value and Double fields, null field)",
                        "Scala Tuple2", "Option[String] (Some, None, Some(null))", "Option[Long]", "Option[case class]",
                        "Either[String, Long]", "Either[case class, (Int, Option[String])]", "List[String] (null element)",
                        "Set[Int]", "Enumeration value (ids with a gap, a renamed value)", "case class without fields",
                        "Kryo in a case class's last field", "Kryo before a case class field (raw)", "Option[Kryo]",
                        "Either[String, Kryo]", "MapState[String, case class]", "MapState[case class, Either]",
                        "ListState[(Int, Option[String])]")
                .uids("ids", "records", "scala-state", "account-state", "sink");
        m.put(s.name, s);
    }
}
