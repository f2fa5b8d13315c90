package dev.flinksavepoints.engine.dump;

import dev.flinksavepoints.engine.compat.ScalaCompat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.*;
import org.apache.flink.api.common.typeutils.base.array.*;
import org.apache.flink.api.java.typeutils.runtime.NullableSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.api.java.typeutils.runtime.RowSerializer;
import org.apache.flink.api.java.typeutils.runtime.Tuple0Serializer;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializerBase;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.runtime.state.ArrayListSerializer;
import org.apache.flink.runtime.state.JavaSerializer;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.streaming.api.operators.TimerSerializer;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/** The static type tree of a restored serializer (§4 type strings and the §3.3 raw rules). */
final class TypeNode {
    enum Kind {
        BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, CHAR, STRING, BIGINT, BIGDEC, VOID,
        INSTANT, LOCALDATE, LOCALTIME, LOCALDATETIME, DATE, SQLDATE, SQLTIME, SQLTIMESTAMP,
        PRIM_ARRAY, STRING_ARRAY, GENERIC_ARRAY, LIST, MAP, SET, TUPLE, TUPLE0, ROW, NULLABLE, ENUM, POJO,
        KRYO, AVRO, JAVA, TTL, VOID_NAMESPACE, TIME_WINDOW, GLOBAL_WINDOW, TIMER,
        CASE_CLASS, OPTION, EITHER, TRAVERSABLE, SCALA_ENUM,
        /** Table API / SQL rows (TableRows): RowDataSerializer, BinaryRowDataSerializer. */
        ROW_DATA, BINARY_ROW,
        /** The table runtime's standalone data serializers (TableRows): StringData, DecimalData, TimestampData. */
        STRING_DATA, DECIMAL_DATA, TIMESTAMP_DATA,
        UNKNOWN
    }

    final Kind kind;
    final String type;
    final TypeSerializer<Object> ser;
    final TypeNode[] kids;
    /** POJO: the fields (in snapshot order; null for fields missing from the class). */
    Field[] fields;
    boolean pojoHasSubclassRegistrations;
    /** Primitive array: element kind name (byte, int, ...). */
    String elem;
    String className;

    final boolean opaque;     // has any opaque part (Kryo, Java, Unknown)
    final boolean unknown;    // has any Unknown part
    final boolean tailOk;     // decodable in tail position
    final boolean unordered;  // contains Map or Set (re-serialization may differ)

    @SuppressWarnings("unchecked")
    private TypeNode(Kind kind, String type, TypeSerializer<?> ser, TypeNode[] kids, boolean subclassRegs) {
        this.kind = kind;
        this.type = type;
        this.ser = (TypeSerializer<Object>) ser;
        this.kids = kids;
        this.pojoHasSubclassRegistrations = subclassRegs;
        boolean op = kind == Kind.KRYO || kind == Kind.JAVA || kind == Kind.UNKNOWN;
        boolean un = kind == Kind.UNKNOWN;
        boolean uo = kind == Kind.MAP || kind == Kind.SET;
        for (TypeNode k : kids) {
            if (k == null) continue;
            op |= k.opaque;
            un |= k.unknown;
            uo |= k.unordered;
        }
        this.opaque = op;
        this.unknown = un;
        this.unordered = uo;
        boolean tail;
        if (!op) {
            tail = true;
        } else if (kind == Kind.KRYO || kind == Kind.JAVA) {
            tail = true;
        } else if (kind == Kind.TUPLE || kind == Kind.ROW || kind == Kind.CASE_CLASS || (kind == Kind.POJO && !subclassRegs)) {
            tail = true;
            int n = kind == Kind.POJO ? fieldCount(kids) : kids.length;
            for (int i = 0; i < n - 1; i++) {
                if (kids[i].opaque) tail = false;
            }
            if (n > 0 && !kids[n - 1].tailOk) tail = false;
        } else if (kind == Kind.NULLABLE || kind == Kind.TTL || kind == Kind.OPTION) {
            tail = kids[0].tailOk;
        } else if (kind == Kind.EITHER) {
            // the flag picks one side, which then runs to the end
            tail = kids[0].tailOk && kids[1].tailOk;
        } else {
            tail = false;
        }
        this.tailOk = tail;
    }

    private static int fieldCount(TypeNode[] kids) {
        return kids.length;
    }

