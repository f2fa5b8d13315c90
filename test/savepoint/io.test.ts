import assert from 'node:assert/strict';
import { ByteReader, encodeModifiedUtf8, decodeModifiedUtf8 } from '../../engine/savepoint/io';
import { SavepointFormatError } from '../../engine/savepoint/errors';

describe('ByteReader', () => {
  it('reads big-endian numbers and reports file offsets on truncation', () => {
    const r = new ByteReader(Uint8Array.from([0, 0, 0, 7, 1]), 'f.bin', 100);
    assert.equal(r.i32(), 7);
    assert.throws(() => r.i32('the state count'), (e: unknown) => {
      assert.ok(e instanceof SavepointFormatError);
      assert.equal(e.file, 'f.bin');
      assert.equal(e.offset, 104);
      assert.match(e.message, /the state count \(4 bytes\)/);
      return true;
    });
  });

  it('rejects an oversized count without allocating', () => {
    const r = new ByteReader(Uint8Array.from([0x7f, 0xff, 0xff, 0xff]), 'f.bin');
    assert.throws(() => r.count('the operator count', 8), /the operator count between 0 and 0/);
  });

  it('round-trips modified UTF-8 including NUL and supplementary characters', () => {
    const s = 'a\u0000é€😀';
    const enc = encodeModifiedUtf8(s);
    assert.deepEqual(Array.from(enc.subarray(0, 3)), [0x61, 0xc0, 0x80]);
    assert.equal(enc.length, 1 + 2 + 2 + 3 + 6);
    assert.equal(decodeModifiedUtf8(enc, 0, enc.length), s);
  });
});
