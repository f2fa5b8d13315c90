/**
 * Operator IDs from uids (murmur3_x64_128, seed 0, as Guava computes it) and key-group math
 * (Flink's KeyGroupRangeAssignment with its 32-bit murmur finalizer). See savepoint-format.md §8, §9.
 */

const M64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  k ^= k >> 33n;
  return k;
}

function le64(b: Uint8Array, at: number, n = 8): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

/** murmur3_x64_128 with seed 0; returns the 16 hash bytes (h1 little-endian, then h2 little-endian). */
export function murmur3x64_128(data: Uint8Array, seed = 0): Uint8Array {
  let h1 = BigInt(seed) & M64;
  let h2 = BigInt(seed) & M64;
  const blocks = Math.floor(data.length / 16);
  for (let i = 0; i < blocks; i++) {
    let k1 = le64(data, i * 16);
    let k2 = le64(data, i * 16 + 8);
    k1 = (k1 * C1) & M64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & M64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & M64;
    h1 = (h1 * 5n + 0x52dce729n) & M64;
    k2 = (k2 * C2) & M64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & M64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & M64;
    h2 = (h2 * 5n + 0x38495ab5n) & M64;
  }
  const tail = blocks * 16;
  const rest = data.length - tail;
  if (rest > 8) {
    let k2 = le64(data, tail + 8, rest - 8);
    k2 = (k2 * C2) & M64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & M64;
    h2 ^= k2;
  }
  if (rest > 0) {
    let k1 = le64(data, tail, Math.min(rest, 8));
    k1 = (k1 * C1) & M64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & M64;
    h1 ^= k1;
  }
  const len = BigInt(data.length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i] = Number((h1 >> BigInt(8 * i)) & 0xffn);
    out[8 + i] = Number((h2 >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

/** The OperatorID Flink derives from `uid(s)`: 32 lowercase hex digits. */
export function operatorIdFromUid(uid: string): string {
  const bytes = murmur3x64_128(new TextEncoder().encode(uid));
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Flink's MathUtils.murmurHash(int): the 32-bit finalizer applied before `mod maxParallelism`. */
export function flinkMurmur(code: number): number {
  let h = code | 0;
  h = Math.imul(h, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  h |= 0;
  if (h >= 0) return h;
  if (h !== -0x80000000) return -h;
  return 0;
}

/** KeyGroupRangeAssignment.computeKeyGroupForKeyHash. */
export function keyGroupForHash(javaHash: number, maxParallelism: number): number {
  if (!Number.isInteger(maxParallelism) || maxParallelism <= 0) throw new RangeError(`bad max parallelism ${maxParallelism}`);
  return flinkMurmur(javaHash) % maxParallelism;
}

/** Key-group range [start, end] of subtask `i` (KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex). */
export function keyGroupRange(subtask: number, parallelism: number, maxParallelism: number): { start: number; end: number } {
  if (parallelism <= 0 || maxParallelism <= 0 || subtask < 0 || subtask >= parallelism) {
    throw new RangeError(`bad subtask ${subtask} of parallelism ${parallelism}/${maxParallelism}`);
  }
  const start = Math.floor((subtask * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((subtask + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

/** Number of key-group prefix bytes in composite keys (CompositeKeySerializationUtils). */
export function keyGroupPrefixBytes(maxParallelism: number): number {
  return maxParallelism > 128 ? 2 : 1;
}

export type KeyType = 'String' | 'Integer' | 'Long' | 'Boolean' | 'Short' | 'Byte' | 'Character' | 'Double' | 'Float';

const f64buf = new DataView(new ArrayBuffer(8));

function longHash(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

/** Java's hashCode() of a boxed key. Tuples: pass `keyType` as an array of element types. */
export function javaHashCode(value: unknown, keyType: KeyType | string | (KeyType | string)[]): number {
  if (Array.isArray(keyType)) {
    if (!Array.isArray(value) || value.length !== keyType.length) throw new TypeError(`a tuple of ${keyType.length} fields expected`);
    let h = 1;
    // Flink's TupleN.hashCode(): result = 31 * result + hash(f_i), starting from hash(f0)
    h = value.length === 0 ? 0 : hashOrZero(value[0], keyType[0]);
    for (let i = 1; i < value.length; i++) h = (Math.imul(31, h) + hashOrZero(value[i], keyType[i])) | 0;
    return h;
  }
  switch (keyType) {
    case 'String': {
      const s = String(value);
      let h = 0;
      for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
      return h;
    }
    case 'Integer':
    case 'Short':
    case 'Byte':
      return Number(value) | 0;
    case 'Character':
      return typeof value === 'string' ? value.charCodeAt(0) : Number(value) & 0xffff;
    case 'Long':
      return longHash(BigInt(value as bigint | number | string));
    case 'Boolean':
      return value === true || value === 'true' ? 1231 : 1237;
    case 'Double': {
      let d = Number(value);
      if (Number.isNaN(d)) d = NaN; // canonical NaN, as doubleToLongBits
      f64buf.setFloat64(0, d);
      if (Number.isNaN(d)) return longHash(0x7ff8000000000000n);
      return longHash(f64buf.getBigInt64(0));
    }
    case 'Float': {
      const f = Number(value);
      if (Number.isNaN(f)) return 0x7fc00000;
      f64buf.setFloat32(0, f);
      return f64buf.getInt32(0);
    }
    default:
      throw new TypeError(`cannot compute the hash code of a ${keyType} key`);
  }
}

function hashOrZero(v: unknown, t: KeyType | string): number {
  return v === null || v === undefined ? 0 : javaHashCode(v, t);
}
