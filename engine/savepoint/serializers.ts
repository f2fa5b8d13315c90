/**
 * Serializer snapshots (reference/savepoint-format.md §7): reading the framed / versioned snapshot
 * bytes of Flink's TypeSerializerSnapshot classes into a tree, and naming the type (dump-format §4).
 *
 * Payloads have no length prefix, so a snapshot class we do not know cannot be skipped in general:
 * such a class throws a SavepointFormatError naming it. Classes whose payload layout we know but
 * whose values we do not decode (Scala `Try` / `Unit`, Flink `Value` types, …) are read and become
 * `unknown`. The Scala API's case class, Option, Either, collection and Enumeration snapshots
 * (Flink 1.x) are decoded (values.ts).
 */
import { Limits, SavepointFormatError } from './errors';
import { ByteReader } from './io';
import { LogicalType, logicalTypeName, readLogicalType, skipJavaStreams } from './rowdata';

export type SnapshotKind =
  | 'boolean' | 'byte' | 'short' | 'int' | 'long' | 'float' | 'double' | 'char' | 'string' | 'void'
  | 'bigint' | 'bigdec'
  | 'instant' | 'localDate' | 'localTime' | 'localDateTime' | 'date' | 'sqlDate' | 'sqlTime' | 'sqlTimestamp'
  | 'byteArray' | 'intArray' | 'longArray' | 'shortArray' | 'booleanArray' | 'charArray' | 'floatArray' | 'doubleArray'
  | 'stringArray' | 'genericArray'
  | 'list' | 'arrayList' | 'map' | 'set'
  | 'tuple' | 'tuple0' | 'row' | 'nullable' | 'enum' | 'pojo' | 'kryo' | 'avro' | 'java'
  | 'ttl' | 'voidNamespace' | 'timeWindow' | 'globalWindow' | 'timer'
  /** The Scala API (Flink 1.x): case classes (and Scala tuples), Option, Either, collections, Enumeration values. */
  | 'caseClass' | 'option' | 'either' | 'traversable' | 'scalaEnum'
  /** Table API / SQL rows (flink-table-runtime): RowDataSerializer, BinaryRowDataSerializer (rowdata.ts). */
  | 'rowData' | 'binaryRow'
  /** The table runtime's data serializers on their own (e.g. the user keys of a COUNT(DISTINCT …) MapView). */
  | 'stringData' | 'decimalData' | 'timestampData'
  /** The table runtime's ExternalSerializer: writes exactly its internal serializer's bytes (transparent). */
  | 'external'
  | 'unknown';

export interface PojoFieldSnapshot {
  name: string;
  /** Declaring class from the field key bytes, when present and readable. */
  declaringClass?: string;
  /** The field serializer's snapshot; undefined when Flink wrote none (or it could not be read). */
  snapshot?: SerializerSnapshot;
}

export interface PojoSubclassSnapshot {
  className: string;
  snapshot?: SerializerSnapshot;
}

export interface SerializerSnapshot {
  /** The snapshot class as stored (JVM binary name). */
  className: string;
  /** The snapshot version as stored. */
  version: number;
  /** Nested snapshots: composite children in order (Ttl: [Long, user]; Timer: [key, namespace]; Map: [key, value]). */
  nested: SerializerSnapshot[];
  /** What we make of the class. */
  kind: SnapshotKind;
  /** The versioned snapshot's bytes exactly as read (class name, version, payload) — for writers. */
  raw?: Uint8Array;
  /** Composite snapshots: the outer snapshot version (the read version for legacy ≤ 2 forms). */
  outerVersion?: number;
  /** Simple snapshot version 2: the serializer class name payload. */
  legacySerializerClass?: string;
  tupleClass?: string;
  pojo?: {
    className: string;
    fields: PojoFieldSnapshot[];
    registeredSubclasses: PojoSubclassSnapshot[];
    nonRegisteredSubclasses: PojoSubclassSnapshot[];
  };
  enum?: { className: string; constants: string[] };
  kryo?: { typeClass: string };
  avro?: { runtimeClass?: string; schemaText: string; schema: unknown };
  row?: { supportsRowKind: boolean };
  nullable?: { paddingLength: number };
  genericArray?: { componentClass: string };
  /** Scala case class / Tuple2 case class name, Traversable CanBuildFrom code, generic type class, … */
  detail?: string;
  scalaEnum?: { className: string; constants: { name: string; id: number }[] };
  /** RowDataSerializerSnapshot: the field LogicalTypes (values are decoded by these, not by `nested`). */
  rowData?: { types: LogicalType[] };
  /** decimalData: precision and scale; timestampData: precision. */
  tableData?: { precision: number; scale?: number };
  /** BinaryRowDataSerializerSnapshot: the arity (the only thing it stores). */
  binaryRow?: { arity: number };
  /** Set when the snapshot was wrapped by a 2.x TtlAwareSerializerSnapshot (which we unwrap). */
  ttlAware?: { ttlEnabled: boolean; raw?: Uint8Array };
  /** A snapshot inside a length-delimited frame (POJO field / subclass) that we could not read. */
  unreadable?: boolean;
}

/** Proxy version of framed snapshots (TypeSerializerSnapshotSerializationUtil). */
export const FRAMED_PROXY_VERSION = 2;
export const COMPOSITE_MAGIC = 911108; // 0x000DE704
export const NESTED_MAGIC = 1333245; // 0x001457FD
export const OPTIONAL_MAP_HEADER = 0x4f2c69a3d70n;
/** TypeSerializerConfigSnapshot.ADAPTER_VERSION (1.7–1.16 legacy config snapshots). */
export const CONFIG_SNAPSHOT_ADAPTER_VERSION = 0x7a53c4f0;

/** An i32 framed proxy version (2), then a versioned snapshot. */
export function readFramedSnapshot(r: ByteReader): SerializerSnapshot {
  const at = r.offset;
  const proxy = r.i32('the serializer snapshot proxy version');
  if (proxy !== FRAMED_PROXY_VERSION) {
    r.fail(
      `serializer snapshot proxy version ${FRAMED_PROXY_VERSION}` +
        (proxy === 1 ? ' (version 1 is the pre-1.7 Java-serialized format; migrate with Flink 1.16)' : ''),
      String(proxy),
      at,
    );
  }
  return readVersionedSnapshot(r);
}

