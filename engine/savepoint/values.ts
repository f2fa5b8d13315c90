/**
 * Values: decoding, encoding and rendering (docs/dump-format.md §3) of the bytes Flink's serializers
 * write, driven by the serializer snapshots of serializers.ts.
 */
import { Limits, SavepointFormatError } from './errors';
import { ByteReader, ByteSink, compareBytes, toHex } from './io';
import {
  bigDecimalToString,
  formatDouble,
  formatFloat,
  formatInstantText,
  formatLocalDateText,
  formatLocalTimeText,
  jsonString,
} from './json';
import { avroTypeName, isDecodableInTail, isOpaque, SerializerSnapshot, typeString } from './serializers';
import { binaryRowImpl, decimalDataImpl, rowDataImpl, stringDataImpl, timestampDataImpl } from './rowdata';
import { ByteWriter } from './writer-io';

// ------------------------------------------------------------------------------------------------
// The value model
// ------------------------------------------------------------------------------------------------

export type Value =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  /** Byte, Short, Integer (and Avro int). */
  | { t: 'int'; v: number }
  | { t: 'long'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'double'; v: number }
  /** One UTF-16 code unit. */
  | { t: 'char'; v: number }
  | { t: 'string'; v: string }
  /** `constant`: written as one of BigIntSerializer's ZERO/ONE/TEN shortcuts. */
  | { t: 'bigint'; v: bigint; constant?: boolean }
  | { t: 'bigdec'; unscaled: bigint; scale: number; constant?: boolean }
  | { t: 'bytes'; v: Uint8Array }
  /** Primitive arrays, String[], T[], List, ArrayList, Avro arrays, Scala collections. */
  | { t: 'list'; items: Value[] }
  /** Set: elements with their serialized bytes (the sort key of §3). */
  | { t: 'set'; items: { value: Value; bytes?: Uint8Array }[] }
  /** Map: entries in stored order, with the serialized key bytes (the sort key of §3). */
  | { t: 'map'; entries: { key: Value; keyBytes?: Uint8Array; value: Value }[] }
  /** Java tuples and Scala case classes (fields in declaration order). */
  | { t: 'tuple'; fields: Value[] }
  /** kind: RowKind byte value (0 +I, 1 -U, 2 +U, 3 -D); null fields are { t: 'null' }. */
  | { t: 'row'; kind: number; fields: Value[] }
  /** Java enum (index: ordinal) or Scala Enumeration value (index: its id). */
  | { t: 'enum'; index: number; name: string }
  /** A POJO of exactly the declared class (fields in the snapshot's order). */
  | { t: 'pojo'; className: string; fields: { name: string; value: Value }[] }
  /** A POJO subclass value: `tag` for registered subclasses; `value` is what the subclass serializer read. */
  | { t: 'pojoSub'; className: string; tag?: number; value: Value }
  | { t: 'instant'; seconds: bigint; nanos: number }
  | { t: 'localDate'; year: number; month: number; day: number }
  | { t: 'localTime'; hour: number; minute: number; second: number; nano: number }
  | { t: 'localDateTime'; date: { year: number; month: number; day: number }; time: { hour: number; minute: number; second: number; nano: number } }
  /** java.util.Date, java.sql.Date, java.sql.Time: epoch millis. */
  | { t: 'millis'; v: bigint }
  | { t: 'timestamp'; millis: bigint; nanos: number }
  | { t: 'voidNamespace' }
  | { t: 'timeWindow'; start: bigint; end: bigint }
  | { t: 'globalWindow' }
  | { t: 'ttl'; timestamp: bigint; value: Value }
  | { t: 'timer'; timestamp: bigint; key: Value; namespace: Value }
  | { t: 'kryo'; typeClass: string; bytes: Uint8Array }
  | { t: 'java'; bytes: Uint8Array }
  /** Bytes we do not decode, shown as {"$raw":…,"type":…}. */
  | { t: 'raw'; bytes: Uint8Array; type: string }
  /** Scala Option: Some(value) (None is { t: 'null' }; `value` may be { t: 'null' }: Some(null)). */
  | { t: 'some'; value: Value }
  /** Scala Either: Left(value) or Right(value). */
  | { t: 'either'; left: boolean; value: Value }
  | { t: 'avroRecord'; name: string; fields: { name: string; value: Value }[] }
  | { t: 'avroMap'; entries: [string, Value][] }
  | { t: 'avroUnion'; branch: number; value: Value }
  /** BinaryRowDataSerializer: a binary row without field types (its RowKind byte value, arity and bytes). */
  | { t: 'binaryRow'; kind: number; arity: number; bytes: Uint8Array };

export const NULL: Value = Object.freeze({ t: 'null' }) as Value;

export interface Codec {
  /** The type string (dump-format §4). */
  type: string;
  /** TypeSerializer#getLength(): bytes, or -1 if variable. */
  fixedLength: number;
  /** Any Kryo / Java / Unknown part. */
  opaque: boolean;
  /** dump-format §3.3. */
  decodableInTail: boolean;
  decode(r: ByteReader): Value;
  encode(v: Value, out: ByteWriter): void;
  toJson(v: Value): string;
  /**
   * Optional fast path: exactly `toJson(decode(r))` (same bytes consumed, same errors), without the
   * intermediate value. Present for the common scalar types.
   */
  json?(r: ByteReader): string;
  /** Optional fast path: `toJson(decode(r))` written as UTF-8 into `out`. */
  jsonTo?(r: ByteReader, out: ByteSink): void;
}

/** A value that cannot be decoded although its type is decodable (e.g. a POJO subclass without a serializer snapshot). */
export class UndecodableValueError extends SavepointFormatError {
  constructor(file: string, offset: number, expected: string, found?: string) {
    super(file, offset, expected, found);
    this.name = 'UndecodableValueError';
  }
}

/** {"$raw":"<hex>","type":"<type>"} */
export function rawJson(bytes: Uint8Array, type: string): string {
  return `{"$raw":"${toHex(bytes)}","type":${jsonString(type)}}`;
}

// ------------------------------------------------------------------------------------------------
// Codec construction
// ------------------------------------------------------------------------------------------------

interface Impl {
  fixedLength: number;
  /** Lower bound of the encoded size, for validating counts before allocating. */
  minBytes: number;
  decode(r: ByteReader): Value;
  encode(v: Value, out: ByteWriter): void;
  toJson(v: Value): string;
  json?(r: ByteReader): string;
  jsonTo?(r: ByteReader, out: ByteSink): void;
}

interface CodecX extends Codec {
  minBytes: number;
}

const cache = new WeakMap<SerializerSnapshot, CodecX>();

export function codecFor(s: SerializerSnapshot): Codec {
  return build(s, 0);
}

function build(s: SerializerSnapshot | undefined, depth: number): CodecX {
  if (!s) return unknownCodec('Unknown<?>');
  const hit = cache.get(s);
  if (hit) return hit;
  if (depth > Limits.maxDepth) throw new SavepointFormatError('', 0, `serializers nested at most ${Limits.maxDepth} deep`, 'deeper nesting');
  const impl = makeImpl(s, depth);
  const c: CodecX = {
    type: typeString(s),
    fixedLength: impl.fixedLength,
    minBytes: impl.minBytes,
    opaque: isOpaque(s),
    decodableInTail: isDecodableInTail(s),
    decode: impl.decode,
    encode: impl.encode,
    toJson: (v) => (v.t === 'raw' ? rawJson(v.bytes, v.type) : v.t === 'null' ? 'null' : impl.toJson(v)),
  };
  if (impl.json) c.json = impl.json;
  if (impl.jsonTo) c.jsonTo = impl.jsonTo;
  cache.set(s, c);
  return c;
}

function unknownCodec(type: string): CodecX {
  return {
    type,
    fixedLength: -1,
    minBytes: 0,
    opaque: true,
    decodableInTail: false,
    decode(r) {
      throw new UndecodableValueError(r.file, r.offset, 'a decodable type', type);
    },
    encode(v, out) {
      if (v.t === 'raw') out.bytes(v.bytes);
      else throw new Error(`cannot encode a ${v.t} value as ${type}`);
    },
    toJson(v) {
      if (v.t === 'raw') return rawJson(v.bytes, v.type);
      throw new Error(`cannot render a ${v.t} value as ${type}`);
    },
  };
}

function expect<T extends Value['t']>(v: Value, t: T, type: string): Extract<Value, { t: T }> {
  if (v.t !== t) throw new Error(`expected a ${t} value for ${type}, got ${v.t}`);
  return v as Extract<Value, { t: T }>;
}

