package dev.flinksavepoints.engine.dump;

import dev.flinksavepoints.engine.compat.ScalaCompat;

import org.apache.flink.api.java.tuple.Tuple;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.ttl.TtlValue;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import java.io.IOException;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Decodes and renders values per docs/dump-format.md §3. */
final class Render {
    /** Set when a re-serialization check fails; a callback prints warnings. */
    interface Warn {
        void warn(String message);
    }

    static Warn warn = m -> System.err.println("warning: " + m);

    private Render() {}

    /**
     * Decodes one value of type n from in, whose enclosing byte string is buf[0..end). tail: the value
     * runs to end. Writes the JSON rendering (or the §3.3 $raw form) to j.
     */
    static void decode(Json j, TypeNode n, DataInputDeserializer in, byte[] buf, int end, boolean tail) throws IOException {
        if (!n.opaque) {
            int start = in.getPosition();
            Object v = n.ser.deserialize(in);
            selfCheck(n, v, buf, start, in.getPosition());
            render(j, n, v);
            return;
        }
        if (!tail || !n.tailOk) {
            throw new IllegalStateException("type " + n.type + " is not decodable here");
        }
        switch (n.kind) {
            case KRYO: {
                int p = in.getPosition();
                j.beginObject().member("$kryo", n.className).member("hex", Json.hex(buf, p, end)).endObject();
                in.skipBytesToRead(end - p);
                return;
            }
            case JAVA: {
                int p = in.getPosition();
                j.beginObject().member("$java", Json.hex(buf, p, end)).endObject();
                in.skipBytesToRead(end - p);
                return;
            }
            case TUPLE: {
                j.beginArray();
                for (int i = 0; i < n.kids.length; i++) decode(j, n.kids[i], in, buf, end, i == n.kids.length - 1);
                j.endArray();
                return;
            }
            case NULLABLE: {
                if (in.readBoolean()) {
                    j.nul();
                } else {
                    decode(j, n.kids[0], in, buf, end, true);
                }
                return;
            }
            case CASE_CLASS: {
                // CaseClassSerializer: the fields one after another, like a tuple
                j.beginArray();
                for (int i = 0; i < n.kids.length; i++) decode(j, n.kids[i], in, buf, end, i == n.kids.length - 1);
                j.endArray();
                return;
            }
            case OPTION: {
                // OptionSerializer: true, then the element (Some); false (None)
                if (in.readBoolean()) {
                    j.beginObject().name("$some");
                    decode(j, n.kids[0], in, buf, end, true);
                    j.endObject();
                } else {
                    j.nul();
                }
                return;
            }
            case EITHER: {
                // EitherSerializer: true, then the left value; false, then the right value
                boolean left = in.readBoolean();
                j.beginObject().name(left ? "$left" : "$right");
                decode(j, n.kids[left ? 0 : 1], in, buf, end, true);
                j.endObject();
                return;
            }
            case TTL: {
                long ts = in.readLong();
                j.beginObject().name("$ttl").value(ts).name("value");
                decode(j, n.kids[0], in, buf, end, true);
                j.endObject();
                return;
            }
            case POJO: {
                byte flag = in.readByte();
                if (flag == 1) {
                    j.nul();
                    return;
                }
                if (flag != 2) throw new IllegalStateException("POJO subclass values with opaque fields are not decodable");
                j.beginObject();
                int nf = n.pojoFieldCount;
                for (int i = 0; i < nf; i++) {
                    Field f = n.fields[i];
                    boolean isNull = in.readBoolean();
                    if (f != null) j.name(f.getName());
                    if (isNull) {
                        if (f != null) j.nul();
                    } else {
                        if (f == null) throw new IllegalStateException("POJO field missing from class");
                        decode(j, n.kids[i], in, buf, end, i == nf - 1);
                    }
                }
                j.endObject();
                return;
            }
            case ROW: {
                // mask: row kind bits (2) followed by one null bit per field, MSB first
                int arity = n.kids.length;
                boolean kind = !Boolean.TRUE.equals(legacy(n));
                int bits = arity + (kind ? 2 : 0);
                boolean[] mask = new boolean[bits];
                int b = 0;
                for (int i = 0; i < bits; i++) {
                    if (i % 8 == 0) b = in.readUnsignedByte();
                    mask[i] = (b & (0x80 >>> (i % 8))) != 0;
                }
                String k = "+I";
                int off = 0;
                if (kind) {
                    byte v = (byte) ((mask[0] ? 1 : 0) | (mask[1] ? 2 : 0));
                    k = RowKind.fromByteValue(v).shortString();
                    off = 2;
                }
                j.beginObject().member("$row", k).name("fields").beginArray();
                for (int i = 0; i < arity; i++) {
                    if (mask[off + i]) j.nul();
                    else decode(j, n.kids[i], in, buf, end, i == arity - 1);
                }
                j.endArray().endObject();
                return;
            }
            default:
                throw new IllegalStateException("type " + n.type + " is not decodable");
        }
    }

