/**
 * Table API / SQL rows (docs/dump-format.md §3.4): the LogicalTypes a RowDataSerializerSnapshot
 * stores Java-serialized, and the binary row format (BinaryRowData) that RowDataSerializer and
 * BinaryRowDataSerializer write as an i32 length and the row's bytes.
 *
 * A binary row: a header of 8-byte words (first byte the RowKind, then one null bit per field,
 * LSB first, from bit 8 on), one 8-byte slot per field, then the variable-length part. Fixed-size
 * values (BOOLEAN … DOUBLE, DATE, TIME, DECIMAL(p ≤ 18), TIMESTAMP(p ≤ 3)) sit in their slot;
 * strings and bytes of at most 7 bytes sit in the slot too (top bit of the slot's last byte set, its
 * low 7 bits the length); everything else is `offset << 32 | length` (a non-compact TIMESTAMP:
 * `offset << 32 | nanoOfMillisecond`) into the variable-length part, offsets from the row's start.
 * Flink writes the slots in the JVM's native byte order: little-endian on every platform Flink runs
 * on in practice, which is what we read.
 */
import { SavepointFormatError } from './errors';
import { ByteReader, toHex } from './io';
import { JavaStreamReader, JavaValue } from './javaser';
import { civilFromDays, formatDouble, formatFloat, formatInstantText, formatLocalDateText, formatLocalTimeText, jsonString } from './json';
import type { Value } from './values';
import type { ByteWriter } from './writer-io';

// ------------------------------------------------------------------------------------------------
// Logical types
// ------------------------------------------------------------------------------------------------

export interface LogicalType {
  /** The LogicalTypeRoot constant, e.g. "VARCHAR", "TIMESTAMP_WITHOUT_TIME_ZONE", "RAW". */
  root: string;
  nullable: boolean;
  /** The LogicalType class as stored. */
  className: string;
  /** True when the class is the one we decode for its root (see DECODED_CLASSES). */
  decoded: boolean;
  /** CHAR, VARCHAR, BINARY, VARBINARY. */
  length?: number;
  /** DECIMAL, TIME, TIMESTAMP, TIMESTAMP_LTZ. */
  precision?: number;
  /** DECIMAL. */
  scale?: number;
  /** TIMESTAMP, TIMESTAMP_LTZ: REGULAR, ROWTIME or PROCTIME. */
  timestampKind?: string;
  /** ROW. */
  fields?: { name: string; type: LogicalType }[];
  /** ARRAY, MULTISET: the element type. */
  element?: LogicalType;
  /** MAP: the key and value types. */
  key?: LogicalType;
  value?: LogicalType;
}

const LOGICAL = 'org.apache.flink.table.types.logical.';

/** The roots we decode, each only when the type is of exactly this class (not, say, a legacy type). */
const DECODED_CLASSES: Record<string, string> = {
  BOOLEAN: 'BooleanType',
  TINYINT: 'TinyIntType',
  SMALLINT: 'SmallIntType',
  INTEGER: 'IntType',
  BIGINT: 'BigIntType',
  FLOAT: 'FloatType',
  DOUBLE: 'DoubleType',
  DATE: 'DateType',
  CHAR: 'CharType',
  VARCHAR: 'VarCharType',
  BINARY: 'BinaryType',
  VARBINARY: 'VarBinaryType',
  DECIMAL: 'DecimalType',
  TIME_WITHOUT_TIME_ZONE: 'TimeType',
  TIMESTAMP_WITHOUT_TIME_ZONE: 'TimestampType',
  TIMESTAMP_WITH_LOCAL_TIME_ZONE: 'LocalZonedTimestampType',
  ROW: 'RowType',
  ARRAY: 'ArrayType',
  MULTISET: 'MultisetType',
  MAP: 'MapType',
};

/** Roots whose slot points into the variable-length part (their raw view is that part). */
const VARIABLE_PART_ROOTS = new Set(['ARRAY', 'MULTISET', 'MAP', 'RAW', 'STRUCTURED_TYPE', 'VARIANT', 'BITMAP']);

/** Nested ROW types at most this deep (the Java stream's own depth cap is reached first in practice). */
const MAX_TYPE_DEPTH = 32;
const MAX_ROW_FIELDS = 1 << 16;
const VARCHAR_MAX = 2147483647;

/**
 * One `InstantiationUtil.serializeObject` stream (header AC ED 00 05, then one object) holding a
 * LogicalType. Reads exactly the stream's bytes.
 */
export function readLogicalType(r: ByteReader): LogicalType {
  const at = r.offset;
  const jr = new JavaStreamReader(r, { maxDepth: 160 });
  jr.readStreamHeader();
  return toLogicalType(jr.readContent(), r, at, 0);
}

/** Skips `n` Java serialization streams of one object each (snapshots that Java-serialize serializers). */
export function skipJavaStreams(r: ByteReader, n: number): void {
  for (let i = 0; i < n; i++) {
    const jr = new JavaStreamReader(r, { maxDepth: 160 });
    jr.readStreamHeader();
    jr.readContent();
  }
}

