/**
 * Canonical keyed state (savepoint-format.md §5): the keyed backend header, key-group sections
 * (plain or Snappy-framed), composite-key splitting and per-kind value decoding.
 */
import { SavepointFormatError } from './errors';
import { ByteReader, ByteSink, toHex } from './io';
import { readFramedSnapshot, SerializerSnapshot, typeString } from './serializers';
import { Codec, codecFor } from './values';
import { snappyFramedDecode } from './snappy';
import { readStateMetaInfo, StateMetaInfo, stateTypes, StateTypes } from './statemeta';
import { keyGroupPrefixBytes } from './murmur';

export interface KeyedHeader {
  version: number;
  compressed: boolean;
  keySerializer: SerializerSnapshot;
  states: StateMetaInfo[];
  types: StateTypes[];
  /** File offset just after the header. */
  end: number;
}

export function readKeyedHeader(r: ByteReader): KeyedHeader {
  const vAt = r.offset;
  const version = r.i32('the keyed backend proxy version');
  if (version !== 6) r.fail('keyed backend proxy version 6', String(version), vAt);
  const compressed = r.bool('the key-group compression flag');
  const keySerializer = readFramedSnapshot(r);
  const cAt = r.offset;
  const n = r.i16('the state count');
  if (n < 0) r.fail('a non-negative state count', String(n), cAt);
  const states: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) states.push(readStateMetaInfo(r));
  for (const s of states) {
    if (s.backend === 'OPERATOR' || s.backend === 'BROADCAST') {
      r.fail(`a keyed state type for state ${JSON.stringify(s.name)}`, s.backend);
    }
  }
  const types = states.map((s) => stateTypes(s, keySerializer));
  return { version, compressed, keySerializer, states, types, end: r.offset };
}

/** One raw entry of a key-group section (flag bit cleared). */
export interface RawEntry {
  stateId: number;
  key: Uint8Array;
  value: Uint8Array;
  /** file offset of the key bytes (for error messages) */
  keyAt: number;
}

/**
 * Parses the entries of one key-group section. `section` holds the bytes from the key group's
 * offset (uncompressed, or already decompressed); `r` reports offsets.
 */
export function readKeyGroupSection(r: ByteReader, stateCount: number): RawEntry[] {
  const out: RawEntry[] = [];
  const sAt = r.offset;
  let state = r.u16('a state id');
  if (state === 0xffff) return out;
  if (state >= stateCount) r.fail(`a state id below ${stateCount}`, String(state), sAt);
  for (;;) {
    const keyAt = r.offset + 4;
    const kLenAt = r.offset;
    const kl = r.i32('the length of a composite key');
    if (kl <= 0) r.fail('a positive composite key length', String(kl), kLenAt);
    let key = r.bytes(kl, 'a composite key');
    const value = r.lenBytes('a state value');
    const last = (key[0] & 0x80) !== 0;
    if (last) {
      // a copy: the section buffer may be shared (cached file contents) and must not change
      key = key.slice();
      key[0] &= 0x7f;
    }
    out.push({ stateId: state, key, value, keyAt });
    if (last) {
      const nAt = r.offset;
      const next = r.u16('the next state id or 0xFFFF');
      if (next === 0xffff) return out;
      if (next >= stateCount) r.fail(`a state id below ${stateCount} or 0xFFFF`, String(next), nAt);
      state = next;
    }
  }
}

/**
 * The entries of a key-group section as offsets into its buffer (no objects per entry): the dump's
 * hot path. Composite keys keep their meta-data-follows bit (in the first, key-group prefix byte:
 * compare with it masked). The same checks and messages as readKeyGroupSection.
 */
export interface SectionIndex {
  buf: Uint8Array;
  file: string;
  /** file offset of buf[0] (0 for decompressed data, like readKeyGroupSection's offsets) */
  base: number;
  count: number;
  state: Uint16Array;
  keyStart: Int32Array;
  keyEnd: Int32Array;
  valStart: Int32Array;
  valEnd: Int32Array;
}

/**
 * The entries of a key-group section (state id, composite key and value ranges). With `only`, every
 * entry is still walked (and checked) but only those of state id `only` are indexed.
 */
