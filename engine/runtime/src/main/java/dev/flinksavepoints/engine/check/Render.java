package dev.flinksavepoints.engine.check;

import dev.flinksavepoints.engine.util.JsonText;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.java.tuple.Tuple;
import org.apache.flink.types.Row;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One canonical JSON text per Java state value, so that the values a restored job sees and the values the
 * spec's data describes compare as strings (maps and sets sorted, POJO fields by name).
 */
final class Render {
    private Render() {}

    static String json(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    static void write(StringBuilder sb, Object v) {
        if (v == null) { sb.append("null"); return; }
        if (v instanceof String) { JsonText.string(sb, (String) v); return; }
        if (v instanceof CharSequence) { JsonText.string(sb, v.toString()); return; }
        if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof java.math.BigInteger) { sb.append(v); return; }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) JsonText.string(sb, v.toString()); else sb.append(v);
            return;
        }
        if (v instanceof BigDecimal) { JsonText.string(sb, v.toString()); return; }
        if (v instanceof Character) { JsonText.string(sb, v.toString()); return; }
        if (v instanceof java.sql.Timestamp) {
            sb.append("{\"millis\":").append(((java.sql.Timestamp) v).getTime()).append(",\"nanos\":").append(((java.sql.Timestamp) v).getNanos()).append('}');
            return;
        }
        if (v instanceof java.util.Date) { sb.append(((java.util.Date) v).getTime()); return; }
        if (v instanceof java.time.temporal.TemporalAccessor) { JsonText.string(sb, v.toString()); return; }
        if (v instanceof Enum) { JsonText.string(sb, ((Enum<?>) v).name()); return; }
        if (v instanceof byte[]) {
            StringBuilder h = new StringBuilder();
            for (byte b : (byte[]) v) h.append(String.format("%02x", b & 0xff));
            sb.append("{\"$hex\":\"").append(h).append("\"}");
            return;
        }
        if (v instanceof ByteBuffer) {
            ByteBuffer bb = ((ByteBuffer) v).duplicate();
            byte[] b = new byte[bb.remaining()];
            bb.get(b);
            write(sb, b);
            return;
        }
        if (v instanceof org.apache.avro.generic.GenericFixed) { write(sb, ((org.apache.avro.generic.GenericFixed) v).bytes()); return; }
        if (v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < n; i++) l.add(java.lang.reflect.Array.get(v, i));
            write(sb, l);
            return;
        }
        if (v instanceof java.util.Set) {
            List<String> items = new ArrayList<>();
            for (Object o : (Collection<?>) v) items.add(json(o));
            items.sort(Comparator.naturalOrder());
            sb.append('[').append(String.join(",", items)).append(']');
            return;
        }
        if (v instanceof Collection) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Collection<?>) v) {
                if (!first) sb.append(',');
                first = false;
                write(sb, o);
            }
            sb.append(']');
            return;
        }
        if (v instanceof Map) {
            TreeMap<String, String> sorted = new TreeMap<>();
            for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) sorted.put(json(e.getKey()), json(e.getValue()));
            sb.append('[');
            boolean first = true;
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                sb.append('[').append(e.getKey()).append(',').append(e.getValue()).append(']');
            }
            sb.append(']');
            return;
        }
        if (v instanceof Tuple) {
            Tuple t = (Tuple) v;
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < t.getArity(); i++) l.add(t.getField(i));
            write(sb, l);
            return;
        }
        if (v instanceof Row) {
            Row r = (Row) v;
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < r.getArity(); i++) l.add(r.getField(i));
            sb.append("{\"$row\":\"").append(r.getKind().shortString()).append("\",\"fields\":");
            write(sb, l);
            sb.append('}');
            return;
        }
        if (v instanceof GenericRecord) {
            GenericRecord r = (GenericRecord) v;
            sb.append('{');
            boolean first = true;
            for (org.apache.avro.Schema.Field f : r.getSchema().getFields()) {
                if (!first) sb.append(',');
                first = false;
                JsonText.string(sb, f.name());
                sb.append(':');
                write(sb, r.get(f.name()));
            }
            sb.append('}');
            return;
        }
        // POJO: public / private non-static non-transient fields by name
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = v.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) continue;
                fields.add(f);
            }
        }
        fields.sort(Comparator.comparing(Field::getName));
        sb.append('{');
        boolean first = true;
        for (Field f : fields) {
            if (!first) sb.append(',');
            first = false;
            JsonText.string(sb, f.getName());
            sb.append(':');
            try {
                f.setAccessible(true);
                write(sb, f.get(v));
            } catch (IllegalAccessException e) {
                sb.append("\"?\"");
            }
        }
        sb.append('}');
    }

    static String arrays(Object... parts) {
        return Arrays.toString(parts);
    }
}
