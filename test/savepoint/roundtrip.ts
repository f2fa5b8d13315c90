/** Value-codec helpers shared by the codec tests. */
import { strict as assert } from 'assert';
import { ByteReader, fromHex, toHex } from '../../engine/savepoint/io';
import { SerializerSnapshot } from '../../engine/savepoint/serializers';
import { codecFor, encodeWith } from '../../engine/savepoint/values';

/** Hex with any whitespace in it, as bytes. */
export const hex = (h: string): Uint8Array => fromHex(h.replace(/\s+/g, ''));

/** Decodes all the bytes (hex or raw), checks that re-encoding gives the same bytes, returns the JSON. */
export function roundTrip(s: SerializerSnapshot, bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? hex(bytes) : bytes;
  const c = codecFor(s);
  const r = new ByteReader(b, 'test');
  const v = c.decode(r);
  r.expectEnd('the value');
  assert.equal(toHex(encodeWith(c, v)), toHex(b), `re-encoding ${c.type}`);
  return c.toJson(v);
}
