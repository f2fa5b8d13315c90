/**
 * Just enough of the Java object serialization stream protocol to read the CheckpointProperties
 * trailer of V4+ `_metadata` files: objects, class descriptors, enums, strings, arrays, null,
 * back-references and block data. Every read is bounds-checked; depth and handle counts are capped.
 */
import { ByteReader } from './io';

export type JavaValue =
  | null
  | string
  | number
  | bigint
  | boolean
  | JavaObject
  | JavaEnum
  | JavaArray
  | JavaClassDesc;

export interface JavaObject {
  kind: 'object';
  className: string;
  fields: Record<string, JavaValue>;
}
export interface JavaEnum {
  kind: 'enum';
  className: string;
  name: string;
}
export interface JavaArray {
  kind: 'array';
  className: string;
  items: JavaValue[];
}
export interface JavaClassDesc {
  kind: 'classdesc';
  name: string;
  flags: number;
  fields: { type: string; name: string }[];
  superDesc: JavaClassDesc | null;
}

const MAX_DEPTH = 32;
const MAX_HANDLES = 10000;

export class JavaStreamReader {
  private handles: JavaValue[] = [];

  constructor(private readonly r: ByteReader) {}

  readStreamHeader(): void {
    const at = this.r.offset;
    const magic = this.r.u16('the Java serialization magic');
    const version = this.r.u16('the Java serialization version');
    if (magic !== 0xaced || version !== 5) this.r.fail('the Java serialization header AC ED 00 05', `${magic.toString(16)} ${version}`, at);
  }

  private newHandle(v: JavaValue): number {
    if (this.handles.length >= MAX_HANDLES) this.r.fail(`at most ${MAX_HANDLES} Java serialization handles`);
    this.handles.push(v);
    return this.handles.length - 1;
  }

  readContent(depth = 0): JavaValue {
    if (depth > MAX_DEPTH) this.r.fail(`Java serialization nesting of at most ${MAX_DEPTH}`);
    const at = this.r.offset;
    const tc = this.r.u8('a Java serialization type code');
    switch (tc) {
      case 0x70: // TC_NULL
        return null;
      case 0x71: // TC_REFERENCE
        return this.reference(at);
      case 0x74: // TC_STRING
      {
        const s = this.r.utf('a Java string');
        this.newHandle(s);
        return s;
      }
      case 0x7c: // TC_LONGSTRING
      {
        const n = this.r.i64n('a Java long string length');
        if (n < 0 || n > 65535 * 16) this.r.fail('a Java long string of reasonable length', String(n), at);
        const bytes = this.r.bytes(n, 'a Java long string');
        const s = new TextDecoder().decode(bytes);
        this.newHandle(s);
        return s;
      }
      case 0x72: // TC_CLASSDESC
      case 0x7d: // TC_PROXYCLASSDESC
        this.r.pos -= 1;
        return this.readClassDesc(depth + 1);
      case 0x73: // TC_OBJECT
        return this.readObject(depth + 1);
      case 0x7e: // TC_ENUM
      {
        const desc = this.readClassDesc(depth + 1);
        const e: JavaEnum = { kind: 'enum', className: desc?.name ?? '?', name: '' };
        this.newHandle(e);
        const name = this.readContent(depth + 1);
        if (typeof name !== 'string') this.r.fail('an enum constant name', undefined, at);
        e.name = name;
        return e;
      }
      case 0x75: // TC_ARRAY
      {
        const desc = this.readClassDesc(depth + 1);
        const a: JavaArray = { kind: 'array', className: desc?.name ?? '?', items: [] };
        this.newHandle(a);
        const n = this.r.count('a Java array length', 1, 1 << 20);
        const elem = (desc?.name ?? '[L').slice(1, 2);
        for (let i = 0; i < n; i++) a.items.push(this.readFieldValue(elem, depth + 1));
        return a;
      }
      case 0x77: // TC_BLOCKDATA
        this.r.skip(this.r.u8('a block data length'), 'block data');
        return null;
      case 0x7a: // TC_BLOCKDATALONG
      {
        const n = this.r.i32('a block data length');
        if (n < 0) this.r.fail('a non-negative block data length', String(n), at);
        this.r.skip(n, 'block data');
        return null;
      }
      default:
        return this.r.fail('a Java serialization type code', `0x${tc.toString(16)}`, at);
    }
  }

