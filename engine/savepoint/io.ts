import { Limits, SavepointFormatError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A bounds-checked big-endian reader over a byte buffer, as Java's DataInputStream reads.
 * `base` is the file offset of buf[0], so errors report offsets in the file, not in the buffer.
 */
export class ByteReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
    readonly base = 0,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** File offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(expected: string, found?: string, at = this.offset): never {
    throw new SavepointFormatError(this.file, at, expected, found);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      this.fail(`${what} (${n} bytes)`, `${Math.max(0, this.remaining)} bytes left`);
    }
  }

  u8(what = 'a byte'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  i8(what = 'a byte'): number {
    this.need(1, what);
    return this.view.getInt8(this.pos++);
  }

  bool(what = 'a boolean'): boolean {
    return this.u8(what) !== 0;
  }

  i16(what = 'a short'): number {
    this.need(2, what);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  u16(what = 'an unsigned short'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  i32(what = 'an int'): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  i64(what = 'a long'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A long that must fit a JS number safely (offsets, sizes). */
  i64n(what = 'a long'): number {
    const at = this.offset;
    const v = this.i64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.fail(what, v.toString(), at);
    }
    return Number(v);
  }

  f32(what = 'a float'): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what = 'a double'): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A non-negative count, bounded by `max` and by the bytes left (each item takes >= minItemBytes). */
  count(what: string, minItemBytes = 0, max: number = Limits.maxCount): number {
    const at = this.offset;
    const n = this.i32(what);
    if (n < 0 || n > max || n * minItemBytes > this.remaining) {
      this.fail(`${what} between 0 and ${Math.min(max, minItemBytes ? Math.floor(this.remaining / minItemBytes) : max)}`, String(n), at);
    }
    return n;
  }

  /** `n` raw bytes (a view, not a copy). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    if (n > Limits.maxBytes) this.fail(`${what} of at most ${Limits.maxBytes} bytes`, `${n}`);
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** i32 length + bytes, as Flink writes byte[] (BytePrimitiveArraySerializer) and key/value pairs. */
  lenBytes(what = 'a length-prefixed byte string'): Uint8Array {
    const at = this.offset;
    const n = this.i32(`the length of ${what}`);
    if (n < 0) this.fail(`a non-negative length of ${what}`, String(n), at);
    return this.bytes(n, what);
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Java's DataInput.readUTF: u16 byte length + modified UTF-8. */
  utf(what = 'a modified-UTF-8 string'): string {
    const at = this.offset;
    const n = this.u16(`the length of ${what}`);
    this.need(n, what);
    const s = decodeModifiedUtf8(this.buf, this.pos, this.pos + n);
    if (s === undefined) this.fail(`${what} in modified UTF-8`, 'malformed bytes', at + 2);
    this.pos += n;
    return s;
  }

  /** A sub-reader over the next `n` bytes; this reader skips them. */
  slice(n: number, what = 'a section'): ByteReader {
    this.need(n, what);
    const r = new ByteReader(this.buf, this.file, this.base, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Fails unless every byte was consumed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) this.fail(`the end of ${what}`, `${this.end - this.pos} more bytes`);
  }
}

/** Decodes Java modified UTF-8 into a JS string; undefined when malformed. */
export function decodeModifiedUtf8(b: Uint8Array, start: number, end: number): string | undefined {
  // Fast path: pure ASCII (no zero bytes: modified UTF-8 never writes 0x00).
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (b[i] >= 0x80 || b[i] === 0) {
      ascii = false;
      break;
    }
  }
  if (ascii) return end - start < 64 ? String.fromCharCode(...b.subarray(start, end)) : utf8.decode(b.subarray(start, end));
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      if (c === 0) return undefined;
      units.push(c);
      i += 1;
    } else if ((c & 0xe0) === 0xc0) {
      if (i + 1 >= end || (b[i + 1] & 0xc0) !== 0x80) return undefined;
      units.push(((c & 0x1f) << 6) | (b[i + 1] & 0x3f));
      i += 2;
    } else if ((c & 0xf0) === 0xe0) {
      if (i + 2 >= end || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) return undefined;
      units.push(((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f));
      i += 3;
    } else {
      return undefined;
    }
  }
  let s = '';
  for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
  return s;
}

/** Encodes a JS string as Java modified UTF-8 (no length prefix). */
export function encodeModifiedUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0x01 && u <= 0x7f) out.push(u);
    else if (u <= 0x7ff) out.push(0xc0 | (u >> 6), 0x80 | (u & 0x3f));
    else out.push(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
  }
  return Uint8Array.from(out);
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

export function fromHex(h: string): Uint8Array {
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new Error(`not a hex string: ${h.slice(0, 40)}`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Unsigned lexicographic comparison, shorter first on a common prefix. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
