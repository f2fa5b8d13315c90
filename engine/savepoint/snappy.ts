/**
 * snappy-java framed streams (x-snappy-framed, SnappyFramedOutputStream) and raw Snappy blocks.
 * Everything is bounded: a block never produces more than its declared length, and a declared
 * length above the framing limit is rejected before allocating.
 */
import { SavepointFormatError } from './errors';

/** snappy-java's framed block size is 64 KiB; the framing format allows at most 65536 bytes per chunk. */
export const MAX_BLOCK = 65536;

const STREAM_ID = [0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]; // "sNaPpY"

/** Decompresses one raw Snappy block into a new array (at most `maxLength` bytes). */
export function snappyDecompressBlock(src: Uint8Array, file: string, base: number, maxLength = MAX_BLOCK): Uint8Array {
  const fail = (at: number, expected: string, found?: string): never => {
    throw new SavepointFormatError(file, base + at, expected, found);
  };
  // varint uncompressed length
  let len = 0;
  let shift = 0;
  let p = 0;
  for (;;) {
    if (p >= src.length) fail(p, 'the Snappy uncompressed-length varint', 'the end of the block');
    const b = src[p++];
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) fail(p, 'a Snappy length varint of at most 5 bytes');
  }
  if (len > maxLength) fail(0, `a Snappy block of at most ${maxLength} bytes`, `${len} bytes`);
  const out = new Uint8Array(len);
  let o = 0;
  while (p < src.length) {
    const tagAt = p;
    const tag = src[p++];
    const type = tag & 3;
    if (type === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (p + extra > src.length) fail(p, 'a Snappy literal length', 'the end of the block');
        n = 0;
        for (let i = 0; i < extra; i++) n += src[p + i] * 2 ** (8 * i);
        p += extra;
      }
      n += 1;
      if (p + n > src.length) fail(tagAt, `a Snappy literal of ${n} bytes`, `${src.length - p} bytes left`);
      if (o + n > len) fail(tagAt, `at most ${len} uncompressed bytes`, 'a literal beyond the declared length');
      out.set(src.subarray(p, p + n), o);
      p += n;
      o += n;
    } else {
      let n: number;
      let off: number;
      if (type === 1) {
        if (p + 1 > src.length) fail(p, 'a Snappy copy offset', 'the end of the block');
        n = ((tag >>> 2) & 7) + 4;
        off = ((tag >>> 5) << 8) | src[p];
        p += 1;
      } else if (type === 2) {
        if (p + 2 > src.length) fail(p, 'a Snappy copy offset', 'the end of the block');
        n = (tag >>> 2) + 1;
        off = src[p] | (src[p + 1] << 8);
        p += 2;
      } else {
        if (p + 4 > src.length) fail(p, 'a Snappy copy offset', 'the end of the block');
        n = (tag >>> 2) + 1;
        off = (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16)) + src[p + 3] * 0x1000000;
        p += 4;
      }
      if (off === 0 || off > o) fail(tagAt, `a Snappy copy offset between 1 and ${o}`, String(off));
      if (o + n > len) fail(tagAt, `at most ${len} uncompressed bytes`, 'a copy beyond the declared length');
      for (let i = 0; i < n; i++, o++) out[o] = out[o - off];
    }
  }
  if (o !== len) fail(src.length, `${len} uncompressed bytes`, `${o}`);
  return out;
}

/**
 * Decodes an x-snappy-framed stream held in `src` (from `start` to `end`), returning the
 * uncompressed bytes. Chunks are decoded until the end of the range. `maxTotal` caps the output.
 * `base` is the file offset of src[0].
 */
export function snappyFramedDecode(
  src: Uint8Array,
  file: string,
  base: number,
  start = 0,
  end = src.length,
  maxTotal = 256 * 1024 * 1024,
): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = start;
  while (p < end) {
    if (p + 4 > end) throw new SavepointFormatError(file, base + p, 'a Snappy frame header (4 bytes)', `${end - p} bytes left`);
    const type = src[p];
    const len = src[p + 1] | (src[p + 2] << 8) | (src[p + 3] << 16);
    const body = p + 4;
    if (body + len > end) {
      throw new SavepointFormatError(file, base + p, `a Snappy frame of ${len} bytes`, `${end - body} bytes left`);
    }
    if (type === 0xff) {
      if (len !== 6 || STREAM_ID.some((c, i) => src[body + i] !== c)) {
        throw new SavepointFormatError(file, base + p, 'the Snappy stream identifier "sNaPpY"');
      }
    } else if (type === 0x00 || type === 0x01) {
      if (len < 4) throw new SavepointFormatError(file, base + p, 'a Snappy data frame of at least 4 bytes', String(len));
      const data = src.subarray(body + 4, body + len);
      let chunk: Uint8Array;
      if (type === 0x00) {
        chunk = snappyDecompressBlock(data, file, base + body + 4, MAX_BLOCK);
      } else {
        if (data.length > MAX_BLOCK) {
          throw new SavepointFormatError(file, base + p, `an uncompressed Snappy frame of at most ${MAX_BLOCK} bytes`, String(data.length));
        }
        chunk = data;
      }
      total += chunk.length;
      if (total > maxTotal) throw new SavepointFormatError(file, base + p, `at most ${maxTotal} uncompressed bytes`);
      parts.push(chunk);
    } else if (type >= 0x02 && type <= 0x7f) {
      throw new SavepointFormatError(file, base + p, 'a known Snappy frame type', `0x${type.toString(16)}`);
    }
    // 0x80..0xfe: skippable frames (padding etc.)
    p = body + len;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
