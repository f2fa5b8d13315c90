package dev.flinksavepoints.engine.dump;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.binary.BinarySection;
import org.apache.flink.table.data.binary.BinarySegmentUtils;
import org.apache.flink.table.runtime.typeutils.BinaryRowDataSerializer;
import org.apache.flink.table.runtime.typeutils.DecimalDataSerializer;
import org.apache.flink.table.runtime.typeutils.ExternalSerializer;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.runtime.typeutils.StringDataSerializer;
import org.apache.flink.table.runtime.typeutils.TimestampDataSerializer;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BinaryType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.CharType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampKind;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Table API / SQL rows (docs/dump-format.md §3.4): RowDataSerializer values rendered field by field
 * per the snapshot's LogicalTypes through Flink's own RowData accessors (ARRAY, MULTISET and MAP values
 * through its ArrayData and MapData accessors, element by element, entry by entry); BinaryRowDataSerializer
 * values (no field types) as their kind, arity and bytes. The standalone data serializers write
 * StringData, DecimalData and TimestampData values, rendered like row fields of those types. An
 * ExternalSerializer (the keys and values of the MapStates and ListStates behind data views, such as
 * the distinct views of COUNT(DISTINCT …)) writes exactly what its internal serializer writes, so it is
 * transparent: its node is its internal serializer's.
 */
final class TableRows {
    private TableRows() {}

    /** The type node of a table runtime row or data serializer, or null for any other serializer. */
    static TypeNode node(TypeSerializer<?> s) {
        if (s instanceof RowDataSerializer) {
            LogicalType[] types = (LogicalType[]) Refl.get(s, "types");
            StringBuilder b = new StringBuilder("RowData<");
            for (int i = 0; i < types.length; i++) {
                if (i > 0) b.append(", ");
                b.append(name(types[i]));
            }
            return TypeNode.leaf(TypeNode.Kind.ROW_DATA, b.append('>').toString(), s);
        }
        if (s instanceof BinaryRowDataSerializer) {
            return TypeNode.leaf(TypeNode.Kind.BINARY_ROW, "BinaryRow<" + ((BinaryRowDataSerializer) s).getArity() + ">", s);
        }
        if (s instanceof ExternalSerializer) {
            // a data view's (MapView, ListView) keys and values: it writes exactly what its internal
            // serializer writes (the internal value converted from the data type's conversion class)
            return TypeNode.of((TypeSerializer<?>) Refl.get(s, "internalSerializer"));
        }
        if (s instanceof StringDataSerializer) return TypeNode.leaf(TypeNode.Kind.STRING_DATA, "StringData", s);
        if (s instanceof DecimalDataSerializer) {
            return TypeNode.leaf(TypeNode.Kind.DECIMAL_DATA,
                    "DecimalData(" + Refl.get(s, "precision") + ", " + Refl.get(s, "scale") + ")", s);
        }
        if (s instanceof TimestampDataSerializer) {
            return TypeNode.leaf(TypeNode.Kind.TIMESTAMP_DATA, "TimestampData(" + Refl.get(s, "precision") + ")", s);
        }
        return null;
    }

    /** The roots decoded field by field, each only for exactly this LogicalType class (not, say, a legacy type). */
    private static final Map<LogicalTypeRoot, Class<?>> DECODED = new EnumMap<>(LogicalTypeRoot.class);

    static {
        DECODED.put(LogicalTypeRoot.BOOLEAN, BooleanType.class);
        DECODED.put(LogicalTypeRoot.TINYINT, TinyIntType.class);
        DECODED.put(LogicalTypeRoot.SMALLINT, SmallIntType.class);
        DECODED.put(LogicalTypeRoot.INTEGER, IntType.class);
        DECODED.put(LogicalTypeRoot.BIGINT, BigIntType.class);
        DECODED.put(LogicalTypeRoot.FLOAT, FloatType.class);
        DECODED.put(LogicalTypeRoot.DOUBLE, DoubleType.class);
        DECODED.put(LogicalTypeRoot.DATE, DateType.class);
        DECODED.put(LogicalTypeRoot.CHAR, CharType.class);
        DECODED.put(LogicalTypeRoot.VARCHAR, VarCharType.class);
        DECODED.put(LogicalTypeRoot.BINARY, BinaryType.class);
        DECODED.put(LogicalTypeRoot.VARBINARY, VarBinaryType.class);
        DECODED.put(LogicalTypeRoot.DECIMAL, DecimalType.class);
        DECODED.put(LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE, TimeType.class);
        DECODED.put(LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE, TimestampType.class);
        DECODED.put(LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE, LocalZonedTimestampType.class);
        DECODED.put(LogicalTypeRoot.ROW, RowType.class);
        DECODED.put(LogicalTypeRoot.ARRAY, ArrayType.class);
        DECODED.put(LogicalTypeRoot.MULTISET, MultisetType.class);
        DECODED.put(LogicalTypeRoot.MAP, MapType.class);
    }