function toLogicalType(v: JavaValue, r: ByteReader, at: number, depth: number): LogicalType {
  const bad = (expected: string, found?: string): never => {
    throw new SavepointFormatError(r.file, at, expected, found);
  };
  if (depth > MAX_TYPE_DEPTH) bad(`logical types nested at most ${MAX_TYPE_DEPTH} deep`, 'deeper nesting');
  if (!v || typeof v !== 'object' || v.kind !== 'object') return bad('a Java-serialized LogicalType object', describe(v));
  const root = v.fields.typeRoot;
  const nullable = v.fields.isNullable;
  if (!root || typeof root !== 'object' || root.kind !== 'enum' || root.className !== LOGICAL + 'LogicalTypeRoot') {
    return bad(`a LogicalType with a LogicalTypeRoot (${v.className})`, describe(root));
  }
  if (typeof nullable !== 'boolean') return bad(`a LogicalType with a boolean isNullable (${v.className})`, describe(nullable));
  const expectedClass = DECODED_CLASSES[root.name];
  const t: LogicalType = { root: root.name, nullable, className: v.className, decoded: !!expectedClass && v.className === LOGICAL + expectedClass };
  if (!t.decoded) return t;
  const int = (name: string, min: number, max: number): number => {
    const x = v.fields[name];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      return bad(`the ${name} of a ${expectedClass} between ${min} and ${max}`, describe(x));
    }
    return x;
  };
  const kind = (): string => {
    const k = v.fields.kind;
    if (!k || typeof k !== 'object' || k.kind !== 'enum' || !['REGULAR', 'ROWTIME', 'PROCTIME'].includes(k.name)) {
      return bad(`the TimestampKind of a ${expectedClass}`, describe(k));
    }
    return k.name;
  };
  switch (t.root) {
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY':
      t.length = int('length', 0, VARCHAR_MAX);
      break;
    case 'DECIMAL':
      t.precision = int('precision', 1, 38);
      t.scale = int('scale', 0, t.precision);
      break;
    case 'TIME_WITHOUT_TIME_ZONE':
      t.precision = int('precision', 0, 9);
      break;
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE':
      t.precision = int('precision', 0, 9);
      t.timestampKind = kind();
      break;
    case 'ROW': {
      const items = listItems(v.fields.fields, 0);
      if (!items) return bad('the field list of a RowType', describe(v.fields.fields));
      if (items.length > MAX_ROW_FIELDS) return bad(`a RowType of at most ${MAX_ROW_FIELDS} fields`, String(items.length));
      t.fields = items.map((f) => {
        if (!f || typeof f !== 'object' || f.kind !== 'object' || typeof f.fields.name !== 'string') {
          return bad('a RowType$RowField with a name', describe(f));
        }
        return { name: f.fields.name, type: toLogicalType(f.fields.type, r, at, depth + 1) };
      });
      break;
    }
    // decoded only when what they hold is (a stream without the nested types: shown raw)
    case 'ARRAY':
    case 'MULTISET':
      if (v.fields.elementType === undefined) t.decoded = false;
      else {
        t.element = toLogicalType(v.fields.elementType, r, at, depth + 1);
        t.decoded = t.element.decoded;
      }
      break;
    case 'MAP':
      if (v.fields.keyType === undefined || v.fields.valueType === undefined) t.decoded = false;
      else {
        t.key = toLogicalType(v.fields.keyType, r, at, depth + 1);
        t.value = toLogicalType(v.fields.valueType, r, at, depth + 1);
        t.decoded = t.key.decoded && t.value.decoded;
      }
      break;
    default:
      break;
  }
  return t;
}

/** The elements of a serialized java.util.List (unmodifiable wrappers, ArrayList, Arrays$ArrayList, List.of). */
function listItems(v: JavaValue, depth: number): JavaValue[] | undefined {
  if (!v || typeof v !== 'object' || depth > 4) return undefined;
  if (v.kind === 'array') return v.items;
  if (v.kind !== 'object') return undefined;
  if ('list' in v.fields) return listItems(v.fields.list, depth + 1); // Collections$UnmodifiableList
  if ('c' in v.fields) return listItems(v.fields.c, depth + 1); // Collections$UnmodifiableCollection
  if ('a' in v.fields) return listItems(v.fields.a, depth + 1); // Arrays$ArrayList
  return v.data ?? []; // ArrayList, LinkedList, ImmutableCollections$CollSer: the elements after the size
}

function describe(v: JavaValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v === 'string' ? JSON.stringify(v.slice(0, 60)) : String(v);
  switch (v.kind) {
    case 'object':
      return `an object of ${v.className}`;
    case 'enum':
      return `${v.className}.${v.name}`;
    case 'array':
      return `an array of ${v.className}`;
    default:
      return `the class descriptor ${v.name}`;
  }
}

/**
 * A field's type name (dump-format §4): Flink's summary string for the decoded types (`INT`,
 * `STRING`, `VARCHAR(10)`, `DECIMAL(10, 2)`, `TIMESTAMP(3) *ROWTIME*`, `TIMESTAMP_LTZ(3)`,
 * ``ROW<`a` INT>``, …, ` NOT NULL` for non-nullable types), the LogicalTypeRoot's name otherwise.
 */