    private static Object legacy(TypeNode n) {
        try {
            return !(Boolean) Refl.get(n.ser, "supportsRowKind");
        } catch (RuntimeException e) {
            return Boolean.FALSE;
        }
    }

    static void raw(Json j, String type, byte[] buf, int from, int to) {
        j.beginObject().member("$raw", Json.hex(buf, from, to)).member("type", type).endObject();
    }

    private static void selfCheck(TypeNode n, Object v, byte[] buf, int start, int stop) {
        if (n.unordered || buf == null) return;
        try {
            DataOutputSerializer out = new DataOutputSerializer(Math.max(16, stop - start));
            n.ser.serialize(v, out);
            byte[] again = out.getCopyOfBuffer();
            boolean same = again.length == stop - start;
            for (int i = 0; same && i < again.length; i++) same = again[i] == buf[start + i];
            if (!same) {
                warn.warn("re-serialized " + n.type + " differs from the stored bytes: stored " + Json.hex(buf, start, stop) + ", again " + Json.hex(again));
            }
        } catch (Exception e) {
            warn.warn("could not re-serialize " + n.type + ": " + e);
        }
    }

    static byte[] serialize(TypeSerializer<Object> s, Object v) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        s.serialize(v, out);
        return out.getCopyOfBuffer();
    }

    /** Renders a decoded value with its (opaque-free) type node. */
    @SuppressWarnings("unchecked")
    static void render(Json j, TypeNode n, Object v) throws IOException {
        if (v == null) {
            j.nul();
            return;
        }
        switch (n.kind) {
            case BOOLEAN: j.value((Boolean) v); return;
            case BYTE: case SHORT: case INT: case LONG: j.number(v.toString()); return;
            case BIGINT: j.number(((BigInteger) v).toString()); return;
            case FLOAT: j.flt((Float) v); return;
            case DOUBLE: j.dbl((Double) v); return;
            case CHAR: j.value(String.valueOf((char) (Character) v)); return;
            case STRING: j.value((String) v); return;
            case BIGDEC: j.value(((BigDecimal) v).toString()); return;
            case VOID: j.nul(); return;
            case INSTANT: {
                Instant t = (Instant) v;
                LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
                j.value(dateTime(d) + "Z");
                return;
            }
            case LOCALDATE: j.value(date((LocalDate) v)); return;
            case LOCALTIME: j.value(time((LocalTime) v)); return;
            case LOCALDATETIME: j.value(dateTime((LocalDateTime) v)); return;
            case DATE: case SQLDATE: case SQLTIME: j.value(((java.util.Date) v).getTime()); return;
            case SQLTIMESTAMP: {
                java.sql.Timestamp t = (java.sql.Timestamp) v;
                j.beginObject().member("millis", t.getTime()).member("nanos", t.getNanos()).endObject();
                return;
            }
            case PRIM_ARRAY: primArray(j, n.elem, v); return;
            case STRING_ARRAY: {
                j.beginArray();
                for (String s : (String[]) v) j.value(s);
                j.endArray();
                return;
            }
            case GENERIC_ARRAY: {
                j.beginArray();
                for (Object o : (Object[]) v) render(j, n.kids[0], o);
                j.endArray();
                return;
            }
            case LIST: {
                j.beginArray();
                for (Object o : (List<Object>) v) render(j, n.kids[0], o);
                j.endArray();
                return;
            }
            case SET: {
                List<Object[]> items = new ArrayList<>();
                for (Object o : (Collection<Object>) v) items.add(new Object[] {o == null ? new byte[0] : serialize(n.kids[0].ser, o), o});
                items.sort((a, b) -> Bytes.compare((byte[]) a[0], (byte[]) b[0]));
                j.beginArray();
                for (Object[] it : items) render(j, n.kids[0], it[1]);
                j.endArray();
                return;
            }
            case MAP: {
                List<Object[]> items = new ArrayList<>();
                for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) {
                    items.add(new Object[] {e.getKey() == null ? new byte[0] : serialize(n.kids[0].ser, e.getKey()), e.getKey(), e.getValue()});
                }
                items.sort((a, b) -> Bytes.compare((byte[]) a[0], (byte[]) b[0]));
                j.beginArray();
                for (Object[] it : items) {
                    j.beginArray();
                    render(j, n.kids[0], it[1]);
                    render(j, n.kids[1], it[2]);
                    j.endArray();
                }
                j.endArray();
                return;
            }
            case TUPLE: {
                Tuple t = (Tuple) v;
                j.beginArray();
                for (int i = 0; i < n.kids.length; i++) render(j, n.kids[i], t.getField(i));
                j.endArray();
                return;
            }
            case TUPLE0: j.beginArray().endArray(); return;
            case ROW: {
                Row r = (Row) v;
                RowKind k = r.getKind();
                j.beginObject().member("$row", k == null ? "+I" : k.shortString()).name("fields").beginArray();
                for (int i = 0; i < n.kids.length; i++) render(j, n.kids[i], r.getField(i));
                j.endArray().endObject();
                return;
            }
            case NULLABLE: render(j, n.kids[0], v); return;
            case ENUM: j.value(((Enum<?>) v).name()); return;
            case POJO: pojo(j, n, v); return;
            case AVRO: Avro.render(j, v); return;
            case TTL: {
                TtlValue<?> t = (TtlValue<?>) v;
                j.beginObject().member("$ttl", t.getLastAccessTimestamp()).name("value");
                render(j, n.kids[0], t.getUserValue());
                j.endObject();
                return;
            }
            case TIME_WINDOW: {
                TimeWindow w = (TimeWindow) v;
                j.beginObject().member("start", w.getStart()).member("end", w.getEnd()).endObject();
                return;
            }
            case GLOBAL_WINDOW: j.value("GlobalWindow"); return;
            case CASE_CLASS: {
                j.beginArray();
                for (int i = 0; i < n.kids.length; i++) render(j, n.kids[i], ScalaCompat.field(v, i));
                j.endArray();
                return;
            }
            case OPTION: {
                if (ScalaCompat.isNone(v)) {
                    j.nul();
                } else {
                    j.beginObject().name("$some");
                    render(j, n.kids[0], ScalaCompat.someValue(v));
                    j.endObject();
                }
                return;
            }
            case EITHER: {
                boolean left = ScalaCompat.isLeft(v);
                j.beginObject().name(left ? "$left" : "$right");
                render(j, n.kids[left ? 0 : 1], ScalaCompat.eitherValue(v));
                j.endObject();
                return;
            }
            case TRAVERSABLE: {
                j.beginArray();
                for (Object o : ScalaCompat.elements(v)) render(j, n.kids[0], o);
                j.endArray();
                return;
            }
            case SCALA_ENUM: j.value(ScalaCompat.enumName(v)); return;
            case ROW_DATA: case BINARY_ROW: case STRING_DATA: case DECIMAL_DATA: case TIMESTAMP_DATA:
                TableRows.render(j, n, v);
                return;
            default:
                throw new IllegalStateException("cannot render " + n.type);
        }
    }

    private static void pojo(Json j, TypeNode n, Object v) throws IOException {
        j.beginObject();
        if (!v.getClass().getName().equals(n.className)) {
            j.member("$class", v.getClass().getName());
            Object sub = Refl.call(n.ser, "getSubclassSerializer", v.getClass());
            TypeNode sn = TypeNode.of((TypeSerializer<?>) sub);
            if (sn.kind == TypeNode.Kind.POJO) {
                pojoFields(j, sn, v);
            } else {
                j.name("value");
                render(j, sn, v);
            }
        } else {
            pojoFields(j, n, v);
        }
        j.endObject();
    }

    private static void pojoFields(Json j, TypeNode n, Object v) throws IOException {
        for (int i = 0; i < n.pojoFieldCount; i++) {
            Field f = n.fields[i];
            if (f == null) continue;
            f.setAccessible(true);
            Object fv;
            try {
                fv = f.get(v);
            } catch (IllegalAccessException e) {
                throw new IOException(e);
            }
            j.name(f.getName());
            render(j, n.kids[i], fv);
        }
    }

    private static void primArray(Json j, String elem, Object v) {
        switch (elem) {
            case "byte":
                j.beginObject().member("$hex", Json.hex((byte[]) v)).endObject();
                return;
            case "int": j.beginArray(); for (int x : (int[]) v) j.value(x); j.endArray(); return;
            case "long": j.beginArray(); for (long x : (long[]) v) j.value(x); j.endArray(); return;
            case "short": j.beginArray(); for (short x : (short[]) v) j.value(x); j.endArray(); return;
            case "boolean": j.beginArray(); for (boolean x : (boolean[]) v) j.value(x); j.endArray(); return;
            case "char": j.beginArray(); for (char x : (char[]) v) j.value(String.valueOf(x)); j.endArray(); return;
            case "float": j.beginArray(); for (float x : (float[]) v) j.flt(x); j.endArray(); return;
            case "double": j.beginArray(); for (double x : (double[]) v) j.dbl(x); j.endArray(); return;
            default: throw new IllegalStateException(elem);
        }
    }

    static String date(LocalDate d) {
        int y = d.getYear();
        StringBuilder sb = new StringBuilder();
        if (y < 0) sb.append('-');
        else if (y > 9999) sb.append('+');
        String ys = Integer.toString(Math.abs(y));
        for (int i = ys.length(); i < 4; i++) sb.append('0');
        sb.append(ys).append('-').append(two(d.getMonthValue())).append('-').append(two(d.getDayOfMonth()));
        return sb.toString();
    }

    static String time(LocalTime t) {
        String ns = Integer.toString(t.getNano());
        StringBuilder sb = new StringBuilder();
        sb.append(two(t.getHour())).append(':').append(two(t.getMinute())).append(':').append(two(t.getSecond())).append('.');
        for (int i = ns.length(); i < 9; i++) sb.append('0');
        return sb.append(ns).toString();
    }

    static String dateTime(LocalDateTime d) {
        return date(d.toLocalDate()) + "T" + time(d.toLocalTime());
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
