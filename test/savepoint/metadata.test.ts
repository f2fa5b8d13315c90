/** `_metadata` parsing: every handle type, finished markers, channel state, V2, the properties trailer. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { ByteReader } from '../../engine/savepoint/io';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { KeyGroupsHandle, parseMetadata } from '../../engine/savepoint/metadata';
import { readJavaObject } from '../../engine/savepoint/javaser';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';
import { cleanupTemp, tempDir } from './build';
import { corpusCases, isCheckpointCase } from './corpus';

const ID = '00112233445566778899aabbccddeeff';

function header(w: ByteWriter, version: number, operators: number): void {
  w.i32(0x4960672d).i32(version).i64(5n).i32(0).i32(operators);
}

function opHead(w: ByteWriter, version: number, id = ID): void {
  if (version >= 5) w.utf('name').utf('');
  for (let i = 0; i < 16; i++) w.u8(parseInt(id.slice(2 * i, 2 * i + 2), 16));
  w.i32(2).i32(128);
}

function relative(w: ByteWriter, name: string, size: number): void {
  w.u8(6).utf(name).i64(BigInt(size));
}

function subtaskTail(w: ByteWriter, version: number): void {
  if (version >= 3) w.i32(0).i32(0);
  if (version >= 7) w.u8(1).i64(99n);
}

/** One operator with subtask 0 carrying `managedKeyed` written by `keyed`, and a raw keyed handle on subtask 1. */
function withKeyed(version: number, keyed: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  header(w, version, 1);
  opHead(w, version);
  if (version >= 3) w.u8(0);
  else w.i32(1);
  w.i32(2);
  // subtask 0
  w.i32(0);
  if (version === 2) w.i64(0n).i32(0);
  w.i32(0).i32(0);
  keyed(w);
  w.u8(0);
  subtaskTail(w, version);
  // subtask 1: raw keyed state (key groups, -1 for missing)
  w.i32(1);
  if (version === 2) w.i64(0n).i32(0);
  w.i32(0).i32(0).u8(0);
  w.u8(3).i32(64).i32(2).i64(-1n).i64(10n);
  relative(w, 'raw-1', 100);
  subtaskTail(w, version);
  if (version >= 4) w.bytes(Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x70]));
  return w.toBytes();
}

const handleWriters: Record<string, (w: ByteWriter) => void> = {
  'type 3 (key groups, checkpoint)': (w) => {
    w.u8(3).i32(0).i32(2).i64(0n).i64(40n);
    relative(w, 'f', 80);
  },
  'type 12 (key groups V2)': (w) => {
    // a key group at offset 0 (no data): a full RocksDB checkpoint's layout, skipped (the heap layout, every
    // offset non-zero, is read: heap-checkpoint.test.ts)
    w.u8(12).i32(0).i32(2).i64(0n).i64(40n);
    w.u8(2).i64(80n).utf('file:/tmp/x/f');
    w.utf('handle-id');
  },
  'type 5 (incremental)': (w) => {
    w.u8(5).i64(3n).utf('backend').i32(0).i32(64);
    relative(w, 'meta', 10);
    w.i32(1).utf('000001.sst');
    relative(w, 'sst', 1000);
    w.i32(0);
  },
  'type 11 (incremental V2)': (w) => {
    w.u8(11).i64(3n).utf('backend').i32(0).i32(64).i64(1010n);
    w.u8(1).utf('meta').i32(3).bytes(Uint8Array.from([1, 2, 3]));
    w.i32(0);
    w.i32(2).utf('MANIFEST-000004');
    relative(w, 'm', 7);
    w.utf('CURRENT');
    w.u8(15).i64(0n).i64(16n).i32(0).utf('file:/tmp/seg').utf('logical');
    w.utf('handle-id');
  },
  'type 8 (changelog) nesting 9 and 10': (w) => {
    w.u8(8).i32(0).i32(64).i64(50n);
    w.i32(1);
    w.u8(12).i32(0).i32(1).i64(0n).u8(16).utf('hid');
    w.i32(2);
    w.u8(9).i32(0).i32(64).i64(1n).i64(2n).i32(1).i32(3).i32(2).u8(7).u8(8).utf('hid');
    w.u8(10).i32(0).i32(64).i32(1).i64(0n);
    relative(w, 'log', 30);
    w.i64(30n).i64(30n).utf('hid');
    w.i64(4n).utf('hid');
  },
  'type 14 (changelog V2) nesting 13': (w) => {
    w.u8(14).i32(0).i32(64).i64(50n);
    w.i32(0);
    w.i32(1);
    w.u8(13).i32(0).i32(64).i32(0).i64(0n).i64(0n).utf('hid').utf('filesystem');
    w.i64(4n).i64(5n).utf('hid');
  },
};