/** UTF class name, i32 version, payload. */
export function readVersionedSnapshot(r: ByteReader, depth = 0): SerializerSnapshot {
  if (depth > Limits.maxDepth) r.fail(`serializer snapshots nested at most ${Limits.maxDepth} deep`, 'deeper nesting');
  const start = r.pos;
  const classAt = r.offset;
  const className = r.utf('a serializer snapshot class name');
  const version = r.i32(`the version of ${className}`);
  const s: SerializerSnapshot = { className, version, nested: [], kind: 'unknown' };
  if (version === CONFIG_SNAPSHOT_ADAPTER_VERSION) {
    throw new SavepointFormatError(
      r.file,
      classAt,
      `a serializer snapshot readable without the job's classes`,
      `the legacy TypeSerializerConfigSnapshot ${className} (Flink ≤ 1.16; migrate with Flink 1.16)`,
    );
  }
  const entry = lookup(className);
  if (!entry) {
    if (!tryReadUnknownComposite(r, s, depth)) {
      throw new SavepointFormatError(
        r.file,
        classAt,
        'a known serializer snapshot class (payloads have no length, so an unknown one cannot be skipped)',
        className,
      );
    }
  } else {
    entry.read(r, s, depth);
  }
  if (s.ttlAware) s.ttlAware.raw = r.buf.subarray(start, r.pos);
  else s.raw = r.buf.subarray(start, r.pos);
  return s;
}

// ------------------------------------------------------------------------------------------------
// The catalog
// ------------------------------------------------------------------------------------------------

type Reader = (r: ByteReader, s: SerializerSnapshot, depth: number) => void;
interface Entry {
  read: Reader;
}

function simple(kind: SnapshotKind): Entry {
  return {
    read(r, s) {
      s.kind = kind;
      readSimplePayload(r, s);
    },
  };
}

function readSimplePayload(r: ByteReader, s: SerializerSnapshot): void {
  if (s.version === 3) return;
  if (s.version === 2) {
    s.legacySerializerClass = r.utf(`the serializer class of ${s.className}`);
    return;
  }
  r.fail(`version 2 or 3 of ${s.className}`, String(s.version), r.offset - 4);
}

/** A CompositeTypeSerializerSnapshot with a class-specific outer payload reader. */
function composite(kind: SnapshotKind, outer?: (r: ByteReader, s: SerializerSnapshot, outerVersion: number) => void): Entry {
  return {
    read(r, s, depth) {
      s.kind = kind;
      readComposite(r, s, depth, outer);
    },
  };
}

function readComposite(
  r: ByteReader,
  s: SerializerSnapshot,
  depth: number,
  outer?: (r: ByteReader, s: SerializerSnapshot, outerVersion: number) => void,
): void {
  if (s.version > 2) {
    const at = r.offset;
    const magic = r.i32(`the composite snapshot magic of ${s.className}`);
    if (magic !== COMPOSITE_MAGIC) r.fail(`the composite snapshot magic ${COMPOSITE_MAGIC}`, String(magic), at);
    s.outerVersion = r.i32(`the outer snapshot version of ${s.className}`);
  } else {
    s.outerVersion = s.version; // legacy: no magic, the read version is the outer version
  }
  outer?.(r, s, s.outerVersion);
  s.nested = readNestedBlock(r, s.className, depth);
}

function readNestedBlock(r: ByteReader, owner: string, depth: number): SerializerSnapshot[] {
  const at = r.offset;
  const magic = r.i32(`the nested snapshots magic of ${owner}`);
  if (magic !== NESTED_MAGIC) r.fail(`the nested snapshots magic ${NESTED_MAGIC}`, String(magic), at);
  const vAt = r.offset;
  const v = r.i32(`the nested snapshots version of ${owner}`);
  if (v !== 1) r.fail('nested snapshots version 1', String(v), vAt);
  // each nested snapshot takes at least 2 (name length) + 4 (version) bytes
  const n = r.count(`the nested snapshot count of ${owner}`, 6);
  const out: SerializerSnapshot[] = [];
  for (let i = 0; i < n; i++) out.push(readVersionedSnapshot(r, depth + 1));
  return out;
}

/**
 * Unknown class whose payload starts like a composite snapshot (magic, outer version): look for the
 * nested block a little further on and accept the parse only when the nested snapshots read cleanly.
 */
function tryReadUnknownComposite(r: ByteReader, s: SerializerSnapshot, depth: number): boolean {
  if (s.version <= 2 || r.remaining < 16) return false;
  const start = r.pos;
  const view = new DataView(r.buf.buffer, r.buf.byteOffset, r.buf.byteLength);
  if (view.getInt32(start) !== COMPOSITE_MAGIC) return false;
  const limit = Math.min(r.end - 12, start + 8 + 4096);
  for (let p = start + 8; p <= limit; p++) {
    if (view.getInt32(p) !== NESTED_MAGIC || view.getInt32(p + 4) !== 1) continue;
    const save = r.pos;
    try {
      r.pos = start + 4;
      s.outerVersion = r.i32();
      const payload = r.buf.subarray(r.pos, p);
      r.pos = p;
      s.nested = readNestedBlock(r, s.className, depth);
      if (payload.length > 0) s.detail = outerPayloadText(payload);
      s.kind = 'unknown';
      return true;
    } catch (e) {
      if (!(e instanceof SavepointFormatError)) throw e;
      r.pos = save;
      s.nested = [];
      s.outerVersion = undefined;
    }
  }
  r.pos = start;
  return false;
}

/**
 * RowDataSerializerSnapshot (Table/SQL): i32 n, n LogicalTypes each in its own Java serialization
 * stream (InstantiationUtil.serializeObject), then a nested block of the n field serializer snapshots.
 */
function rowDataEntry(): Entry {
  return {
    read(r, s, depth) {
      s.kind = 'rowData';
      // each field: a Java stream (≥ 4 header bytes + 1) and a nested snapshot (≥ 6 bytes)
      const n = r.count(`the field count of ${s.className}`, 11);
      const types: LogicalType[] = [];
      for (let i = 0; i < n; i++) types.push(readLogicalType(r));
      s.rowData = { types };
      const at = r.offset;
      s.nested = readNestedBlock(r, s.className, depth);
      if (s.nested.length !== n) r.fail(`${n} nested field serializer snapshots`, String(s.nested.length), at);
    },
  };
}

/**
 * Snapshots whose payload is i32 fields (precision, scale, arity, …): `binaryRow` keeps its arity,
 * `decimalData` its precision and scale, `timestampData` its precision.
 */