export function logicalTypeName(t: LogicalType): string {
  const nn = t.nullable ? '' : ' NOT NULL';
  if (!t.decoded) return t.root + nn;
  const ts = (name: string) => `${name}(${t.precision})${nn}${t.timestampKind === 'REGULAR' ? '' : ` *${t.timestampKind}*`}`;
  switch (t.root) {
    case 'INTEGER':
      return 'INT' + nn;
    case 'CHAR':
      return `CHAR(${t.length})${nn}`;
    case 'VARCHAR':
      return (t.length === VARCHAR_MAX ? 'STRING' : `VARCHAR(${t.length})`) + nn;
    case 'BINARY':
      return `BINARY(${t.length})${nn}`;
    case 'VARBINARY':
      return (t.length === VARCHAR_MAX ? 'BYTES' : `VARBINARY(${t.length})`) + nn;
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})${nn}`;
    case 'TIME_WITHOUT_TIME_ZONE':
      return `TIME(${t.precision})${nn}`;
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
      return ts('TIMESTAMP');
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE':
      return ts('TIMESTAMP_LTZ');
    case 'ROW':
      return `ROW<${t.fields!.map((f) => `\`${f.name.replace(/`/g, '``')}\` ${logicalTypeName(f.type)}`).join(', ')}>${nn}`;
    case 'ARRAY':
    case 'MULTISET':
      return `${t.root}<${logicalTypeName(t.element!)}>${nn}`;
    case 'MAP':
      return `MAP<${logicalTypeName(t.key!)}, ${logicalTypeName(t.value!)}>${nn}`;
    default:
      return t.root + nn;
  }
}

// ------------------------------------------------------------------------------------------------
// Binary rows
// ------------------------------------------------------------------------------------------------

export const ROW_KIND_NAMES = ['+I', '-U', '+U', '-D'];

/** BinaryRowData.calculateBitSetWidthInBytes: the header words (RowKind byte and null bits). */
export function nullBitsBytes(arity: number): number {
  return Math.floor((arity + 63 + 8) / 64) * 8;
}

/** A binary row inside a buffer (offsets in its slots are relative to `start`). */
interface RowBytes {
  buf: Uint8Array;
  dv: DataView;
  /** Index of the row's first byte in buf. */
  start: number;
  size: number;
  file: string;
  /** File offset of buf[0]. */
  base: number;
}

function fail(b: RowBytes, pos: number, expected: string, found?: string): never {
  throw new SavepointFormatError(b.file, b.base + pos, expected, found);
}

/** Reads the i32 length and the row bytes of a RowDataSerializer / BinaryRowDataSerializer value. */
function readRowBytes(r: ByteReader, arity: number, what: string): RowBytes {
  const at = r.offset;
  const n = r.i32(`the length of a ${what}`);
  const fixed = nullBitsBytes(arity) + 8 * arity;
  if (n < fixed || n > r.remaining) r.fail(`a ${what} length between ${fixed} (${arity} fields) and ${Math.max(fixed, r.remaining)}`, String(n), at);
  const start = r.pos;
  r.pos += n;
  return { buf: r.buf, dv: viewOf(r.buf), start, size: n, file: r.file, base: r.base };
}

/** One DataView per buffer (readers decode many rows from the same section buffer). */
const views = new WeakMap<Uint8Array, DataView>();
function viewOf(buf: Uint8Array): DataView {
  let v = views.get(buf);
  if (!v) views.set(buf, (v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)));
  return v;
}

function rowKind(b: RowBytes): number {
  const k = b.buf[b.start];
  if (k > 3) fail(b, b.start, 'a RowKind byte (0 +I, 1 -U, 2 +U, 3 -D)', String(k));
  return k;
}

function isNullAt(b: RowBytes, i: number): boolean {
  const bit = i + 8;
  return (b.buf[b.start + (bit >> 3)] & (1 << (bit & 7))) !== 0;
}

/** The bytes a string / binary slot refers to: inline (≤ 7 bytes) or in the variable-length part. */
function varBytes(b: RowBytes, slot: number, what: string): Uint8Array {
  const mark = b.buf[slot + 7];
  if (mark & 0x80) {
    const len = mark & 0x7f;
    if (len > 7) fail(b, slot, `an inline ${what} of at most 7 bytes`, String(len));
    return b.buf.subarray(slot, slot + len);
  }
  return part(b, slot, what);
}

/** `offset << 32 | size` in a slot: the bytes [offset, offset + size) of the row. */
function part(b: RowBytes, slot: number, what: string): Uint8Array {
  const size = b.dv.getInt32(slot, true);
  const offset = b.dv.getInt32(slot + 4, true);
  if (offset < 0 || size < 0 || offset + size > b.size) {
    fail(b, slot, `the offset and length of a ${what} within the row's ${b.size} bytes`, `offset ${offset}, length ${size}`);
  }
  return b.buf.subarray(b.start + offset, b.start + offset + size);
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function decodeRow(b: RowBytes, types: LogicalType[], depth: number): Value {
  if (depth > MAX_TYPE_DEPTH) fail(b, b.start, `rows nested at most ${MAX_TYPE_DEPTH} deep`);
  const kind = rowKind(b);
  const bits = nullBitsBytes(types.length);
  const fields: Value[] = new Array(types.length);
  for (let i = 0; i < types.length; i++) {
    fields[i] = isNullAt(b, i) ? { t: 'null' } : decodeField(b, b.start + bits + 8 * i, types[i], depth);
  }
  return { t: 'row', kind, fields };
}