function isNull(v: Value): boolean {
  return v.t === 'null';
}

function fixedImpl(
  len: number,
  decode: (r: ByteReader) => Value,
  encode: (v: Value, out: ByteWriter) => void,
  toJson: (v: Value) => string,
): Impl {
  return { fixedLength: len, minBytes: len, decode, encode, toJson };
}

const intJson = (v: Value) => String((v as { v: number }).v);
const longJson = (v: Value) => (isNull(v) ? 'null' : (v as { v: bigint }).v.toString());

function makeImpl(s: SerializerSnapshot, depth: number): Impl {
  const type = typeString(s);
  const child = (n: SerializerSnapshot | undefined) => build(n, depth + 1);
  switch (s.kind) {
    case 'boolean':
      return fixedImpl(1, (r) => ({ t: 'bool', v: r.bool('a Boolean') }), (v, o) => o.bool(expect(v, 'bool', type).v), (v) => String(expect(v, 'bool', type).v));
    case 'byte':
      return fixedImpl(1, (r) => ({ t: 'int', v: r.i8('a Byte') }), (v, o) => o.i8(expect(v, 'int', type).v), intJson);
    case 'short':
      return fixedImpl(2, (r) => ({ t: 'int', v: r.i16('a Short') }), (v, o) => o.i16(expect(v, 'int', type).v), intJson);
    case 'int':
      return {
        ...fixedImpl(4, (r) => ({ t: 'int', v: r.i32('an Integer') }), (v, o) => o.i32(expect(v, 'int', type).v), intJson),
        json: (r) => String(r.i32('an Integer')),
        jsonTo: (r, out) => {
          const v = r.i32('an Integer');
          if (v >= 0) out.int(v);
          else out.str(String(v));
        },
      };
    case 'long':
      return {
        ...fixedImpl(8, (r) => ({ t: 'long', v: r.i64('a Long') }), (v, o) => o.i64(expect(v, 'long', type).v), longJson),
        json: (r) => {
          const n = r.i64safe('a Long');
          return n !== undefined ? String(n) : r.i64('a Long').toString();
        },
        jsonTo: (r, out) => {
          const n = r.i64safe('a Long');
          if (n !== undefined && n >= 0) out.int(n);
          else out.str(n !== undefined ? String(n) : r.i64('a Long').toString());
        },
      };
    case 'float':
      return fixedImpl(4, (r) => ({ t: 'float', v: r.f32('a Float') }), (v, o) => o.f32(expect(v, 'float', type).v), (v) => formatFloat(expect(v, 'float', type).v));
    case 'double':
      return {
        ...fixedImpl(8, (r) => ({ t: 'double', v: r.f64('a Double') }), (v, o) => o.f64(expect(v, 'double', type).v), (v) => formatDouble(expect(v, 'double', type).v)),
        json: (r) => formatDouble(r.f64('a Double')),
        jsonTo: (r, out) => out.str(formatDouble(r.f64('a Double'))),
      };
    case 'char':
      return fixedImpl(2, (r) => ({ t: 'char', v: r.u16('a Character') }), (v, o) => o.u16(expect(v, 'char', type).v), (v) => jsonString(String.fromCharCode(expect(v, 'char', type).v)));
    case 'void':
      return fixedImpl(1, (r) => (r.skip(1, 'a Void byte'), NULL), (_v, o) => o.u8(0), () => 'null');
    case 'string':
      return {
        fixedLength: -1,
        minBytes: 1,
        decode: (r) => {
          const v = readStringValue(r, 'a String');
          return v === null ? NULL : { t: 'string', v };
        },
        encode: (v, o) => writeStringValue(o, isNull(v) ? null : expect(v, 'string', type).v),
        toJson: (v) => (isNull(v) ? 'null' : jsonString(expect(v, 'string', type).v)),
        json: stringJson,
        jsonTo: stringJsonTo,
      };
    case 'bigint':
      return {
        fixedLength: -1,
        minBytes: 4,
        decode: (r) => readBigInteger(r) ?? NULL,
        encode: (v, o) => writeBigInteger(o, isNull(v) ? null : expect(v, 'bigint', type)),
        toJson: (v) => (isNull(v) ? 'null' : expect(v, 'bigint', type).v.toString()),
      };
    case 'bigdec':
      return {
        fixedLength: -1,
        minBytes: 4,
        decode: (r) => {
          const u = readBigInteger(r);
          if (!u) return NULL;
          return { t: 'bigdec', unscaled: u.v, scale: r.i32('a BigDecimal scale'), constant: u.constant };
        },
        encode: (v, o) => {
          if (isNull(v)) {
            o.i32(0);
            return;
          }
          const d = expect(v, 'bigdec', type);
          writeBigInteger(o, { v: d.unscaled, constant: d.constant });
          o.i32(d.scale);
        },
        toJson: (v) => (isNull(v) ? 'null' : jsonString(bigDecimalToString(expect(v, 'bigdec', type).unscaled, expect(v, 'bigdec', type).scale))),
      };
    case 'date':
    case 'sqlDate':
    case 'sqlTime':
      return fixedImpl(
        8,
        (r) => {
          const v = r.i64('epoch milliseconds');
          return v === LONG_MIN ? NULL : { t: 'millis', v };
        },
        (v, o) => o.i64(isNull(v) ? LONG_MIN : expect(v, 'millis', type).v),
        (v) => (isNull(v) ? 'null' : expect(v, 'millis', type).v.toString()),
      );
    case 'sqlTimestamp':
      // Flink's SqlTimestampSerializer reads only the long for null (8 of the 12 written bytes): mirror it.
      return {
        fixedLength: 12,
        minBytes: 8,
        decode: (r) => {
          const millis = r.i64('epoch milliseconds');
          if (millis === LONG_MIN) return NULL;
          const at = r.offset;
          const nanos = r.i32('nanoseconds');
          if (nanos < 0 || nanos > 999_999_999) r.fail('Timestamp nanoseconds between 0 and 999999999', String(nanos), at);
          return { t: 'timestamp', millis, nanos };
        },
        encode: (v, o) => {
          if (isNull(v)) o.i64(LONG_MIN).i32(0);
          else {
            const x = expect(v, 'timestamp', type);
            o.i64(x.millis).i32(x.nanos);
          }
        },
        toJson: (v) => {
          if (isNull(v)) return 'null';
          const x = expect(v, 'timestamp', type);
          return `{"millis":${timestampMillis(x.millis, x.nanos)},"nanos":${x.nanos}}`;
        },
      };
    case 'instant':
      return fixedImpl(
        12,
        (r) => {
          const seconds = r.i64('epoch seconds');
          const nanos = r.i32('nanoseconds');
          if (seconds === LONG_MIN && nanos === INT_MIN) return NULL;
          const total = seconds + BigInt(Math.floor(nanos / 1e9));
          if (total < INSTANT_MIN_SECONDS || total > INSTANT_MAX_SECONDS) r.fail('an Instant within Instant.MIN..Instant.MAX', `${seconds}s ${nanos}ns`, r.offset - 12);
          return { t: 'instant', seconds, nanos };
        },
        (v, o) => {
          if (isNull(v)) o.i64(LONG_MIN).i32(INT_MIN);
          else {
            const x = expect(v, 'instant', type);
            o.i64(x.seconds).i32(x.nanos);
          }
        },
        (v) => (isNull(v) ? 'null' : `"${formatInstantText(expect(v, 'instant', type).seconds, expect(v, 'instant', type).nanos)}"`),
      );
    case 'localDate':
      return fixedImpl(
        6,
        (r) => readLocalDate(r) ?? NULL,
        (v, o) => writeLocalDate(o, isNull(v) ? null : expect(v, 'localDate', type)),
        (v) => {
          if (isNull(v)) return 'null';
          const d = expect(v, 'localDate', type);
          return `"${formatLocalDateText(d.year, d.month, d.day)}"`;
        },
      );
    case 'localTime':
      return fixedImpl(
        7,
        (r) => readLocalTime(r) ?? NULL,
        (v, o) => writeLocalTime(o, isNull(v) ? null : expect(v, 'localTime', type)),
        (v) => {
          if (isNull(v)) return 'null';
          const t = expect(v, 'localTime', type);
          return `"${formatLocalTimeText(t.hour, t.minute, t.second, t.nano)}"`;
        },
      );
    case 'localDateTime':
      return fixedImpl(
        13,
        (r) => {
          const date = readLocalDate(r);
          const time = readLocalTime(r);
          if (!date || !time) return NULL;
          return { t: 'localDateTime', date, time };
        },
        (v, o) => {
          const x = isNull(v) ? null : expect(v, 'localDateTime', type);
          writeLocalDate(o, x ? x.date : null);
          writeLocalTime(o, x ? x.time : null);
        },
        (v) => {
          if (isNull(v)) return 'null';
          const { date: d, time: t } = expect(v, 'localDateTime', type);
          return `"${formatLocalDateText(d.year, d.month, d.day)}T${formatLocalTimeText(t.hour, t.minute, t.second, t.nano)}"`;
        },
      );
    case 'byteArray':
      return {
        fixedLength: -1,
        minBytes: 4,
        decode: (r) => ({ t: 'bytes', v: r.lenBytes('a byte[]') }),
        encode: (v, o) => o.lenBytes(expect(v, 'bytes', type).v),
        toJson: (v) => `{"$hex":"${toHex(expect(v, 'bytes', type).v)}"}`,
      };
    case 'booleanArray':
      return primitiveArray(type, 1, (r) => ({ t: 'bool', v: r.bool() }), (v, o) => o.bool(expect(v, 'bool', type).v), (v) => String(expect(v, 'bool', type).v));
    case 'shortArray':
      return primitiveArray(type, 2, (r) => ({ t: 'int', v: r.i16() }), (v, o) => o.i16(expect(v, 'int', type).v), intJson);
    case 'charArray':
      return primitiveArray(type, 2, (r) => ({ t: 'char', v: r.u16() }), (v, o) => o.u16(expect(v, 'char', type).v), (v) => jsonString(String.fromCharCode(expect(v, 'char', type).v)));
    case 'intArray':
      return primitiveArray(type, 4, (r) => ({ t: 'int', v: r.i32() }), (v, o) => o.i32(expect(v, 'int', type).v), intJson);
    case 'longArray':
      return primitiveArray(type, 8, (r) => ({ t: 'long', v: r.i64() }), (v, o) => o.i64(expect(v, 'long', type).v), longJson);
    case 'floatArray':
      return primitiveArray(type, 4, (r) => ({ t: 'float', v: r.f32() }), (v, o) => o.f32(expect(v, 'float', type).v), (v) => formatFloat(expect(v, 'float', type).v));
    case 'doubleArray':
      return primitiveArray(type, 8, (r) => ({ t: 'double', v: r.f64() }), (v, o) => o.f64(expect(v, 'double', type).v), (v) => formatDouble(expect(v, 'double', type).v));
    case 'stringArray':
      return primitiveArray(
        type,
        1,
        (r) => {
          const v = readStringValue(r, 'a String[] element');
          return v === null ? NULL : { t: 'string', v };
        },
        (v, o) => writeStringValue(o, isNull(v) ? null : expect(v, 'string', type).v),
        (v) => (isNull(v) ? 'null' : jsonString(expect(v, 'string', type).v)),
      );
    case 'genericArray':
      return flaggedListImpl(type, child(s.nested[0]), 'the length of a', 'an array element presence flag');
    case 'list':
    case 'arrayList': {
      const e = child(s.nested[0]);
      return {
        fixedLength: -1,
        minBytes: 4,
        decode: (r) => {
          const n = r.count(`the size of a ${type}`, e.minBytes);
          const items: Value[] = new Array(n);
          for (let i = 0; i < n; i++) items[i] = e.decode(r);
          return { t: 'list', items };
        },
        encode: (v, o) => {
          const items = expect(v, 'list', type).items;
          o.i32(items.length);
          for (const it of items) e.encode(it, o);
        },
        toJson: (v) => `[${expect(v, 'list', type).items.map((it) => e.toJson(it)).join(',')}]`,
      };
    }
    case 'map': {
      const k = child(s.nested[0]);
      const val = child(s.nested[1]);
      return {
        fixedLength: -1,
        minBytes: 4,
        decode: (r) => {
          const n = r.count(`the size of a ${type}`, k.minBytes + 1);
          const entries: { key: Value; keyBytes: Uint8Array; value: Value }[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const start = r.pos;
            const key = k.decode(r);
            const keyBytes = r.buf.subarray(start, r.pos);
            const value = r.bool('a map value null flag') ? NULL : val.decode(r);
            entries[i] = { key, keyBytes, value };
          }
          return { t: 'map', entries };
        },
        encode: (v, o) => {
          const entries = expect(v, 'map', type).entries;
          o.i32(entries.length);
          for (const en of entries) {
            k.encode(en.key, o);
            if (isNull(en.value)) o.bool(true);
            else {
              o.bool(false);
              val.encode(en.value, o);
            }
          }
        },
        toJson: (v) => {
          const entries = expect(v, 'map', type).entries.map((en) => ({ en, b: en.keyBytes ?? encodeWith(k, en.key) }));
          entries.sort((a, b) => compareBytes(a.b, b.b));
          return `[${entries.map(({ en }) => `[${k.toJson(en.key)},${isNull(en.value) ? 'null' : val.toJson(en.value)}]`).join(',')}]`;
        },
      };
    }
    case 'set': {
      const e = child(s.nested[0]);
      return {
        fixedLength: -1,
        minBytes: 4,
        decode: (r) => {
          const n = r.count(`the size of a ${type}`, 1);
          const items: { value: Value; bytes: Uint8Array }[] = new Array(n);
          for (let i = 0; i < n; i++) {
            if (r.bool('a set element null flag')) items[i] = { value: NULL, bytes: EMPTY };
            else {
              const start = r.pos;
              const value = e.decode(r);
              items[i] = { value, bytes: r.buf.subarray(start, r.pos) };
            }
          }
          return { t: 'set', items };
        },
        encode: (v, o) => {
          const items = expect(v, 'set', type).items;
          o.i32(items.length);
          for (const it of items) {
            if (isNull(it.value)) o.bool(true);
            else {
              o.bool(false);
              e.encode(it.value, o);
            }
          }
        },
        toJson: (v) => {
          const items = expect(v, 'set', type).items.map((it) => ({
            it,
            b: it.bytes ?? (isNull(it.value) ? EMPTY : encodeWith(e, it.value)),
          }));
          items.sort((a, b) => compareBytes(a.b, b.b));
          return `[${items.map(({ it }) => (isNull(it.value) ? 'null' : e.toJson(it.value))).join(',')}]`;
        },
      };
    }
    case 'tuple': {
      const fs = s.nested.map(child);
      return {
        fixedLength: sumLengths(fs),
        minBytes: fs.reduce((a, f) => a + f.minBytes, 0),
        decode: (r) => ({ t: 'tuple', fields: fs.map((f) => f.decode(r)) }),
        encode: (v, o) => {
          const x = expect(v, 'tuple', type);
          checkArity(x.fields.length, fs.length, type);
          fs.forEach((f, i) => f.encode(x.fields[i], o));
        },
        toJson: (v) => `[${expect(v, 'tuple', type).fields.map((x, i) => fs[i].toJson(x)).join(',')}]`,
      };
    }
    case 'tuple0':
      return fixedImpl(1, (r) => (r.skip(1, 'a Tuple0 byte'), { t: 'tuple', fields: [] }), (_v, o) => o.u8(42), () => '[]');
    case 'row':
      return rowImpl(s, type, s.nested.map(child));
    case 'nullable': {
      const inner = child(s.nested[0]);
      const pad = s.nullable!.paddingLength;
      return {
        fixedLength: pad > 0 ? 1 + pad : -1,
        minBytes: 1,
        decode: (r) => {
          if (r.bool('a Nullable null flag')) {
            r.skip(pad, 'the null padding');
            return NULL;
          }
          return inner.decode(r);
        },
        encode: (v, o) => {
          if (isNull(v)) {
            o.bool(true);
            o.bytes(new Uint8Array(pad));
          } else {
            o.bool(false);
            inner.encode(v, o);
          }
        },
        toJson: (v) => (isNull(v) ? 'null' : inner.toJson(v)),
      };
    }
    case 'enum': {
      const constants = s.enum!.constants;
      return fixedImpl(
        4,
        (r) => {
          const at = r.offset;
          const index = r.i32('an enum index');
          if (index < 0 || index >= constants.length) r.fail(`an enum index below ${constants.length} of ${s.enum!.className}`, String(index), at);
          return { t: 'enum', index, name: constants[index] };
        },
        (v, o) => {
          const e = expect(v, 'enum', type);
          let idx = e.index;
          if (constants[idx] !== e.name) idx = constants.indexOf(e.name);
          if (idx < 0) throw new Error(`${e.name} is not a constant of ${s.enum!.className}`);
          o.i32(idx);
        },
        (v) => jsonString(expect(v, 'enum', type).name),
      );
    }
    case 'pojo':
      return pojoImpl(s, type, depth);
    case 'kryo': {
      const typeClass = s.kryo!.typeClass;
      return {
        fixedLength: -1,
        minBytes: 0,
        decode: (r) => ({ t: 'kryo', typeClass, bytes: r.bytes(r.remaining, 'Kryo bytes') }),
        encode: (v, o) => o.bytes(v.t === 'raw' ? v.bytes : expect(v, 'kryo', type).bytes),
        toJson: (v) => {
          const k = expect(v, 'kryo', type);
          return `{"$kryo":${jsonString(k.typeClass)},"hex":"${toHex(k.bytes)}"}`;
        },
      };
    }
    case 'java':
      return {
        fixedLength: -1,
        minBytes: 0,
        decode: (r) => ({ t: 'java', bytes: r.bytes(r.remaining, 'Java-serialized bytes') }),
        encode: (v, o) => o.bytes(v.t === 'raw' ? v.bytes : expect(v, 'java', type).bytes),
        toJson: (v) => `{"$java":"${toHex(expect(v, 'java', type).bytes)}"}`,
      };
    case 'avro':
      return avroImpl(s, type);
    case 'caseClass':
      return caseClassImpl(type, s.nested.map(child));
    case 'option':
      return optionImpl(type, child(s.nested[0]));
    case 'either':
      return eitherImpl(type, child(s.nested[0]), child(s.nested[1]));
    case 'traversable':
      return flaggedListImpl(type, child(s.nested[0]), 'the size of a', 'a collection element flag');
    case 'scalaEnum':
      return scalaEnumImpl(s, type);
    case 'rowData':
      return rowDataImpl(s.rowData!.types);
    case 'binaryRow':
      return binaryRowImpl(s.binaryRow!.arity);
    case 'external':
      // ExternalSerializer writes its internal serializer's bytes
      return child(s.nested[0]);
    case 'stringData':
      return stringDataImpl();
    case 'decimalData':
      return decimalDataImpl(s.tableData!.precision, s.tableData!.scale!);
    case 'timestampData':
      return timestampDataImpl(s.tableData!.precision);
    case 'ttl': {
      const ts = child(s.nested[0]);
      const user = child(s.nested[1]);
      return {
        fixedLength: ts.fixedLength >= 0 && user.fixedLength >= 0 ? ts.fixedLength + user.fixedLength : -1,
        minBytes: 8 + user.minBytes,
        decode: (r) => ({ t: 'ttl', timestamp: r.i64('a TTL timestamp'), value: user.decode(r) }),
        encode: (v, o) => {
          const x = expect(v, 'ttl', type);
          o.i64(x.timestamp);
          user.encode(x.value, o);
        },
        toJson: (v) => {
          const x = expect(v, 'ttl', type);
          return `{"$ttl":${x.timestamp},"value":${user.toJson(x.value)}}`;
        },
      };
    }
    case 'voidNamespace':
      return { fixedLength: 0, minBytes: 1, decode: (r) => (r.skip(1, 'a VoidNamespace byte'), { t: 'voidNamespace' }), encode: (_v, o) => o.u8(0), toJson: () => 'null' };
    case 'globalWindow':
      return { fixedLength: 0, minBytes: 1, decode: (r) => (r.skip(1, 'a GlobalWindow byte'), { t: 'globalWindow' }), encode: (_v, o) => o.u8(0), toJson: () => '"GlobalWindow"' };
    case 'timeWindow':
      return fixedImpl(
        16,
        (r) => ({ t: 'timeWindow', start: r.i64('a window start'), end: r.i64('a window end') }),
        (v, o) => {
          const w = expect(v, 'timeWindow', type);
          o.i64(w.start).i64(w.end);
        },
        (v) => {
          const w = expect(v, 'timeWindow', type);
          return `{"start":${w.start},"end":${w.end}}`;
        },
      );
    case 'timer': {
      const k = child(s.nested[0]);
      const n = child(s.nested[1]);
      return {
        fixedLength: k.fixedLength >= 0 && n.fixedLength >= 0 ? 8 + k.fixedLength + n.fixedLength : -1,
        minBytes: 8 + k.minBytes + n.minBytes,
        decode: (r) => {
          const flipped = r.i64('a timer timestamp');
          return { t: 'timer', timestamp: flipSign(flipped), key: k.decode(r), namespace: n.decode(r) };
        },
        encode: (v, o) => {
          const x = expect(v, 'timer', type);
          o.i64(flipSign(x.timestamp));
          k.encode(x.key, o);
          n.encode(x.namespace, o);
        },
        toJson: (v) => {
          const x = expect(v, 'timer', type);
          return `{"timestamp":${x.timestamp},"key":${k.toJson(x.key)},"namespace":${n.toJson(x.namespace)}}`;
        },
      };
    }
    default:
      return unknownCodec(type);
  }
}

