// The key groups of a hashmap (heap) backend checkpoint (engine/savepoint/heap.ts), hand-made edge
// cases over the corpus checkpoint-hashmap case (its handles are inline in _metadata): a bad key-group
// id, bad entry counts and a truncated key group are typed errors naming the file, the offset and what
// was expected; the Snappy-compressed layout (each state's block framed on its own) reads the same.
//
//   npx mocha test/savepoint/heap-checkpoint.test.ts
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { heapKeyGroupIndex, isHeapKeyGroups } from '../../engine/savepoint/heap';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';
import { ByteReader } from '../../engine/savepoint/io';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { readKeyedHeader } from '../../engine/savepoint/keyed';
import { KeyGroupsHandle, parseMetadata } from '../../engine/savepoint/metadata';
import { cleanupTemp, snappyFramed, tempDir } from './build';
import { CORPUS_ROOT } from './corpus';

const KEYED = '826c38023c4272520855c3219fef4f3f';

interface Heap {
  metadata: Uint8Array;
  file: string;
  handle: KeyGroupsHandle;
  subtask: number;
  /** the inline handle's bytes and their offset in _metadata */
  data: Uint8Array;
  dataOffset: number;
  /** a key group with entries: its number, offset in data and length */
  kg: number;
  at: number;
  len: number;
}

function heapCase(version: string): Heap {
  const file = path.join(CORPUS_ROOT, `flink-${version}`, 'checkpoint-hashmap', 'savepoint', '_metadata');
  const metadata = new Uint8Array(fs.readFileSync(file));
  const md = parseMetadata(metadata, file);
  const op = md.operators.find((o) => o.id === KEYED)!;
  const st = [...op.subtasks].sort((a, b) => a.index - b.index)[0];
  const handle = st.managedKeyed as KeyGroupsHandle;
  assert.ok(isHeapKeyGroups(handle), 'the corpus checkpoint is in the heap layout');
  assert.ok(handle.data && handle.data.type === 1, 'inline key groups');
  const { data, dataOffset } = handle.data as { data: Uint8Array; dataOffset: number };
  const ends = handle.offsets.map((o, i) => (i + 1 < handle.offsets.length ? handle.offsets[i + 1] : data.length));
  // the largest key group (it has entries of several states)
  let best = 0;
  for (let i = 1; i < handle.offsets.length; i++) if (ends[i] - handle.offsets[i] > ends[best] - handle.offsets[best]) best = i;
  return { metadata, file, handle, subtask: st.index, data, dataOffset, kg: handle.start + best, at: handle.offsets[best], len: ends[best] - handle.offsets[best] };
}

function headerOf(h: Heap) {
  return readKeyedHeader(new ByteReader(h.data, h.file, h.dataOffset));
}

/** The dump of a copy of the case's _metadata with `mutate` applied to the bytes of the chosen key group. */
async function dumpMutated(h: Heap, mutate: (kg: DataView) => void): Promise<{ lines: string[]; file: string }> {
  const bytes = h.metadata.slice();
  mutate(new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset + h.at, h.len));
  const dir = tempDir('fsp-heap-');
  const file = path.join(dir, '_metadata');
  fs.writeFileSync(file, bytes);
  const lines: string[] = [];
  for await (const l of dumpLines(await openSavepoint(dir))) lines.push(l);
  return { lines, file };
}

const errorsOf = (lines: string[]) => lines.filter((l) => l.startsWith('{"type":"error"')).map((l) => JSON.parse(l) as { operator: string; subtask: number; slot: string; message: string });

after(cleanupTemp);