export function indexKeyGroupSection(r: ByteReader, stateCount: number, only?: number): SectionIndex {
  // a first guess from the size (entries of ~32 bytes) saves most regrowing; more is grown on demand
  let cap = Math.max(256, Math.min(1 << 20, r.remaining >> 5));
  const ix: SectionIndex = {
    buf: r.buf,
    file: r.file,
    base: r.base,
    count: 0,
    state: new Uint16Array(cap),
    keyStart: new Int32Array(cap),
    keyEnd: new Int32Array(cap),
    valStart: new Int32Array(cap),
    valEnd: new Int32Array(cap),
  };
  const push = (state: number, ks: number, ke: number, vs: number, ve: number) => {
    if (ix.count === cap) {
      cap *= 2;
      const grow = <T extends Uint16Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(cap);
        b.set(a);
        return b;
      };
      ix.state = grow(ix.state);
      ix.keyStart = grow(ix.keyStart);
      ix.keyEnd = grow(ix.keyEnd);
      ix.valStart = grow(ix.valStart);
      ix.valEnd = grow(ix.valEnd);
    }
    const i = ix.count++;
    ix.state[i] = state;
    ix.keyStart[i] = ks;
    ix.keyEnd[i] = ke;
    ix.valStart[i] = vs;
    ix.valEnd[i] = ve;
  };
  const buf = r.buf;
  const sAt = r.offset;
  let state = r.u16('a state id');
  if (state === 0xffff) return ix;
  if (state >= stateCount) r.fail(`a state id below ${stateCount}`, String(state), sAt);
  for (;;) {
    const kLenAt = r.offset;
    const kl = r.i32('the length of a composite key');
    if (kl <= 0) r.fail('a positive composite key length', String(kl), kLenAt);
    const ks = r.pos;
    r.skipBytes(kl, 'a composite key');
    const vAt = r.offset;
    const vl = r.i32('the length of a state value');
    if (vl < 0) r.fail('a non-negative length of a state value', String(vl), vAt);
    const vs = r.pos;
    r.skipBytes(vl, 'a state value');
    const last = (buf[ks] & 0x80) !== 0;
    if (only === undefined || state === only) push(state, ks, ks + kl, vs, vs + vl);
    if (last) {
      const nAt = r.offset;
      const next = r.u16('the next state id or 0xFFFF');
      if (next === 0xffff) return ix;
      if (next >= stateCount) r.fail(`a state id below ${stateCount} or 0xFFFF`, String(next), nAt);
      state = next;
    }
  }
}

/** parseSection as a SectionIndex. */
export function parseSectionIndex(bytes: Uint8Array, file: string, base: number, compressed: boolean, stateCount: number, only?: number): SectionIndex {
  if (compressed) {
    const plain = snappyFramedDecode(bytes, file, base);
    try {
      return indexKeyGroupSection(new ByteReader(plain, file, 0), stateCount, only);
    } catch (e) {
      if (e instanceof SavepointFormatError) {
        throw new SavepointFormatError(file, base, `${e.expected} (at byte ${e.offset} of the decompressed key group)`, e.found);
      }
      throw e;
    }
  }
  return indexKeyGroupSection(new ByteReader(bytes, file, base), stateCount, only);
}

/** Entry i of a section index as a RawEntry (key copied, meta-data-follows bit cleared). */
export function rawEntryAt(ix: SectionIndex, i: number): RawEntry {
  const key = ix.buf.slice(ix.keyStart[i], ix.keyEnd[i]);
  key[0] &= 0x7f;
  return { stateId: ix.state[i], key, value: ix.buf.subarray(ix.valStart[i], ix.valEnd[i]), keyAt: ix.base + ix.keyStart[i] };
}

/** Decodes a key-group section read from [base, base + bytes.length) of `file`. */
export function parseSection(
  bytes: Uint8Array,
  file: string,
  base: number,
  compressed: boolean,
  stateCount: number,
): RawEntry[] {
  if (compressed) {
    const plain = snappyFramedDecode(bytes, file, base);
    // offsets inside decompressed data are not file offsets; report the section start
    try {
      return readKeyGroupSection(new ByteReader(plain, file, 0), stateCount);
    } catch (e) {
      if (e instanceof SavepointFormatError) {
        throw new SavepointFormatError(file, base, `${e.expected} (at byte ${e.offset} of the decompressed key group)`, e.found);
      }
      throw e;
    }
  }
  return readKeyGroupSection(new ByteReader(bytes, file, base), stateCount);
}

