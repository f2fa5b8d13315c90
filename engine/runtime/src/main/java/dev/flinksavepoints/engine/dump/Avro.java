package dev.flinksavepoints.engine.dump;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Renders Avro values by walking their schema (§3, "Avro record"). */
final class Avro {
    private Avro() {}

    static void render(Json j, Object v) {
        if (v instanceof IndexedRecord) {
            record(j, (IndexedRecord) v);
        } else {
            value(j, guess(v), v);
        }
    }

    private static Schema guess(Object v) {
        return GenericData.get().induce(v);
    }

    private static void record(Json j, IndexedRecord r) {
        j.beginObject();
        for (Schema.Field f : r.getSchema().getFields()) {
            j.name(f.name());
            value(j, f.schema(), r.get(f.pos()));
        }
        j.endObject();
    }

    @SuppressWarnings("unchecked")
    static void value(Json j, Schema s, Object v) {
        switch (s.getType()) {
            case NULL: j.nul(); return;
            case BOOLEAN: j.value((Boolean) v); return;
            case INT: j.value(((Number) v).intValue()); return;
            case LONG: j.value(((Number) v).longValue()); return;
            case FLOAT: j.flt((Float) v); return;
            case DOUBLE: j.dbl((Double) v); return;
            case STRING: j.value(v.toString()); return;
            case BYTES: {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                j.beginObject().member("$hex", Json.hex(a)).endObject();
                return;
            }
            case FIXED:
                j.beginObject().member("$hex", Json.hex(((GenericFixed) v).bytes())).endObject();
                return;
            case ENUM: j.value(v.toString()); return;
            case ARRAY: {
                j.beginArray();
                for (Object o : (Collection<Object>) v) value(j, s.getElementType(), o);
                j.endArray();
                return;
            }
            case MAP: {
                List<Map.Entry<Object, Object>> es = new ArrayList<>(((Map<Object, Object>) v).entrySet());
                es.sort((a, b) -> a.getKey().toString().compareTo(b.getKey().toString()));
                j.beginArray();
                for (Map.Entry<Object, Object> e : es) {
                    j.beginArray().value(e.getKey().toString());
                    value(j, s.getValueType(), e.getValue());
                    j.endArray();
                }
                j.endArray();
                return;
            }
            case UNION: {
                int i = org.apache.avro.specific.SpecificData.get().resolveUnion(s, v);
                value(j, s.getTypes().get(i), v);
                return;
            }
            case RECORD:
                if (v == null) { j.nul(); return; }
                record(j, (IndexedRecord) v);
                return;
            default:
                throw new IllegalStateException("Avro type " + s.getType());
        }
    }
}