for (const version of ['1.20.3', '2.3.0']) {
  describe(`heap checkpoint key groups (Flink ${version} checkpoint-hashmap)`, () => {
    const h = heapCase(version);
    const header = headerOf(h);
    const kgBytes = h.data.subarray(h.at, h.at + h.len);
    const base = h.dataOffset + h.at;

    it('the chosen key group holds entries of several states', () => {
      const ix = heapKeyGroupIndex(kgBytes, h.file, base, h.kg, false, header.types, 128);
      assert.ok(ix.count > 0);
      assert.ok(new Set(ix.state.subarray(0, ix.count)).size > 1);
    });

    it('a wrong key-group id: an error line for that handle naming the offset', async () => {
      const { lines, file } = await dumpMutated(h, (v) => v.setInt32(0, h.kg + 1));
      const errors = errorsOf(lines);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].operator, KEYED);
      assert.equal(errors[0].slot, 'managedKeyed');
      assert.equal(errors[0].subtask, h.subtask);
      assert.equal(errors[0].message, `${file} at offset ${base}: expected key-group id ${h.kg} (heap checkpoint layout), found ${h.kg + 1}`);
      // the entries of the key groups before it are there, the handle's others not
      assert.ok(lines.some((l) => l.startsWith(`{"type":"entry","operator":"${KEYED}"`)));
    });

    for (const [what, count] of [
      ['negative', -1],
      ['larger than the bytes left', 0x7fffffff],
    ] as const) {
      it(`a bad entry count (${what}): a typed error at the count`, async () => {
        // the first state block: u16 state id, then the i32 count
        const { lines, file } = await dumpMutated(h, (v) => v.setInt32(6, count));
        const errors = errorsOf(lines);
        assert.equal(errors.length, 1);
        assert.match(errors[0].message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at offset ${base + 6}: expected the entry count of state "[^"]+" between 0 and \\d+, found ${count}$`));
      });
    }

    it('a truncated key group: a SavepointFormatError inside the key group, never a crash', () => {
      let cuts = 0;
      for (let n = 0; n < h.len; n += Math.max(1, Math.floor(h.len / 97))) {
        try {
          const ix = heapKeyGroupIndex(kgBytes.subarray(0, n), h.file, base, h.kg, false, header.types, 128);
          // a cut exactly between two state blocks is a shorter, well-formed key group
          assert.ok(ix.count >= 0);
        } catch (e) {
          assert.ok(e instanceof SavepointFormatError, String(e));
          assert.equal(e.file, h.file);
          assert.ok(e.offset >= base && e.offset <= base + n, `offset ${e.offset} inside [${base}, ${base + n}]`);
          cuts++;
        }
      }
      assert.ok(cuts > 0);
    });

    it('an unknown state id: a typed error naming the id', () => {
      const bad = kgBytes.slice();
      new DataView(bad.buffer, bad.byteOffset).setUint16(4, header.types.length);
      assert.throws(
        () => heapKeyGroupIndex(bad, h.file, base, h.kg, false, header.types, 128),
        (e: unknown) => e instanceof SavepointFormatError && e.offset === base + 4 && e.message.includes(`expected a state id below ${header.types.length}`),
      );
    });

    it('compressed: every state block Snappy-framed on its own reads as the plain key group', () => {
      const plain = heapKeyGroupIndex(kgBytes, h.file, base, h.kg, false, header.types, 128);
      // split the blocks after the key-group id at an arbitrary point: two framed streams back to back
      const rest = kgBytes.subarray(4);
      const cut = Math.floor(rest.length / 3);
      const first = snappyFramed(rest.subarray(0, cut));
      const zipped = new ByteWriter().i32(h.kg).bytes(first).bytes(snappyFramed(rest.subarray(cut))).toBytes();
      const z = heapKeyGroupIndex(zipped, h.file, base, h.kg, true, header.types, 128);
      assert.equal(z.count, plain.count);
      for (let i = 0; i < plain.count; i++) {
        assert.deepEqual(z.buf.subarray(z.keyStart[i], z.keyEnd[i]), plain.buf.subarray(plain.keyStart[i], plain.keyEnd[i]));
        assert.deepEqual(z.buf.subarray(z.valStart[i], z.valEnd[i]), plain.buf.subarray(plain.valStart[i], plain.valEnd[i]));
      }
      // a broken stream identifier of the second block: reported where it is
      const broken = zipped.slice();
      broken[4 + first.length + 4] ^= 0xff;
      assert.throws(
        () => heapKeyGroupIndex(broken, h.file, base, h.kg, true, header.types, 128),
        (e: unknown) => e instanceof SavepointFormatError && e.offset === base + 4 + first.length && e.message.includes('the Snappy stream identifier'),
      );
      // a truncated compressed key group: reported at the key group, with the position in the decompressed bytes
      const cutZ = new ByteWriter().i32(h.kg).bytes(snappyFramed(rest.subarray(0, rest.length - 3))).toBytes();
      assert.throws(
        () => heapKeyGroupIndex(cutZ, h.file, base, h.kg, true, header.types, 128),
        (e: unknown) => e instanceof SavepointFormatError && e.offset === base && /of the decompressed key group\)/.test(e.message),
      );
    });
  });
}

describe('heap layout detection (a key-group handle of a checkpoint does not name its backend)', () => {
  /** Subtask 0's keyed handle of `caseName`'s keyed operator, as a checkpoint key-group handle (type 3) over the same bytes. */
  function asCheckpointHandle(version: string, caseName: string): KeyGroupsHandle {
    const file = path.join(CORPUS_ROOT, `flink-${version}`, caseName, 'savepoint', '_metadata');
    const md = parseMetadata(new Uint8Array(fs.readFileSync(file)), file);
    const op = md.operators.find((o) => o.id === KEYED)!;
    const h = [...op.subtasks].sort((a, b) => a.index - b.index)[0].managedKeyed as KeyGroupsHandle;
    // only the key groups that hold data, so that no offset is 0 either way
    const firstUsed = h.offsets.findIndex((o) => o !== 0);
    assert.ok(firstUsed >= 0, `${caseName} has keyed data`);
    return { ...h, type: 3, start: h.start + firstUsed, offsets: [h.offsets[firstUsed]] };
  }

  for (const version of ['1.20.3', '2.3.0']) {
    it(`${version}: heap checkpoint key groups are recognised by their leading key-group id`, () => {
      assert.ok(isHeapKeyGroups(asCheckpointHandle(version, 'checkpoint-hashmap')));
    });

    it(`${version}: canonical key groups (what a full RocksDB checkpoint writes) are not taken for the heap layout, even with no offset at 0`, () => {
      for (const c of ['keyed-rocksdb', 'keyed-hashmap', 'keyed-compressed']) {
        assert.equal(isHeapKeyGroups(asCheckpointHandle(version, c)), false, c);
      }
    });
  }
});