function decodeField(b: RowBytes, slot: number, t: LogicalType, depth: number): Value {
  const dv = b.dv;
  if (!t.decoded) {
    const bytes = VARIABLE_PART_ROOTS.has(t.root) ? part(b, slot, `${t.root} field`) : b.buf.subarray(slot, slot + 8);
    return { t: 'raw', bytes, type: logicalTypeName(t) };
  }
  switch (t.root) {
    case 'BOOLEAN':
      return { t: 'bool', v: b.buf[slot] !== 0 };
    case 'TINYINT':
      return { t: 'int', v: dv.getInt8(slot) };
    case 'SMALLINT':
      return { t: 'int', v: dv.getInt16(slot, true) };
    case 'INTEGER':
    case 'DATE':
      return { t: 'int', v: dv.getInt32(slot, true) };
    case 'TIME_WITHOUT_TIME_ZONE': {
      const ms = dv.getInt32(slot, true);
      if (ms < 0 || ms >= 86_400_000) fail(b, slot, 'a TIME value (milliseconds of the day)', String(ms));
      return { t: 'int', v: ms };
    }
    case 'BIGINT':
      return { t: 'long', v: dv.getBigInt64(slot, true) };
    case 'FLOAT':
      return { t: 'float', v: dv.getFloat32(slot, true) };
    case 'DOUBLE':
      return { t: 'double', v: dv.getFloat64(slot, true) };
    case 'CHAR':
    case 'VARCHAR':
      return { t: 'string', v: utf8.decode(varBytes(b, slot, 'string')) };
    case 'BINARY':
    case 'VARBINARY':
      return { t: 'bytes', v: varBytes(b, slot, 'byte string').slice() };
    case 'DECIMAL': {
      const precision = t.precision!;
      if (precision <= 18) return { t: 'bigdec', unscaled: dv.getBigInt64(slot, true), scale: t.scale! };
      const bytes = part(b, slot, 'decimal');
      if (bytes.length === 0) fail(b, slot, 'the bytes of a decimal (a zero-length BigInteger is invalid)', '0 bytes');
      const unscaled = signedBigEndian(bytes);
      // DecimalData.fromUnscaledBytes: more digits than the precision read as null
      if ((unscaled < 0n ? -unscaled : unscaled).toString().length > precision) return { t: 'null' };
      return { t: 'bigdec', unscaled, scale: t.scale! };
    }
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE': {
      if (t.precision! <= 3) return { t: 'timestamp', millis: dv.getBigInt64(slot, true), nanos: 0 };
      const nanos = dv.getInt32(slot, true);
      const offset = dv.getInt32(slot + 4, true);
      if (nanos < 0 || nanos > 999_999) fail(b, slot, 'the nanoseconds of a millisecond (0 to 999999) of a timestamp', String(nanos));
      if (offset < 0 || offset + 8 > b.size) fail(b, slot, `the offset of a timestamp's milliseconds within the row's ${b.size} bytes`, String(offset));
      return { t: 'timestamp', millis: dv.getBigInt64(b.start + offset, true), nanos };
    }
    case 'ARRAY':
      return { t: 'list', items: decodeArray(inner(b, part(b, slot, 'array')), t.element!, depth + 1) };
    case 'MULTISET':
    case 'MAP': {
      const m = inner(b, part(b, slot, t.root === 'MAP' ? 'map' : 'multiset'));
      return decodeMap(m, t.key ?? t.element!, t.value ?? MULTISET_COUNT, depth + 1);
    }
    case 'ROW': {
      const fields = t.fields!;
      const bytes = part(b, slot, 'nested row');
      const fixed = nullBitsBytes(fields.length) + 8 * fields.length;
      if (bytes.length < fixed) fail(b, slot, `a nested row of at least ${fixed} bytes (${fields.length} fields)`, String(bytes.length));
      const nested: RowBytes = { ...b, start: b.start + dv.getInt32(slot + 4, true), size: bytes.length };
      return decodeRow(nested, fields.map((f) => f.type), depth + 1);
    }
    default:
      return { t: 'raw', bytes: b.buf.subarray(slot, slot + 8), type: logicalTypeName(t) };
  }
}

/** A multiset's counts: INT NOT NULL. */
const MULTISET_COUNT: LogicalType = { root: 'INTEGER', nullable: false, className: LOGICAL + 'IntType', decoded: true };

/** The binary structure whose bytes are `bytes` (a subarray of b.buf): offsets in it are relative to its start. */
function inner(b: RowBytes, bytes: Uint8Array): RowBytes {
  return { ...b, start: bytes.byteOffset - b.buf.byteOffset, size: bytes.length };
}

/** BinaryArrayData.calculateFixLengthPartSize: bytes per element in the fixed-length part. */
function elementSize(t: LogicalType): number {
  switch (t.root) {
    case 'BOOLEAN':
    case 'TINYINT':
      return 1;
    case 'SMALLINT':
      return 2;
    case 'INTEGER':
    case 'FLOAT':
    case 'DATE':
    case 'TIME_WITHOUT_TIME_ZONE':
    case 'INTERVAL_YEAR_MONTH':
      return 4;
    default:
      return 8;
  }
}

/** BinaryArrayData.calculateHeaderInBytes: the element count and one null bit per element, in 4-byte words. */
function arrayHeaderBytes(n: number): number {
  return 4 + Math.floor((n + 31) / 32) * 4;
}

/**
 * A BinaryArrayData: i32 element count, null bits (LSB first), the elements' fixed-length part
 * (elementSize bytes each; variable-length values as in a row's slots, offsets from the array's
 * start), then the variable-length part.
 */
function decodeArray(a: RowBytes, elem: LogicalType, depth: number): Value[] {
  if (depth > MAX_TYPE_DEPTH) fail(a, a.start, `arrays and rows nested at most ${MAX_TYPE_DEPTH} deep`);
  if (a.size < 4) fail(a, a.start, 'the element count of an array (4 bytes)', `${a.size} bytes`);
  const n = a.dv.getInt32(a.start, true);
  const es = elementSize(elem);
  if (n < 0 || arrayHeaderBytes(n) + n * es > a.size) fail(a, a.start, `an array element count that fits its ${a.size} bytes`, String(n));
  const header = arrayHeaderBytes(n);
  const items = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const isNull = (a.buf[a.start + 4 + (i >> 3)] & (1 << (i & 7))) !== 0;
    items[i] = isNull ? { t: 'null' } : decodeField(a, a.start + header + i * es, elem, depth);
  }
  return items;
}

/** A BinaryMapData: i32 byte size of the key array, the key array, the value array (index by index). */
function decodeMap(m: RowBytes, key: LogicalType, value: LogicalType, depth: number): Value {
  if (m.size < 4) fail(m, m.start, 'the key array size of a map (4 bytes)', `${m.size} bytes`);
  const keyBytes = m.dv.getInt32(m.start, true);
  if (keyBytes < 0 || 4 + keyBytes > m.size) fail(m, m.start, `a key array size within the map's ${m.size} bytes`, String(keyBytes));
  const keys = decodeArray({ ...m, start: m.start + 4, size: keyBytes }, key, depth);
  const values = decodeArray({ ...m, start: m.start + 4 + keyBytes, size: m.size - 4 - keyBytes }, value, depth);
  if (keys.length !== values.length) fail(m, m.start, `as many values as keys (${keys.length}) in a map`, String(values.length));
  return { t: 'map', entries: keys.map((k, i) => ({ key: k, value: values[i] })) };
}

function signedBigEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const x of bytes) v = (v << 8n) | BigInt(x);
  if (bytes[0] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v;
}

// ------------------------------------------------------------------------------------------------
// Rendering (dump-format §3.4)
// ------------------------------------------------------------------------------------------------

/** BigDecimal#toPlainString (DecimalData#toString), for scale ≥ 0. */
export function decimalPlainString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  let s: string;
  if (scale === 0) s = digits;
  else if (digits.length > scale) s = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  else s = `0.${'0'.repeat(scale - digits.length)}${digits}`;
  return neg ? '-' + s : s;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** TimestampData as java.time text: LocalDateTime (no zone) or, with `zulu`, Instant ("…Z"). */
export function timestampText(millis: bigint, nanoOfMilli: number, zulu: boolean): string {
  const secs = floorDiv(millis, 1000n);
  const nanos = Number(millis - secs * 1000n) * 1_000_000 + nanoOfMilli;
  const text = formatInstantText(secs, nanos);
  return zulu ? text : text.slice(0, -1);
}

function fieldJson(v: Value, t: LogicalType): string {
  if (v.t === 'null') return 'null';
  if (v.t === 'raw') return `{"$raw":"${toHex(v.bytes)}","type":${jsonString(v.type)}}`;
  switch (t.root) {
    case 'BOOLEAN':
      return String((v as { v: boolean }).v);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
      return String((v as { v: number }).v);
    case 'BIGINT':
      return (v as { v: bigint }).v.toString();
    case 'FLOAT':
      return formatFloat((v as { v: number }).v);
    case 'DOUBLE':
      return formatDouble((v as { v: number }).v);
    case 'CHAR':
    case 'VARCHAR':
      return jsonString((v as { v: string }).v);
    case 'BINARY':
    case 'VARBINARY':
      return `{"$hex":"${toHex((v as { v: Uint8Array }).v)}"}`;
    case 'DECIMAL': {
      const d = v as { unscaled: bigint; scale: number };
      return jsonString(decimalPlainString(d.unscaled, d.scale));
    }
    case 'DATE': {
      const { year, month, day } = civilFromDays(BigInt((v as { v: number }).v));
      return `"${formatLocalDateText(year, month, day)}"`;
    }
    case 'TIME_WITHOUT_TIME_ZONE': {
      const ms = (v as { v: number }).v;
      return `"${formatLocalTimeText(Math.floor(ms / 3_600_000), Math.floor(ms / 60_000) % 60, Math.floor(ms / 1000) % 60, (ms % 1000) * 1_000_000)}"`;
    }
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE': {
      const x = v as { millis: bigint; nanos: number };
      return `"${timestampText(x.millis, x.nanos, t.root === 'TIMESTAMP_WITH_LOCAL_TIME_ZONE')}"`;
    }
    case 'ROW':
      return rowJson(v, t.fields!.map((f) => f.type));
    case 'ARRAY':
      return `[${(v as { items: Value[] }).items.map((x) => fieldJson(x, t.element!)).join(',')}]`;
    case 'MULTISET':
    case 'MAP': {
      const k = t.key ?? t.element!;
      const val = t.value ?? MULTISET_COUNT;
      return `[${(v as { entries: { key: Value; value: Value }[] }).entries.map((e) => `[${fieldJson(e.key, k)},${fieldJson(e.value, val)}]`).join(',')}]`;
    }
    default:
      throw new Error(`cannot render a ${v.t} value as ${logicalTypeName(t)}`);
  }
}

/** {"$row":"+I","fields":[…]} */
export function rowJson(v: Value, types: LogicalType[]): string {
  if (v.t !== 'row') throw new Error(`expected a row value, got ${v.t}`);
  const parts = new Array<string>(types.length);
  for (let i = 0; i < types.length; i++) parts[i] = fieldJson(v.fields[i], types[i]);
  return `{"$row":"${ROW_KIND_NAMES[v.kind]}","fields":[${parts.join(',')}]}`;
}

// ------------------------------------------------------------------------------------------------
// Encoding: the bytes Flink's BinaryRowWriter writes for the fields (RowDataSerializer#toBinaryRow).
// Used to check our reading of real rows (decode → encode gives Flink's bytes back); the savepoint
// writer refuses RowData (write/encode.ts).
// ------------------------------------------------------------------------------------------------

/**
 * A binary row or array being written: fixed-length slots, then a variable-length part of 8-byte
 * words (BinaryRowWriter / BinaryArrayWriter).
 */
class BinWriter {
  buf: Uint8Array;
  dv: DataView;
  cursor: number;

  constructor(
    /** where element i's slot starts */
    readonly slot: (i: number) => number,
    /** sets element i's null bit */
    private readonly nullBit: (i: number) => [number, number],
    fixedEnd: number,
  ) {
    this.cursor = fixedEnd;
    this.buf = new Uint8Array(Math.max(64, fixedEnd * 2));
    this.dv = new DataView(this.buf.buffer);
  }

  setNull(i: number): void {
    const [at, mask] = this.nullBit(i);
    this.buf[at] |= mask;
  }

  /** Reserves `n` bytes (a multiple of 8, zeroed) at the cursor; returns their offset. */
  reserve(n: number): number {
    while (this.cursor + n > this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
      this.dv = new DataView(b.buffer);
    }
    const at = this.cursor;
    this.cursor += n;
    return at;
  }

  /** writeBytes: up to 7 bytes inline (length | 0x80 in the slot's top byte), else the padded variable part. */
  bytes(i: number, b: Uint8Array): void {
    const slot = this.slot(i);
    if (b.length <= 7) {
      this.buf.set(b, slot);
      this.buf[slot + 7] = 0x80 | b.length;
    } else {
      this.part(i, b);
    }
  }