    /**
     * Whether a field of this type is decoded: its class is exactly the one for its root, and for ARRAY
     * and MULTISET the element type, for MAP the key and value types, are decoded too.
     */
    static boolean decoded(LogicalType t) {
        if (t.getClass() != DECODED.get(t.getTypeRoot())) return false;
        switch (t.getTypeRoot()) {
            case ARRAY: return decoded(((ArrayType) t).getElementType());
            case MULTISET: return decoded(((MultisetType) t).getElementType());
            case MAP: return decoded(((MapType) t).getKeyType()) && decoded(((MapType) t).getValueType());
            default: return true;
        }
    }

    /** The type name of a field (§4): Flink's summary string for the decoded types, else the root's name. */
    static String name(LogicalType t) {
        String nn = t.isNullable() ? "" : " NOT NULL";
        if (!decoded(t)) return t.getTypeRoot().name() + nn;
        switch (t.getTypeRoot()) {
            case BOOLEAN: return "BOOLEAN" + nn;
            case TINYINT: return "TINYINT" + nn;
            case SMALLINT: return "SMALLINT" + nn;
            case INTEGER: return "INT" + nn;
            case BIGINT: return "BIGINT" + nn;
            case FLOAT: return "FLOAT" + nn;
            case DOUBLE: return "DOUBLE" + nn;
            case DATE: return "DATE" + nn;
            case CHAR: return "CHAR(" + ((CharType) t).getLength() + ")" + nn;
            case VARCHAR: {
                int n = ((VarCharType) t).getLength();
                return (n == VarCharType.MAX_LENGTH ? "STRING" : "VARCHAR(" + n + ")") + nn;
            }
            case BINARY: return "BINARY(" + ((BinaryType) t).getLength() + ")" + nn;
            case VARBINARY: {
                int n = ((VarBinaryType) t).getLength();
                return (n == VarBinaryType.MAX_LENGTH ? "BYTES" : "VARBINARY(" + n + ")") + nn;
            }
            case DECIMAL: return "DECIMAL(" + ((DecimalType) t).getPrecision() + ", " + ((DecimalType) t).getScale() + ")" + nn;
            case TIME_WITHOUT_TIME_ZONE: return "TIME(" + ((TimeType) t).getPrecision() + ")" + nn;
            case TIMESTAMP_WITHOUT_TIME_ZONE: {
                TimestampType ts = (TimestampType) t;
                return "TIMESTAMP(" + ts.getPrecision() + ")" + nn + kind(ts.getKind());
            }
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE: {
                LocalZonedTimestampType ts = (LocalZonedTimestampType) t;
                return "TIMESTAMP_LTZ(" + ts.getPrecision() + ")" + nn + kind(ts.getKind());
            }
            case ROW: {
                StringBuilder b = new StringBuilder("ROW<");
                List<RowType.RowField> fs = ((RowType) t).getFields();
                for (int i = 0; i < fs.size(); i++) {
                    if (i > 0) b.append(", ");
                    b.append('`').append(fs.get(i).getName().replace("`", "``")).append("` ").append(name(fs.get(i).getType()));
                }
                return b.append('>').append(nn).toString();
            }
            case ARRAY: return "ARRAY<" + name(((ArrayType) t).getElementType()) + ">" + nn;
            case MULTISET: return "MULTISET<" + name(((MultisetType) t).getElementType()) + ">" + nn;
            case MAP: {
                MapType m = (MapType) t;
                return "MAP<" + name(m.getKeyType()) + ", " + name(m.getValueType()) + ">" + nn;
            }
            default:
                return t.getTypeRoot().name() + nn;
        }
    }

    private static String kind(TimestampKind k) {
        return k == TimestampKind.REGULAR ? "" : " *" + k + "*";
    }

    static void render(Json j, TypeNode n, Object v) {
        switch (n.kind) {
            case STRING_DATA: j.value(((StringData) v).toString()); return;
            case DECIMAL_DATA: decimal(j, (DecimalData) v); return;
            case TIMESTAMP_DATA: timestamp(j, (TimestampData) v); return;
            default: break;
        }
        if (n.kind == TypeNode.Kind.BINARY_ROW) {
            BinaryRowData r = (BinaryRowData) v;
            j.beginObject().member("$row", r.getRowKind().shortString()).member("arity", r.getArity())
                    .member("hex", Json.hex(BinarySegmentUtils.copyToBytes(r.getSegments(), r.getOffset(), r.getSizeInBytes())))
                    .endObject();
            return;
        }
        row(j, (RowData) v, (LogicalType[]) Refl.get(n.ser, "types"));
    }

    private static void row(Json j, RowData r, LogicalType[] types) {
        j.beginObject().member("$row", r.getRowKind().shortString()).name("fields").beginArray();
        for (int i = 0; i < types.length; i++) field(j, r, i, types[i], types.length);
        j.endArray().endObject();
    }

    private static void field(Json j, RowData r, int i, LogicalType t, int arity) {
        if (r.isNullAt(i)) {
            j.nul();
            return;
        }
        if (!decoded(t)) {
            raw(j, r, i, t, arity);
            return;
        }
        value(j, RowData.createFieldGetter(t, i).getFieldOrNull(r), t);
    }