const expectedHandle: Record<string, string> = {
  'type 3 (key groups, checkpoint)': 'keyGroups',
  'type 12 (key groups V2)': 'keyGroups',
  'type 5 (incremental)': 'incremental',
  'type 11 (incremental V2)': 'incremental',
  'type 8 (changelog) nesting 9 and 10': 'changelog',
  'type 14 (changelog V2) nesting 13': 'changelog',
};

async function dumpOf(bytes: Uint8Array): Promise<string[]> {
  const dir = tempDir('fsp-md-');
  fs.writeFileSync(path.join(dir, '_metadata'), bytes);
  const out: string[] = [];
  for await (const l of dumpLines(await openSavepoint(dir))) out.push(l);
  return out;
}

describe('_metadata handles', () => {
  for (const [name, write] of Object.entries(handleWriters)) {
    for (const version of [3, 4, 6, 7]) {
      it(`V${version}: ${name} parses to the end and is listed as skipped`, async () => {
        const bytes = withKeyed(version, write);
        const md = parseMetadata(bytes, '/sp/_metadata');
        assert.equal(md.operators.length, 1);
        assert.equal(md.operators[0].subtasks.length, 2);
        const lines = await dumpOf(bytes);
        const skipped = lines.filter((l) => l.startsWith('{"type":"skipped"'));
        assert.deepEqual(skipped, [
          `{"type":"skipped","operator":"${ID}","subtask":0,"slot":"managedKeyed","handle":"${expectedHandle[name]}","reason":"${
            { keyGroups: 'checkpoint key-group state is not readable yet', incremental: 'native RocksDB state is not readable yet', changelog: 'changelog state is not readable yet' }[expectedHandle[name]]
          }"}`,
          `{"type":"skipped","operator":"${ID}","subtask":1,"slot":"rawKeyed","handle":"raw","reason":"raw state is opaque"}`,
        ]);
      });
    }
  }

  it('V2: legacy operator layout (chain length, per-subtask duration and legacy count)', () => {
    const md = parseMetadata(withKeyed(2, handleWriters['type 3 (key groups, checkpoint)']), '/sp/_metadata');
    assert.equal(md.version, 2);
    const h = md.operators[0].subtasks[0].managedKeyed as KeyGroupsHandle;
    assert.deepEqual(h.offsets, [0, 40]);
  });

  it('sizes add up over inline, relative and RocksDB file lists', async () => {
    const dir = tempDir('fsp-md-');
    fs.writeFileSync(path.join(dir, '_metadata'), withKeyed(4, handleWriters['type 11 (incremental V2)']));
    const sp = await openSavepoint(dir);
    // meta 3 + MANIFEST 7 + segment 16, raw keyed 100
    assert.equal(sp.operators[0].size, 3 + 7 + 16 + 100);
    assert.equal(sp.totalSize, 126);
  });

  it('finished markers: fully finished operators and finished subtasks', () => {
    const w = new ByteWriter();
    header(w, 4, 2);
    opHead(w, 4);
    w.u8(0).i32(-1);
    opHead(w, 4, 'ffeeddccbbaa99887766554433221100');
    w.u8(1).utf('coordinator').i32(4).i32(7);
    w.i32(2).i32(-1).i32(1).i32(0).i32(0).u8(0).u8(0).i32(0).i32(0);
    w.bytes(Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x70]));
    const md = parseMetadata(w.toBytes(), '/sp/_metadata');
    assert.equal(md.operators[0].finished, true);
    assert.equal(md.operators[0].subtasks.length, 0);
    assert.deepEqual(md.operators[1].finishedSubtasks, [0]);
    assert.deepEqual(md.operators[1].subtasks.map((s) => s.index), [1]);
    assert.equal(md.operators[1].coordinator?.size, 4);
    assert.equal(md.format, undefined);
  });

  it('a coordinator handle other than inline bytes is rejected', () => {
    const w = new ByteWriter();
    header(w, 4, 1);
    opHead(w, 4);
    relative(w, 'x', 1);
    w.i32(0);
    assert.throws(() => parseMetadata(w.toBytes(), '/sp/_metadata'), /null or inline coordinator state handle, found type 6/);
  });

  it('channel state: V3 elements and V6 typed/merged elements', () => {
    for (const version of [3, 6]) {
      const w = new ByteWriter();
      header(w, version, 1);
      opHead(w, version);
      w.u8(0).i32(1).i32(0).i32(0).i32(0).u8(0).u8(0);
      // input channels: one element
      w.i32(1);
      if (version >= 6) w.u8(1);
      w.i32(0).i32(0).i32(1).i32(1).i64(0n).i64(8n);
      relative(w, 'ch', 8);
      // result subpartitions
      if (version >= 6) {
        w.i32(1).u8(4).i32(0).i64(9n);
        relative(w, 'rs', 9);
        w.i32(2).u8(1).u8(2);
      } else w.i32(0);
      const md = parseMetadata(w.toBytes(), '/sp/_metadata');
      assert.equal(md.operators[0].subtasks[0].channelStateSize, version >= 6 ? 17 : 8);
    }
  });

  it('master states are read and checked', () => {
    const w = new ByteWriter();
    w.i32(0x4960672d).i32(3).i64(1n).i32(1);
    const inner = new ByteWriter().i32(1).utf('hook').i32(2).u8(1).u8(2).toBytes();
    w.i32(0xc96b1696 | 0).i32(inner.length).bytes(inner).i32(0);
    const md = parseMetadata(w.toBytes(), '/sp/_metadata');
    assert.deepEqual(md.masterStates, [{ name: 'hook', version: 1, size: 2 }]);
    const bad = w.toBytes();
    bad[20] ^= 1;
    assert.throws(() => parseMetadata(bad, '/sp/_metadata'), (e: unknown) => e instanceof SavepointFormatError && e.offset === 20 && /master state magic/.test(e.message));
  });
});