/** A decoded keyed entry as JSON fragments (already rendered per dump-format §3). */
export interface DecodedEntry {
  keyGroup: number;
  key?: string;
  namespace?: string;
  userKey?: string;
  value?: string;
  timestamp?: string;
}

export function rawJson(bytes: Uint8Array, type: string): string {
  return `{"$raw":"${toHex(bytes)}","type":${JSON.stringify(type)}}`;
}

const codecCache = new WeakMap<SerializerSnapshot, Codec>();
export function codecOf(s: SerializerSnapshot): Codec {
  let c = codecCache.get(s);
  if (!c) {
    c = codecFor(s);
    codecCache.set(s, c);
  }
  return c;
}

const VOID_NAMESPACE = 'VoidNamespace';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const KEY_MEMBER = ascii(',"key":');
const NAMESPACE_MEMBER = ascii(',"namespace":');
const USER_KEY_MEMBER = ascii(',"userKey":');
const VALUE_MEMBER = ascii(',"value":');

/** `render(c, r)` written into `out`. */
function renderTo(c: Codec, r: ByteReader, out: ByteSink): void {
  if (c.jsonTo !== undefined) c.jsonTo(r, out);
  else out.str(render(c, r));
}

/** `c.toJson(c.decode(r))`, through the codec's fast path when it has one. */
function render(c: Codec, r: ByteReader): string {
  return c.json !== undefined ? c.json(r) : c.toJson(c.decode(r));
}

/** The members of a decoded entry after `"keyGroup":…`, closing the line's object. */
export function tailOf(d: DecodedEntry): string {
  let s = '';
  if (d.key !== undefined) s += `,"key":${d.key}`;
  if (d.namespace !== undefined) s += `,"namespace":${d.namespace}`;
  if (d.userKey !== undefined) s += `,"userKey":${d.userKey}`;
  if (d.value !== undefined) s += `,"value":${d.value}`;
  if (d.timestamp !== undefined) s += `,"timestamp":${d.timestamp}`;
  return s + '}';
}

function skipVariableIntBytes(r: ByteReader, value: number): void {
  do {
    r.u8('an ambiguity length suffix byte');
    value >>>= 8;
  } while (value !== 0);
}

/** A decoder for the entries of one state of one keyed backend. */
export class KeyedStateDecoder {
  readonly prefix: number;
  private readonly keyC?: Codec;
  private readonly nsC?: Codec;
  private readonly ukC?: Codec;
  private readonly valC?: Codec;
  private readonly ambiguous: boolean;
  private readonly voidNs: boolean;

  constructor(
    readonly t: StateTypes,
    maxParallelism: number,
  ) {
    this.prefix = keyGroupPrefixBytes(maxParallelism);
    if (t.key) this.keyC = codecOf(t.key);
    if (t.namespace) this.nsC = codecOf(t.namespace);
    if (t.userKey) this.ukC = codecOf(t.userKey);
    if (t.kind === 'LIST' && t.value) this.valC = codecOf(t.value);
    else if (t.value) this.valC = codecOf(t.value);
    this.ambiguous = !!(this.keyC && this.nsC && this.keyC.fixedLength < 0 && this.nsC.fixedLength < 0);
    this.voidNs = !t.namespace || typeString(t.namespace) === VOID_NAMESPACE;
  }

  decode(e: RawEntry, file: string, expectedKeyGroup: number): DecodedEntry {
    return this.decodeFrom(new ByteReader(e.key, file, e.keyAt), new ByteReader(e.value, file, 0), expectedKeyGroup);
  }

  /**
   * `decode` of entry i of a section index; `kr` and `vr` are readers over `ix.buf` reused for
   * every entry (the entries() path: no copies or views per entry).
   */
  decodeAt(ix: SectionIndex, i: number, kg: number, kr: ByteReader, vr: ByteReader): DecodedEntry {
    kr.base = ix.base;
    kr.pos = ix.keyStart[i];
    kr.end = ix.keyEnd[i];
    const vs = ix.valStart[i];
    vr.base = -vs;
    vr.pos = vs;
    vr.end = ix.valEnd[i];
    return this.decodeFrom(kr, vr, kg);
  }

