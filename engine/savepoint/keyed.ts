/**
 * Canonical keyed state (savepoint-format.md §5): the keyed backend header, key-group sections
 * (plain or Snappy-framed), composite-key splitting and per-kind value decoding.
 */
import { SavepointFormatError } from './errors';
import { ByteReader, toHex } from './io';
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
    const key = Uint8Array.from(r.bytes(kl, 'a composite key'));
    const value = r.lenBytes('a state value');
    const last = (key[0] & 0x80) !== 0;
    key[0] &= 0x7f;
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
    const kr = new ByteReader(e.key, file, e.keyAt);
    // the oracle only warns about a prefix that differs from the section's key group; the section's wins
    if (this.prefix === 1) kr.u8('the key-group prefix');
    else kr.u16('the key-group prefix');
    const kg = expectedKeyGroup;
    const t = this.t;
    if (t.kind === 'TIMER') return this.decodeTimer(kr, kg);
    if (t.backend === 'PRIORITY_QUEUE') {
      // a non-timer priority queue: the element is the key after the prefix, printed as `value`
      const out: DecodedEntry = { keyGroup: kg };
      const c = this.valC;
      if (!c || c.opaque) out.value = rawJson(e.key.subarray(this.prefix), t.value ? typeString(t.value) : 'Unknown');
      else out.value = c.toJson(c.decode(kr));
      return out;
    }
    const keyC = this.keyC;
    const out: DecodedEntry = { keyGroup: kg, key: '' };
    let keyDone = false;
    let nsRaw = false;
    if (!keyC || keyC.opaque) {
      out.key = rawJson(e.key.subarray(this.prefix), t.key ? typeString(t.key) : 'Unknown');
      keyDone = false;
    } else {
      const start = kr.pos;
      out.key = keyC.toJson(keyC.decode(kr));
      if (this.ambiguous) skipVariableIntBytes(kr, kr.pos - start);
      keyDone = true;
      const nsC = this.nsC;
      if (!nsC || nsC.opaque) {
        nsRaw = true;
        if (!this.voidNs) out.namespace = rawJson(e.key.subarray(kr.pos), t.namespace ? typeString(t.namespace) : 'Unknown');
      } else {
        const nsStart = kr.pos;
        const ns = nsC.decode(kr);
        if (this.ambiguous) skipVariableIntBytes(kr, kr.pos - nsStart);
        if (!this.voidNs) out.namespace = nsC.toJson(ns);
      }
    }
    const vr = new ByteReader(e.value, file, 0);
    switch (t.kind) {
      case 'LIST': {
        const c = this.valC;
        if (!c || c.opaque) {
          const listType =
            t.backend === 'KEY_VALUE_V2' ? `List<${t.value ? typeString(t.value) : 'Unknown'}>` : t.stateValue ? typeString(t.stateValue) : 'Unknown';
          out.value = rawJson(e.value, listType);
        } else {
          const parts: string[] = [];
          while (vr.remaining > 0) {
            parts.push(c.toJson(c.decode(vr)));
            if (vr.remaining > 0) vr.u8('the list delimiter');
          }
          out.value = `[${parts.join(',')}]`;
        }
        break;
      }
      case 'MAP': {
        if (keyDone && !nsRaw) {
          const uk = this.ukC;
          if (!uk || !uk.decodableInTail) out.userKey = rawJson(e.key.subarray(kr.pos), t.userKey ? typeString(t.userKey) : 'Unknown');
          else out.userKey = uk.toJson(uk.decode(kr));
        }
        const isNull = vr.bool('the map value null flag');
        if (isNull) out.value = 'null';
        else {
          const c = this.valC;
          if (!c || !c.decodableInTail) out.value = rawJson(e.value.subarray(1), t.value ? typeString(t.value) : 'Unknown');
          else out.value = c.toJson(c.decode(vr));
        }
        break;
      }
      default: {
        const c = this.valC;
        if (!c || !c.decodableInTail) out.value = rawJson(e.value, t.value ? typeString(t.value) : 'Unknown');
        else out.value = c.toJson(c.decode(vr));
      }
    }
    return out;
  }

  private decodeTimer(kr: ByteReader, kg: number): DecodedEntry {
    const ts = kr.i64('the timer timestamp') ^ -0x8000000000000000n;
    const out: DecodedEntry = { keyGroup: kg, key: '' };
    const keyC = this.keyC;
    if (!keyC || keyC.opaque) {
      out.key = rawJson(kr.buf.subarray(kr.pos, kr.end), this.t.key ? typeString(this.t.key) : 'Unknown');
    } else {
      out.key = keyC.toJson(keyC.decode(kr));
      const nsC = this.nsC;
      if (!this.voidNs) {
        if (!nsC || nsC.opaque) out.namespace = rawJson(kr.buf.subarray(kr.pos, kr.end), this.t.namespace ? typeString(this.t.namespace) : 'Unknown');
        else out.namespace = nsC.toJson(nsC.decode(kr));
      }
    }
    out.timestamp = BigInt.asIntN(64, ts).toString();
    return out;
  }
}
