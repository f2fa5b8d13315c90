/**
 * Writing serializer snapshots exactly as Flink writes them (savepoint-format.md §7): the inverse of
 * `readFramedSnapshot` / `readVersionedSnapshot` in ../serializers.ts. A snapshot tree read from a
 * savepoint re-serializes byte for byte; a tree built by ./types.ts gives the bytes a Flink job with
 * the same TypeInformation would write.
 */
import { ByteWriter } from '../writer-io';
import type { Sink } from './store';
import {
  COMPOSITE_MAGIC,
  FRAMED_PROXY_VERSION,
  NESTED_MAGIC,
  OPTIONAL_MAP_HEADER,
  SCALA_KINDS,
  SerializerSnapshot,
  TABLE_KINDS,
} from '../serializers';

/** i32 proxy version 2, then the versioned snapshot (TypeSerializerSnapshotSerializationUtil). */
export function writeFramedSnapshot(w: ByteWriter, s: SerializerSnapshot): void {
  w.i32(FRAMED_PROXY_VERSION);
  writeVersionedSnapshot(w, s);
}

/** Class name UTF, i32 version, payload (TypeSerializerSnapshot.writeVersionedSnapshot). */
export function writeVersionedSnapshot(w: ByteWriter, s: SerializerSnapshot): void {
  if (s.ttlAware) {
    // 2.x TtlAwareSerializerSnapshot wrapper: we only ever carry it over verbatim
    if (!s.ttlAware.raw) throw new Error(`cannot write the TtlAwareSerializerSnapshot around ${s.className} without its bytes`);
    w.bytes(s.ttlAware.raw);
    return;
  }
  if (s.unreadable || s.kind === 'unknown' || s.kind === 'kryo' || SCALA_KINDS.has(s.kind) || TABLE_KINDS.has(s.kind)) {
    // layouts we read but do not model field by field (or, Scala and Table API rows, do not write): the bytes as read
    if (!s.raw) throw new Error(`cannot write a snapshot of ${s.className} without its bytes`);
    w.bytes(s.raw);
    return;
  }
  w.utf(s.className);
  w.i32(s.version);
  writePayload(w, s);
}

function writePayload(w: ByteWriter, s: SerializerSnapshot): void {
  switch (s.kind) {
    case 'genericArray':
      return composite(w, s, () => w.utf(s.genericArray!.componentClass));
    case 'list':
    case 'arrayList':
    case 'map':
    case 'set':
    case 'ttl':
    case 'timer':
      return composite(w, s);
    case 'tuple':
      return composite(w, s, () => w.utf(s.tupleClass!));
    case 'row':
      return composite(w, s, (v) => {
        if (v >= 4) w.bool(s.row!.supportsRowKind);
      });
    case 'nullable':
      return composite(w, s, () => w.i32(s.nullable!.paddingLength));
    case 'enum': {
      const e = s.enum!;
      w.utf(e.className);
      w.i32(e.constants.length);
      for (const c of e.constants) w.utf(c);
      return;
    }
    case 'pojo':
      return writePojo(w, s);
    case 'avro':
      return writeAvro(w, s);
    default:
      // simple snapshots (version 3: empty payload; version 2: the serializer class name)
      if (s.version === 2) {
        if (s.legacySerializerClass === undefined) throw new Error(`version 2 snapshot of ${s.className} without its serializer class`);
        w.utf(s.legacySerializerClass);
      } else if (s.version !== 3) {
        throw new Error(`cannot write version ${s.version} of ${s.className}`);
      }
  }
}

/** CompositeTypeSerializerSnapshot: magic, outer version, outer payload, nested block. */
function composite(w: ByteWriter, s: SerializerSnapshot, outer?: (outerVersion: number) => void): void {
  const outerVersion = s.outerVersion ?? 1;
  if (s.version > 2) {
    w.i32(COMPOSITE_MAGIC);
    w.i32(outerVersion);
  }
  outer?.(outerVersion);
  w.i32(NESTED_MAGIC);
  w.i32(1);
  w.i32(s.nested.length);
  for (const n of s.nested) writeVersionedSnapshot(w, n);
}

/** LinkedOptionalMapSerializer.writeOptionalMap: header, count, (name, framed key?, framed value?)*. */
function optionalMap<T>(
  w: ByteWriter,
  entries: T[],
  name: (e: T) => string,
  key: ((e: T, out: ByteWriter) => void) | undefined,
  value: ((e: T, out: ByteWriter) => void) | undefined,
): void {
  w.i64(OPTIONAL_MAP_HEADER);
  w.i32(entries.length);
  for (const e of entries) {
    w.utf(name(e));
    for (const part of [key, value]) {
      if (!part) {
        w.bool(false);
        continue;
      }
      const frame = new ByteWriter(64);
      part(e, frame);
      w.bool(true);
      w.lenBytes(frame.toBytes());
    }
  }
}

function writePojo(w: ByteWriter, s: SerializerSnapshot): void {
  const p = s.pojo!;
  w.utf(p.className);
  optionalMap(
    w,
    p.fields,
    (f) => f.name,
    (f, out) => {
      out.utf(f.declaringClass ?? p.className);
      out.utf(f.name);
    },
    (f, out) => {
      if (!f.snapshot) throw new Error(`POJO field ${p.className}.${f.name} has no serializer snapshot`);
      writeVersionedSnapshot(out, f.snapshot);
    },
  );
  for (const subs of [p.registeredSubclasses, p.nonRegisteredSubclasses]) {
    optionalMap(
      w,
      subs,
      (x) => x.className,
      () => undefined, // present, empty: the class is identified by the entry name
      (x, out) => {
        if (!x.snapshot) throw new Error(`POJO subclass ${x.className} has no serializer snapshot`);
        writeVersionedSnapshot(out, x.snapshot);
      },
    );
  }
}

/** Flink StringValue encoding (FSTR): varint(n+1), then each UTF-16 unit as a varint; null = 0. */
export function writeFlinkString(w: Sink, s: string | null): void {
  if (s === null) {
    w.u8(0);
    return;
  }
  w.varUint(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) w.u8(c);
    else if (c < 0x4000) {
      w.u8((c & 0x7f) | 0x80);
      w.u8(c >>> 7);
    } else {
      w.u8((c & 0x7f) | 0x80);
      w.u8(((c >>> 7) & 0x7f) | 0x80);
      w.u8(c >>> 14);
    }
  }
}

function writeAvro(w: ByteWriter, s: SerializerSnapshot): void {
  const a = s.avro!;
  if (s.version === 1) {
    w.utf(a.schemaText);
  } else if (s.version === 2) {
    w.utf(a.runtimeClass ?? '');
    w.utf(a.schemaText);
  } else {
    writeFlinkString(w, a.runtimeClass ?? null);
    writeFlinkString(w, a.schemaText);
  }
}

/** The bytes of a framed snapshot. */
export function framedSnapshotBytes(s: SerializerSnapshot): Uint8Array {
  const w = new ByteWriter(256);
  writeFramedSnapshot(w, s);
  return w.toBytes();
}