function intsPayload(names: string[], kind: SnapshotKind = 'unknown'): Entry {
  return {
    read(r, s) {
      s.kind = kind;
      const at = r.offset;
      const values = names.map((n) => r.i32(`the ${n} of ${s.className}`));
      if (kind === 'binaryRow') {
        if (values[0] < 0 || values[0] > 1 << 16) r.fail('a binary row arity between 0 and 65536', String(values[0]), r.offset - 4);
        s.binaryRow = { arity: values[0] };
      } else if (kind === 'decimalData') {
        const [precision, scale] = values;
        if (precision < 1 || precision > 38 || scale < 0 || scale > precision) r.fail('a DECIMAL precision of 1 to 38 and a scale of 0 to the precision', `${precision}, ${scale}`, at);
        s.tableData = { precision, scale };
      } else if (kind === 'timestampData') {
        if (values[0] < 0 || values[0] > 9) r.fail('a TIMESTAMP precision of 0 to 9', String(values[0]), at);
        s.tableData = { precision: values[0] };
      }
    },
  };
}

/** Snapshots whose payload is Java serialization streams (then optionally a nested block); values not decoded. */
function javaStreamsPayload(count: number, nestedBlock = false): Entry {
  return {
    read(r, s, depth) {
      s.kind = 'unknown';
      skipJavaStreams(r, count);
      if (nestedBlock) s.nested = readNestedBlock(r, s.className, depth);
    },
  };
}

function outerPayloadText(b: Uint8Array): string | undefined {
  if (b.length < 2) return undefined;
  const n = (b[0] << 8) | b[1];
  if (n + 2 !== b.length) return undefined;
  try {
    return new ByteReader(b, '').utf();
  } catch {
    return undefined;
  }
}

function readLinkedOptionalMap(
  r: ByteReader,
  what: string,
  onEntry: (name: string, key: ByteReader | undefined, value: ByteReader | undefined) => void,
): void {
  const at = r.offset;
  const header = r.i64(`the header of ${what}`);
  if (header !== OPTIONAL_MAP_HEADER) r.fail(`the optional-map header 0x${OPTIONAL_MAP_HEADER.toString(16)}`, '0x' + BigInt.asUintN(64, header).toString(16), at);
  // each entry: name (2+) + two presence flags
  const n = r.count(`the entry count of ${what}`, 4);
  for (let i = 0; i < n; i++) {
    const name = r.utf(`an entry name of ${what}`);
    const key = r.bool('a key-present flag') ? r.slice(r.count(`a key length in ${what}`, 1, Limits.maxBytes), `a key of ${what}`) : undefined;
    const value = r.bool('a value-present flag')
      ? r.slice(r.count(`a value length in ${what}`, 1, Limits.maxBytes), `a value of ${what}`)
      : undefined;
    onEntry(name, key, value);
  }
}

/** A nested snapshot inside a length-delimited frame: an unknown class there only loses that one snapshot. */
function readFramedNested(frame: ByteReader, depth: number): SerializerSnapshot {
  const start = frame.pos;
  try {
    return readVersionedSnapshot(frame, depth + 1);
  } catch (e) {
    if (!(e instanceof SavepointFormatError)) throw e;
    let className = '?';
    let version = -1;
    try {
      const fr = new ByteReader(frame.buf, frame.file, frame.base, start, frame.end);
      className = fr.utf();
      version = fr.i32();
    } catch {
      /* keep the placeholders */
    }
    return { className, version, nested: [], kind: 'unknown', raw: frame.buf.subarray(start, frame.end), unreadable: true };
  }
}

function pojoEntry(): Entry {
  return {
    read(r, s, depth) {
      s.kind = 'pojo';
      if (s.version !== 2) r.fail(`PojoSerializerSnapshot version 2`, String(s.version), r.offset - 4);
      const className = r.utf('the POJO class name');
      const fields: PojoFieldSnapshot[] = [];
      readLinkedOptionalMap(r, `the field map of ${className}`, (name, key, value) => {
        const f: PojoFieldSnapshot = { name };
        if (key) {
          try {
            f.declaringClass = key.utf();
          } catch {
            /* keep going */
          }
        }
        if (value) {
          f.snapshot = readFramedNested(value, depth);
        }
        fields.push(f);
      });
      const subs = (what: string): PojoSubclassSnapshot[] => {
        const out: PojoSubclassSnapshot[] = [];
        readLinkedOptionalMap(r, what, (name, _key, value) => {
          const e: PojoSubclassSnapshot = { className: name };
          if (value) {
            e.snapshot = readFramedNested(value, depth);
          }
          out.push(e);
        });
        return out;
      };
      const registeredSubclasses = subs(`the registered subclasses of ${className}`);
      const nonRegisteredSubclasses = subs(`the non-registered subclasses of ${className}`);
      s.pojo = { className, fields, registeredSubclasses, nonRegisteredSubclasses };
    },
  };
}

function kryoEntry(): Entry {
  return {
    read(r, s) {
      s.kind = 'kryo';
      const typeClass = r.utf('the Kryo type class');
      for (const what of ['Kryo registrations', 'Kryo default serializers', 'Kryo default serializer classes']) {
        readLinkedOptionalMap(r, what, () => undefined);
      }
      s.kryo = { typeClass };
    },
  };
}

function readFlinkString(r: ByteReader, what: string): string | null {
  // StringValue format, shared with StringSerializer
  const len = readVarLen(r, what);
  if (len === 0) return null;
  const n = len - 1;
  if (n > r.remaining) r.fail(`${what} of at most ${r.remaining} characters`, String(n));
  const units = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let c = r.u8(what);
    if (c >= 0x80) {
      let shift = 7;
      c &= 0x7f;
      let curr: number;
      while ((curr = r.u8(what)) >= 0x80) {
        c |= (curr & 0x7f) << shift;
        shift += 7;
      }
      c |= curr << shift;
    }
    units[i] = c & 0xffff;
  }
  let s = '';
  for (let k = 0; k < n; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
  return s;
}

function readVarLen(r: ByteReader, what: string): number {
  let len = r.u8(`the length of ${what}`);
  if (len >= 0x80) {
    let shift = 7;
    len &= 0x7f;
    let curr: number;
    while ((curr = r.u8(`the length of ${what}`)) >= 0x80) {
      if (shift > 28) r.fail(`a varint length of ${what}`, 'more than 5 bytes');
      len += (curr & 0x7f) * 2 ** shift;
      shift += 7;
    }
    len += curr * 2 ** shift;
  }
  if (len > 0x7fffffff) r.fail(`a length of ${what} below 2^31`, String(len));
  return len;
}

function avroEntry(): Entry {
  return {
    read(r, s) {
      s.kind = 'avro';
      let runtimeClass: string | undefined;
      let schemaText = "";
      const at = r.offset;
      if (s.version === 1) {
        schemaText = r.utf('the Avro schema');
      } else if (s.version === 2) {
        runtimeClass = r.utf('the Avro runtime class');
        schemaText = r.utf('the Avro schema');
      } else if (s.version === 3) {
        runtimeClass = readFlinkString(r, 'the Avro runtime class') ?? undefined;
        schemaText = readFlinkString(r, 'the Avro schema') ?? '';
      } else {
        r.fail('AvroSerializerSnapshot version 1, 2 or 3', String(s.version), at - 4);
      }
      let schema: unknown;
      try {
        schema = JSON.parse(schemaText);
      } catch {
        r.fail('an Avro schema in JSON', JSON.stringify(schemaText.slice(0, 60)), at);
      }
      s.avro = { runtimeClass, schemaText, schema };
    },
  };
}