  /** writeSegmentsToVarLenPart / writeBytesToVarLenPart: padded to 8 bytes, `offset << 32 | length` in the slot. */
  part(i: number, b: Uint8Array): void {
    const at = this.reserve(Math.ceil(b.length / 8) * 8);
    this.buf.set(b, at);
    this.dv.setInt32(this.slot(i), b.length, true);
    this.dv.setInt32(this.slot(i) + 4, at, true);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.cursor);
  }
}

/** BinaryRowWriter: the header words (kind byte, null bits from bit 8), 8-byte slots. */
function rowWriter(arity: number): BinWriter {
  const bits = nullBitsBytes(arity);
  return new BinWriter((i) => bits + 8 * i, (i) => [(i + 8) >> 3, 1 << ((i + 8) & 7)], bits + 8 * arity);
}

/** BinaryArrayWriter: the element count, null bits, elementSize-byte slots, the fixed part rounded to words. */
function arrayWriter(n: number, elem: LogicalType): BinWriter {
  const header = arrayHeaderBytes(n);
  const es = elementSize(elem);
  const w = new BinWriter((i) => header + es * i, (i) => [4 + (i >> 3), 1 << (i & 7)], Math.ceil((header + es * n) / 8) * 8);
  w.dv.setInt32(0, n, true);
  return w;
}

