import { encodeModifiedUtf8 } from './io';

/** A growable big-endian byte buffer, as Java's DataOutputStream writes. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(Math.max(8, initial));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  i8(v: number): this {
    return this.u8(v);
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  i16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.length, v);
    this.length += 2;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
    return this;
  }

  i64(v: bigint | number): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, BigInt(v)));
    this.length += 8;
    return this;
  }

  f32(v: number): this {
    this.ensure(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** i32 length + bytes. */
  lenBytes(b: Uint8Array): this {
    return this.i32(b.length).bytes(b);
  }

  /** Java's DataOutput.writeUTF: u16 byte length + modified UTF-8. */
  utf(s: string): this {
    const enc = encodeModifiedUtf8(s);
    if (enc.length > 0xffff) throw new RangeError(`string too long for writeUTF: ${enc.length} bytes`);
    return this.u16(enc.length).bytes(enc);
  }

  /** Unsigned LEB128-style varint (7 bits per byte, low group first), as StringValue and Avro block counts use. */
  varUint(v: number): this {
    let x = v;
    while (x >= 0x80) {
      this.u8((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    return this.u8(x);
  }

  /** A copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