function enumEntry(): Entry {
  return {
    read(r, s) {
      s.kind = 'enum';
      const className = r.utf('the enum class');
      const n = r.count(`the constant count of ${className}`, 2);
      const constants: string[] = [];
      for (let i = 0; i < n; i++) constants.push(r.utf(`a constant of ${className}`));
      s.enum = { className, constants };
    },
  };
}

function scalaEnumEntry(): Entry {
  return {
    read(r, s) {
      s.kind = 'scalaEnum';
      const className = r.utf('the Scala enumeration class');
      const n = r.count(`the value count of ${className}`, 6);
      const constants: { name: string; id: number }[] = [];
      for (let i = 0; i < n; i++) constants.push({ name: r.utf('a Scala enumeration value name'), id: r.i32('a Scala enumeration value id') });
      s.scalaEnum = { className, constants };
      s.detail = className;
    },
  };
}

function ttlAwareEntry(): Entry {
  return {
    read(r, s, depth) {
      const ttlEnabled = r.bool('the TTL-enabled flag');
      const inner = readVersionedSnapshot(r, depth + 1);
      Object.assign(s, inner, { ttlAware: { ttlEnabled } });
    },
  };
}

/** GenericTypeSerializerSnapshot-style: the type class name as UTF. */
function classNamePayload(kind: SnapshotKind = 'unknown'): Entry {
  return {
    read(r, s) {
      s.kind = kind;
      s.detail = r.utf(`the type class of ${s.className}`);
    },
  };
}

const utfOuter = (field: 'tupleClass' | 'detail') => (r: ByteReader, s: SerializerSnapshot) => {
  s[field] = r.utf(`the outer payload of ${s.className}`);
};

const BASE = 'org.apache.flink.api.common.typeutils.base.';
const ARR = BASE + 'array.';

/** Keyed by the class name after the last '.', so package moves between Flink versions do not matter. */
const CATALOG: Record<string, Entry> = {};
function add(fullName: string, e: Entry): void {
  CATALOG[fullName.slice(fullName.lastIndexOf('.') + 1)] = e;
}
/** Full class names, looked up first (classes whose simple name another package uses too). */
const EXACT_CATALOG: Record<string, Entry> = Object.create(null);
function addExact(fullName: string, e: Entry): void {
  EXACT_CATALOG[fullName] = e;
}

for (const [name, kind] of [
  ['Boolean', 'boolean'], ['Byte', 'byte'], ['Short', 'short'], ['Int', 'int'], ['Long', 'long'],
  ['Float', 'float'], ['Double', 'double'], ['Char', 'char'], ['String', 'string'], ['Void', 'void'],
  ['BigInt', 'bigint'], ['BigDec', 'bigdec'], ['Instant', 'instant'], ['LocalDate', 'localDate'],
  ['LocalTime', 'localTime'], ['LocalDateTime', 'localDateTime'], ['Date', 'date'], ['SqlDate', 'sqlDate'],
  ['SqlTime', 'sqlTime'], ['SqlTimestamp', 'sqlTimestamp'],
] as [string, SnapshotKind][]) {
  add(`${BASE}${name}Serializer$${name}SerializerSnapshot`, simple(kind));
}
for (const [name, kind] of [
  ['Byte', 'byteArray'], ['Int', 'intArray'], ['Long', 'longArray'], ['Short', 'shortArray'], ['Boolean', 'booleanArray'],
  ['Char', 'charArray'], ['Float', 'floatArray'], ['Double', 'doubleArray'],
] as [string, SnapshotKind][]) {
  add(`${ARR}${name}PrimitiveArraySerializer$${name}PrimitiveArraySerializerSnapshot`, simple(kind));
}
add(`${ARR}StringArraySerializer$StringArraySerializerSnapshot`, simple('stringArray'));
add(`${BASE}GenericArraySerializerSnapshot`, composite('genericArray', (r, s) => {
  s.genericArray = { componentClass: r.utf('the array component class') };
}));
add(`${BASE}ListSerializerSnapshot`, composite('list'));
add('org.apache.flink.runtime.state.ArrayListSerializerSnapshot', composite('arrayList'));
add(`${BASE}MapSerializerSnapshot`, composite('map'));
add(`${BASE}SetSerializerSnapshot`, composite('set'));
add('org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot', composite('tuple', utfOuter('tupleClass')));
add('org.apache.flink.api.java.typeutils.runtime.Tuple0SerializerSnapshot', simple('tuple0'));
add('org.apache.flink.api.java.typeutils.runtime.RowSerializer$RowSerializerSnapshot', composite('row', (r, s, v) => {
  s.row = { supportsRowKind: v < 3 ? false : v === 3 ? true : r.bool('the row-kind flag') };
}));
add('org.apache.flink.api.java.typeutils.runtime.NullableSerializer$NullableSerializerSnapshot', composite('nullable', (r, s) => {
  const at = r.offset;
  const paddingLength = r.i32('the null padding length');
  if (paddingLength < 0 || paddingLength > 1 << 20) r.fail('a null padding length between 0 and 2^20', String(paddingLength), at);
  s.nullable = { paddingLength };
}));
add(`${BASE}EnumSerializer$EnumSerializerSnapshot`, enumEntry());
add('org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot', pojoEntry());
add('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot', kryoEntry());
add('org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot', avroEntry());
add('org.apache.flink.runtime.state.JavaSerializer$JavaSerializerSnapshot', simple('java'));
add('org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot', composite('ttl'));
add('org.apache.flink.runtime.state.ttl.TtlAwareSerializerSnapshot', ttlAwareEntry());
add('org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot', simple('voidNamespace'));
add('org.apache.flink.streaming.api.windowing.windows.TimeWindow$Serializer$TimeWindowSerializerSnapshot', simple('timeWindow'));
add('org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot', simple('globalWindow'));
add('org.apache.flink.streaming.api.operators.TimerSerializerSnapshot', composite('timer'));