describe('CheckpointProperties trailer', () => {
  it('reads a hand-built Java stream (object, class descriptors, enum, back-reference)', () => {
    const w = new ByteWriter();
    w.u16(0xaced).u16(5);
    w.u8(0x73).u8(0x72).utf('P').i64(2n).u8(2).u16(2);
    w.u8(0x5a).utf('forced');
    w.u8(0x4c).utf('checkpointType').u8(0x74).utf('LT;');
    w.u8(0x78).u8(0x70);
    w.u8(1); // forced
    w.u8(0x73).u8(0x72).utf('org.apache.flink.runtime.checkpoint.SavepointType').i64(1n).u8(2).u16(2);
    w.u8(0x4c).utf('formatType').u8(0x74).utf('LF;');
    w.u8(0x4c).utf('name').u8(0x71).i32(0x7e0000 + 1); // back-reference to the class-name string "LT;" (handle 1)
    w.u8(0x78).u8(0x70);
    w.u8(0x7e).u8(0x72).utf('F').i64(0n).u8(0x12).u16(0).u8(0x78);
    w.u8(0x72).utf('java.lang.Enum').i64(0n).u8(0x12).u16(0).u8(0x78).u8(0x70);
    w.u8(0x74).utf('NATIVE');
    w.u8(0x74).utf('Suspend Savepoint');
    const v = readJavaObject(new ByteReader(w.toBytes(), 't'));
    assert.ok(v && typeof v === 'object' && 'kind' in v && v.kind === 'object');
    const t = (v as { fields: Record<string, unknown> }).fields.checkpointType as { fields: Record<string, unknown> };
    assert.deepEqual(t.fields.formatType, { kind: 'enum', className: 'F', name: 'NATIVE' });
    assert.equal(t.fields.name, 'Suspend Savepoint');
  });

  it('rejects a bad stream header and unknown type codes with offsets', () => {
    assert.throws(() => readJavaObject(new ByteReader(Uint8Array.from([0xac, 0xed, 0, 4]), 't', 100)), (e: unknown) => e instanceof SavepointFormatError && e.offset === 100);
    assert.throws(() => readJavaObject(new ByteReader(Uint8Array.from([0xac, 0xed, 0, 5, 0x42]), 't', 100)), (e: unknown) => e instanceof SavepointFormatError && e.offset === 104 && /type code/.test(e.message));
  });

  for (const c of corpusCases()) {
    it(`${c.name}: format and snapshot type from the trailer`, async () => {
      const sp = await openSavepoint(c.savepoint);
      const caseJson = c.caseJson ? JSON.parse(fs.readFileSync(c.caseJson, 'utf8')) : {};
      if (sp.version >= 4 && isCheckpointCase(c)) {
        // a checkpoint's CheckpointType has no savepoint format (case.json's NATIVE: the backend's own layout)
        assert.equal(sp.format, undefined);
        assert.equal(sp.snapshotType, 'Checkpoint');
      } else if (sp.version >= 4) {
        assert.ok(sp.format === 'CANONICAL' || sp.format === 'NATIVE' || sp.format === undefined);
        if (caseJson.format) assert.equal(sp.format, caseJson.format);
        assert.ok(sp.snapshotType === undefined || /Savepoint|Checkpoint/.test(sp.snapshotType));
      } else {
        assert.equal(sp.format, undefined);
      }
    });
  }
});

after(() => cleanupTemp());