    static TypeNode leaf(Kind k, String type, TypeSerializer<?> ser) {
        return new TypeNode(k, type, ser, new TypeNode[0], false);
    }

    static TypeNode of(TypeSerializer<?> s) {
        if (s == null) return leaf(Kind.UNKNOWN, "Unknown<null>", null);
        TypeSerializer<?> unwrapped = dev.flinksavepoints.engine.compat.DumpCompat.unwrapTtlAware(s);
        if (unwrapped != s) return of(unwrapped);
        ScalaCompat.Kind scala = ScalaCompat.kind(s);
        if (scala != null) return scala(scala, s); // before TupleSerializerBase: case class serializers extend it
        if (s instanceof BooleanSerializer) return leaf(Kind.BOOLEAN, "Boolean", s);
        if (s instanceof ByteSerializer) return leaf(Kind.BYTE, "Byte", s);
        if (s instanceof ShortSerializer) return leaf(Kind.SHORT, "Short", s);
        if (s instanceof IntSerializer) return leaf(Kind.INT, "Integer", s);
        if (s instanceof LongSerializer) return leaf(Kind.LONG, "Long", s);
        if (s instanceof FloatSerializer) return leaf(Kind.FLOAT, "Float", s);
        if (s instanceof DoubleSerializer) return leaf(Kind.DOUBLE, "Double", s);
        if (s instanceof CharSerializer) return leaf(Kind.CHAR, "Character", s);
        if (s instanceof StringSerializer) return leaf(Kind.STRING, "String", s);
        if (s instanceof BigIntSerializer) return leaf(Kind.BIGINT, "BigInteger", s);
        if (s instanceof BigDecSerializer) return leaf(Kind.BIGDEC, "BigDecimal", s);
        if (s instanceof VoidSerializer) return leaf(Kind.VOID, "Void", s);
        if (s instanceof InstantSerializer) return leaf(Kind.INSTANT, "Instant", s);
        if (s instanceof LocalDateSerializer) return leaf(Kind.LOCALDATE, "LocalDate", s);
        if (s instanceof LocalTimeSerializer) return leaf(Kind.LOCALTIME, "LocalTime", s);
        if (s instanceof LocalDateTimeSerializer) return leaf(Kind.LOCALDATETIME, "LocalDateTime", s);
        if (s instanceof SqlDateSerializer) return leaf(Kind.SQLDATE, "SqlDate", s);
        if (s instanceof SqlTimeSerializer) return leaf(Kind.SQLTIME, "SqlTime", s);
        if (s instanceof SqlTimestampSerializer) return leaf(Kind.SQLTIMESTAMP, "SqlTimestamp", s);
        if (s instanceof DateSerializer) return leaf(Kind.DATE, "Date", s);
        if (s instanceof BytePrimitiveArraySerializer) return prim("byte", s);
        if (s instanceof IntPrimitiveArraySerializer) return prim("int", s);
        if (s instanceof LongPrimitiveArraySerializer) return prim("long", s);
        if (s instanceof ShortPrimitiveArraySerializer) return prim("short", s);
        if (s instanceof BooleanPrimitiveArraySerializer) return prim("boolean", s);
        if (s instanceof CharPrimitiveArraySerializer) return prim("char", s);
        if (s instanceof FloatPrimitiveArraySerializer) return prim("float", s);
        if (s instanceof DoublePrimitiveArraySerializer) return prim("double", s);
        if (s instanceof StringArraySerializer) return leaf(Kind.STRING_ARRAY, "String[]", s);
        if (s instanceof GenericArraySerializer) {
            TypeNode c = of(((GenericArraySerializer<?>) s).getComponentSerializer());
            return new TypeNode(Kind.GENERIC_ARRAY, c.type + "[]", s, new TypeNode[] {c}, false);
        }
        if (s instanceof ListSerializer) {
            TypeNode c = of(((ListSerializer<?>) s).getElementSerializer());
            return new TypeNode(Kind.LIST, "List<" + c.type + ">", s, new TypeNode[] {c}, false);
        }
        if (s instanceof ArrayListSerializer) {
            TypeNode c = of(((ArrayListSerializer<?>) s).getElementSerializer());
            return new TypeNode(Kind.LIST, "List<" + c.type + ">", s, new TypeNode[] {c}, false);
        }
        if (s instanceof MapSerializer) {
            TypeNode k = of(((MapSerializer<?, ?>) s).getKeySerializer());
            TypeNode v = of(((MapSerializer<?, ?>) s).getValueSerializer());
            return new TypeNode(Kind.MAP, "Map<" + k.type + ", " + v.type + ">", s, new TypeNode[] {k, v}, false);
        }
        if (s.getClass().getName().equals("org.apache.flink.api.common.typeutils.base.SetSerializer")) {
            TypeNode c = of((TypeSerializer<?>) Refl.call(s, "getElementSerializer"));
            return new TypeNode(Kind.SET, "Set<" + c.type + ">", s, new TypeNode[] {c}, false);
        }
        if (s instanceof Tuple0Serializer) return leaf(Kind.TUPLE0, "Tuple0", s);
        if (s instanceof TupleSerializerBase) {
            TupleSerializerBase<?> t = (TupleSerializerBase<?>) s;
            TypeSerializer<?>[] fs = t.getFieldSerializers();
            TypeNode[] kids = new TypeNode[fs.length];
            for (int i = 0; i < fs.length; i++) kids[i] = of(fs[i]);
            return new TypeNode(Kind.TUPLE, t.getTupleClass().getSimpleName() + "<" + join(kids) + ">", s, kids, false);
        }
        if (s instanceof RowSerializer) {
            TypeSerializer<?>[] fs = (TypeSerializer<?>[]) Refl.get(s, "fieldSerializers");
            TypeNode[] kids = new TypeNode[fs.length];
            for (int i = 0; i < fs.length; i++) kids[i] = of(fs[i]);
            return new TypeNode(Kind.ROW, "Row<" + join(kids) + ">", s, kids, false);
        }
        if (s instanceof NullableSerializer) {
            TypeNode c = of((TypeSerializer<?>) Refl.get(s, "originalSerializer"));
            return new TypeNode(Kind.NULLABLE, "Nullable<" + c.type + ">", s, new TypeNode[] {c}, false);
        }
        if (s instanceof EnumSerializer) {
            Class<?> c = (Class<?>) Refl.get(s, "enumClass");
            TypeNode n = leaf(Kind.ENUM, "Enum<" + c.getName() + ">", s);
            n.className = c.getName();
            return n;
        }
        if (s instanceof PojoSerializer) {
            Class<?> c = (Class<?>) Refl.get(s, "clazz");
            Field[] fields = (Field[]) Refl.get(s, "fields");
            TypeSerializer<?>[] fs = (TypeSerializer<?>[]) Refl.get(s, "fieldSerializers");
            TypeSerializer<?>[] regs = (TypeSerializer<?>[]) Refl.get(s, "registeredSerializers");
            List<TypeNode> kids = new ArrayList<>();
            for (TypeSerializer<?> f : fs) kids.add(of(f));
            int nFields = kids.size();
            boolean subRegs = regs != null && regs.length > 0;
            TypeNode[] all = new TypeNode[kids.size()];
            kids.toArray(all);
            TypeNode n = new TypeNode(Kind.POJO, "Pojo<" + c.getName() + ">", s, all, subRegs);
            if (subRegs) {
                // registered subclasses count for "opaque parts"
                boolean anyOpaque = false;
                for (TypeSerializer<?> r : regs) anyOpaque |= of(r).opaque;
                if (anyOpaque && !n.opaque) {
                    TypeNode[] withRegs = new TypeNode[regs.length];
                    for (int i = 0; i < regs.length; i++) withRegs[i] = of(regs[i]);
                    TypeNode m = new TypeNode(Kind.POJO, n.type, s, concat(all, withRegs), true);
                    m.fields = fields;
                    m.className = c.getName();
                    m.pojoFieldCount = nFields;
                    return m;
                }
            }
            n.fields = fields;
            n.className = c.getName();
            n.pojoFieldCount = nFields;
            return n;
        }
        if (s instanceof KryoSerializer) {
            Class<?> c = (Class<?>) Refl.get(s, "type");
            TypeNode n = leaf(Kind.KRYO, "Kryo<" + c.getName() + ">", s);
            n.className = c.getName();
            return n;
        }
        if (s instanceof JavaSerializer) return leaf(Kind.JAVA, "Java", s);
        if (s.getClass().getName().equals("org.apache.flink.formats.avro.typeutils.AvroSerializer")) {
            String name;
            try {
                Object schema = Refl.call(s, "getAvroSchema");
                name = (String) Refl.call(schema, "getFullName");
            } catch (RuntimeException e) {
                name = ((Class<?>) Refl.call(s, "getType")).getName();
            }
            return leaf(Kind.AVRO, "Avro<" + name + ">", s);
        }
        if (s instanceof TtlStateFactory.TtlSerializer) {
            TypeSerializer<?>[] fs = (TypeSerializer<?>[]) Refl.get(s, "fieldSerializers");
            TypeNode c = of(fs[1]);
            return new TypeNode(Kind.TTL, "Ttl<" + c.type + ">", s, new TypeNode[] {c}, false);
        }
        if (s instanceof VoidNamespaceSerializer) return leaf(Kind.VOID_NAMESPACE, "VoidNamespace", s);
        if (s instanceof TimeWindow.Serializer) return leaf(Kind.TIME_WINDOW, "TimeWindow", s);
        if (s instanceof GlobalWindow.Serializer) return leaf(Kind.GLOBAL_WINDOW, "GlobalWindow", s);
        TypeNode table = TableRows.node(s);
        if (table != null) return table;
        if (s instanceof TimerSerializer) {
            TypeNode k = of(((TimerSerializer<?, ?>) s).getKeySerializer());
            TypeNode n = of(((TimerSerializer<?, ?>) s).getNamespaceSerializer());
            return new TypeNode(Kind.TIMER, "Timer<" + k.type + ", " + n.type + ">", s, new TypeNode[] {k, n}, false);
        }
        String snap;
        try {
            snap = s.snapshotConfiguration().getClass().getName();
        } catch (RuntimeException e) {
            snap = s.getClass().getName();
        }
        return leaf(Kind.UNKNOWN, "Unknown<" + snap + ">", s);
    }