// Known layouts, values not decoded (Unknown<…> in type strings).
for (const v of ['Boolean', 'Byte', 'Char', 'Double', 'Float', 'Int', 'Long', 'Null', 'Short', 'String']) {
  add(`${BASE}${v}ValueSerializer$${v}ValueSerializerSnapshot`, simple('unknown'));
}
add('org.apache.flink.api.scala.typeutils.UnitSerializer$UnitSerializerSnapshot', simple('unknown'));
add('org.apache.flink.api.scala.typeutils.NothingSerializerSnapshot', simple('unknown'));
// The Scala API (flink-scala, Flink 1.x): CompositeTypeSerializerSnapshots whose outer payload is the
// case class name (writeUTF) / the CanBuildFrom code (writeUTF) / nothing.
add('org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializerSnapshot', composite('caseClass', utfOuter('detail')));
add('org.apache.flink.api.scala.typeutils.Tuple2CaseClassSerializerSnapshot', composite('caseClass', utfOuter('detail')));
add('org.apache.flink.api.scala.typeutils.TraversableSerializerSnapshot', composite('traversable', utfOuter('detail')));
add('org.apache.flink.api.scala.typeutils.ScalaOptionSerializerSnapshot', composite('option'));
add('org.apache.flink.api.scala.typeutils.ScalaEitherSerializerSnapshot', composite('either'));
add('org.apache.flink.api.scala.typeutils.ScalaTrySerializerSnapshot', composite('unknown'));
add('org.apache.flink.api.scala.typeutils.ScalaEnumSerializerSnapshot', scalaEnumEntry());
add('org.apache.flink.api.java.typeutils.runtime.JavaEitherSerializerSnapshot', composite('unknown'));
add('org.apache.flink.api.java.typeutils.runtime.ValueSerializer$ValueSerializerSnapshot', classNamePayload());
add('org.apache.flink.api.java.typeutils.runtime.CopyableValueSerializer$CopyableValueSerializerSnapshot', classNamePayload());
add('org.apache.flink.api.java.typeutils.runtime.WritableSerializer$WritableSerializerSnapshot', classNamePayload());
add('org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer$StreamElementSerializerSnapshot', composite('unknown'));
add('org.apache.flink.streaming.api.datastream.CoGroupedStreams$UnionSerializerSnapshot', composite('unknown'));
// Table API / SQL (flink-table-runtime, flink-table-common): RowData decoded (rowdata.ts); the other
// layouts are read so the rows and states around them stay readable, their values are Unknown<…>.
const TABLE = 'org.apache.flink.table.runtime.typeutils.';
add(`${TABLE}RowDataSerializer$RowDataSerializerSnapshot`, rowDataEntry());
add(`${TABLE}BinaryRowDataSerializer$BinaryRowDataSerializerSnapshot`, intsPayload(['arity'], 'binaryRow'));
add(`${TABLE}StringDataSerializer$StringDataSerializerSnapshot`, simple('stringData'));
// the outer snapshot: a Java-serialized DataType and isInternalInput; the one nested snapshot is the
// internal serializer, whose bytes ExternalSerializer writes unchanged
add(
  `${TABLE}ExternalSerializer$ExternalSerializerSnapshot`,
  composite('external', (r, s) => {
    skipJavaStreams(r, 1);
    r.bool(`isInternalInput of ${s.className}`);
  }),
);
add(`${TABLE}DecimalDataSerializer$DecimalSerializerSnapshot`, intsPayload(['precision', 'scale'], 'decimalData'));
add(`${TABLE}TimestampDataSerializer$TimestampDataSerializerSnapshot`, intsPayload(['precision'], 'timestampData'));
add(`${TABLE}ArrayDataSerializer$ArrayDataSerializerSnapshot`, javaStreamsPayload(2)); // element type, element serializer
add(`${TABLE}MapDataSerializer$MapDataSerializerSnapshot`, javaStreamsPayload(4)); // key/value types and serializers
add(`${TABLE}SortedMapSerializerSnapshot`, javaStreamsPayload(1, true)); // the comparator, then the nested block
add('org.apache.flink.table.dataview.NullSerializer$NullSerializerSnapshot', simple('unknown'));
// The table runtime's own window classes share their simple names with the DataStream ones: exact names.
addExact('org.apache.flink.table.runtime.operators.window.TimeWindow$Serializer$TimeWindowSerializerSnapshot', simple('unknown'));
addExact('org.apache.flink.table.runtime.operators.window.CountWindow$Serializer$CountWindowSerializerSnapshot', simple('unknown'));
add('org.apache.flink.streaming.api.operators.co.IntervalJoinOperator$BufferEntrySerializerSnapshot', composite('unknown'));

function lookup(className: string): Entry | undefined {
  return EXACT_CATALOG[className] ?? CATALOG[className.slice(className.lastIndexOf('.') + 1)];
}

/** True when the class is in our catalog (readable; its values may still be Unknown). */
export function isKnownSnapshotClass(className: string): boolean {
  return lookup(className) !== undefined;
}

// ------------------------------------------------------------------------------------------------
// Type strings (dump-format §4)
// ------------------------------------------------------------------------------------------------

const SIMPLE_NAMES: Partial<Record<SnapshotKind, string>> = {
  boolean: 'Boolean', byte: 'Byte', short: 'Short', int: 'Integer', long: 'Long', float: 'Float', double: 'Double',
  char: 'Character', string: 'String', bigint: 'BigInteger', bigdec: 'BigDecimal', void: 'Void',
  instant: 'Instant', localDate: 'LocalDate', localTime: 'LocalTime', localDateTime: 'LocalDateTime', date: 'Date',
  sqlDate: 'SqlDate', sqlTime: 'SqlTime', sqlTimestamp: 'SqlTimestamp',
  byteArray: 'byte[]', intArray: 'int[]', longArray: 'long[]', shortArray: 'short[]', booleanArray: 'boolean[]',
  charArray: 'char[]', floatArray: 'float[]', doubleArray: 'double[]', stringArray: 'String[]',
  tuple0: 'Tuple0', java: 'Java', voidNamespace: 'VoidNamespace', timeWindow: 'TimeWindow', globalWindow: 'GlobalWindow',
};

/** Java's Class#getSimpleName for a binary name (best effort: after the last '.' and '$'). */
export function simpleClassName(binaryName: string): string {
  const afterDot = binaryName.slice(binaryName.lastIndexOf('.') + 1);
  return afterDot.slice(afterDot.lastIndexOf('$') + 1);
}

