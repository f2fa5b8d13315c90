package dev.flinksavepoints.engine.check;

import dev.flinksavepoints.engine.UsageException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.LocalTimeTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.SqlTimeTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple;
import org.apache.flink.api.java.typeutils.EnumTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.TextNode;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The bootstrap spec's type descriptions (docs/bootstrap-spec.md) as Flink TypeInformation, and spec data
 * values (JSON / CSV cells) as the Java objects a job would hold. Mirrors engine/savepoint/write/types.ts.
 */
final class SpecTypes {
    private SpecTypes() {}

    static TypeInformation<?> parse(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) throw new UsageException("missing type");
        if (n.isTextual()) return parseString(n.asText().trim());
        String t = n.path("type").asText("");
        switch (t) {
            case "list": return new ListTypeInfo<>(parse(n.get("element")));
            case "map": return new MapTypeInfo<>(parse(n.get("key")), parse(n.get("value")));
            case "tuple": {
                List<TypeInformation<?>> fs = new ArrayList<>();
                for (JsonNode f : n.get("fields")) fs.add(parse(f));
                return new TupleTypeInfo<>(fs.toArray(new TypeInformation[0]));
            }
            case "row": {
                List<TypeInformation<?>> fs = new ArrayList<>();
                for (JsonNode f : n.get("fields")) fs.add(parse(f.has("name") && f.isObject() ? f.get("type") : f));
                return new RowTypeInfo(fs.toArray(new TypeInformation[0]));
            }
            case "array": return ObjectArrayTypeInfo.getInfoFor(parse(n.get("element")));
            case "enum": return new EnumTypeInfo(classFor(n.path("class").asText()));
            case "pojo": {
                Class<?> cls = classFor(n.path("class").asText());
                TypeInformation<?> info = TypeInformation.of(cls);
                if (!(info instanceof PojoTypeInfo)) throw new UsageException(cls.getName() + " is not a Flink POJO");
                return info;
            }
            case "avro": {
                JsonNode s = n.get("schema");
                String text = s.isTextual() ? s.asText() : s.toString();
                return new GenericRecordAvroTypeInfo(new Schema.Parser().parse(text));
            }
            default: throw new UsageException("check: unsupported type " + n);
        }
    }

    static Class<?> classFor(String name) {
        try {
            return Class.forName(name, true, SpecTypes.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UsageException("class " + name + " is not on engine.jar's class path");
        }
    }

    private static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '<') depth++;
            if (c == '>') depth--;
            if (c == ',' && depth == 0) { out.add(cur.toString().trim()); cur.setLength(0); } else cur.append(c);
        }
        if (cur.toString().trim().length() > 0) out.add(cur.toString().trim());
        return out;
    }

    static TypeInformation<?> parseString(String t) {
        switch (t) {
            case "String": return Types.STRING;
            case "Long": return Types.LONG;
            case "Integer": case "Int": return Types.INT;
            case "Short": return Types.SHORT;
            case "Byte": return Types.BYTE;
            case "Boolean": return Types.BOOLEAN;
            case "Double": return Types.DOUBLE;
            case "Float": return Types.FLOAT;
            case "Character": return Types.CHAR;
            case "BigInteger": return Types.BIG_INT;
            case "BigDecimal": return Types.BIG_DEC;
            case "Instant": return Types.INSTANT;
            case "LocalDate": return Types.LOCAL_DATE;
            case "LocalTime": return Types.LOCAL_TIME;
            case "LocalDateTime": return Types.LOCAL_DATE_TIME;
            case "Date": return BasicTypeInfo.DATE_TYPE_INFO;
            case "SqlDate": return Types.SQL_DATE;
            case "SqlTime": return Types.SQL_TIME;
            case "SqlTimestamp": return Types.SQL_TIMESTAMP;
            case "byte[]": return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
            case "int[]": return PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO;
            case "long[]": return PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO;
            case "short[]": return PrimitiveArrayTypeInfo.SHORT_PRIMITIVE_ARRAY_TYPE_INFO;
            case "boolean[]": return PrimitiveArrayTypeInfo.BOOLEAN_PRIMITIVE_ARRAY_TYPE_INFO;
            case "char[]": return PrimitiveArrayTypeInfo.CHAR_PRIMITIVE_ARRAY_TYPE_INFO;
            case "float[]": return PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO;
            case "double[]": return PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO;
            case "String[]": return BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO;
            default: break;
        }
        int lt = t.indexOf('<');
        if (lt > 0 && t.endsWith(">")) {
            String name = t.substring(0, lt);
            List<TypeInformation<?>> args = new ArrayList<>();
            for (String a : splitArgs(t.substring(lt + 1, t.length() - 1))) args.add(parseString(a));
            if (name.equals("List")) return new ListTypeInfo<>(args.get(0));
            if (name.equals("Map")) return new MapTypeInfo<>(args.get(0), args.get(1));
            if (name.equals("Row")) return new RowTypeInfo(args.toArray(new TypeInformation[0]));
            if (name.matches("Tuple\\d+")) return new TupleTypeInfo<>(args.toArray(new TypeInformation[0]));
        }
        if (t.endsWith("[]")) return ObjectArrayTypeInfo.getInfoFor(parseString(t.substring(0, t.length() - 2)));
        throw new UsageException("check: unsupported type '" + t + "'");
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A CSV cell as a JSON node for the type: scalars as text, everything else parsed as JSON. */
    static JsonNode cell(String cell, TypeInformation<?> t) throws Exception {
        if (cell == null) return null;
        if (t.equals(Types.STRING)) return new TextNode(cell);
        if (cell.isEmpty()) return null;
        if (t instanceof BasicTypeInfo || t instanceof SqlTimeTypeInfo || t instanceof LocalTimeTypeInfo || t instanceof EnumTypeInfo) return new TextNode(cell);
        return MAPPER.readTree(cell);
    }

    /** Spec data (JSON) → the Java value of type t. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object toJava(JsonNode n, TypeInformation<?> t) throws Exception {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        Class<?> c = t.getTypeClass();
        if (t instanceof BasicTypeInfo || t instanceof SqlTimeTypeInfo || t instanceof LocalTimeTypeInfo) {
            String s = n.isTextual() ? n.asText() : n.toString();
            if (c == String.class) return n.isTextual() ? n.asText() : n.asText(n.toString());
            if (c == Long.class) return Long.parseLong(s.trim());
            if (c == Integer.class) return Integer.parseInt(s.trim());
            if (c == Short.class) return Short.parseShort(s.trim());
            if (c == Byte.class) return Byte.parseByte(s.trim());
            if (c == Boolean.class) return Boolean.parseBoolean(s.trim());
            if (c == Double.class) return Double.parseDouble(s.trim());
            if (c == Float.class) return Float.parseFloat(s.trim());
            if (c == Character.class) return s.charAt(0);
            if (c == BigInteger.class) return new BigInteger(s.trim());
            if (c == BigDecimal.class) return new BigDecimal(s.trim());
            if (c == Instant.class) return n.isNumber() ? Instant.ofEpochMilli(n.asLong()) : Instant.parse(s.trim());
            if (c == LocalDate.class) return LocalDate.parse(s.trim());
            if (c == LocalTime.class) return LocalTime.parse(s.trim());
            if (c == LocalDateTime.class) return LocalDateTime.parse(s.trim());
            if (c == java.util.Date.class) return new java.util.Date(Long.parseLong(s.trim()));
            if (c == java.sql.Date.class) return new java.sql.Date(Long.parseLong(s.trim()));
            if (c == java.sql.Time.class) return new java.sql.Time(Long.parseLong(s.trim()));
            if (c == java.sql.Timestamp.class) {
                if (n.isObject()) {
                    java.sql.Timestamp ts = new java.sql.Timestamp(n.get("millis").asLong());
                    ts.setNanos(n.path("nanos").asInt(0));
                    return ts;
                }
                return new java.sql.Timestamp(Long.parseLong(s.trim()));
            }
        }
        if (t instanceof PrimitiveArrayTypeInfo) {
            if (c == byte[].class) {
                if (n.isObject() && n.has("$hex")) return hex(n.get("$hex").asText());
                byte[] b = new byte[n.size()];
                for (int i = 0; i < b.length; i++) b[i] = (byte) n.get(i).asInt();
                return b;
            }
            Class<?> comp = c.getComponentType();
            Object arr = Array.newInstance(comp, n.size());
            TypeInformation<?> el = ((PrimitiveArrayTypeInfo<?>) t).getComponentType();
            for (int i = 0; i < n.size(); i++) Array.set(arr, i, toJava(n.get(i), el));
            return arr;
        }
        if (t instanceof BasicArrayTypeInfo || t instanceof ObjectArrayTypeInfo) {
            TypeInformation<?> el = t instanceof BasicArrayTypeInfo ? ((BasicArrayTypeInfo<?, ?>) t).getComponentInfo() : ((ObjectArrayTypeInfo<?, ?>) t).getComponentInfo();
            Object arr = Array.newInstance(el.getTypeClass(), n.size());
            for (int i = 0; i < n.size(); i++) Array.set(arr, i, toJava(n.get(i), el));
            return arr;
        }
        if (t instanceof ListTypeInfo) {
            List<Object> out = new ArrayList<>();
            for (JsonNode e : n) out.add(toJava(e, ((ListTypeInfo<?>) t).getElementTypeInfo()));
            return out;
        }
        if (t instanceof MapTypeInfo) {
            MapTypeInfo<?, ?> m = (MapTypeInfo<?, ?>) t;
            Map<Object, Object> out = new HashMap<>();
            if (n.isArray()) for (JsonNode p : n) out.put(toJava(p.get(0), m.getKeyTypeInfo()), toJava(p.get(1), m.getValueTypeInfo()));
            else for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(toJava(new TextNode(e.getKey()), m.getKeyTypeInfo()), toJava(e.getValue(), m.getValueTypeInfo()));
            }
            return out;
        }
        if (t instanceof TupleTypeInfo) {
            TupleTypeInfo<?> tt = (TupleTypeInfo<?>) t;
            Tuple tup = Tuple.newInstance(tt.getArity());
            for (int i = 0; i < tt.getArity(); i++) tup.setField(toJava(n.isArray() ? n.get(i) : n.get("f" + i), tt.getTypeAt(i)), i);
            return tup;
        }
        if (t instanceof RowTypeInfo) {
            RowTypeInfo rt = (RowTypeInfo) t;
            JsonNode fields = n.isArray() ? n : n.get("fields");
            Row r = new Row(rt.getArity());
            if (n.isObject() && n.has("$row")) r.setKind(rowKind(n.get("$row").asText()));
            for (int i = 0; i < rt.getArity(); i++) r.setField(i, toJava(fields.get(i), rt.getTypeAt(i)));
            return r;
        }
        if (t instanceof EnumTypeInfo) return Enum.valueOf((Class) c, n.asText());
        if (t instanceof PojoTypeInfo) {
            PojoTypeInfo<?> p = (PojoTypeInfo<?>) t;
            Object o = c.getDeclaredConstructor().newInstance();
            for (int i = 0; i < p.getArity(); i++) {
                PojoField f = p.getPojoFieldAt(i);
                Field field = f.getField();
                field.setAccessible(true);
                Object v = toJava(n.get(field.getName()), f.getTypeInformation());
                if (v != null || !field.getType().isPrimitive()) field.set(o, v);
            }
            return o;
        }
        if (t instanceof GenericRecordAvroTypeInfo) {
            Schema schema = new Schema.Parser().parse(schemaOf((GenericRecordAvroTypeInfo) t));
            return avro(n, schema);
        }
        throw new UsageException("check: cannot build values of " + t);
    }

    static RowKind rowKind(String s) {
        for (RowKind k : RowKind.values()) if (k.shortString().equals(s)) return k;
        throw new IllegalArgumentException("row kind " + s);
    }

    static String schemaOf(GenericRecordAvroTypeInfo t) throws Exception {
        Field f = GenericRecordAvroTypeInfo.class.getDeclaredField("schema");
        f.setAccessible(true);
        return f.get(t).toString();
    }

    static Object avro(JsonNode n, Schema s) {
        if (n == null || n.isNull()) return null;
        switch (s.getType()) {
            case RECORD: {
                GenericRecord r = new GenericData.Record(s);
                for (Schema.Field f : s.getFields()) {
                    JsonNode v = n.get(f.name());
                    r.put(f.name(), v == null ? (f.hasDefaultValue() ? GenericData.get().getDefaultValue(f) : null) : avro(v, f.schema()));
                }
                return r;
            }
            case UNION: {
                for (Schema b : s.getTypes()) {
                    if (matches(n, b)) return avro(n, b);
                }
                throw new IllegalArgumentException("no union branch for " + n);
            }
            case STRING: return new org.apache.avro.util.Utf8(n.asText());
            case INT: return n.asInt();
            case LONG: return n.isTextual() ? Long.parseLong(n.asText()) : n.asLong();
            case FLOAT: return (float) n.asDouble();
            case DOUBLE: return n.asDouble();
            case BOOLEAN: return n.asBoolean();
            case NULL: return null;
            case ENUM: return new GenericData.EnumSymbol(s, n.asText());
            case BYTES: return java.nio.ByteBuffer.wrap(hex(n.get("$hex").asText()));
            case FIXED: return new GenericData.Fixed(s, hex(n.get("$hex").asText()));
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                for (JsonNode e : n) l.add(avro(e, s.getElementType()));
                return new GenericData.Array<>(s, l);
            }
            case MAP: {
                Map<Object, Object> m = new HashMap<>();
                if (n.isArray()) for (JsonNode p : n) m.put(new org.apache.avro.util.Utf8(p.get(0).asText()), avro(p.get(1), s.getValueType()));
                else for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    m.put(new org.apache.avro.util.Utf8(e.getKey()), avro(e.getValue(), s.getValueType()));
                }
                return m;
            }
            default: throw new IllegalArgumentException("avro type " + s.getType());
        }
    }

    private static boolean matches(JsonNode n, Schema b) {
        switch (b.getType()) {
            case NULL: return n.isNull();
            case STRING: case ENUM: return n.isTextual();
            case INT: case LONG: return n.isIntegralNumber() || (n.isTextual() && n.asText().matches("-?\\d+"));
            case FLOAT: case DOUBLE: return n.isNumber();
            case BOOLEAN: return n.isBoolean();
            case ARRAY: return n.isArray();
            case BYTES: case FIXED: return n.isObject() && n.has("$hex");
            default: return n.isObject();
        }
    }

    static byte[] hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
