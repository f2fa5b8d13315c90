package dev.flinksavepoints.engine.compat;

import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.List;

/** Flink 2.x has no Scala API: no serializer is a Scala one (see the Flink 1.x shim). */
public final class ScalaCompat {
    private ScalaCompat() {}

    public enum Kind { CASE_CLASS, OPTION, EITHER, TRAVERSABLE, ENUMERATION }

    public static Kind kind(TypeSerializer<?> s) {
        return null;
    }

    public static TypeSerializer<?>[] nested(TypeSerializer<?> s) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static String className(TypeSerializer<?> s) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static Object field(Object caseClass, int i) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static boolean isNone(Object option) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static Object someValue(Object option) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static boolean isLeft(Object either) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static Object eitherValue(Object either) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static List<Object> elements(Object traversable) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }

    public static String enumName(Object value) {
        throw new UnsupportedOperationException("no Scala API in Flink 2");
    }
}