export function typeString(s: SerializerSnapshot, depth = 0): string {
  if (depth > Limits.maxDepth) return '…';
  const t = (n: SerializerSnapshot | undefined) => (n ? typeString(n, depth + 1) : 'Unknown<?>');
  const args = () => s.nested.map((n) => t(n)).join(', ');
  const fixed = SIMPLE_NAMES[s.kind];
  if (fixed) return fixed;
  switch (s.kind) {
    case 'genericArray':
      return `${t(s.nested[0])}[]`;
    case 'list':
    case 'arrayList':
      return `List<${t(s.nested[0])}>`;
    case 'map':
      return `Map<${t(s.nested[0])}, ${t(s.nested[1])}>`;
    case 'set':
      return `Set<${t(s.nested[0])}>`;
    case 'tuple':
      return `${simpleClassName(s.tupleClass ?? 'Tuple')}<${args()}>`;
    case 'row':
      return `Row<${args()}>`;
    case 'nullable':
      return `Nullable<${t(s.nested[0])}>`;
    case 'enum':
      return `Enum<${s.enum!.className}>`;
    case 'pojo':
      return `Pojo<${s.pojo!.className}>`;
    case 'kryo':
      return `Kryo<${s.kryo!.typeClass}>`;
    case 'avro':
      return `Avro<${avroTypeName(s.avro!.schema)}>`;
    case 'ttl':
      return `Ttl<${t(s.nested[1])}>`;
    case 'timer':
      return `Timer<${t(s.nested[0])}, ${t(s.nested[1])}>`;
    case 'caseClass':
      return `CaseClass<${s.detail}>`;
    case 'option':
      return `Option<${t(s.nested[0])}>`;
    case 'either':
      return `Either<${t(s.nested[0])}, ${t(s.nested[1])}>`;
    case 'traversable':
      return `Traversable<${t(s.nested[0])}>`;
    case 'scalaEnum':
      return `Enumeration<${s.scalaEnum!.className}>`;
    case 'rowData':
      return `RowData<${s.rowData!.types.map(logicalTypeName).join(', ')}>`;
    case 'binaryRow':
      return `BinaryRow<${s.binaryRow!.arity}>`;
    case 'external':
      return t(s.nested[0]);
    case 'stringData':
      return 'StringData';
    case 'decimalData':
      return `DecimalData(${s.tableData!.precision}, ${s.tableData!.scale})`;
    case 'timestampData':
      return `TimestampData(${s.tableData!.precision})`;
    default:
      return `Unknown<${s.className}>`;
  }
}

/** Avro Schema#getFullName: named types' full name, else the type name ("string", "array", "union", …). */
export function avroTypeName(schema: unknown, enclosingNamespace?: string): string {
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return 'union';
  if (schema && typeof schema === 'object') {
    const o = schema as Record<string, unknown>;
    const type = o.type;
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const name = String(o.name ?? '');
      if (name.includes('.')) return name;
      const ns = typeof o.namespace === 'string' ? o.namespace : enclosingNamespace;
      return ns ? `${ns}.${name}` : name;
    }
    if (typeof type === 'string') return type;
    return avroTypeName(type, enclosingNamespace);
  }
  return String(schema);
}

// ------------------------------------------------------------------------------------------------
// Static properties used by the raw rule (dump-format §3.3)
// ------------------------------------------------------------------------------------------------

/**
 * The child snapshots that count for the raw rule: composite children, POJO fields and registered
 * subclasses. Non-registered subclass serializers (a runtime cache Flink snapshots as well) do not
 * count, as in the oracle's type tree.
 */
export function childSnapshots(s: SerializerSnapshot): (SerializerSnapshot | undefined)[] {
  // table rows are decoded by their logical types: the field serializers do not count (an
  // ExternalSerializer is its internal serializer)
  if (TABLE_KINDS.has(s.kind) && s.kind !== 'external') return [];
  if (s.kind === 'pojo') {
    const p = s.pojo!;
    return [...p.fields.map((f) => f.snapshot), ...p.registeredSubclasses.map((x) => x.snapshot)];
  }
  return s.nested;
}

/** Any Kryo, Java or Unknown part (a missing snapshot counts as Unknown). */
export function isOpaque(s: SerializerSnapshot | undefined, depth = 0): boolean {
  if (!s) return true;
  if (depth > Limits.maxDepth) return true;
  if (s.kind === 'kryo' || s.kind === 'java' || s.kind === 'unknown') return true;
  return childSnapshots(s).some((c) => isOpaque(c, depth + 1));
}

/** The Scala API's kinds (flink-scala, Flink 1.x): read and decoded, never written. */
export const SCALA_KINDS: ReadonlySet<SnapshotKind> = new Set<SnapshotKind>(['caseClass', 'option', 'either', 'traversable', 'scalaEnum']);

/** Table API / SQL rows (flink-table-runtime): read and decoded, never written. */
export const TABLE_KINDS: ReadonlySet<SnapshotKind> = new Set<SnapshotKind>(['rowData', 'binaryRow', 'stringData', 'decimalData', 'timestampData', 'external']);