    /** An ARRAY's or MULTISET's elements, or a MAP's keys or values: each rendered like a row field of the element type. */
    private static void element(Json j, ArrayData a, int i, LogicalType t, ArrayData.ElementGetter getter) {
        if (a.isNullAt(i)) j.nul();
        else value(j, getter.getElementOrNull(a, i), t);
    }

    /** A MAP's or MULTISET's entries: [key, value] pairs (for a MULTISET [element, count]) in stored order. */
    private static void entries(Json j, MapData m, LogicalType keyType, LogicalType valueType) {
        ArrayData keys = m.keyArray();
        ArrayData values = m.valueArray();
        ArrayData.ElementGetter kg = ArrayData.createElementGetter(keyType);
        ArrayData.ElementGetter vg = ArrayData.createElementGetter(valueType);
        j.beginArray();
        for (int i = 0; i < m.size(); i++) {
            j.beginArray();
            element(j, keys, i, keyType, kg);
            element(j, values, i, valueType, vg);
            j.endArray();
        }
        j.endArray();
    }

    /** A MULTISET's counts. */
    private static final LogicalType COUNT = new IntType(false);

    /**
     * A non-null value of a decoded type, as Flink's field and element getters return it (the table
     * runtime's internal data structures).
     */
    private static void value(Json j, Object v, LogicalType t) {
        if (v == null) { // only a DECIMAL with more digits than its precision: Flink reads null
            j.nul();
            return;
        }
        switch (t.getTypeRoot()) {
            case BOOLEAN: j.value((boolean) (Boolean) v); return;
            case TINYINT: j.value((byte) (Byte) v); return;
            case SMALLINT: j.value((short) (Short) v); return;
            case INTEGER: j.value((int) (Integer) v); return;
            case BIGINT: j.value((long) (Long) v); return;
            case FLOAT: j.flt((Float) v); return;
            case DOUBLE: j.dbl((Double) v); return;
            case CHAR: case VARCHAR: j.value(((StringData) v).toString()); return;
            case BINARY: case VARBINARY: j.beginObject().member("$hex", Json.hex((byte[]) v)).endObject(); return;
            case DECIMAL: decimal(j, (DecimalData) v); return;
            case DATE: j.value(Render.date(LocalDate.ofEpochDay((Integer) v))); return;
            case TIME_WITHOUT_TIME_ZONE: j.value(Render.time(LocalTime.ofNanoOfDay((Integer) v * 1_000_000L))); return;
            case TIMESTAMP_WITHOUT_TIME_ZONE: timestamp(j, (TimestampData) v); return;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE: {
                Instant in = ((TimestampData) v).toInstant();
                j.value(Render.dateTime(LocalDateTime.ofEpochSecond(in.getEpochSecond(), in.getNano(), ZoneOffset.UTC)) + "Z");
                return;
            }
            case ROW: row(j, (RowData) v, t.getChildren().toArray(new LogicalType[0])); return;
            case ARRAY: {
                ArrayData a = (ArrayData) v;
                LogicalType et = ((ArrayType) t).getElementType();
                ArrayData.ElementGetter g = ArrayData.createElementGetter(et);
                j.beginArray();
                for (int i = 0; i < a.size(); i++) element(j, a, i, et, g);
                j.endArray();
                return;
            }
            case MULTISET: entries(j, (MapData) v, ((MultisetType) t).getElementType(), COUNT); return;
            case MAP: entries(j, (MapData) v, ((MapType) t).getKeyType(), ((MapType) t).getValueType()); return;
            default:
                throw new IllegalStateException("not a decoded type: " + t);
        }
    }

    /** A DECIMAL: its plain digits (DecimalData#toString: BigDecimal#toPlainString). */
    private static void decimal(Json j, DecimalData v) {
        if (v == null) j.nul(); // more digits than the precision: Flink reads null
        else j.value(v.toString());
    }

    /** A TIMESTAMP (without time zone): its local date-time, nanoseconds in full. */
    private static void timestamp(Json j, TimestampData v) {
        j.value(Render.dateTime(v.toLocalDateTime()));
    }

    /** A field we do not decode: the variable-length part it points to, or else its 8-byte slot. */
    private static void raw(Json j, RowData r, int i, LogicalType t, int arity) {
        BinarySection s = (BinarySection) r;
        byte[] bytes;
        if (pointsToVariablePart(t.getTypeRoot())) {
            long offsetAndSize = r.getLong(i);
            bytes = BinarySegmentUtils.copyToBytes(s.getSegments(), s.getOffset() + (int) (offsetAndSize >> 32), (int) offsetAndSize);
        } else {
            bytes = BinarySegmentUtils.copyToBytes(s.getSegments(), s.getOffset() + BinaryRowData.calculateBitSetWidthInBytes(arity) + 8 * i, 8);
        }
        j.beginObject().member("$raw", Json.hex(bytes)).member("type", name(t)).endObject();
    }

    private static boolean pointsToVariablePart(LogicalTypeRoot root) {
        switch (root.name()) {
            case "ARRAY": case "MULTISET": case "MAP": case "RAW": case "STRUCTURED_TYPE": case "VARIANT": case "BITMAP":
                return true;
            default:
                return false;
        }
    }
}
