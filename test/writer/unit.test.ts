/** Writer building blocks and CLI behaviour that need no JVM. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { ByteReader, toHex } from '../../engine/savepoint/io';
import { readFramedSnapshot } from '../../engine/savepoint/serializers';
import { parseMetadata } from '../../engine/savepoint/metadata';
import { operatorIdFromUid } from '../../engine/savepoint/murmur';
import { encoderFor } from '../../engine/savepoint/write/encode';
import { framedSnapshotBytes, writeFlinkString } from '../../engine/savepoint/write/snapshots';
import { snapshotOfType } from '../../engine/savepoint/write/types';
import { CompositeKeys } from '../../engine/savepoint/write/bootstrap';
import { NULL_PROPERTIES_TRAILER } from '../../engine/savepoint/write/metadata-writer';
import { cli, jsonl, sameTree, snapshotTree, tmp, writeFiles } from './helpers';
import { TYPES_SPEC } from './fixtures';

function enc(type: unknown, v: unknown): string {
  const w = new ByteWriter();
  encoderFor(snapshotOfType(type)).write(v, w);
  return toHex(w.toBytes());
}

describe('writer: encodings', () => {
  it('StringValue strings as Flink writes them', () => {
    const w = new ByteWriter();
    writeFlinkString(w, 'Here be dragons!');
    assert.equal(toHex(w.toBytes()).slice(0, 10), '1148657265');
    assert.equal(enc('String', null), '00');
    assert.equal(enc('String', 'é'), '02e901');
    assert.equal(enc('String', '☃'), '02834c');
    assert.equal(enc('String', '中'), '02ad9c01');
  });

  it('BigInteger / BigDecimal as BigInteger#toByteArray with a length + 4 prefix', () => {
    assert.equal(enc('BigInteger', 255), '0000000600ff');
    assert.equal(enc('BigInteger', -1), '00000005ff');
    assert.equal(enc('BigInteger', -128), '0000000580');
    assert.equal(enc('BigInteger', -129), '00000006ff7f');
    assert.equal(enc('BigInteger', null), '00000000');
    assert.equal(enc('BigDecimal', '-12.50'), '00000006fb1e' + '00000002');
    assert.equal(enc('BigDecimal', '1E+3'), '0000000501' + 'fffffffd');
  });

  it('Row masks, POJO null flags, enums by index, java.time', () => {
    // 3 fields, kind +I, field 0 null → 0,0,1,0,0 → 0x20
    assert.equal(enc('Row<String, Long, Integer>', [null, 1, 2]), '20' + '0000000000000001' + '00000002');
    assert.equal(enc('Row<String>', { $row: '-D', fields: ['a'] }), 'c0' + '0261');
    const pojo = { type: 'pojo', class: 'x.P', fields: [{ name: 'b', type: 'Long' }, { name: 'a', type: 'String' }] };
    assert.equal(enc(pojo, { a: 'x', b: null }), '02' + '00' + '0278' + '01');
    assert.equal(enc(pojo, null), '01');
    assert.equal(enc({ type: 'enum', class: 'x.C', constants: ['A', 'B'] }, 'B'), '00000001');
    assert.equal(enc('Instant', '1970-01-01T00:00:01.5Z'), '0000000000000001' + '1dcd6500');
    assert.equal(enc('LocalDate', '2024-02-29'), '000007e8' + '02' + '1d');
    assert.throws(() => enc('Long', 1.5), /not an integer/);
    assert.throws(() => enc('Long', 2 ** 60), /string/);
  });

  it('key groups as Flink assigns them (fixtures: Long 0,1 → 2; 2 → 3; 3 → 1 at max parallelism 4)', () => {
    const ck = new CompositeKeys(4, encoderFor(snapshotOfType('Long')), encoderFor(snapshotOfType('String')));
    assert.deepEqual([0, 1, 2, 3].map((k) => ck.keyGroupOf(k)), [2, 2, 3, 1]);
    const tuple = new CompositeKeys(4, encoderFor(snapshotOfType('Tuple1<Long>')), encoderFor(snapshotOfType('String')));
    assert.deepEqual([0, 1, 2, 3].map((k) => tuple.keyGroupOf([k])), [2, 2, 3, 1]);
  });

  it('composite keys: one or two prefix bytes; ambiguity suffixes only when key and namespace are both variable-length', () => {
    const strNs = new CompositeKeys(128, encoderFor(snapshotOfType('String')), encoderFor(snapshotOfType('String')), 'x');
    assert.equal(toHex(strNs.build(5, 'ab')), '05' + '036162' + '03' + '0278' + '02');
    const longNs = new CompositeKeys(129, encoderFor(snapshotOfType('String')), encoderFor(snapshotOfType('Long')), 7);
    assert.equal(toHex(longNs.build(300, 'ab')), '012c' + '036162' + '0000000000000007');
  });

  it('every spec type gives a snapshot the reader parses back to the same bytes', () => {
    const types: unknown[] = [];
    for (const op of TYPES_SPEC.operators as { keyType?: unknown; states: { valueType: unknown; keyType?: unknown }[] }[]) {
      if (op.keyType) types.push(op.keyType);
      for (const s of op.states) types.push(s.valueType, ...(s.keyType ? [s.keyType] : []));
    }
    types.push('Set<Integer>', 'Nullable<Long>', 'Tuple0', 'long[]', 'List<Map<String, Tuple2<Integer, Boolean>>>');
    for (const t of types) {
      const bytes = framedSnapshotBytes(snapshotOfType(t));
      const back = readFramedSnapshot(new ByteReader(bytes, 'x'));
      assert.equal(toHex(framedSnapshotBytes(back)), toHex(bytes), JSON.stringify(t));
    }
  });
});

describe('writer: CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let spec: string;
  before(async () => {
    dir = tmp();
    writeFiles(dir, {
      'v.jsonl': jsonl([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]),
      'spec.json': { maxParallelism: 128, operators: [{ uid: 'op', keyType: 'String', states: [{ name: 'v', kind: 'value', valueType: 'Long', data: 'v.jsonl', keyField: 'k', valueField: 'v' }] }] },
      'bad.json': { operators: [{ uid: 'op', keyType: 'String', states: [{ name: 'v', kind: 'value', valueType: 'Wat', data: 'v.jsonl', keyField: 'k', valueField: 'v' }] }] },
    });
    spec = path.join(dir, 'spec.json');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('bootstrap writes V4 metadata with the null CheckpointProperties trailer and relative file handles with exact sizes', async () => {
    const out = path.join(dir, 'sp');
    const r = await cli('bootstrap', '--spec', spec, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { event: 'written', path: out });
    const bytes = fs.readFileSync(path.join(out, '_metadata'));
    assert.equal(bytes.readInt32BE(4), 4);
    assert.deepEqual([...bytes.subarray(bytes.length - 5)], [...NULL_PROPERTIES_TRAILER]);
    const m = parseMetadata(new Uint8Array(bytes), path.join(out, '_metadata'));
    const h = m.operators[0].subtasks[0].managedKeyed!;
    assert.equal(h.type, 7);
    const d = (h as { data: { type: number; relative: string; size: number; path: string } }).data;
    assert.equal(d.type, 6);
    assert.equal(fs.statSync(d.path).size, d.size);
    assert.equal(operatorIdFromUid('CheckpointingSource2'), '1f2b5df5a66154aca61fcb26193792be');
    assert.equal(m.operators[0].id, operatorIdFromUid('op'));
  });

  it('exit 2 with one line for bad arguments, 1 for bad input, and never overwrites', async () => {
    const usage = await cli('bootstrap', '--spec', spec);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim().split('\n').length, 1);
    assert.match(usage.stderr, /--out is required/);
    assert.equal((await cli('bootstrap', '--spec', spec, '--out', path.join(dir, 'x'), '--bogus', '1')).code, 2);
    assert.equal((await cli('edit', path.join(dir, 'sp'), '--out', path.join(dir, 'y'), '--operator', 'op', '--state', 'v')).code, 2);
    const bad = await cli('bootstrap', '--spec', path.join(dir, 'bad.json'), '--out', path.join(dir, 'z'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown type "Wat"/);
    assert.equal(fs.existsSync(path.join(dir, 'z')), false);
    const exists = await cli('bootstrap', '--spec', spec, '--out', path.join(dir, 'sp'));
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /already exists/);
    const noKey = await cli('edit', path.join(dir, 'sp'), '--out', path.join(dir, 'y'), '--operator', 'op', '--state', 'v', '--delete', 'nobody');
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /no entry for key "nobody"/);
    assert.equal(fs.readdirSync(dir).filter((n) => n.includes('.fsp-tmp-')).length, 0, 'failed runs leave no temporary folders');
  });

  it('refuses to write into the source savepoint; the source stays byte-identical', async () => {
    const src = path.join(dir, 'sp');
    const before = snapshotTree(src);
    const r = await cli('set-uid', src, '--operator', 'op', '--uid', 'new', '--out', path.join(src, 'inner'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /inside the source savepoint/);
    const ok = await cli('set-uid', src, '--operator', 'op', '--uid', 'new', '--out', path.join(dir, 'renamed'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(sameTree(before, snapshotTree(src)));
    const m = parseMetadata(new Uint8Array(fs.readFileSync(path.join(dir, 'renamed', '_metadata'))), 'm');
    assert.equal(m.operators[0].id, operatorIdFromUid('new'));
    assert.equal(m.operators.length, 1);
  });
});