function bigEndianBytes(v: bigint): Uint8Array {
  // BigInteger#toByteArray: the minimal two's-complement big-endian form
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  const out = new Uint8Array(n);
  let x = BigInt.asUintN(8 * n, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function encodeRow(v: Value, types: LogicalType[], depth: number): Uint8Array {
  if (v.t !== 'row') throw new Error(`expected a row value, got ${v.t}`);
  if (v.fields.length !== types.length) throw new Error(`expected ${types.length} fields, got ${v.fields.length}`);
  if (depth > MAX_TYPE_DEPTH) throw new Error(`rows nested at most ${MAX_TYPE_DEPTH} deep`);
  const w = rowWriter(types.length);
  w.buf[0] = v.kind;
  types.forEach((t, i) => writeField(w, i, v.fields[i], t, depth));
  return w.finish();
}

function encodeArray(items: Value[], elem: LogicalType, depth: number): Uint8Array {
  if (depth > MAX_TYPE_DEPTH) throw new Error(`arrays and rows nested at most ${MAX_TYPE_DEPTH} deep`);
  const w = arrayWriter(items.length, elem);
  items.forEach((x, i) => writeField(w, i, x, elem, depth));
  return w.finish();
}

/** BinaryMapData.valueOf: the key array's size, the key array, the value array. */
function encodeMap(entries: { key: Value; value: Value }[], key: LogicalType, value: LogicalType, depth: number): Uint8Array {
  const keys = encodeArray(entries.map((e) => e.key), key, depth + 1);
  const values = encodeArray(entries.map((e) => e.value), value, depth + 1);
  const out = new Uint8Array(4 + keys.length + values.length);
  new DataView(out.buffer).setInt32(0, keys.length, true);
  out.set(keys, 4);
  out.set(values, 4 + keys.length);
  return out;
}

/** Element i of a row or array being written, as Flink's BinaryWriter writes a value of type t. */
function writeField(w: BinWriter, i: number, f: Value, t: LogicalType, depth: number): void {
  const slot = w.slot(i);
  if (f.t === 'null') {
    // setNullAt: the null bit, a zero slot
    w.setNull(i);
    return;
  }
  if (f.t === 'raw') {
    if (VARIABLE_PART_ROOTS.has(t.root) && t.decoded === false) w.part(i, f.bytes);
    else w.buf.set(f.bytes.subarray(0, 8), slot);
    return;
  }
  const num = (x: Value) => (x as { v: number }).v;
  switch (t.root) {
    case 'BOOLEAN':
      w.buf[slot] = (f as { v: boolean }).v ? 1 : 0;
      return;
    case 'TINYINT':
      w.dv.setInt8(slot, num(f));
      return;
    case 'SMALLINT':
      w.dv.setInt16(slot, num(f), true);
      return;
    case 'INTEGER':
    case 'DATE':
    case 'TIME_WITHOUT_TIME_ZONE':
      w.dv.setInt32(slot, num(f), true);
      return;
    case 'BIGINT':
      w.dv.setBigInt64(slot, (f as { v: bigint }).v, true);
      return;
    case 'FLOAT':
      w.dv.setFloat32(slot, num(f), true);
      return;
    case 'DOUBLE':
      w.dv.setFloat64(slot, num(f), true);
      return;
    case 'CHAR':
    case 'VARCHAR':
      w.bytes(i, new TextEncoder().encode((f as { v: string }).v));
      return;
    case 'BINARY':
    case 'VARBINARY':
      w.bytes(i, (f as { v: Uint8Array }).v);
      return;
    case 'DECIMAL': {
      const d = f as { unscaled: bigint };
      if (t.precision! <= 18) {
        w.dv.setBigInt64(slot, d.unscaled, true);
        return;
      }
      // writeDecimal: 16 zeroed bytes reserved, the unscaled bytes at their start
      const b = bigEndianBytes(d.unscaled);
      const at = w.reserve(16);
      w.buf.set(b, at);
      w.dv.setInt32(slot, b.length, true);
      w.dv.setInt32(slot + 4, at, true);
      return;
    }
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE': {
      const x = f as { millis: bigint; nanos: number };
      if (t.precision! <= 3) {
        w.dv.setBigInt64(slot, x.millis, true);
        return;
      }
      const at = w.reserve(8);
      w.dv.setBigInt64(at, x.millis, true);
      w.dv.setInt32(slot, x.nanos, true);
      w.dv.setInt32(slot + 4, at, true);
      return;
    }
    case 'ROW':
      w.part(i, encodeRow(f, t.fields!.map((x) => x.type), depth + 1));
      return;
    case 'ARRAY':
      w.part(i, encodeArray((f as { items: Value[] }).items, t.element!, depth + 1));
      return;
    case 'MULTISET':
    case 'MAP':
      w.part(i, encodeMap((f as { entries: { key: Value; value: Value }[] }).entries, t.key ?? t.element!, t.value ?? MULTISET_COUNT, depth));
      return;
    default:
      throw new Error(`cannot encode a ${f.t} value as ${logicalTypeName(t)}`);
  }
}

// ------------------------------------------------------------------------------------------------
// Codecs (values.ts): decoded, rendered and re-encoded; the savepoint writer refuses them
// ------------------------------------------------------------------------------------------------

interface RowImpl {
  fixedLength: number;
  minBytes: number;
  decode(r: ByteReader): Value;
  encode(v: Value, out: ByteWriter): void;
  toJson(v: Value): string;
}

/** RowDataSerializer: i32 length, then a binary row decoded field by field per the logical types. */
export function rowDataImpl(types: LogicalType[]): RowImpl {
  return {
    fixedLength: -1,
    minBytes: 4,
    decode: (r) => decodeRow(readRowBytes(r, types.length, 'RowData'), types, 0),
    encode: (v, out) => {
      const row = encodeRow(v, types, 0);
      out.i32(row.length).bytes(row);
    },
    toJson: (v) => rowJson(v, types),
  };
}

/** BinaryRowDataSerializer (no field types): the row's kind, arity and bytes. */
export function binaryRowImpl(arity: number): RowImpl {
  return {
    fixedLength: -1,
    minBytes: 4,
    decode: (r) => {
      const b = readRowBytes(r, arity, 'BinaryRowData');
      return { t: 'binaryRow', kind: rowKind(b), arity, bytes: b.buf.subarray(b.start, b.start + b.size) };
    },
    encode: (v, out) => {
      if (v.t !== 'binaryRow') throw new Error(`expected a binary row value, got ${v.t}`);
      out.i32(v.bytes.length).bytes(v.bytes);
    },
    toJson: (v) => {
      if (v.t !== 'binaryRow') throw new Error(`expected a binary row value, got ${v.t}`);
      return `{"$row":"${ROW_KIND_NAMES[v.kind]}","arity":${v.arity},"hex":"${toHex(v.bytes)}"}`;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Keys: a SQL operator's state is keyed by a BinaryRowData (the key selector's projection), whose
// hashCode — the one that picks the key group — is a Murmur3 hash of the row's bytes.
// ------------------------------------------------------------------------------------------------

/** Key field types a row key can be given for (what GROUP BY / PARTITION BY keys usually are). */
const KEY_FIELD_ROOTS = new Set(['BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'CHAR', 'VARCHAR', 'DATE', 'DECIMAL']);

/**
 * A row key given as JSON: the array of its fields (`[4, "eu"]`) or the dump's rendering
 * (`{"$row":"+I","fields":[4,"eu"]}`), as a row value of `types` (kind +I). Throws an Error naming
 * the field that does not fit.
 */
export function rowKeyValue(input: unknown, types: LogicalType[]): Value {
  let fields = input;
  if (fields && typeof fields === 'object' && !Array.isArray(fields)) {
    const o = fields as { $row?: unknown; fields?: unknown };
    if (o.$row !== undefined && o.$row !== '+I') throw new Error(`a key row is an insert row (+I), not ${JSON.stringify(o.$row)}`);
    fields = o.fields;
  }
  if (!Array.isArray(fields)) throw new Error(`a row key is the JSON array of its ${types.length} fields, e.g. ${exampleKey(types)}`);
  if (fields.length !== types.length) throw new Error(`the key row has ${types.length} field${types.length === 1 ? '' : 's'} (${types.map(logicalTypeName).join(', ')}), not ${fields.length}`);
  return { t: 'row', kind: 0, fields: fields.map((f, i) => keyField(f, types[i], i)) };
}

function exampleKey(types: LogicalType[]): string {
  return `[${types.map((t) => (t.root === 'CHAR' || t.root === 'VARCHAR' ? '"a"' : t.root === 'BOOLEAN' ? 'true' : t.root === 'DATE' ? '"2024-01-31"' : t.root === 'DECIMAL' ? '"1.50"' : '1')).join(', ')}]`;
}

function keyField(f: unknown, t: LogicalType, i: number): Value {
  const what = `key field ${i} (${logicalTypeName(t)})`;
  if (!t.decoded || !KEY_FIELD_ROOTS.has(t.root)) throw new Error(`${what}: keys with such a field cannot be looked up yet`);
  if (f === null) {
    if (!t.nullable) throw new Error(`${what} is NOT NULL`);
    return { t: 'null' };
  }
  const integer = (bits: number): bigint => {
    if ((typeof f !== 'number' || !Number.isInteger(f)) && (typeof f !== 'string' || !/^-?\d+$/.test(f))) throw new Error(`${what}: not an integer: ${JSON.stringify(f)}`);
    const v = BigInt(f);
    if (BigInt.asIntN(bits, v) !== v) throw new Error(`${what}: ${v} does not fit`);
    return v;
  };
  switch (t.root) {
    case 'BOOLEAN':
      if (typeof f !== 'boolean') throw new Error(`${what}: not true or false: ${JSON.stringify(f)}`);
      return { t: 'bool', v: f };
    case 'TINYINT':
      return { t: 'int', v: Number(integer(8)) };
    case 'SMALLINT':
      return { t: 'int', v: Number(integer(16)) };
    case 'INTEGER':
      return { t: 'int', v: Number(integer(32)) };
    case 'BIGINT':
      return { t: 'long', v: integer(64) };
    case 'CHAR':
    case 'VARCHAR':
      if (typeof f !== 'string') throw new Error(`${what}: not a string: ${JSON.stringify(f)}`);
      return { t: 'string', v: f };
    case 'DATE': {
      const m = typeof f === 'string' ? /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(f) : null;
      if (!m) throw new Error(`${what}: not a date (yyyy-mm-dd): ${JSON.stringify(f)}`);
      const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
      const back = civilFromDays(BigInt(days));
      if (Number(back.year) !== Number(m[1]) || Number(back.month) !== Number(m[2]) || Number(back.day) !== Number(m[3])) throw new Error(`${what}: no such date: ${f}`);
      return { t: 'int', v: days };
    }
    case 'DECIMAL': {
      const s = typeof f === 'number' ? String(f) : f;
      const m = typeof s === 'string' ? /^(-?)(\d+)(?:\.(\d+))?$/.exec(s) : null;
      if (!m) throw new Error(`${what}: not a decimal: ${JSON.stringify(f)}`);
      const scale = t.scale!;
      const frac = m[3] ?? '';
      if (frac.length > scale && /[^0]/.test(frac.slice(scale))) throw new Error(`${what}: more than ${scale} decimal places: ${s}`);
      const unscaled = BigInt(`${m[1]}${m[2]}${frac.slice(0, scale).padEnd(scale, '0')}`);
      if ((unscaled < 0n ? -unscaled : unscaled).toString().length > t.precision!) throw new Error(`${what}: more than ${t.precision} digits: ${s}`);
      return { t: 'bigdec', unscaled, scale };
    }
    default:
      throw new Error(`${what}: keys with such a field cannot be looked up yet`);
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (the inverse of civilFromDays). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * BinaryRowData#hashCode: Flink's MurmurHashUtil.hashByWords over the row's bytes (Murmur3 32-bit,
 * seed 42, one little-endian int per 4 bytes, finalised with the length).
 */
export function binaryRowHash(bytes: Uint8Array): number {
  if (bytes.length % 4 !== 0) throw new Error(`a binary row is whole 4-byte words, not ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h = 42;
  for (let i = 0; i < bytes.length; i += 4) {
    let k = Math.imul(dv.getInt32(i, true), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A row key given as JSON (see rowKeyValue): its rendering as the dump prints keys, and its Java hash code. */
export function rowKey(input: unknown, types: LogicalType[]): { json: string; hash: number } {
  const v = rowKeyValue(input, types);
  return { json: rowJson(v, types), hash: binaryRowHash(encodeRow(v, types, 0)) };
}

// ------------------------------------------------------------------------------------------------
// The table runtime's data serializers on their own (a COUNT(DISTINCT …) MapView's user keys, …),
// rendered like the fields of the same type inside a row.
// ------------------------------------------------------------------------------------------------

/** StringDataSerializer: i32 length, then the UTF-8 bytes. */
export function stringDataImpl(): RowImpl {
  return {
    fixedLength: -1,
    minBytes: 4,
    decode: (r) => {
      const at = r.offset;
      const n = r.i32('the length of a StringData');
      if (n < 0 || n > r.remaining) r.fail(`a StringData length between 0 and ${r.remaining}`, String(n), at);
      return { t: 'string', v: utf8.decode(r.bytes(n, 'the bytes of a StringData')) };
    },
    encode: (v, out) => {
      const b = new TextEncoder().encode((v as { v: string }).v);
      out.i32(b.length).bytes(b);
    },
    toJson: (v) => jsonString((v as { v: string }).v),
  };
}

/** DecimalDataSerializer: the unscaled i64 (precision ≤ 18), else i32 length and BigInteger bytes. */
export function decimalDataImpl(precision: number, scale: number): RowImpl {
  const compact = precision <= 18;
  return {
    fixedLength: compact ? 8 : -1,
    minBytes: compact ? 8 : 5,
    decode: (r) => {
      if (compact) return { t: 'bigdec', unscaled: r.i64('the unscaled value of a DecimalData'), scale };
      const at = r.offset;
      const n = r.i32('the length of a DecimalData');
      // BigInteger(byte[]) rejects zero bytes; DecimalData.fromUnscaledBytes reads too many digits as null
      if (n < 1 || n > r.remaining) r.fail(`a DecimalData length between 1 and ${r.remaining}`, String(n), at);
      const unscaled = signedBigEndian(r.bytes(n, 'the unscaled bytes of a DecimalData'));
      if ((unscaled < 0n ? -unscaled : unscaled).toString().length > precision) return { t: 'null' };
      return { t: 'bigdec', unscaled, scale };
    },
    encode: (v, out) => {
      const d = v as { unscaled: bigint };
      if (compact) out.i64(d.unscaled);
      else {
        const b = bigEndianBytes(d.unscaled);
        out.i32(b.length).bytes(b);
      }
    },
    toJson: (v) => (v.t === 'null' ? 'null' : jsonString(decimalPlainString((v as { unscaled: bigint }).unscaled, scale))),
  };
}

/** TimestampDataSerializer: epoch milliseconds (i64), then (precision > 3) the nanoseconds of the millisecond (i32). */
export function timestampDataImpl(precision: number): RowImpl {
  const compact = precision <= 3;
  return {
    fixedLength: compact ? 8 : 12,
    minBytes: compact ? 8 : 12,
    decode: (r) => {
      const millis = r.i64('the milliseconds of a TimestampData');
      if (compact) return { t: 'timestamp', millis, nanos: 0 };
      const at = r.offset;
      const nanos = r.i32('the nanoseconds of a TimestampData');
      if (nanos < 0 || nanos > 999_999) r.fail('the nanoseconds of a millisecond (0 to 999999) of a TimestampData', String(nanos), at);
      return { t: 'timestamp', millis, nanos };
    },
    encode: (v, out) => {
      const x = v as { millis: bigint; nanos: number };
      out.i64(x.millis);
      if (!compact) out.i32(x.nanos);
    },
    toJson: (v) => {
      const x = v as { millis: bigint; nanos: number };
      return `"${timestampText(x.millis, x.nanos, false)}"`;
    },
  };
}