const EMPTY = new Uint8Array(0);
const INSTANT_MIN_SECONDS = -31557014167219200n;
const INSTANT_MAX_SECONDS = 31556889864403199n;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** java.sql.Timestamp#getTime() after new Timestamp(millis) and setNanos(nanos). */
export function timestampMillis(millis: bigint, nanos: number): bigint {
  let secMillis = (millis / 1000n) * 1000n; // truncating, like Java
  if (millis % 1000n < 0n) secMillis -= 1000n;
  return secMillis + BigInt(Math.floor(nanos / 1_000_000));
}
const LONG_MIN = -(2n ** 63n);
const INT_MIN = -(2 ** 31);

/** ts XOR 0x8000000000000000 as a signed long (self-inverse). */
export function flipSign(v: bigint): bigint {
  return BigInt.asIntN(64, v ^ LONG_MIN);
}

function checkArity(got: number, want: number, type: string): void {
  if (got !== want) throw new Error(`${type} needs ${want} fields, got ${got}`);
}

/** TupleSerializerBase#getLength: the sum when every field has a positive length, else -1. */
function sumLengths(fs: CodecX[]): number {
  let n = 0;
  for (const f of fs) {
    if (f.fixedLength <= 0) return -1;
    n += f.fixedLength;
  }
  return n;
}

