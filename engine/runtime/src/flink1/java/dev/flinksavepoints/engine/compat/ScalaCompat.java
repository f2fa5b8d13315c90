package dev.flinksavepoints.engine.compat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.scala.typeutils.CaseClassSerializer;
import org.apache.flink.api.scala.typeutils.EitherSerializer;
import org.apache.flink.api.scala.typeutils.EnumValueSerializer;
import org.apache.flink.api.scala.typeutils.OptionSerializer;
import org.apache.flink.api.scala.typeutils.TraversableSerializer;

import java.util.ArrayList;
import java.util.List;

/**
 * Flink 1.x: the serializers of the Scala API (flink-scala) and their values, for the dump oracle
 * (docs/dump-format.md §3, §4). Flink 2 has no Scala API: its shim knows no Scala serializer.
 */
public final class ScalaCompat {
    private ScalaCompat() {}

    /** The Scala serializers the dump renders. */
    public enum Kind { CASE_CLASS, OPTION, EITHER, TRAVERSABLE, ENUMERATION }

    /** The kind of a Scala API serializer, or null for any other serializer. */
    public static Kind kind(TypeSerializer<?> s) {
        if (s instanceof CaseClassSerializer) return Kind.CASE_CLASS; // also Scala tuples (Tuple2CaseClassSerializer)
        if (s instanceof OptionSerializer) return Kind.OPTION;
        if (s instanceof EitherSerializer) return Kind.EITHER;
        if (s instanceof TraversableSerializer) return Kind.TRAVERSABLE;
        if (s instanceof EnumValueSerializer) return Kind.ENUMERATION;
        return null;
    }

    /** Case class: the field serializers in declaration order; Option: [element]; Either: [left, right]; Traversable: [element]. */
    public static TypeSerializer<?>[] nested(TypeSerializer<?> s) {
        if (s instanceof CaseClassSerializer) return ((CaseClassSerializer<?>) s).getFieldSerializers();
        if (s instanceof OptionSerializer) return new TypeSerializer<?>[] {((OptionSerializer<?>) s).elemSerializer()};
        if (s instanceof EitherSerializer) {
            EitherSerializer<?, ?> e = (EitherSerializer<?, ?>) s;
            return new TypeSerializer<?>[] {e.getLeftSerializer(), e.getRightSerializer()};
        }
        if (s instanceof TraversableSerializer) return new TypeSerializer<?>[] {((TraversableSerializer<?, ?>) s).elementSerializer()};
        return new TypeSerializer<?>[0];
    }

    /** Case class: the class (as ScalaCaseClassSerializerSnapshot stores it); Enumeration: the Enumeration object's class. */
    public static String className(TypeSerializer<?> s) {
        if (s instanceof CaseClassSerializer) return ((CaseClassSerializer<?>) s).getTupleClass().getName();
        if (s instanceof EnumValueSerializer) {
            try {
                // the Scala val is named `enum`, a Java keyword
                return s.getClass().getMethod("enum").invoke(s).getClass().getName();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalArgumentException(s.getClass().getName());
    }

    /** Field i of a case class value (scala.Product). */
    public static Object field(Object caseClass, int i) {
        return ((scala.Product) caseClass).productElement(i);
    }

    public static boolean isNone(Object option) {
        return ((scala.Option<?>) option).isEmpty();
    }

    public static Object someValue(Object option) {
        return ((scala.Option<?>) option).get();
    }

    public static boolean isLeft(Object either) {
        return ((scala.util.Either<?, ?>) either).isLeft();
    }

    public static Object eitherValue(Object either) {
        if (either instanceof scala.util.Left) return ((scala.util.Left<?, ?>) either).value();
        return ((scala.util.Right<?, ?>) either).value();
    }

    /** The elements of a Scala collection in its iteration order (the order TraversableSerializer writes). */
    public static List<Object> elements(Object traversable) {
        List<Object> out = new ArrayList<>();
        scala.collection.Iterator<?> it = ((scala.collection.TraversableOnce<?>) traversable).toIterator();
        while (it.hasNext()) out.add(it.next());
        return out;
    }

    /** An Enumeration value's name (what ScalaEnumSerializerSnapshot stores for it). */
    public static String enumName(Object value) {
        return value.toString();
    }
}