  /**
   * Decodes one entry: `kr` spans the composite key (from its key-group prefix to its end), `vr` the
   * value. Both may be windows of a larger buffer. Key-group prefix bytes are read, not checked:
   * the oracle only warns about a prefix that differs from the section's key group; the section's wins.
   */
  private decodeFrom(kr: ByteReader, vr: ByteReader, kg: number): DecodedEntry {
    const buf = kr.buf;
    const keyStart = kr.pos;
    const keyEnd = kr.end;
    const vStart = vr.pos;
    const vbuf = vr.buf;
    const vEnd = vr.end;
    if (this.prefix === 1) kr.u8('the key-group prefix');
    else kr.u16('the key-group prefix');
    const t = this.t;
    if (t.kind === 'TIMER') return this.decodeTimer(kr, kg);
    if (t.backend === 'PRIORITY_QUEUE') {
      // a non-timer priority queue: the element is the key after the prefix, printed as `value`
      const out: DecodedEntry = { keyGroup: kg };
      const c = this.valC;
      if (!c || c.opaque) out.value = rawJson(buf.subarray(keyStart + this.prefix, keyEnd), t.value ? typeString(t.value) : 'Unknown');
      else out.value = render(c, kr);
      return out;
    }
    const keyC = this.keyC;
    const out: DecodedEntry = { keyGroup: kg, key: '' };
    let keyDone = false;
    let nsRaw = false;
    if (!keyC || keyC.opaque) {
      out.key = rawJson(buf.subarray(keyStart + this.prefix, keyEnd), t.key ? typeString(t.key) : 'Unknown');
    } else {
      const start = kr.pos;
      out.key = render(keyC, kr);
      if (this.ambiguous) skipVariableIntBytes(kr, kr.pos - start);
      keyDone = true;
      const nsC = this.nsC;
      if (!nsC || nsC.opaque) {
        nsRaw = true;
        if (!this.voidNs) out.namespace = rawJson(buf.subarray(kr.pos, keyEnd), t.namespace ? typeString(t.namespace) : 'Unknown');
      } else {
        const nsStart = kr.pos;
        if (this.voidNs) kr.skip(1, 'a VoidNamespace byte');
        else out.namespace = render(nsC, kr);
        if (this.ambiguous) skipVariableIntBytes(kr, kr.pos - nsStart);
      }
    }
    switch (t.kind) {
      case 'LIST': {
        const c = this.valC;
        if (!c || c.opaque) {
          const listType =
            t.backend === 'KEY_VALUE_V2' ? `List<${t.value ? typeString(t.value) : 'Unknown'}>` : t.stateValue ? typeString(t.stateValue) : 'Unknown';
          out.value = rawJson(vbuf.subarray(vStart, vEnd), listType);
        } else {
          let s = '[';
          let first = true;
          while (vr.remaining > 0) {
            if (!first) s += ',';
            first = false;
            s += render(c, vr);
            if (vr.remaining > 0) vr.u8('the list delimiter');
          }
          out.value = s + ']';
        }
        break;
      }
      case 'MAP': {
        if (keyDone && !nsRaw) {
          const uk = this.ukC;
          if (!uk || !uk.decodableInTail) out.userKey = rawJson(buf.subarray(kr.pos, keyEnd), t.userKey ? typeString(t.userKey) : 'Unknown');
          else out.userKey = render(uk, kr);
        }
        const isNull = vr.bool('the map value null flag');
        if (isNull) out.value = 'null';
        else {
          const c = this.valC;
          if (!c || !c.decodableInTail) out.value = rawJson(vbuf.subarray(vStart + 1, vEnd), t.value ? typeString(t.value) : 'Unknown');
          else out.value = render(c, vr);
        }
        break;
      }
      default: {
        const c = this.valC;
        if (!c || !c.decodableInTail) out.value = rawJson(vbuf.subarray(vStart, vEnd), t.value ? typeString(t.value) : 'Unknown');
        else out.value = render(c, vr);
      }
    }
    return out;
  }

