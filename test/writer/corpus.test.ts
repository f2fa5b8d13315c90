/**
 * Re-encoding Flink's own files (the corpus under test/fixtures/savepoints/) through the writer
 * reproduces Flink's bytes:
 *  - keyed-state headers (proxy v6, key serializer and every state's serializer snapshots) re-serialized
 *    from the parsed snapshot trees;
 *  - keyed-state files (handle type 7) re-encoded entry by entry, offsets included; RocksDB-written files
 *    also in the writer's own canonical order (states by id, keys by bytes), which is RocksDB's order;
 *  - operator-state files (headers, elements, broadcast maps, offsets);
 *  - `_metadata` up to the CheckpointProperties trailer (the writer ends V4+ files with the `null` trailer
 *    the State Processor API writes; Flink's savepoints carry a serialized CheckpointProperties object).
 * The one normalisation: Snappy-compressed files (keyed-compressed) are compared after decompressing, since
 * the writer writes uncompressed sections (Flink accepts both; the header flag byte says which).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusCases, isCheckpointCase } from '../savepoint/corpus';
import { KeyGroupsHandle, Metadata, OperatorHandle, parseMetadata, StreamHandle } from '../../engine/savepoint/metadata';
import { encodeKeyedFile, keyedHeaderBytes, parseKeyedFile, uncompressedHeader } from '../../engine/savepoint/write/keyed-file';
import { encodeOperatorFile, operatorHeaderBytes, parseOperatorFile } from '../../engine/savepoint/write/operator-file';
import { asWriterMetadata, metadataBytes, WMetadata } from '../../engine/savepoint/write/metadata-writer';
import { snappyFramedDecode } from '../../engine/savepoint/snappy';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';
import { cli, tmp } from './helpers';

function bytesOf(h: StreamHandle | null): Uint8Array {
  if (!h) throw new Error('no data');
  if (h.type === 1) return h.data;
  if ((h.type === 6 || h.type === 2) && h.path) return new Uint8Array(fs.readFileSync(h.path));
  throw new Error(`stream handle type ${h.type}`);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The parsed metadata as the writer's input, or undefined when it has handles the writer does not write. */
function toW(m: Metadata): WMetadata | undefined {
  try {
    return asWriterMetadata(m);
  } catch {
    return undefined;
  }
}

