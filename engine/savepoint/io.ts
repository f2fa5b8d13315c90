import { Limits, SavepointFormatError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A bounds-checked big-endian reader over a byte buffer, as Java's DataInputStream reads.
 * `base` is the file offset of buf[0], so errors report offsets in the file, not in the buffer.
 */
export class ByteReader {
  pos: number;
  /** created on first use (most readers of small keys never need one) */
  private dv?: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
    /** file offset of buf[0]; movable together with `pos`/`end` to reuse one reader over a buffer */
    public base = 0,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
  }

  private get view(): DataView {
    return this.dv ?? (this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
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
    if (!(n >= 0 && this.pos + n <= this.end)) {
      this.fail(`${what} (${n} bytes)`, `${Math.max(0, this.remaining)} bytes left`);
    }
  }

  u8(what = 'a byte'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  i8(what = 'a byte'): number {
    this.need(1, what);
    return (this.buf[this.pos++] << 24) >> 24;
  }

  bool(what = 'a boolean'): boolean {
    return this.u8(what) !== 0;
  }

  i16(what = 'a short'): number {
    this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (((b[p] << 8) | b[p + 1]) << 16) >> 16;
  }

  u16(what = 'an unsigned short'): number {
    this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  i32(what = 'an int'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  /**
   * A long as a JS number when it is a safe integer (|v| < 2^53), else undefined (nothing consumed
   * then either way: the caller falls back to i64). For fast rendering of Long values.
   */
  i64safe(what = 'a long'): number | undefined {
    this.need(8, what);
    const b = this.buf;
    const p = this.pos;
    const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    if (hi > 0x1fffff || hi < -0x200000) return undefined;
    const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    this.pos = p + 8;
    return hi * 4294967296 + lo;
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

  /** Skips `n` bytes with exactly the checks (and messages) of `bytes`. */
  skipBytes(n: number, what = 'bytes'): void {
    if (n > Limits.maxBytes) this.fail(`${what} of at most ${Limits.maxBytes} bytes`, `${n}`);
    this.need(n, what);
    this.pos += n;
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

/** Node's Buffer#utf8Write / latin1Write work on any Uint8Array (undefined outside Node). */
type Writer = (this: Uint8Array, s: string, offset: number, length: number) => number;
const bufferProto = typeof Buffer !== 'undefined' ? (Buffer.prototype as unknown as { utf8Write?: Writer; latin1Write?: Writer }) : undefined;
const utf8Write: Writer | undefined = typeof bufferProto?.utf8Write === 'function' ? bufferProto.utf8Write : undefined;
const utf8Encoder = new TextEncoder();

/**
 * A growable output byte buffer for the dump's hot path: JSON text is written as UTF-8 bytes
 * straight from the input bytes where it can (ASCII strings, integers), without making strings.
 */
export class ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  /** Room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Bytes of a pre-encoded piece. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 24) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    // short pieces: a loop is cheaper than TypedArray#set
    const o = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) o[p++] = b[i];
    this.pos = p;
  }

  /** A string as UTF-8 (any text; lone surrogates become U+FFFD, like every UTF-8 encoder). */
  str(s: string): void {
    const n = s.length;
    this.ensure(3 * n);
    const b = this.buf;
    let p = this.pos;
    let i = 0;
    // short ASCII: a loop beats a native call
    if (n <= 32) {
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        this.pos = p;
        return;
      }
    }
    const rest = i === 0 ? s : s.slice(i);
    if (utf8Write) p += utf8Write.call(b, rest, p, b.length - p);
    else p += utf8Encoder.encodeInto(rest, b.subarray(p)).written;
    this.pos = p;
  }

  /** An integer (a safe one) in decimal, as JavaScript's String(n) writes it. */
  int(v: number): void {
    if (v < 0 || v > 0xffffffff || !Number.isInteger(v)) {
      this.str(String(v));
      return;
    }
    this.ensure(10);
    const b = this.buf;
    if (v < 10) {
      b[this.pos++] = 48 + v;
      return;
    }
    const digits = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    let p = this.pos + digits;
    this.pos = p;
    let x = v;
    while (x >= 10) {
      // v < 2^32: the quotient truncated by an unsigned shift
      const q = (x / 10) >>> 0;
      b[--p] = 48 + (x - q * 10);
      x = q;
    }
    b[--p] = 48 + x;
  }

  /** The bytes written so far (a view; the sink must not be reused while it is in use). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