export function encodeWith(c: Codec, v: Value): Uint8Array {
  const w = new ByteWriter();
  c.encode(v, w);
  return w.toBytes();
}

function primitiveArray(
  type: string,
  size: number,
  dec: (r: ByteReader) => Value,
  enc: (v: Value, o: ByteWriter) => void,
  json: (v: Value) => string,
): Impl {
  return {
    fixedLength: -1,
    minBytes: 4,
    decode: (r) => {
      const n = r.count(`the length of a ${type}`, size);
      const items: Value[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = dec(r);
      return { t: 'list', items };
    },
    encode: (v, o) => {
      const items = expect(v, 'list', type).items;
      o.i32(items.length);
      for (const it of items) enc(it, o);
    },
    toJson: (v) => `[${expect(v, 'list', type).items.map(json).join(',')}]`,
  };
}

// ------------------------------------------------------------------------------------------------
// Strings, BigInteger, java.time
// ------------------------------------------------------------------------------------------------

const asciiDecoder = new TextDecoder('latin1');

/** Node's Buffer#latin1Slice works on any Uint8Array and is the fastest way to make a short ASCII string. */
const latin1Slice: ((this: Uint8Array, start: number, end: number) => string) | undefined =
  typeof Buffer !== 'undefined' && typeof (Buffer.prototype as unknown as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice
    : undefined;

function asciiString(buf: Uint8Array, start: number, end: number): string {
  if (latin1Slice) return latin1Slice.call(buf, start, end);
  if (end - start <= 64) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  return asciiDecoder.decode(buf.subarray(start, end));
}

/**
 * `jsonString(readStringValue(r))` (or `null`): strings of printable ASCII without `"` and `\\` (up
 * to 126 characters: a one-byte length) are quoted straight from the bytes.
 */
export function stringJsonTo(r: ByteReader, out: ByteSink): void {
  const buf = r.buf;
  const pos = r.pos;
  if (pos < r.end) {
    const len = buf[pos];
    if (len > 0 && len < 0x80 && pos + len <= r.end) {
      // copied as they are between quotes unless a byte needs escaping (or is not ASCII)
      out.ensure(len + 1);
      const o = out.buf;
      const start = out.pos;
      let p = start;
      o[p++] = 0x22;
      const e = pos + len;
      let i = pos + 1;
      for (; i < e; i++) {
        const c = buf[i];
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
        o[p++] = c;
      }
      if (i === e) {
        o[p++] = 0x22;
        out.pos = p;
        r.pos = e;
        return;
      }
    }
  }
  const n = readStringUnits(r, 'a String');
  if (n < 0) out.str('null');
  else jsonUnitsTo(stringUnits, n, out);
}

const HEX = '0123456789abcdef';

/** `out.str(jsonString(s))` without the intermediate string: JSON.stringify's escaping, as UTF-8. */
export function jsonStringTo(s: string, out: ByteSink): void {
  const n = s.length;
  const units = n <= SCRATCH_UNITS ? scratchUnits : new Uint16Array(n);
  for (let i = 0; i < n; i++) units[i] = s.charCodeAt(i);
  jsonUnitsTo(units, n, out);
}

/** The first n UTF-16 code units of `units` as a JSON string (JSON.stringify's escaping), as UTF-8. */
function jsonUnitsTo(units: Uint16Array, n: number, out: ByteSink): void {
  out.ensure(6 * n + 2);
  const o = out.buf;
  let p = out.pos;
  o[p++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = units[i];
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) o[p++] = c;
      else {
        o[p++] = 0x5c;
        if (c === 0x22 || c === 0x5c) o[p++] = c;
        else if (c === 0x08) o[p++] = 0x62;
        else if (c === 0x09) o[p++] = 0x74;
        else if (c === 0x0a) o[p++] = 0x6e;
        else if (c === 0x0c) o[p++] = 0x66;
        else if (c === 0x0d) o[p++] = 0x72;
        else {
          o[p++] = 0x75;
          o[p++] = 0x30;
          o[p++] = 0x30;
          o[p++] = HEX.charCodeAt(c >> 4);
          o[p++] = HEX.charCodeAt(c & 15);
        }
      }
    } else if (c < 0x800) {
      o[p++] = 0xc0 | (c >> 6);
      o[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? units[i + 1] : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        o[p++] = 0xf0 | (cp >> 18);
        o[p++] = 0x80 | ((cp >> 12) & 0x3f);
        o[p++] = 0x80 | ((cp >> 6) & 0x3f);
        o[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        // a lone surrogate: \udxxx (lowercase), as JSON.stringify writes it
        o[p++] = 0x5c;
        o[p++] = 0x75;
        o[p++] = HEX.charCodeAt(c >> 12);
        o[p++] = HEX.charCodeAt((c >> 8) & 15);
        o[p++] = HEX.charCodeAt((c >> 4) & 15);
        o[p++] = HEX.charCodeAt(c & 15);
      }
    } else {
      o[p++] = 0xe0 | (c >> 12);
      o[p++] = 0x80 | ((c >> 6) & 0x3f);
      o[p++] = 0x80 | (c & 0x3f);
    }
  }
  o[p++] = 0x22;
  out.pos = p;
}

export function stringJson(r: ByteReader): string {
  const buf = r.buf;
  const pos = r.pos;
  if (pos < r.end) {
    const len = buf[pos];
    if (len > 0 && len < 0x80 && pos + len <= r.end) {
      const s = pos + 1;
      const e = s + len - 1;
      let i = s;
      for (; i < e; i++) {
        const c = buf[i];
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
      }
      if (i === e) {
        r.pos = e;
        return '"' + asciiString(buf, s, e) + '"';
      }
    }
  }
  const v = readStringValue(r, 'a String');
  return v === null ? 'null' : jsonString(v);
}

/** Flink StringValue format (StringSerializer): varint (n+1), then n varint code units; 0 = null. */
export function readStringValue(r: ByteReader, what = 'a String'): string | null {
  const n = readStringUnits(r, what, true);
  if (n < 0) return null;
  if (asciiAt >= 0) return asciiString(r.buf, asciiAt, asciiAt + n);
  const units = stringUnits;
  // UTF-16 code units to a string: Node's Buffer#ucs2Slice (little-endian, as Uint16Array is on every platform Node runs on)
  if (ucs2Slice && littleEndian) return ucs2Slice.call(new Uint8Array(units.buffer, units.byteOffset, 2 * n), 0, 2 * n);
  let s = '';
  for (let k = 0; k < n; k += 8192) s += String.fromCharCode(...units.subarray(k, Math.min(n, k + 8192)));
  return s;
}

/**
 * Reads a StringValue: its number of code units, or -1 for null. The units are in `stringUnits`
 * (valid until the next call), except with `asciiRun` for an all-ASCII string: then `asciiAt` is
 * where its n bytes (one per character) start in r.buf and nothing is copied.
 */
function readStringUnits(r: ByteReader, what: string, asciiRun = false): number {
  const at = r.offset;
  let len = r.u8(`the length of ${what}`);
  if (len >= 0x80) {
    let shift = 7;
    len &= 0x7f;
    let curr: number;
    while ((curr = r.u8(`the length of ${what}`)) >= 0x80) {
      if (shift >= 28) r.fail(`a length of ${what} of at most 5 bytes`, 'a longer varint', at);
      len += (curr & 0x7f) * 2 ** shift;
      shift += 7;
    }
    len += curr * 2 ** shift;
  }
  if (len === 0) return -1;
  const n = len - 1;
  if (n > r.remaining) r.fail(`${what} of at most ${r.remaining} characters`, `${n} characters`, at);
  const buf = r.buf;
  let pos = r.pos;
  const end = r.end;
  asciiAt = -1;
  // fast path: n ASCII characters are n bytes below 0x80
  if (asciiRun && n <= end - pos) {
    let ascii = true;
    for (let i = pos, e = pos + n; i < e; i++) {
      if (buf[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      asciiAt = pos;
      r.pos = pos + n;
      return n;
    }
  }
  const units = n <= SCRATCH_UNITS ? scratchUnits : new Uint16Array(n);
  stringUnits = units;
  for (let i = 0; i < n; i++) {
    if (pos >= end) {
      r.pos = pos;
      r.fail(`character ${i} of ${n} of ${what}`, 'the end of the bytes');
    }
    let c = buf[pos++];
    if (c >= 0x80) {
      let shift = 7;
      c &= 0x7f;
      let curr: number;
      for (;;) {
        if (pos >= end) {
          r.pos = pos;
          r.fail(`character ${i} of ${n} of ${what}`, 'the end of the bytes');
        }
        curr = buf[pos++];
        if (curr < 0x80) break;
        if (shift < 32) c |= (curr & 0x7f) << shift;
        shift += 7;
      }
      if (shift < 32) c |= curr << shift;
    }
    units[i] = c & 0xffff;
  }
  r.pos = pos;
  return n;
}

const SCRATCH_UNITS = 4096;
const scratchUnits = new Uint16Array(SCRATCH_UNITS);
/** The code units read by the last readStringUnits (the scratch array, or a larger one). */
let stringUnits = scratchUnits;
/** Set by readStringUnits(…, true): where an all-ASCII string's bytes start, or -1. */
let asciiAt = -1;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ucs2Slice: ((this: Uint8Array, start: number, end: number) => string) | undefined =
  typeof Buffer !== 'undefined' && typeof (Buffer.prototype as unknown as { ucs2Slice?: unknown }).ucs2Slice === 'function'
    ? (Buffer.prototype as unknown as { ucs2Slice: (this: Uint8Array, start: number, end: number) => string }).ucs2Slice
    : undefined;

export function writeStringValue(o: ByteWriter, s: string | null): void {
  if (s === null) {
    o.u8(0);
    return;
  }
  o.varUint(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    while (c >= 0x80) {
      o.u8((c & 0x7f) | 0x80);
      c >>>= 7;
    }
    o.u8(c);
  }
}

function readBigInteger(r: ByteReader): { t: 'bigint'; v: bigint; constant?: boolean } | null {
  const at = r.offset;
  const n = r.i32('a BigInteger length');
  switch (n) {
    case 0:
      return null;
    case 1:
      return { t: 'bigint', v: 0n, constant: true };
    case 2:
      return { t: 'bigint', v: 1n, constant: true };
    case 3:
      return { t: 'bigint', v: 10n, constant: true };
  }
  if (n < 4) r.fail('a BigInteger length of at least 4', String(n), at);
  const b = r.bytes(n - 4, 'BigInteger bytes');
  if (b.length === 0) r.fail('at least one BigInteger byte', 'none', at);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b[0] & 0x80) v -= 1n << BigInt(8 * b.length);
  return { t: 'bigint', v };
}

/** Java's BigInteger#toByteArray: minimal two's-complement big-endian. */
export function bigIntToByteArray(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.push(Number(BigInt.asUintN(8, x)));
    const next = x >> 8n; // arithmetic shift
    // stop when the remaining value is pure sign extension of the byte just written
    if ((next === 0n && (out[out.length - 1] & 0x80) === 0) || (next === -1n && (out[out.length - 1] & 0x80) !== 0)) break;
    x = next;
  }
  return Uint8Array.from(out.reverse());
}

function writeBigInteger(o: ByteWriter, v: { v: bigint; constant?: boolean } | null): void {
  if (v === null) {
    o.i32(0);
    return;
  }
  if (v.constant) {
    if (v.v === 0n) return void o.i32(1);
    if (v.v === 1n) return void o.i32(2);
    if (v.v === 10n) return void o.i32(3);
  }
  const b = bigIntToByteArray(v.v);
  o.i32(b.length + 4).bytes(b);
}

function readLocalDate(r: ByteReader): { t: 'localDate'; year: number; month: number; day: number } | null {
  const year = r.i32('a LocalDate year');
  if (year === INT_MIN) {
    r.skip(2, 'a null LocalDate');
    return null;
  }
  const at = r.offset - 4;
  const month = r.i8('a LocalDate month');
  const day = r.i8('a LocalDate day');
  if (year < -999_999_999 || year > 999_999_999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    r.fail('a valid LocalDate', `${year}-${month}-${day}`, at);
  }
  return { t: 'localDate', year, month, day };
}

function writeLocalDate(o: ByteWriter, d: { year: number; month: number; day: number } | null): void {
  if (!d) o.i32(INT_MIN).i16(-32768);
  else o.i32(d.year).i8(d.month).i8(d.day);
}

function readLocalTime(r: ByteReader): { t: 'localTime'; hour: number; minute: number; second: number; nano: number } | null {
  const hour = r.i8('a LocalTime hour');
  if (hour === -128) {
    r.skip(6, 'a null LocalTime');
    return null;
  }
  const at = r.offset - 1;
  const minute = r.i8('a LocalTime minute');
  const second = r.i8('a LocalTime second');
  const nano = r.i32('LocalTime nanoseconds');
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || nano < 0 || nano > 999_999_999) {
    r.fail('a valid LocalTime', `${hour}:${minute}:${second}.${nano}`, at);
  }
  return { t: 'localTime', hour, minute, second, nano };
}