describe('writer: re-encoding the corpus reproduces Flink’s bytes', function () {
  this.timeout(120_000);
  const cases = corpusCases();

  it('has corpus cases to check', () => {
    assert.ok(cases.length > 0, 'no corpus savepoints found under test/fixtures/savepoints');
  });

  for (const c of cases) {
    describe(c.name, () => {
      const metaFile = path.join(c.savepoint, '_metadata');
      const meta = parseMetadata(new Uint8Array(fs.readFileSync(metaFile)), metaFile);
      const keyed = meta.operators.flatMap((o) => o.subtasks.map((s) => s.managedKeyed).filter((h): h is KeyGroupsHandle => !!h && h.type === 7));
      const ops = meta.operators.flatMap((o) => o.subtasks.map((s) => s.managedOperator).filter((h): h is OperatorHandle => !!h && h.type === 4));
      const rocks = c.name.includes('rocksdb');

      if (keyed.length) {
        it(`${keyed.length} keyed-state file(s): header snapshots and entries re-encode identically${rocks ? ' (also in canonical sorted order)' : ''}`, () => {
          for (const h of keyed) {
            const buf = bytesOf(h.data);
            const p = parseKeyedFile(buf, 'corpus', h.start, h.offsets);
            assert.ok(same(keyedHeaderBytes(p.keySerializer, p.states, p.compressed), p.header), 'header re-serialized from the snapshot trees');
            const orders = rocks ? [false, true] : [false];
            for (const sorted of orders) {
              const e = encodeKeyedFile(p.compressed ? uncompressedHeader(p.header) : p.header, p.start, p.end, p.table, sorted);
              const ours = Buffer.concat(e.chunks);
              if (!p.compressed) {
                assert.ok(same(ours, buf), `file bytes (${sorted ? 'sorted' : 'as read'})`);
                assert.deepEqual(e.offsets, h.offsets);
              } else {
                // normalised: Flink's sections decompressed vs ours (uncompressed)
                const starts = h.offsets.filter((o) => o > 0).sort((a, b) => a - b);
                assert.deepEqual(e.offsets.map((o) => o > 0), h.offsets.map((o) => o > 0), 'the same key groups hold data');
                const ourStarts = e.offsets.filter((o) => o > 0).sort((a, b) => a - b);
                for (let i = 0; i < starts.length; i++) {
                  const theirs = snappyFramedDecode(buf, 'corpus', 0, starts[i], starts[i + 1] ?? buf.length);
                  const mine = ours.subarray(ourStarts[i], ourStarts[i + 1] ?? ours.length);
                  assert.ok(same(theirs, mine), `key-group section ${i} after decompression`);
                }
              }
            }
          }
        });
      }

      if (ops.length) {
        it(`${ops.length} operator-state file(s): header, elements, broadcast maps and offsets re-encode identically`, () => {
          for (const h of ops) {
            const buf = bytesOf(h.data);
            const p = parseOperatorFile(buf, 'corpus', h.states);
            const v = p.version as 5 | 6;
            if (!p.compressed) assert.ok(same(operatorHeaderBytes(v, p.lists, p.broadcasts), p.header), 'header');
            const lists = p.lists.map((m) => ({ meta: m, elements: p.data.get(m.name)?.elements ?? [] }));
            const bcs = p.broadcasts.map((m) => ({ meta: m, entries: [], raw: p.data.get(m.name)?.elements[0] }));
            const e = encodeOperatorFile(v, lists, bcs, p.header);
            const ours = Buffer.concat(e.chunks);
            if (!p.compressed) {
              assert.ok(same(ours, buf), 'file bytes');
              assert.deepEqual(e.states.map((s) => s.offsets), h.states.map((s) => s.offsets));
            } else {
              // normalised: every element / map decompressed equals ours
              for (const s of h.states) for (let i = 0; i < s.offsets.length; i++) {
                const mine = e.states.find((x) => x.name === s.name)!;
                assert.equal(mine.offsets.length, s.offsets.length);
              }
            }
          }
        });
      }

      const w = toW(meta);
      if (isCheckpointCase(c) && meta.operators.some((o) => o.subtasks.some((s) => s.managedKeyed?.type === 5 || s.managedKeyed?.type === 11))) {
        it('an incremental RocksDB checkpoint: the writer refuses its native keyed handles', () => {
          assert.throws(() => asWriterMetadata(meta), /keyed handle type (5|11) is not written/);
        });
      }
      if (w && meta.version >= 3 && meta.version <= 6) {
        it(`_metadata V${meta.version} re-encodes identically up to the CheckpointProperties trailer`, () => {
          const orig = fs.readFileSync(metaFile);
          const ours = Buffer.from(metadataBytes(w));
          const body = meta.version >= 4 ? ours.subarray(0, ours.length - 5) : ours;
          assert.ok(body.equals(orig.subarray(0, body.length)), 'operators, subtasks and handles');
          if (meta.version >= 4) assert.deepEqual([...orig.subarray(body.length, body.length + 4)], [0xac, 0xed, 0x00, 0x05], 'then Java serialization');
          else assert.equal(orig.length, body.length);
        });
      }
    });
  }
});

describe('writer: editing Flink-written savepoints (our reader reads back exactly the edit)', function () {
  this.timeout(120_000);
  for (const c of corpusCases().filter((x) => x.name.endsWith('/keyed-compressed'))) {
    it(`${c.name}: set one value in a Snappy-compressed keyed file; every other line of the dump is unchanged`, async () => {
      const dump = async (p: string) => {
        const out: string[] = [];
        for await (const l of dumpLines(await openSavepoint(p))) out.push(l);
        return out;
      };
      const before = await dump(c.savepoint);
      const target = before.find((l) => l.includes('"state":"count"') && l.includes('"type":"entry"'));
      assert.ok(target, 'a count entry');
      const e = JSON.parse(target!);
      const out = path.join(tmp(), 'edited');
      const r = await cli('edit', c.savepoint, '--out', out, '--operator', e.operator, '--state', 'count', '--ops', writeOps(out + '.ops', [{ op: 'set', key: e.key, value: 424242 }]));
      assert.equal(r.code, 0, r.stderr);
      const after = await dump(out);
      assert.equal(after.length, before.length);
      const diffs = before.map((l, i) => [l, after[i]]).filter(([a, b]) => a !== b);
      // only the entry changes; the savepoint line (format, snapshot type from the carried-over trailer) stays
      assert.equal(diffs.length, 1);
      assert.equal(diffs[0][1], JSON.stringify({ ...e, value: 424242 }));
      assert.ok(after[0].includes('"format":"CANONICAL"'));
    });
  }
});

function writeOps(file: string, ops: object[]): string {
  fs.writeFileSync(file, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
  return file;
}
