// The key-group sort of the dump order (sortRunByKey: MSD radix over composite key bytes) against a
// plain comparison sort of the same keys, on seeded random keys shaped to reach every branch:
// shared prefixes, keys that are prefixes of others, equal leading columns, the flag bit, and large runs.
import assert from 'node:assert/strict';
import { sortRunByKey } from '../../engine/savepoint/index';
import type { SectionIndex } from '../../engine/savepoint/keyed';
import { random01 } from './random';

const rng = random01;

/** A section index over the given keys (values empty); byte 0 may carry the meta-data-follows bit. */
function indexOf(keys: Uint8Array[]): SectionIndex {
  const total = keys.reduce((n, k) => n + k.length, 0);
  const buf = new Uint8Array(total);
  const n = keys.length;
  const ix: SectionIndex = {
    buf, file: 'mem', base: 0, count: n,
    state: new Uint16Array(n), keyStart: new Int32Array(n), keyEnd: new Int32Array(n), valStart: new Int32Array(n), valEnd: new Int32Array(n),
  };
  let at = 0;
  keys.forEach((k, i) => {
    buf.set(k, at);
    ix.keyStart[i] = at;
    ix.keyEnd[i] = at + k.length;
    ix.valStart[i] = ix.valEnd[i] = at + k.length;
    at += k.length;
  });
  return ix;
}

/** The contract: unsigned bytes, first byte without the flag bit, a prefix first. */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (i === 0 ? a[i] & 0x7f : a[i]) - (i === 0 ? b[i] & 0x7f : b[i]);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function check(keys: Uint8Array[]) {
  const ix = indexOf(keys);
  const run = keys.map((_, i) => i);
  const got = sortRunByKey(ix, run);
  const want = run.slice().sort((x, y) => compareKeys(keys[x], keys[y]));
  assert.equal(got.length, keys.length);
  assert.deepEqual(got.map((i) => Buffer.from(keys[i]).toString('hex')), want.map((i) => Buffer.from(keys[i]).toString('hex')));
}

/** unique keys from a generator */
function uniqueKeys(n: number, make: () => Uint8Array): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  while (out.length < n) {
    const k = make();
    const h = Buffer.from(k).toString('hex');
    if (seen.has(h)) continue;
    seen.add(h);
    out.push(k);
  }
  return out;
}

describe('key-group sort (dump order)', () => {
  it('String-like keys: a common prefix, varying lengths, in hash order (like the heap backend)', () => {
    const r = rng(7);
    const keys = uniqueKeys(5000, () => {
      const s = `user-${Math.floor(r() * 1e6)}`;
      return Uint8Array.from([17, s.length, ...Buffer.from(s)]);
    });
    check(keys);
  });

  it('keys that are prefixes of others, zero bytes, and the flag bit on some first bytes', () => {
    const r = rng(11);
    const keys = uniqueKeys(1000, () => {
      const len = 1 + Math.floor(r() * 7); // 5461 distinct keys (x2 flag bit) to draw 1000 from
      const k = new Uint8Array(len);
      k[0] = 3 | (r() < 0.3 ? 0x80 : 0);
      for (let i = 1; i < len; i++) k[i] = r() < 0.5 ? 0 : Math.floor(r() * 4);
      return k;
    });
    // the flag bit makes two byte strings equal keys: keep one of each
    const byMasked = new Map<string, Uint8Array>();
    for (const k of keys) byMasked.set(Buffer.from([k[0] & 0x7f, ...k.subarray(1)]).toString('hex'), k);
    check([...byMasked.values()]);
  });

  it('long shared prefixes and all 256 byte values in one column', () => {
    const r = rng(13);
    const prefix = Array.from({ length: 300 }, (_, i) => i & 0xff);
    const keys = uniqueKeys(2000, () => Uint8Array.from([5, ...prefix, Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 3)]));
    check(keys);
  });

  it('small runs, an already sorted run and a reversed run', () => {
    const r = rng(17);
    for (let n = 0; n < 40; n++) check(uniqueKeys(n, () => Uint8Array.from([1, Math.floor(r() * 256), Math.floor(r() * 256)])));
    const sorted = Array.from({ length: 1000 }, (_, i) => Uint8Array.from([2, i >> 8, i & 0xff]));
    check(sorted);
    check(sorted.slice().reverse());
  });

  it('adversarial keys branching at every column stay within bounded recursion', () => {
    // key i = i bytes of 0x61 then 0x62: every column splits one key off
    const keys = Array.from({ length: 400 }, (_, i) => Uint8Array.from([9, ...new Array(i).fill(0x61), 0x62])).reverse();
    check(keys);
  });
});
