/**
 * Just enough of the Java object serialization stream protocol (java.io, stream version 2) to read
 * the CheckpointProperties trailer of V4+ `_metadata` files and the LogicalTypes that Table API
 * serializer snapshots store Java-serialized: objects, class descriptors (proxy ones included),
 * enums, strings, arrays, null, back-references, block data, class annotations, the custom data of
 * `writeObject` methods and of block-data Externalizables (up to TC_ENDBLOCKDATA). Every read is
 * bounds-checked; nesting depth and handle counts are capped; anything else (TC_RESET, TC_EXCEPTION,
 * old-protocol Externalizables, unknown type codes) is a SavepointFormatError naming the offset.
 */
import { ByteReader, decodeModifiedUtf8 } from './io';

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
  /**
   * What `writeObject` methods (and block-data Externalizables) wrote after the fields, superclass
   * first: the objects, strings, arrays, enums and nulls, without the primitive block data (an
   * ArrayList's elements, say). Present only when there was some.
   */
  data?: JavaValue[];
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
/** Items of one class annotation or custom-data section. */
const MAX_SECTION_ITEMS = 10000;

export interface JavaStreamLimits {
  /** Deepest nesting of contents (each object level counts about 2). Default 32. */
  maxDepth?: number;
  /** Most handles (objects, strings, class descriptors, …) in the stream. Default 10000. */
  maxHandles?: number;
}

export class JavaStreamReader {
  private handles: JavaValue[] = [];
  private readonly maxDepth: number;
  private readonly maxHandles: number;

  constructor(
    private readonly r: ByteReader,
    limits: JavaStreamLimits = {},
  ) {
    this.maxDepth = limits.maxDepth ?? MAX_DEPTH;
    this.maxHandles = limits.maxHandles ?? MAX_HANDLES;
  }

  readStreamHeader(): void {
    const at = this.r.offset;
    const magic = this.r.u16('the Java serialization magic');
    const version = this.r.u16('the Java serialization version');
    if (magic !== 0xaced || version !== 5) this.r.fail('the Java serialization header AC ED 00 05', `${magic.toString(16)} ${version}`, at);
  }

  private newHandle(v: JavaValue): number {
    if (this.handles.length >= this.maxHandles) this.r.fail(`at most ${this.maxHandles} Java serialization handles`);
    this.handles.push(v);
    return this.handles.length - 1;
  }

  readContent(depth = 0): JavaValue {
    if (depth > this.maxDepth) this.r.fail(`Java serialization nesting of at most ${this.maxDepth}`);
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
        const s = decodeModifiedUtf8(bytes, 0, bytes.length);
        if (s === undefined) this.r.fail('a Java long string in modified UTF-8', 'malformed bytes', at + 9);
        this.newHandle(s);
        return s;
      }
      case 0x72: // TC_CLASSDESC
      case 0x7d: // TC_PROXYCLASSDESC
        this.r.pos -= 1;
        return this.readClassDesc(depth + 1);
      case 0x73: // TC_OBJECT
        return this.readObject(depth + 1);
      case 0x76: // TC_CLASS: a Class object, given by its descriptor
      {
        const desc = this.readClassDesc(depth + 1);
        if (!desc) this.r.fail('the class descriptor of a Class object', 'null', at);
        this.newHandle(desc);
        return desc;
      }
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
    if (depth > this.maxDepth) this.r.fail(`Java serialization nesting of at most ${this.maxDepth}`);
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

  /**
   * Contents up to TC_ENDBLOCKDATA (class annotations, writeObject data). Collects the non-block-data
   * contents into `into` when given.
   */
  private skipAnnotation(depth: number, into?: JavaValue[]): void {
    for (let i = 0; i < MAX_SECTION_ITEMS; i++) {
      if (this.r.remaining > 0 && this.r.buf[this.r.pos] === 0x78) {
        this.r.pos++;
        return;
      }
      const blockData = this.r.remaining > 0 && (this.r.buf[this.r.pos] === 0x77 || this.r.buf[this.r.pos] === 0x7a);
      const v = this.readContent(depth + 1);
      if (into && !blockData) into.push(v);
    }
    this.r.fail(`the end of a class annotation or custom data (TC_ENDBLOCKDATA) within ${MAX_SECTION_ITEMS} items`);
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
      if (chain.length > this.maxDepth) this.r.fail('a shorter class hierarchy');
    }
    const data: JavaValue[] = [];
    if (desc && desc.flags & 0x04) {
      // SC_EXTERNALIZABLE: only the block-data form (SC_BLOCK_DATA, protocol 2) can be skipped
      if (!(desc.flags & 0x08)) this.r.fail(`an Externalizable written in block-data mode (${desc.name})`);
      this.skipAnnotation(depth, data);
    } else {
      for (const d of chain) {
        for (const f of d.fields) obj.fields[f.name] = this.readFieldValue(f.type, depth);
        if (d.flags & 0x01) this.skipAnnotation(depth, data); // SC_WRITE_METHOD: custom data until TC_ENDBLOCKDATA
      }
    }
    if (data.length) obj.data = data;
    return obj;
  }
}

/** Parses a Java serialization stream holding one object; returns the object. */
export function readJavaObject(r: ByteReader): JavaValue {
  const jr = new JavaStreamReader(r);
  jr.readStreamHeader();
  return jr.readContent();
}
