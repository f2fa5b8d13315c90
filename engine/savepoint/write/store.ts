/**
 * A compact entry store for bootstrapping millions of keys: composite keys and values are encoded
 * into one growing byte arena; entries live in typed arrays and are deduplicated by (state, key bytes)
 * through an open-addressing hash table — no per-entry JavaScript objects.
 */
import { encodeModifiedUtf8 } from '../io';

/** The byte sink the encoders write to (ByteWriter satisfies it too). */
export interface Sink {
  length: number;
  u8(v: number): unknown;
  i8(v: number): unknown;
  bool(v: boolean): unknown;
  i16(v: number): unknown;
  u16(v: number): unknown;
  i32(v: number): unknown;
  i64(v: bigint | number): unknown;
  f32(v: number): unknown;
  f64(v: number): unknown;
  bytes(b: Uint8Array): unknown;
  lenBytes(b: Uint8Array): unknown;
  utf(s: string): unknown;
  varUint(v: number): unknown;
}

/** A growable big-endian byte buffer whose bytes stay addressable (buf) while it grows. */
export class Arena implements Sink {
  buf: Buffer;
  private view: DataView;
  length = 0;

  constructor(initial = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }
  i8(v: number): void {
    this.u8(v);
  }
  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }
  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.length, v);
    this.length += 2;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }
  i64(v: bigint | number): void {
    this.ensure(8);
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      this.view.setInt32(this.length, Math.floor(v / 4294967296));
      this.view.setUint32(this.length + 4, v >>> 0);
    } else this.view.setBigInt64(this.length, BigInt.asIntN(64, BigInt(v)));
    this.length += 8;
  }
  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  lenBytes(b: Uint8Array): void {
    this.i32(b.length);
    this.bytes(b);
  }
  utf(s: string): void {
    const e = encodeModifiedUtf8(s);
    this.u16(e.length);
    this.bytes(e);
  }
  varUint(v: number): void {
    let x = v;
    while (x >= 0x80) {
      this.u8((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    this.u8(x);
  }
}

function grow(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/**
 * Entries (key group, state id, composite key, value segments). A key is written into the arena, then
 * `commitKey` either finds the existing entry with the same state and bytes (and rolls the arena back)
 * or creates one. Values are chains of arena segments (lists have several, joined by ',').
 */
export class EntryStore {
  readonly arena = new Arena();
  n = 0;
  private cap = 1 << 16;
  kg = new Int32Array(this.cap);
  state = new Int32Array(this.cap);
  keyOff = new Int32Array(this.cap);
  keyLen = new Int32Array(this.cap);
  /** first / last value segment (−1 = removed) */
  head = new Int32Array(this.cap);
  tail = new Int32Array(this.cap);
  private segs = 0;
  private segCap = 1 << 16;
  segOff = new Int32Array(this.segCap);
  segLen = new Int32Array(this.segCap);
  segNext = new Int32Array(this.segCap);
  private table = new Int32Array(1 << 18).fill(-1);
  private mask = (1 << 18) - 1;

  private hash(off: number, len: number, state: number): number {
    const b = this.arena.buf;
    let h = (0x811c9dc5 ^ Math.imul(state, 0x9e3779b1)) | 0;
    for (let i = off, e = off + len; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    // murmur3 fmix32: spread FNV's weak low bits before masking
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  private equal(slot: number, off: number, len: number, state: number): boolean {
    if (this.state[slot] !== state || this.keyLen[slot] !== len) return false;
    const o = this.keyOff[slot];
    const b = this.arena.buf;
    for (let i = 0; i < len; i++) if (b[o + i] !== b[off + i]) return false;
    return true;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let s = 0; s < this.n; s++) {
      let i = this.hash(this.keyOff[s], this.keyLen[s], this.state[s]) & this.mask;
      while (this.table[i] !== -1) i = (i + 1) & this.mask;
      this.table[i] = s;
    }
  }

  /** The key's bytes are arena[keyStart, arena.length). Returns the entry's slot; `created` tells whether it is new. */
  commitKey(kg: number, state: number, keyStart: number): { slot: number; created: boolean } {
    const len = this.arena.length - keyStart;
    let i = this.hash(keyStart, len, state) & this.mask;
    for (;;) {
      const s = this.table[i];
      if (s === -1) break;
      if (this.equal(s, keyStart, len, state)) {
        this.arena.length = keyStart; // the bytes are already stored
        return { slot: s, created: false };
      }
      i = (i + 1) & this.mask;
    }
    if (this.n === this.cap) {
      this.cap *= 2;
      this.kg = grow(this.kg, this.cap);
      this.state = grow(this.state, this.cap);
      this.keyOff = grow(this.keyOff, this.cap);
      this.keyLen = grow(this.keyLen, this.cap);
      this.head = grow(this.head, this.cap);
      this.tail = grow(this.tail, this.cap);
    }
    const slot = this.n++;
    this.kg[slot] = kg;
    this.state[slot] = state;
    this.keyOff[slot] = keyStart;
    this.keyLen[slot] = len;
    this.head[slot] = -1;
    this.tail[slot] = -1;
    this.table[i] = slot;
    if (this.n * 2 > this.table.length) this.rehash();
    return { slot, created: true };
  }

  private seg(off: number, len: number): number {
    if (this.segs === this.segCap) {
      this.segCap *= 2;
      this.segOff = grow(this.segOff, this.segCap);
      this.segLen = grow(this.segLen, this.segCap);
      this.segNext = grow(this.segNext, this.segCap);
    }
    const s = this.segs++;
    this.segOff[s] = off;
    this.segLen[s] = len;
    this.segNext[s] = -1;
    return s;
  }

  /** Value (or map entry): replaces the value with arena[valStart, arena.length). */
  setValue(slot: number, valStart: number): void {
    const s = this.seg(valStart, this.arena.length - valStart);
    this.head[slot] = s;
    this.tail[slot] = s;
  }

  /** List element: appends arena[valStart, arena.length). */
  append(slot: number, valStart: number): void {
    const s = this.seg(valStart, this.arena.length - valStart);
    if (this.head[slot] === -1) this.head[slot] = s;
    else this.segNext[this.tail[slot]] = s;
    this.tail[slot] = s;
  }

  remove(slot: number): void {
    this.head[slot] = -1;
    this.tail[slot] = -1;
  }

  /** Byte length of the stored value (list elements joined by one delimiter byte). */
  valueLength(slot: number): number {
    let n = -1;
    for (let s = this.head[slot]; s !== -1; s = this.segNext[s]) n += this.segLen[s] + 1;
    return n;
  }
}

const FLAG = 0x80;

/**
 * Header + key-group sections for key groups start..end from the store: states by id, entries of a
 * state in insertion order, flag on the last entry of each run, 0xFFFF after each key group.
 */
export function encodeStoreFile(header: Uint8Array, start: number, end: number, st: EntryStore, states: number): { chunks: Uint8Array[]; size: number; offsets: number[] } {
  // counting sort of the live entries of this range by (key group, state)
  const groups = (end - start + 1) * states;
  const counts = new Int32Array(groups + 1);
  const n = st.n;
  const kgs = st.kg;
  const sts = st.state;
  const heads = st.head;
  const kls = st.keyLen;
  const sl = st.segLen;
  const sn = st.segNext;
  for (let s = 0; s < n; s++) {
    const kg = kgs[s];
    if (kg < start || kg > end || heads[s] === -1) continue;
    counts[(kg - start) * states + sts[s] + 1]++;
  }
  for (let g = 0; g < groups; g++) counts[g + 1] += counts[g];
  const order = new Int32Array(counts[groups]);
  const fill = counts.slice(0, groups);
  let size = header.length;
  for (let s = 0; s < n; s++) {
    const kg = kgs[s];
    if (kg < start || kg > end || heads[s] === -1) continue;
    order[fill[(kg - start) * states + sts[s]]++] = s;
  }
  // sizes
  const offsets: number[] = [];
  for (let kg = start; kg <= end; kg++) {
    const g0 = (kg - start) * states;
    if (counts[g0 + states] === counts[g0]) {
      offsets.push(0);
      continue;
    }
    offsets.push(size);
    for (let sid = 0; sid < states; sid++) {
      const from = counts[g0 + sid];
      const to = counts[g0 + sid + 1];
      if (to === from) continue;
      size += 2;
      for (let i = from; i < to; i++) {
        const s = order[i];
        let vl = -1;
        for (let g = heads[s]; g !== -1; g = sn[g]) vl += sl[g] + 1;
        size += 8 + kls[s] + vl;
      }
    }
    size += 2;
  }
  const out = new Uint8Array(size);
  out.set(header, 0);
  let p = header.length;
  const a = st.arena.buf;
  const keyOff = st.keyOff;
  const keyLen = st.keyLen;
  const segOff = st.segOff;
  const segLen = st.segLen;
  const segNext = st.segNext;
  const head = st.head;
  for (let kg = start; kg <= end; kg++) {
    const g0 = (kg - start) * states;
    if (counts[g0 + states] === counts[g0]) continue;
    for (let sid = 0; sid < states; sid++) {
      const from = counts[g0 + sid];
      const to = counts[g0 + sid + 1];
      if (to === from) continue;
      out[p++] = sid >>> 8;
      out[p++] = sid & 0xff;
      for (let i = from; i < to; i++) {
        const s = order[i];
        const kl = keyLen[s];
        out[p++] = kl >>> 24;
        out[p++] = (kl >>> 16) & 0xff;
        out[p++] = (kl >>> 8) & 0xff;
        out[p++] = kl & 0xff;
        const ko = keyOff[s];
        if (kl > 64) out.set(a.subarray(ko, ko + kl), p);
        else for (let j = 0; j < kl; j++) out[p + j] = a[ko + j];
        if (i === to - 1) out[p] |= FLAG;
        p += kl;
        let vl = -1;
        for (let g = head[s]; g !== -1; g = segNext[g]) vl += segLen[g] + 1;
        out[p++] = vl >>> 24;
        out[p++] = (vl >>> 16) & 0xff;
        out[p++] = (vl >>> 8) & 0xff;
        out[p++] = vl & 0xff;
        let first = true;
        for (let g = head[s]; g !== -1; g = segNext[g]) {
          if (!first) out[p++] = 0x2c;
          first = false;
          const so = segOff[g];
          const sl = segLen[g];
          if (sl > 64) out.set(a.subarray(so, so + sl), p);
          else for (let j = 0; j < sl; j++) out[p + j] = a[so + j];
          p += sl;
        }
      }
    }
    out[p++] = 0xff;
    out[p++] = 0xff;
  }
  if (p !== size) throw new Error(`internal: keyed file size ${p} != ${size}`);
  return { chunks: [out], size, offsets };
}