function writeLocalTime(o: ByteWriter, t: { hour: number; minute: number; second: number; nano: number } | null): void {
  if (!t) o.i8(-128).i16(-32768).i32(INT_MIN);
  else o.i8(t.hour).i8(t.minute).i8(t.second).i32(t.nano);
}

// ------------------------------------------------------------------------------------------------
// Row
// ------------------------------------------------------------------------------------------------

export const ROW_KINDS = ['+I', '-U', '+U', '-D'];

function rowImpl(s: SerializerSnapshot, type: string, fs: CodecX[]): Impl {
  const withKind = s.row?.supportsRowKind ?? false;
  const off = withKind ? 2 : 0;
  const bits = off + fs.length;
  const maskBytes = Math.ceil(bits / 8);
  return {
    fixedLength: -1,
    minBytes: maskBytes,
    decode: (r) => {
      const mask = r.bytes(maskBytes, 'a Row null mask');
      const bit = (i: number) => ((mask[i >> 3] >> (7 - (i & 7))) & 1) === 1;
      const kind = withKind ? (bit(0) ? 1 : 0) + (bit(1) ? 2 : 0) : 0;
      const fields: Value[] = new Array(fs.length);
      for (let i = 0; i < fs.length; i++) fields[i] = bit(off + i) ? NULL : fs[i].decode(r);
      return { t: 'row', kind, fields };
    },
    encode: (v, o) => {
      const x = expect(v, 'row', type);
      checkArity(x.fields.length, fs.length, type);
      const mask = new Uint8Array(maskBytes);
      const set = (i: number) => (mask[i >> 3] |= 0x80 >> (i & 7));
      if (withKind) {
        if (x.kind & 1) set(0);
        if (x.kind & 2) set(1);
      }
      x.fields.forEach((f, i) => isNull(f) && set(off + i));
      o.bytes(mask);
      x.fields.forEach((f, i) => !isNull(f) && fs[i].encode(f, o));
    },
    toJson: (v) => {
      const x = expect(v, 'row', type);
      return `{"$row":"${ROW_KINDS[x.kind] ?? '+I'}","fields":[${x.fields.map((f, i) => (isNull(f) ? 'null' : fs[i].toJson(f))).join(',')}]}`;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// POJO
// ------------------------------------------------------------------------------------------------

const POJO_IS_NULL = 1;
const POJO_NO_SUBCLASS = 2;
const POJO_IS_SUBCLASS = 4;
const POJO_IS_TAGGED_SUBCLASS = 8;

function pojoImpl(s: SerializerSnapshot, type: string, depth: number): Impl {
  const p = s.pojo!;
  const fs = p.fields.map((f) => ({ name: f.name, c: build(f.snapshot, depth + 1) }));
  const registered = p.registeredSubclasses.map((x) => ({ className: x.className, snapshot: x.snapshot }));
  const nonRegistered = new Map(p.nonRegisteredSubclasses.map((x) => [x.className, x.snapshot] as const));
  const subCodec = (snap: SerializerSnapshot | undefined) => build(snap, depth + 1);
  const fieldsJson = (fields: { name: string; value: Value }[]) =>
    fields.map((f, i) => `${jsonString(f.name)}:${isNull(f.value) ? 'null' : fs[i].c.toJson(f.value)}`).join(',');
  const self: Impl = {
    fixedLength: -1,
    minBytes: 1,
    decode: (r) => {
      const at = r.offset;
      const flags = r.u8('POJO flags');
      if (flags & POJO_IS_NULL) return NULL;
      if (flags & POJO_IS_SUBCLASS) {
        const className = r.utf('a POJO subclass name');
        const snap = nonRegistered.get(className) ?? registered.find((x) => x.className === className)?.snapshot;
        if (!nonRegistered.has(className) && !registered.some((x) => x.className === className)) {
          throw new UndecodableValueError(r.file, at, `a serializer snapshot for the subclass ${className} of ${p.className}`, 'none in the snapshot');
        }
        return { t: 'pojoSub', className, value: subCodec(snap).decode(r) };
      }
      if (flags & POJO_IS_TAGGED_SUBCLASS) {
        const tag = r.u8('a POJO subclass tag');
        if (tag >= registered.length) r.fail(`a subclass tag below ${registered.length}`, String(tag), at + 1);
        return { t: 'pojoSub', className: registered[tag].className, tag, value: subCodec(registered[tag].snapshot).decode(r) };
      }
      if (!(flags & POJO_NO_SUBCLASS)) r.fail('POJO flags 1, 2, 4 or 8', String(flags), at);
      const fields = new Array<{ name: string; value: Value }>(fs.length);
      for (let i = 0; i < fs.length; i++) {
        const value = r.bool('a POJO field null flag') ? NULL : fs[i].c.decode(r);
        fields[i] = { name: fs[i].name, value };
      }
      return { t: 'pojo', className: p.className, fields };
    },
    encode: (v, o) => {
      if (isNull(v)) {
        o.u8(POJO_IS_NULL);
        return;
      }
      if (v.t === 'pojoSub') {
        if (v.tag !== undefined) {
          o.u8(POJO_IS_TAGGED_SUBCLASS).u8(v.tag);
          subCodec(registered[v.tag]?.snapshot).encode(v.value, o);
        } else {
          o.u8(POJO_IS_SUBCLASS).utf(v.className);
          subCodec(nonRegistered.get(v.className) ?? registered.find((x) => x.className === v.className)?.snapshot).encode(v.value, o);
        }
        return;
      }
      const x = expect(v, 'pojo', type);
      checkArity(x.fields.length, fs.length, type);
      o.u8(POJO_NO_SUBCLASS);
      x.fields.forEach((f, i) => {
        if (isNull(f.value)) o.bool(true);
        else {
          o.bool(false);
          fs[i].c.encode(f.value, o);
        }
      });
    },
    toJson: (v) => {
      if (isNull(v)) return 'null';
      if (v.t === 'pojoSub') {
        const snap = v.tag !== undefined ? registered[v.tag]?.snapshot : nonRegistered.get(v.className) ?? registered.find((x) => x.className === v.className)?.snapshot;
        const inner = subCodec(snap).toJson(v.value);
        const cls = `"$class":${jsonString(v.className)}`;
        if (v.value.t === 'pojo') return inner === '{}' ? `{${cls}}` : `{${cls},${inner.slice(1)}`;
        return `{${cls},"value":${inner}}`;
      }
      return `{${fieldsJson(expect(v, 'pojo', type).fields)}}`;
    },
  };
  return self;
}

// ------------------------------------------------------------------------------------------------
// The Scala API (flink-scala, Flink 1.x): CaseClassSerializer, OptionSerializer, EitherSerializer,
// TraversableSerializer, EnumValueSerializer
// ------------------------------------------------------------------------------------------------

/** CaseClassSerializer (a TupleSerializerBase): the fields one after another; a JSON array like a tuple. */
function caseClassImpl(type: string, fs: CodecX[]): Impl {
  return {
    fixedLength: sumLengths(fs),
    minBytes: fs.reduce((a, f) => a + f.minBytes, 0),
    decode: (r) => {
      const fields: Value[] = new Array(fs.length);
      for (let i = 0; i < fs.length; i++) fields[i] = fs[i].decode(r);
      return { t: 'tuple', fields };
    },
    encode: (v, o) => {
      const x = expect(v, 'tuple', type);
      checkArity(x.fields.length, fs.length, type);
      fs.forEach((f, i) => f.encode(x.fields[i], o));
    },
    toJson: (v) => `[${expect(v, 'tuple', type).fields.map((x, i) => fs[i].toJson(x)).join(',')}]`,
  };
}

/** OptionSerializer: boolean true then the element (Some), false (None). None → null, Some(v) → {"$some":v}. */
function optionImpl(type: string, e: CodecX): Impl {
  return {
    fixedLength: -1,
    minBytes: 1,
    decode: (r) => (r.bool('an Option flag') ? { t: 'some', value: e.decode(r) } : NULL),
    encode: (v, o) => {
      if (isNull(v)) {
        o.bool(false);
        return;
      }
      o.bool(true);
      e.encode(expect(v, 'some', type).value, o);
    },
    toJson: (v) => `{"$some":${e.toJson(expect(v, 'some', type).value)}}`,
  };
}

/** EitherSerializer: boolean true then the left value, false then the right value. */
function eitherImpl(type: string, left: CodecX, right: CodecX): Impl {
  return {
    fixedLength: -1,
    minBytes: 1 + Math.min(left.minBytes, right.minBytes),
    decode: (r) => {
      const isLeft = r.bool('an Either flag');
      return { t: 'either', left: isLeft, value: (isLeft ? left : right).decode(r) };
    },
    encode: (v, o) => {
      const x = expect(v, 'either', type);
      o.bool(x.left);
      (x.left ? left : right).encode(x.value, o);
    },
    toJson: (v) => {
      const x = expect(v, 'either', type);
      return x.left ? `{"$left":${left.toJson(x.value)}}` : `{"$right":${right.toJson(x.value)}}`;
    },
  };
}

/**
 * A collection with nullable elements (GenericArraySerializer, Scala's TraversableSerializer): i32
 * size, then per element a boolean "not null" and the element.
 */
function flaggedListImpl(type: string, e: CodecX, sizeWhat: string, flagWhat: string): Impl {
  return {
    fixedLength: -1,
    minBytes: 4,
    decode: (r) => {
      const n = r.count(`${sizeWhat} ${type}`, 1);
      const items: Value[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = r.bool(flagWhat) ? e.decode(r) : NULL;
      return { t: 'list', items };
    },
    encode: (v, o) => {
      const items = expect(v, 'list', type).items;
      o.i32(items.length);
      for (const it of items) {
        if (isNull(it)) o.bool(false);
        else {
          o.bool(true);
          e.encode(it, o);
        }
      }
    },
    toJson: (v) => `[${expect(v, 'list', type).items.map((it) => (isNull(it) ? 'null' : e.toJson(it))).join(',')}]`,
  };
}

/** EnumValueSerializer: the value's id (i32); rendered as the name ScalaEnumSerializerSnapshot stores for that id. */
function scalaEnumImpl(s: SerializerSnapshot, type: string): Impl {
  const e = s.scalaEnum!;
  const byId = new Map<number, string>();
  for (const c of e.constants) if (!byId.has(c.id)) byId.set(c.id, c.name);
  return fixedImpl(
    4,
    (r) => {
      const at = r.offset;
      const id = r.i32('an Enumeration value id');
      const name = byId.get(id);
      if (name === undefined) r.fail(`the id of a value of ${e.className} (${[...byId.keys()].join(', ')})`, String(id), at);
      return { t: 'enum', index: id, name: name! };
    },
    (v, o) => {
      const x = expect(v, 'enum', type);
      const id = byId.get(x.index) === x.name ? x.index : e.constants.find((c) => c.name === x.name)?.id;
      if (id === undefined) throw new Error(`${x.name} is not a value of ${e.className}`);
      o.i32(id);
    },
    (v) => jsonString(expect(v, 'enum', type).name),
  );
}

// ------------------------------------------------------------------------------------------------
// Avro (Flink's DataOutputEncoder / DataInputDecoder encoding, not Avro binary)
// ------------------------------------------------------------------------------------------------

type AvroNode =
  | { k: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string' }
  | { k: 'record'; name: string; fields: { name: string; node: AvroNode }[] }
  | { k: 'enum'; name: string; symbols: string[] }
  | { k: 'fixed'; name: string; size: number }
  | { k: 'array'; items: AvroNode }
  | { k: 'map'; values: AvroNode }
  | { k: 'union'; branches: AvroNode[] };

const AVRO_PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
/** Avro schemas may be recursive; values nest at most this deep. */
export const AVRO_MAX_DEPTH = 1024;

export function parseAvroSchema(schema: unknown): AvroNode {
  const named = new Map<string, AvroNode>();
  const fullName = (name: string, ns: string | undefined) => (name.includes('.') || !ns ? name : `${ns}.${name}`);
  const walk = (x: unknown, ns: string | undefined, depth: number): AvroNode => {
    if (depth > 256) throw new Error('Avro schema nested too deeply');
    if (typeof x === 'string') {
      if (AVRO_PRIMITIVES.has(x)) return { k: x } as AvroNode;
      const n = named.get(fullName(x, ns)) ?? named.get(x);
      if (!n) throw new Error(`unknown Avro type ${x}`);
      return n;
    }
    if (Array.isArray(x)) return { k: 'union', branches: x.map((b) => walk(b, ns, depth + 1)) };
    if (!x || typeof x !== 'object') throw new Error(`bad Avro schema ${JSON.stringify(x)}`);
    const o = x as Record<string, unknown>;
    const t = o.type;
    if (typeof t !== 'string') return walk(t, ns, depth + 1);
    switch (t) {
      case 'record':
      case 'error': {
        const name = fullName(String(o.name), typeof o.namespace === 'string' ? o.namespace : ns);
        const node: AvroNode = { k: 'record', name, fields: [] };
        named.set(name, node);
        const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
        for (const f of (o.fields as Record<string, unknown>[]) ?? []) node.fields.push({ name: String(f.name), node: walk(f.type, inner, depth + 1) });
        return node;
      }
      case 'enum': {
        const name = fullName(String(o.name), typeof o.namespace === 'string' ? o.namespace : ns);
        const node: AvroNode = { k: 'enum', name, symbols: (o.symbols as string[]) ?? [] };
        named.set(name, node);
        return node;
      }
      case 'fixed': {
        const name = fullName(String(o.name), typeof o.namespace === 'string' ? o.namespace : ns);
        const node: AvroNode = { k: 'fixed', name, size: Number(o.size) };
        named.set(name, node);
        return node;
      }
      case 'array':
        return { k: 'array', items: walk(o.items, ns, depth + 1) };
      case 'map':
        return { k: 'map', values: walk(o.values, ns, depth + 1) };
      default:
        return walk(t, ns, depth + 1);
    }
  };
  return walk(schema, undefined, 0);
}

function readAvroCount(r: ByteReader, what: string): number {
  const at = r.offset;
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = r.u8(what);
    if (shift > 49) r.fail(`${what} below 2^53`, 'a longer varint', at);
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  if (value > Limits.maxCount) r.fail(`${what} of at most ${Limits.maxCount}`, String(value), at);
  return value;
}

function avroMinBytes(n: AvroNode): number {
  switch (n.k) {
    case 'boolean':
      return 1;
    case 'int':
    case 'float':
    case 'enum':
    case 'string':
    case 'bytes':
    case 'union':
      return 4;
    case 'long':
    case 'double':
      return 8;
    case 'array':
    case 'map':
      return 1;
    case 'fixed':
      return n.size;
    default:
      return 0;
  }
}

function decodeAvro(n: AvroNode, r: ByteReader, depth: number): Value {
  if (depth > AVRO_MAX_DEPTH) r.fail(`Avro values nested at most ${AVRO_MAX_DEPTH} deep`, 'deeper nesting');
  switch (n.k) {
    case 'null':
      return NULL;
    case 'boolean':
      return { t: 'bool', v: r.bool('an Avro boolean') };
    case 'int':
      return { t: 'int', v: r.i32('an Avro int') };
    case 'long':
      return { t: 'long', v: r.i64('an Avro long') };
    case 'float':
      return { t: 'float', v: r.f32('an Avro float') };
    case 'double':
      return { t: 'double', v: r.f64('an Avro double') };
    case 'bytes':
      return { t: 'bytes', v: r.lenBytes('Avro bytes') };
    case 'string':
      return { t: 'string', v: utf8Decode(r.lenBytes('an Avro string')) };
    case 'fixed':
      return { t: 'bytes', v: r.bytes(n.size, `Avro fixed ${n.name}`) };
    case 'enum': {
      const at = r.offset;
      const index = r.i32('an Avro enum index');
      if (index < 0 || index >= n.symbols.length) r.fail(`an enum index below ${n.symbols.length} of ${n.name}`, String(index), at);
      return { t: 'enum', index, name: n.symbols[index] };
    }
    case 'union': {
      const at = r.offset;
      const branch = r.i32('an Avro union index');
      if (branch < 0 || branch >= n.branches.length) r.fail(`a union index below ${n.branches.length}`, String(branch), at);
      return { t: 'avroUnion', branch, value: decodeAvro(n.branches[branch], r, depth + 1) };
    }
    case 'record':
      return { t: 'avroRecord', name: n.name, fields: n.fields.map((f) => ({ name: f.name, value: decodeAvro(f.node, r, depth + 1) })) };
    case 'array': {
      const items: Value[] = [];
      const min = avroMinBytes(n.items);
      for (let c = readAvroCount(r, 'an Avro array block count'); c > 0; c = readAvroCount(r, 'an Avro array block count')) {
        if (c * min > r.remaining || items.length + c > Limits.maxCount) r.fail(`an Avro array block of at most ${min ? Math.floor(r.remaining / min) : Limits.maxCount} items`, String(c));
        for (let i = 0; i < c; i++) items.push(decodeAvro(n.items, r, depth + 1));
      }
      return { t: 'list', items };
    }
    case 'map': {
      const entries: [string, Value][] = [];
      const min = 4 + avroMinBytes(n.values);
      for (let c = readAvroCount(r, 'an Avro map block count'); c > 0; c = readAvroCount(r, 'an Avro map block count')) {
        if (c * min > r.remaining || entries.length + c > Limits.maxCount) r.fail(`an Avro map block of at most ${Math.floor(r.remaining / min)} entries`, String(c));
        for (let i = 0; i < c; i++) {
          const key = utf8Decode(r.lenBytes('an Avro map key'));
          entries.push([key, decodeAvro(n.values, r, depth + 1)]);
        }
      }
      return { t: 'avroMap', entries };
    }
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();
function utf8Decode(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

function encodeAvro(n: AvroNode, v: Value, o: ByteWriter): void {
  const bad = (): never => {
    throw new Error(`cannot encode a ${v.t} value as Avro ${n.k}`);
  };
  switch (n.k) {
    case 'null':
      return void (isNull(v) || bad());
    case 'boolean':
      return void o.bool(v.t === 'bool' ? v.v : bad());
    case 'int':
      return void o.i32(v.t === 'int' ? v.v : bad());
    case 'long':
      return void o.i64(v.t === 'long' ? v.v : bad());
    case 'float':
      return void o.f32(v.t === 'float' ? v.v : bad());
    case 'double':
      return void o.f64(v.t === 'double' ? v.v : bad());
    case 'bytes':
      return void o.lenBytes(v.t === 'bytes' ? v.v : bad());
    case 'string':
      return void o.lenBytes(utf8Encoder.encode(v.t === 'string' ? v.v : bad()));
    case 'fixed':
      if (v.t !== 'bytes' || v.v.length !== n.size) bad();
      return void o.bytes((v as { v: Uint8Array }).v);
    case 'enum': {
      if (v.t !== 'enum') bad();
      const e = v as { index: number; name: string };
      const idx = n.symbols[e.index] === e.name ? e.index : n.symbols.indexOf(e.name);
      if (idx < 0) bad();
      return void o.i32(idx);
    }
    case 'union': {
      if (v.t !== 'avroUnion') bad();
      const u = v as { branch: number; value: Value };
      o.i32(u.branch);
      return encodeAvro(n.branches[u.branch] ?? bad(), u.value, o);
    }
    case 'record': {
      if (v.t !== 'avroRecord') bad();
      const fields = (v as { fields: { name: string; value: Value }[] }).fields;
      n.fields.forEach((f, i) => encodeAvro(f.node, fields[i]?.value ?? bad(), o));
      return;
    }
    case 'array': {
      if (v.t !== 'list') bad();
      const items = (v as { items: Value[] }).items;
      if (items.length > 0) {
        o.varUint(items.length);
        for (const it of items) encodeAvro(n.items, it, o);
      }
      o.u8(0);
      return;
    }
    case 'map': {
      if (v.t !== 'avroMap') bad();
      const entries = (v as { entries: [string, Value][] }).entries;
      if (entries.length > 0) {
        o.varUint(entries.length);
        for (const [k, x] of entries) {
          o.lenBytes(utf8Encoder.encode(k));
          encodeAvro(n.values, x, o);
        }
      }
      o.u8(0);
      return;
    }
  }
}

function avroJson(n: AvroNode, v: Value, depth = 0): string {
  if (depth > AVRO_MAX_DEPTH) throw new Error('Avro value nested too deeply');
  switch (v.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(v.v);
    case 'int':
      return String(v.v);
    case 'long':
      return v.v.toString();
    case 'float':
      return formatFloat(v.v);
    case 'double':
      return formatDouble(v.v);
    case 'string':
      return jsonString(v.v);
    case 'bytes':
      return `{"$hex":"${toHex(v.v)}"}`;
    case 'enum':
      return jsonString(v.name);
    case 'avroUnion':
      return avroJson(n.k === 'union' ? n.branches[v.branch] : n, v.value, depth + 1);
    case 'avroRecord': {
      const fields = n.k === 'record' ? n.fields : [];
      return `{${v.fields.map((f, i) => `${jsonString(f.name)}:${avroJson(fields[i]?.node ?? n, f.value, depth + 1)}`).join(',')}}`;
    }
    case 'list':
      return `[${v.items.map((it) => avroJson(n.k === 'array' ? n.items : n, it, depth + 1)).join(',')}]`;
    case 'avroMap': {
      const sorted = [...v.entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return `[${sorted.map(([k, x]) => `[${jsonString(k)},${avroJson(n.k === 'map' ? n.values : n, x, depth + 1)}]`).join(',')}]`;
    }
    default:
      throw new Error(`not an Avro value: ${v.t}`);
  }
}

function avroImpl(s: SerializerSnapshot, type: string): Impl {
  let node: AvroNode | undefined;
  let error: string | undefined;
  try {
    node = parseAvroSchema(s.avro!.schema);
  } catch (e) {
    error = (e as Error).message;
  }
  return {
    fixedLength: -1,
    minBytes: node ? avroMinBytes(node) : 0,
    decode: (r) => {
      if (!node) r.fail(`a usable Avro schema for ${avroTypeName(s.avro!.schema)}`, error);
      return decodeAvro(node!, r, 0);
    },
    encode: (v, o) => {
      if (!node) throw new Error(`unusable Avro schema: ${error}`);
      encodeAvro(node, v, o);
    },
    toJson: (v) => {
      if (!node) throw new Error(`unusable Avro schema: ${error}`);
      void type;
      return avroJson(node, v);
    },
  };
}