/** The outermost part of a type (the type itself or a nested one) whose kind is one of `kinds`, or undefined. */
export function partOfKinds(s: SerializerSnapshot | undefined, kinds: ReadonlySet<SnapshotKind>, depth = 0): SerializerSnapshot | undefined {
  if (!s || depth > Limits.maxDepth) return undefined;
  if (kinds.has(s.kind)) return s;
  for (const c of childSnapshots(s)) {
    const found = partOfKinds(c, kinds, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The outermost Table API row part of a type, or undefined. */
export const tablePart = (s: SerializerSnapshot | undefined) => partOfKinds(s, TABLE_KINDS);

/** The outermost Scala API part of a type, or undefined. */
export const scalaPart = (s: SerializerSnapshot | undefined) => partOfKinds(s, SCALA_KINDS);

export function pojoHasSubclasses(s: SerializerSnapshot): boolean {
  return !!s.pojo && s.pojo.registeredSubclasses.length > 0;
}

/** dump-format §3.3 "decodable in tail position". */
export function isDecodableInTail(s: SerializerSnapshot | undefined, depth = 0): boolean {
  if (!s) return false;
  if (depth > Limits.maxDepth) return false;
  if (!isOpaque(s)) return true;
  switch (s.kind) {
    case 'kryo':
    case 'java':
      return true;
    case 'external':
      return isDecodableInTail(s.nested[0], depth + 1);
    case 'tuple':
    case 'row':
    case 'caseClass':
      return lastDecodable(s.nested, depth);
    case 'pojo':
      if (pojoHasSubclasses(s)) return false;
      return lastDecodable(s.pojo!.fields.map((f) => f.snapshot), depth);
    case 'nullable':
    case 'option':
      return isDecodableInTail(s.nested[0], depth + 1);
    case 'either':
      // the flag picks one side, which then runs to the end
      return isDecodableInTail(s.nested[0], depth + 1) && isDecodableInTail(s.nested[1], depth + 1);
    case 'ttl':
      return !isOpaque(s.nested[0]) && isDecodableInTail(s.nested[1], depth + 1);
    default:
      return false;
  }
}

function lastDecodable(fields: (SerializerSnapshot | undefined)[], depth: number): boolean {
  if (fields.length === 0) return true;
  for (let i = 0; i < fields.length - 1; i++) if (isOpaque(fields[i])) return false;
  return isDecodableInTail(fields[fields.length - 1], depth + 1);
}

// ------------------------------------------------------------------------------------------------
// Writing snapshots (for the savepoint writer and round-trip tests)
// ------------------------------------------------------------------------------------------------

/** Current outer snapshot versions of the composite snapshots we can write structurally. */
const OUTER_VERSIONS: Partial<Record<SnapshotKind, number>> = {
  genericArray: 1, list: 1, arrayList: 1, map: 1, set: 1, tuple: 2, row: 4, nullable: 2, ttl: 2, timer: 2,
};

const SIMPLE_KINDS = new Set<SnapshotKind>([
  'boolean', 'byte', 'short', 'int', 'long', 'float', 'double', 'char', 'string', 'void', 'bigint', 'bigdec',
  'instant', 'localDate', 'localTime', 'localDateTime', 'date', 'sqlDate', 'sqlTime', 'sqlTimestamp',
  'byteArray', 'intArray', 'longArray', 'shortArray', 'booleanArray', 'charArray', 'floatArray', 'doubleArray',
  'stringArray', 'tuple0', 'java', 'voidNamespace', 'timeWindow', 'globalWindow',
]);

interface Out {
  u8(v: number): unknown;
  bool(v: boolean): unknown;
  i32(v: number): unknown;
  i64(v: bigint | number): unknown;
  utf(s: string): unknown;
  bytes(b: Uint8Array): unknown;
  varUint(v: number): unknown;
}

function writeFlinkString(out: Out, s: string): void {
  out.varUint(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    while (c >= 0x80) {
      out.u8((c & 0x7f) | 0x80);
      c >>>= 7;
    }
    out.u8(c);
  }
}

/**
 * Writes a versioned snapshot. With `preferRaw` (the default) a snapshot that was read from a file is
 * copied byte for byte; otherwise (and for snapshots built in code) it is written in the current format.
 */
export function writeVersionedSnapshot(s: SerializerSnapshot, out: Out, preferRaw = true): void {
  if (s.ttlAware) {
    if (preferRaw && s.ttlAware.raw) return void out.bytes(s.ttlAware.raw);
    out.utf('org.apache.flink.runtime.state.ttl.TtlAwareSerializerSnapshot');
    out.i32(1);
    out.bool(s.ttlAware.ttlEnabled);
    writeVersionedSnapshot({ ...s, ttlAware: undefined }, out, preferRaw);
    return;
  }
  if (preferRaw && s.raw) return void out.bytes(s.raw);
  const framed = (write: (o: Out) => void) => {
    const chunks: number[] = [];
    const sub = byteSink(chunks);
    write(sub);
    out.i32(chunks.length);
    out.bytes(Uint8Array.from(chunks));
  };
  const optionalMap = (entries: { name: string; key?: (o: Out) => void; value?: (o: Out) => void }[]) => {
    out.i64(OPTIONAL_MAP_HEADER);
    out.i32(entries.length);
    for (const e of entries) {
      out.utf(e.name);
      for (const part of [e.key, e.value]) {
        if (!part) out.bool(false);
        else {
          out.bool(true);
          framed(part);
        }
      }
    }
  };
  if (SIMPLE_KINDS.has(s.kind)) {
    out.utf(s.className);
    out.i32(3);
    return;
  }
  const outer = OUTER_VERSIONS[s.kind];
  if (outer !== undefined) {
    out.utf(s.className);
    out.i32(3);
    out.i32(COMPOSITE_MAGIC);
    out.i32(outer);
    if (s.kind === 'genericArray') out.utf(s.genericArray!.componentClass);
    if (s.kind === 'tuple') out.utf(s.tupleClass!);
    if (s.kind === 'row') out.bool(s.row?.supportsRowKind ?? true);
    if (s.kind === 'nullable') out.i32(s.nullable!.paddingLength);
    out.i32(NESTED_MAGIC);
    out.i32(1);
    out.i32(s.nested.length);
    for (const n of s.nested) writeVersionedSnapshot(n, out, preferRaw);
    return;
  }
  switch (s.kind) {
    case 'enum':
      out.utf(s.className);
      out.i32(3);
      out.utf(s.enum!.className);
      out.i32(s.enum!.constants.length);
      for (const c of s.enum!.constants) out.utf(c);
      return;
    case 'pojo': {
      const p = s.pojo!;
      out.utf(s.className);
      out.i32(2);
      out.utf(p.className);
      optionalMap(
        p.fields.map((f) => ({
          name: f.name,
          key: (o: Out) => {
            o.utf(f.declaringClass ?? p.className);
            o.utf(f.name);
          },
          value: f.snapshot ? (o: Out) => writeVersionedSnapshot(f.snapshot!, o, preferRaw) : undefined,
        })),
      );
      for (const subs of [p.registeredSubclasses, p.nonRegisteredSubclasses]) {
        optionalMap(
          subs.map((x) => ({
            name: x.className,
            key: () => undefined,
            value: x.snapshot ? (o: Out) => writeVersionedSnapshot(x.snapshot!, o, preferRaw) : undefined,
          })),
        );
      }
      return;
    }
    case 'kryo':
      // registrations and default serializers are kept only as the original bytes
      if (s.raw) return void out.bytes(s.raw);
      out.utf(s.className);
      out.i32(2);
      out.utf(s.kryo!.typeClass);
      for (let i = 0; i < 3; i++) optionalMap([]);
      return;
    case 'avro':
      out.utf(s.className);
      out.i32(3);
      writeFlinkString(out, s.avro!.runtimeClass ?? 'org.apache.avro.generic.GenericRecord');
      writeFlinkString(out, s.avro!.schemaText);
      return;
    default:
      if (s.raw) return void out.bytes(s.raw);
      throw new Error(`cannot write a snapshot of ${s.className} without its original bytes`);
  }
}

/** i32 proxy version 2, then the versioned snapshot. */
export function writeFramedSnapshot(s: SerializerSnapshot, out: Out, preferRaw = true): void {
  out.i32(FRAMED_PROXY_VERSION);
  writeVersionedSnapshot(s, out, preferRaw);
}

function byteSink(chunks: number[]): Out {
  const o: Out = {
    u8: (v) => chunks.push(v & 0xff),
    bool: (v) => chunks.push(v ? 1 : 0),
    i32: (v) => chunks.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff),
    i64: (v) => {
      const x = BigInt.asUintN(64, BigInt(v));
      for (let i = 7; i >= 0; i--) chunks.push(Number((x >> BigInt(8 * i)) & 0xffn));
    },
    utf: (s) => {
      const b: number[] = [];
      for (let i = 0; i < s.length; i++) {
        const u = s.charCodeAt(i);
        if (u >= 1 && u <= 0x7f) b.push(u);
        else if (u <= 0x7ff) b.push(0xc0 | (u >> 6), 0x80 | (u & 0x3f));
        else b.push(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
      }
      chunks.push(b.length >> 8, b.length & 0xff, ...b);
    },
    bytes: (b) => {
      for (const x of b) chunks.push(x);
    },
    varUint: (v) => {
      let x = v;
      while (x >= 0x80) {
        chunks.push((x & 0x7f) | 0x80);
        x = Math.floor(x / 128);
      }
      chunks.push(x);
    },
  };
  return o;
}

// ------------------------------------------------------------------------------------------------
// Building snapshots in code (writer, tests)
// ------------------------------------------------------------------------------------------------

const SIMPLE_CLASS: Partial<Record<SnapshotKind, string>> = {};
for (const [name, kind] of [
  ['Boolean', 'boolean'], ['Byte', 'byte'], ['Short', 'short'], ['Int', 'int'], ['Long', 'long'],
  ['Float', 'float'], ['Double', 'double'], ['Char', 'char'], ['String', 'string'], ['Void', 'void'],
  ['BigInt', 'bigint'], ['BigDec', 'bigdec'], ['Instant', 'instant'], ['LocalDate', 'localDate'],
  ['LocalTime', 'localTime'], ['LocalDateTime', 'localDateTime'], ['Date', 'date'], ['SqlDate', 'sqlDate'],
  ['SqlTime', 'sqlTime'], ['SqlTimestamp', 'sqlTimestamp'],
] as [string, SnapshotKind][]) SIMPLE_CLASS[kind] = `${BASE}${name}Serializer$${name}SerializerSnapshot`;
for (const [name, kind] of [
  ['Byte', 'byteArray'], ['Int', 'intArray'], ['Long', 'longArray'], ['Short', 'shortArray'], ['Boolean', 'booleanArray'],
  ['Char', 'charArray'], ['Float', 'floatArray'], ['Double', 'doubleArray'],
] as [string, SnapshotKind][]) SIMPLE_CLASS[kind] = `${ARR}${name}PrimitiveArraySerializer$${name}PrimitiveArraySerializerSnapshot`;
Object.assign(SIMPLE_CLASS, {
  stringArray: `${ARR}StringArraySerializer$StringArraySerializerSnapshot`,
  tuple0: 'org.apache.flink.api.java.typeutils.runtime.Tuple0SerializerSnapshot',
  java: 'org.apache.flink.runtime.state.JavaSerializer$JavaSerializerSnapshot',
  voidNamespace: 'org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot',
  timeWindow: 'org.apache.flink.streaming.api.windowing.windows.TimeWindow$Serializer$TimeWindowSerializerSnapshot',
  globalWindow: 'org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot',
});

const COMPOSITE_CLASS: Partial<Record<SnapshotKind, string>> = {
  genericArray: `${BASE}GenericArraySerializerSnapshot`,
  list: `${BASE}ListSerializerSnapshot`,
  arrayList: 'org.apache.flink.runtime.state.ArrayListSerializerSnapshot',
  map: `${BASE}MapSerializerSnapshot`,
  set: `${BASE}SetSerializerSnapshot`,
  tuple: 'org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot',
  row: 'org.apache.flink.api.java.typeutils.runtime.RowSerializer$RowSerializerSnapshot',
  nullable: 'org.apache.flink.api.java.typeutils.runtime.NullableSerializer$NullableSerializerSnapshot',
  ttl: 'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot',
  timer: 'org.apache.flink.streaming.api.operators.TimerSerializerSnapshot',
};

/** Snapshot builders in the current Flink formats. */
export const snapshots = {
  simple(kind: SnapshotKind): SerializerSnapshot {
    const className = SIMPLE_CLASS[kind];
    if (!className) throw new Error(`${kind} is not a simple snapshot`);
    return { className, version: 3, nested: [], kind };
  },
  composite(kind: SnapshotKind, nested: SerializerSnapshot[], extra: Partial<SerializerSnapshot> = {}): SerializerSnapshot {
    const className = COMPOSITE_CLASS[kind];
    if (!className) throw new Error(`${kind} is not a composite snapshot`);
    return { className, version: 3, nested, kind, outerVersion: OUTER_VERSIONS[kind], ...extra };
  },
  tuple(fields: SerializerSnapshot[]): SerializerSnapshot {
    return snapshots.composite('tuple', fields, { tupleClass: `org.apache.flink.api.java.tuple.Tuple${fields.length}` });
  },
  row(fields: SerializerSnapshot[], supportsRowKind = true): SerializerSnapshot {
    return snapshots.composite('row', fields, { row: { supportsRowKind } });
  },
  nullable(inner: SerializerSnapshot, paddingLength = 0): SerializerSnapshot {
    return snapshots.composite('nullable', [inner], { nullable: { paddingLength } });
  },
  ttl(user: SerializerSnapshot): SerializerSnapshot {
    return snapshots.composite('ttl', [snapshots.simple('long'), user]);
  },
  genericArray(component: SerializerSnapshot, componentClass: string): SerializerSnapshot {
    return snapshots.composite('genericArray', [component], { genericArray: { componentClass } });
  },
  enumOf(className: string, constants: string[]): SerializerSnapshot {
    return { className: `${BASE}EnumSerializer$EnumSerializerSnapshot`, version: 3, nested: [], kind: 'enum', enum: { className, constants } };
  },
  pojo(
    className: string,
    fields: { name: string; snapshot?: SerializerSnapshot }[],
    registeredSubclasses: PojoSubclassSnapshot[] = [],
    nonRegisteredSubclasses: PojoSubclassSnapshot[] = [],
  ): SerializerSnapshot {
    return {
      className: 'org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot',
      version: 2,
      nested: [],
      kind: 'pojo',
      pojo: { className, fields: fields.map((f) => ({ ...f, declaringClass: className })), registeredSubclasses, nonRegisteredSubclasses },
    };
  },
  kryo(typeClass: string): SerializerSnapshot {
    return { className: 'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot', version: 2, nested: [], kind: 'kryo', kryo: { typeClass } };
  },
  avro(schema: unknown, runtimeClass = 'org.apache.avro.generic.GenericRecord'): SerializerSnapshot {
    const schemaText = JSON.stringify(schema);
    return { className: 'org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot', version: 3, nested: [], kind: 'avro', avro: { runtimeClass, schemaText, schema } };
  },
};