  /**
   * `lineTail` of entry i of a section index, written as UTF-8 into `out` (the dump's byte path).
   * `kr` and `vr` are readers over `ix.buf` reused for every entry.
   */
  lineTailAt(ix: SectionIndex, i: number, out: ByteSink, kr: ByteReader, vr: ByteReader): void {
    const t = this.t;
    const keyC = this.keyC;
    const ks = ix.keyStart[i];
    const ke = ix.keyEnd[i];
    if (t.kind === 'TIMER' || t.backend === 'PRIORITY_QUEUE' || !keyC || keyC.opaque || ke - ks < this.prefix || (t.kind !== 'VALUE' && t.kind !== 'MAP' && t.kind !== 'REDUCING' && t.kind !== 'AGGREGATING' && t.kind !== 'LIST')) {
      out.str(tailOf(this.decodeAt(ix, i, 0, kr, vr)));
      return;
    }
    kr.base = ix.base;
    kr.pos = ks + this.prefix;
    kr.end = ke;
    const vs = ix.valStart[i];
    vr.base = -vs;
    vr.pos = vs;
    vr.end = ix.valEnd[i];
    const buf = ix.buf;
    out.bytes(KEY_MEMBER);
    const start = kr.pos;
    renderTo(keyC, kr, out);
    if (this.ambiguous) skipVariableIntBytes(kr, kr.pos - start);
    const nsC = this.nsC;
    let nsRaw = false;
    if (!nsC || nsC.opaque) {
      nsRaw = true;
      if (!this.voidNs) out.str(',"namespace":' + rawJson(buf.subarray(kr.pos, ke), t.namespace ? typeString(t.namespace) : 'Unknown'));
    } else {
      const nsStart = kr.pos;
      if (this.voidNs) kr.skip(1, 'a VoidNamespace byte');
      else {
        out.bytes(NAMESPACE_MEMBER);
        renderTo(nsC, kr, out);
      }
      if (this.ambiguous) skipVariableIntBytes(kr, kr.pos - nsStart);
    }
    const c = this.valC;
    if (t.kind === 'MAP') {
      if (!nsRaw) {
        const uk = this.ukC;
        if (!uk || !uk.decodableInTail) out.str(',"userKey":' + rawJson(buf.subarray(kr.pos, ke), t.userKey ? typeString(t.userKey) : 'Unknown'));
        else {
          out.bytes(USER_KEY_MEMBER);
          renderTo(uk, kr, out);
        }
      }
      out.bytes(VALUE_MEMBER);
      if (vr.bool('the map value null flag')) out.str('null');
      else if (!c || !c.decodableInTail) out.str(rawJson(buf.subarray(vs + 1, vr.end), t.value ? typeString(t.value) : 'Unknown'));
      else renderTo(c, vr, out);
    } else if (t.kind === 'LIST') {
      out.bytes(VALUE_MEMBER);
      if (!c || c.opaque) {
        const listType = t.backend === 'KEY_VALUE_V2' ? `List<${t.value ? typeString(t.value) : 'Unknown'}>` : t.stateValue ? typeString(t.stateValue) : 'Unknown';
        out.str(rawJson(buf.subarray(vs, vr.end), listType));
      } else {
        out.byte(0x5b);
        let first = true;
        while (vr.remaining > 0) {
          if (!first) out.byte(0x2c);
          first = false;
          renderTo(c, vr, out);
          if (vr.remaining > 0) vr.u8('the list delimiter');
        }
        out.byte(0x5d);
      }
    } else {
      out.bytes(VALUE_MEMBER);
      if (!c || !c.decodableInTail) out.str(rawJson(buf.subarray(vs, vr.end), t.value ? typeString(t.value) : 'Unknown'));
      else renderTo(c, vr, out);
    }
    out.byte(0x7d);
  }

  private decodeTimer(kr: ByteReader, kg: number): DecodedEntry {
    const ts = kr.i64('the timer timestamp') ^ -0x8000000000000000n;
    const out: DecodedEntry = { keyGroup: kg, key: '' };
    const keyC = this.keyC;
    if (!keyC || keyC.opaque) {
      out.key = rawJson(kr.buf.subarray(kr.pos, kr.end), this.t.key ? typeString(this.t.key) : 'Unknown');
    } else {
      out.key = render(keyC, kr);
      const nsC = this.nsC;
      if (!this.voidNs) {
        if (!nsC || nsC.opaque) out.namespace = rawJson(kr.buf.subarray(kr.pos, kr.end), this.t.namespace ? typeString(this.t.namespace) : 'Unknown');
        else out.namespace = render(nsC, kr);
      }
    }
    out.timestamp = BigInt.asIntN(64, ts).toString();
    return out;
  }
}