    int pojoFieldCount;

    /** The Scala API's serializers (Flink 1.x; through the compat shim, so the Flink 2 build compiles). */
    private static TypeNode scala(ScalaCompat.Kind k, TypeSerializer<?> s) {
        switch (k) {
            case CASE_CLASS: {
                TypeSerializer<?>[] fs = ScalaCompat.nested(s);
                TypeNode[] kids = new TypeNode[fs.length];
                for (int i = 0; i < fs.length; i++) kids[i] = of(fs[i]);
                TypeNode n = new TypeNode(Kind.CASE_CLASS, "CaseClass<" + ScalaCompat.className(s) + ">", s, kids, false);
                n.className = ScalaCompat.className(s);
                return n;
            }
            case OPTION: {
                TypeNode c = of(ScalaCompat.nested(s)[0]);
                return new TypeNode(Kind.OPTION, "Option<" + c.type + ">", s, new TypeNode[] {c}, false);
            }
            case EITHER: {
                TypeSerializer<?>[] lr = ScalaCompat.nested(s);
                TypeNode l = of(lr[0]);
                TypeNode r = of(lr[1]);
                return new TypeNode(Kind.EITHER, "Either<" + l.type + ", " + r.type + ">", s, new TypeNode[] {l, r}, false);
            }
            case TRAVERSABLE: {
                TypeNode c = of(ScalaCompat.nested(s)[0]);
                return new TypeNode(Kind.TRAVERSABLE, "Traversable<" + c.type + ">", s, new TypeNode[] {c}, false);
            }
            case ENUMERATION: {
                TypeNode n = leaf(Kind.SCALA_ENUM, "Enumeration<" + ScalaCompat.className(s) + ">", s);
                n.className = ScalaCompat.className(s);
                return n;
            }
            default:
                throw new IllegalStateException(k.name());
        }
    }

    /** A List<…> node over an element node (for KEY_VALUE_V2 list states). */
    static TypeNode listOf(TypeNode elem) {
        return new TypeNode(Kind.LIST, "List<" + elem.type + ">", null, new TypeNode[] {elem}, false);
    }

    private static TypeNode prim(String e, TypeSerializer<?> s) {
        TypeNode n = leaf(Kind.PRIM_ARRAY, e + "[]", s);
        n.elem = e;
        return n;
    }

    private static TypeNode[] concat(TypeNode[] a, TypeNode[] b) {
        TypeNode[] r = new TypeNode[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String join(TypeNode[] kids) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kids.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(kids[i].type);
        }
        return sb.toString();
    }
}