  private reference(at: number): JavaValue {
    const h = this.r.i32('a Java handle') - 0x7e0000;
    if (h < 0 || h >= this.handles.length) this.r.fail('a known Java handle', String(h), at);
    return this.handles[h];
  }

  private readClassDesc(depth: number): JavaClassDesc | null {
    if (depth > MAX_DEPTH) this.r.fail(`Java serialization nesting of at most ${MAX_DEPTH}`);
    const at = this.r.offset;
    const tc = this.r.u8('a Java class descriptor');
    if (tc === 0x70) return null;
    if (tc === 0x71) {
      const v = this.reference(at);
      if (!v || typeof v !== 'object' || v.kind !== 'classdesc') this.r.fail('a reference to a class descriptor', undefined, at);
      return v;
    }
    if (tc === 0x7d) {
      const n = this.r.count('a proxy interface count', 2, 1000);
      for (let i = 0; i < n; i++) this.r.utf('a proxy interface name');
      const desc: JavaClassDesc = { kind: 'classdesc', name: '$Proxy', flags: 2, fields: [], superDesc: null };
      this.newHandle(desc);
      this.skipAnnotation(depth);
      desc.superDesc = this.readClassDesc(depth + 1);
      return desc;
    }
    if (tc !== 0x72) this.r.fail('a Java class descriptor (0x72)', `0x${tc.toString(16)}`, at);
    const name = this.r.utf('a Java class name');
    this.r.i64('a serialVersionUID');
    const desc: JavaClassDesc = { kind: 'classdesc', name, flags: 0, fields: [], superDesc: null };
    this.newHandle(desc);
    desc.flags = this.r.u8('class descriptor flags');
    const n = this.r.u16('a field count');
    for (let i = 0; i < n; i++) {
      const tAt = this.r.offset;
      const t = String.fromCharCode(this.r.u8('a field type code'));
      const fname = this.r.utf('a field name');
      if (t === 'L' || t === '[') {
        const cn = this.readContent(depth + 1);
        if (typeof cn !== 'string') this.r.fail('a field class name string', undefined, tAt);
      } else if (!'BCDFIJSZ'.includes(t)) {
        this.r.fail('a Java field type code', t, tAt);
      }
      desc.fields.push({ type: t, name: fname });
    }
    this.skipAnnotation(depth);
    desc.superDesc = this.readClassDesc(depth + 1);
    return desc;
  }

  private skipAnnotation(depth: number): void {
    for (let i = 0; i < 10000; i++) {
      if (this.r.remaining > 0 && this.r.buf[this.r.pos] === 0x78) {
        this.r.pos++;
        return;
      }
      this.readContent(depth + 1);
    }
    this.r.fail('the end of a class annotation');
  }

  private readFieldValue(t: string, depth: number): JavaValue {
    switch (t) {
      case 'B':
        return this.r.i8();
      case 'C':
        return this.r.u16();
      case 'D':
        return this.r.f64();
      case 'F':
        return this.r.f32();
      case 'I':
        return this.r.i32();
      case 'J':
        return this.r.i64();
      case 'S':
        return this.r.i16();
      case 'Z':
        return this.r.bool();
      default:
        return this.readContent(depth + 1);
    }
  }

  private readObject(depth: number): JavaObject {
    const desc = this.readClassDesc(depth + 1);
    const obj: JavaObject = { kind: 'object', className: desc?.name ?? '?', fields: {} };
    this.newHandle(obj);
    const chain: JavaClassDesc[] = [];
    for (let d = desc; d; d = d.superDesc) {
      chain.unshift(d);
      if (chain.length > MAX_DEPTH) this.r.fail('a shorter class hierarchy');
    }
    for (const d of chain) {
      if (d.flags & 0x04) this.r.fail(`a Serializable class, not Externalizable (${d.name})`);
      for (const f of d.fields) obj.fields[f.name] = this.readFieldValue(f.type, depth);
      if (d.flags & 0x01) this.skipAnnotation(depth); // SC_WRITE_METHOD: custom data until TC_ENDBLOCKDATA
    }
    return obj;
  }
}

/** Parses a Java serialization stream holding one object; returns the object. */
export function readJavaObject(r: ByteReader): JavaValue {
  const jr = new JavaStreamReader(r);
  jr.readStreamHeader();
  return jr.readContent();
}
