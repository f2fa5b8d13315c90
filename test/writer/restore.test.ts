/**
 * Evidence from real Flink: savepoints written by the TypeScript writer are restored by a Flink job
 * (`engine.jar check`, a MiniCluster job that declares the spec's states with the same uids, names,
 * types and max parallelism, restores without allowNonRestoredState and reports every entry it holds),
 * and the reported state must equal the spec's data — missing and extra entries both fail.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, checkOk, cli, engine, ENGINE_JAR_FLINK2, jsonl, requireEngine, tmp, writeFiles } from './helpers';
import { TYPES_DATA, TYPES_SPEC } from './fixtures';
import { parseMetadata, KeyGroupsHandle } from '../../engine/savepoint/metadata';
import { encodeKeyedFile, keyedHeaderBytes, KeyGroupTable, parseKeyedFile, ParsedKeyedFile } from '../../engine/savepoint/write/keyed-file';
import { metadataBytes } from '../../engine/savepoint/write/metadata-writer';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';
import { javaHashCode, keyGroupForHash } from '../../engine/savepoint/murmur';

const T = 600_000;

async function readerLines(sp: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const l of dumpLines(await openSavepoint(sp))) out.push(JSON.parse(l));
  return out;
}

function keyedFiles(sp: string): ParsedKeyedFile[] {
  const meta = parseMetadata(new Uint8Array(fs.readFileSync(path.join(sp, '_metadata'))), path.join(sp, '_metadata'));
  return meta.operators.flatMap((o) =>
    o.subtasks.map((s) => {
      const h = s.managedKeyed as KeyGroupsHandle;
      const d = h.data!;
      const buf = d.type === 1 ? d.data : new Uint8Array(fs.readFileSync((d as { path: string }).path));
      return parseKeyedFile(buf, 'f', h.start, h.offsets);
    }),
  );
}

/** The bootstrap-spec example (String key; value, list and map state), also readable by engine.jar bootstrap. */
function basicFixture(dir: string, uid = 'user-counts'): string {
  writeFiles(dir, {
    'counts.jsonl': jsonl([
      { user: 'alice', count: 3 },
      { user: 'bob', count: 5 },
      { user: 'zoë', count: -1 },
      { user: 'bob', count: 6 },
    ]),
    'events.csv': 'user,event\nalice,login\nalice,"log,out"\ncarol,x\n',
    'days.jsonl': jsonl([
      { user: 'alice', day: 'mon', n: 1 },
      { user: 'alice', day: 'tue', n: 2 },
      { user: 'bob', day: 'mon', n: 7 },
      { user: 'alice', day: 'mon', n: 4 },
    ]),
    'spec.json': {
      maxParallelism: 128,
      operators: [
        {
          uid,
          keyType: 'String',
          parallelism: 2,
          states: [
            { name: 'count', kind: 'value', valueType: 'Long', data: 'counts.jsonl', keyField: 'user', valueField: 'count' },
            { name: 'events', kind: 'list', valueType: 'String', data: 'events.csv', keyField: 'user', valueField: 'event' },
            { name: 'perDay', kind: 'map', userKeyType: 'String', valueType: 'Long', data: 'days.jsonl', keyField: 'user', userKeyField: 'day', valueField: 'n' },
          ],
        },
      ],
    },
  });
  return path.join(dir, 'spec.json');
}

describe('writer: savepoints restored by real Flink (engine.jar check)', function () {
  this.timeout(T);
  let dir: string;
  let typesSpec: string;
  let typesSp: string;

  before(async function () {
    requireEngine();
    dir = tmp();
    writeFiles(path.join(dir, 'types'), { ...TYPES_DATA, 'spec.json': TYPES_SPEC });
    typesSpec = path.join(dir, 'types', 'spec.json');
    typesSp = path.join(dir, 'types-sp');
    const r = await cli('bootstrap', '--spec', typesSpec, '--out', typesSp);
    assert.equal(r.code, 0, r.stderr);
  });

  after(() => {
    if (dir && !process.env.FSP_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bootstrap: every writable type, Tuple keys, operator list / union / broadcast state restore on the heap backend', () => {
    const r = checkOk(typesSp, typesSpec);
    assert.deepEqual({ missing: r.missing, extra: r.extra }, { missing: [], extra: [] });
    assert.equal(r.ok, true);
    assert.equal(r.code, 0);
    assert.equal(r.operators, 3);
    assert.equal(r.entries, 79);
    assert.equal(r.entries, r.expected);
    // spot checks of what the restored job saw
    assert.ok(r.lines.includes('typed {"state":"v_bigint","key":1,"value":123456789012345678901234567890}'));
    assert.ok(r.lines.includes('typed {"state":"v_pojo","key":3,"value":{"id":8,"item":"pen","price":1.0,"quantity":1}}'));
    assert.ok(r.lines.includes('tuple-keyed {"state":"n","key":["a",1],"value":7}'));
  });

  it('the same savepoint restores on RocksDB at parallelism 3 (keys are found through their key groups)', () => {
    const r = checkOk(typesSp, typesSpec, { backend: 'rocksdb', parallelism: 3 });
    assert.deepEqual({ missing: r.missing, extra: r.extra }, { missing: [], extra: [] });
    assert.equal(r.ok, true);
    // union state: every one of the 3 subtasks holds both elements; broadcast: every subtask holds both rules
    assert.equal(r.lines.filter((l) => l.includes('"state":"offsets"')).length, 6);
    assert.equal(r.lines.filter((l) => l.includes('"state":"rules"')).length, 6);
  });

  it('the check fails on a missing entry and on an entry stored in the wrong key group', async () => {
    const d = path.join(dir, 'neg');
    const spec = basicFixture(d);
    const sp = path.join(d, 'sp');
    assert.equal((await cli('bootstrap', '--spec', spec, '--out', sp)).code, 0);
    // 1. the spec expects one more entry than the savepoint has
    fs.appendFileSync(path.join(d, 'counts.jsonl'), JSON.stringify({ user: 'dave', count: 1 }) + '\n');
    const missing = check(sp, spec);
    assert.equal(missing.error, undefined);
    assert.equal(missing.ok, false);
    assert.equal(missing.code, 1);
    assert.deepEqual(missing.missing, ['user-counts {"state":"count","key":"dave","value":1}']);
    fs.writeFileSync(path.join(d, 'counts.jsonl'), fs.readFileSync(path.join(d, 'counts.jsonl'), 'utf8').split('\n').slice(0, 4).join('\n') + '\n');
    assert.equal(checkOk(sp, spec).ok, true);
    // 2. every entry moved to the next key group (prefix byte and section): Flink finds the keys but not their values
    const meta = parseMetadata(new Uint8Array(fs.readFileSync(path.join(sp, '_metadata'))), path.join(sp, '_metadata'));
    const bad = path.join(d, 'misplaced');
    fs.mkdirSync(bad);
    const op = meta.operators[0];
    const subtasks = op.subtasks.map((s) => {
      const h = s.managedKeyed as KeyGroupsHandle;
      const p = parseKeyedFile(new Uint8Array(fs.readFileSync((h.data as { path: string }).path)), 'f', h.start, h.offsets);
      const moved = new KeyGroupTable();
      for (const [kg, runs] of p.table.groups) {
        const to = kg === p.end ? p.start : kg + 1;
        for (const [sid, run] of runs) for (const e of run.values()) {
          const key = e.key.slice();
          key[0] = to;
          moved.put(to, sid, key, e.value);
        }
      }
      const f = encodeKeyedFile(p.header, p.start, p.end, moved, true);
      const name = `kg-${s.index}`;
      fs.writeFileSync(path.join(bad, name), Buffer.concat(f.chunks));
      return { index: s.index, managedKeyed: { type: 7 as const, start: p.start, offsets: f.offsets, data: { type: 6 as const, relative: name, size: f.size } } };
    });
    fs.writeFileSync(path.join(bad, '_metadata'), metadataBytes({ version: 4, operators: [{ id: op.id, parallelism: op.parallelism, maxParallelism: op.maxParallelism, subtasks }] }));
    const r = check(bad, spec);
    assert.equal(r.error, undefined);
    assert.equal(r.ok, false);
    assert.ok(r.missing.length > 0 && r.extra.length > 0, 'misplaced entries show as wrong values');
  });

  it('restored, run and savepointed again by Flink: the new savepoint restores to the same state and reads back the same', async () => {
    const resaveDir = path.join(dir, 'resaved');
    const r = checkOk(typesSp, typesSpec, { resave: resaveDir });
    assert.equal(r.ok, true);
    assert.ok(r.resaved && fs.existsSync(path.join(r.resaved, '_metadata')), 'Flink wrote a savepoint');
    const again = checkOk(r.resaved!, typesSpec, { backend: 'rocksdb', parallelism: 2 });
    assert.deepEqual({ missing: again.missing, extra: again.extra }, { missing: [], extra: [] });
    assert.equal(again.entries, 79 + 2 + 2); // union and broadcast copies for the second subtask
    // our reader: Flink's savepoint holds the same keyed entries and the same state declarations
    const ours = await readerLines(typesSp);
    const flinks = await readerLines(r.resaved!);
    const ourOps = new Set(ours.filter((l) => l.type === 'operator').map((l) => l.id));
    const pick = (ls: Record<string, unknown>[], t: string) => ls.filter((l) => l.type === t && ourOps.has(l.operator)).map((l) => JSON.stringify(l)).sort();
    assert.equal(pick(ours, 'entry').length, 79 - 5 - 2 - 2); // 5 list elements, 2 union, 2 broadcast are elements
    assert.deepEqual(pick(flinks, 'entry'), pick(ours, 'entry'));
    assert.deepEqual(pick(flinks, 'state'), pick(ours, 'state'));
  });

  it('engine.jar bootstrap (State Processor API) and fsp bootstrap of the same spec: identical snapshots and entries, same restored state', async () => {
    const d = path.join(dir, 'spa');
    const spec = basicFixture(d);
    // one subtask on both sides (engine.jar bootstrap writes parallelism 1), so the dumps compare as they are
    const j = JSON.parse(fs.readFileSync(spec, 'utf8'));
    delete j.operators[0].parallelism;
    fs.writeFileSync(spec, JSON.stringify(j));
    const ours = path.join(d, 'ours');
    const theirs = path.join(d, 'theirs');
    assert.equal((await cli('bootstrap', '--spec', spec, '--out', ours)).code, 0);
    const b = engine(['bootstrap', '--spec', spec, '--out', theirs]);
    assert.equal(b.code, 0, b.stderr.split('\n').slice(-3).join('\n'));
    // byte level: the same key serializer snapshot, the same state meta infos (serializer snapshots and
    // options), and the same entries (composite keys and values) — only the order differs (heap vs sorted)
    const theirsK = keyedFiles(theirs);
    const oursK = keyedFiles(ours);
    assert.equal(theirsK.length, 1);
    assert.equal(oursK.length, 1);
    const snap = (f: ParsedKeyedFile) => Buffer.from(keyedHeaderBytes(f.keySerializer, [], false)).toString('hex');
    assert.equal(snap(oursK[0]), snap(theirsK[0]));
    const metas = (f: ParsedKeyedFile) => new Map(f.states.map((m) => [m.name, Buffer.from(keyedHeaderBytes(f.keySerializer, [m], false)).toString('hex')]));
    assert.deepEqual(metas(oursK[0]), metas(theirsK[0]));
    const entries = (fs_: ParsedKeyedFile[]) => {
      const out: string[] = [];
      for (const f of fs_) for (const [kg, runs] of f.table.groups) for (const [sid, run] of runs) for (const e of run.values()) {
        out.push(`${kg} ${f.states[sid].name} ${Buffer.from(e.key).toString('hex')} ${Buffer.from(e.value).toString('hex')}`);
      }
      return out.sort();
    };
    assert.deepEqual(entries(oursK), entries(theirsK));
    assert.equal(entries(oursK).length, 8);
    const a = checkOk(ours, spec, { backend: 'rocksdb' });
    const t = checkOk(theirs, spec, { backend: 'rocksdb' });
    assert.equal(a.ok, true);
    assert.equal(t.ok, true);
    assert.deepEqual([...a.lines].sort(), [...t.lines].sort());
    assert.equal(a.entries, 8);
    // our reader's dump of both: the same state declarations and entries
    const pick = (ls: Record<string, unknown>[]) => ls.filter((l) => l.type === 'entry' || l.type === 'state').map((l) => JSON.stringify(l)).sort();
    const oursDump = pick(await readerLines(ours));
    assert.equal(oursDump.length, 3 + 8);
    assert.deepEqual(oursDump, pick(await readerLines(theirs)));
    // Flink's own dump of both savepoints, when this engine.jar has it
    const da = engine(['dump', ours]);
    if (da.code === 2 && /not available/.test(da.stderr)) return;
    const dt = engine(['dump', theirs]);
    assert.equal(da.code, 0, da.stderr.slice(-400));
    assert.equal(dt.code, 0, dt.stderr.slice(-400));
    assert.ok(da.stdout.split('\n').filter((l) => l.startsWith('{"type":"entry"')).length === 8);
    assert.equal(da.stdout, dt.stdout, 'engine.jar dump (Flink internals) prints the same bytes for both savepoints');
  });

  it('edit, set-uid, remove-operator and bootstrap --from give savepoints Flink restores as intended; they survive deleting their source', async () => {
    const d = path.join(dir, 'modify');
    const spec = basicFixture(d);
    const base = path.join(d, 'base');
    assert.equal((await cli('bootstrap', '--spec', spec, '--out', base)).code, 0);
    const e1 = path.join(d, 'e1');
    assert.equal((await cli('edit', base, '--out', e1, '--operator', 'user-counts', '--state', 'count', '--set', 'alice=10')).code, 0);
    const e2 = path.join(d, 'e2');
    assert.equal((await cli('edit', e1, '--out', e2, '--operator', 'user-counts', '--state', 'perDay', '--delete', 'bob')).code, 0);
    writeFiles(d, {
      'ops.jsonl': jsonl([
        { op: 'append', key: 'alice', value: 'extra' },
        { op: 'set', key: 'dave', value: ['a', 'b'] },
        { op: 'delete', key: 'carol' },
      ]),
      'mapops.jsonl': jsonl([
        { op: 'set', key: 'alice', userKey: 'wed', value: 9 },
        { op: 'delete', key: 'alice', userKey: 'tue' },
      ]),
    });
    const e3 = path.join(d, 'e3');
    assert.equal((await cli('edit', e2, '--out', e3, '--operator', 'user-counts', '--state', 'events', '--ops', path.join(d, 'ops.jsonl'))).code, 0);
    const e4 = path.join(d, 'e4');
    assert.equal((await cli('edit', e3, '--out', e4, '--operator', 'user-counts', '--state', 'perDay', '--ops', path.join(d, 'mapops.jsonl'))).code, 0);
    const e5 = path.join(d, 'e5');
    assert.equal((await cli('set-uid', e4, '--operator', 'user-counts', '--uid', 'renamed', '--out', e5)).code, 0);
    // add an operator with operator state, then remove it again on another branch
    writeFiles(d, {
      'buf.csv': 'n\n1\n2\n3\n',
      'rules.csv': 'r,v\nr1,1\nr2,2\n',
      'add.json': {
        maxParallelism: 128,
        operators: [
          {
            uid: 'buffer-op',
            parallelism: 2,
            states: [
              { name: 'buf', kind: 'operator-list', valueType: 'Long', data: 'buf.csv', valueField: 'n' },
              { name: 'rules', kind: 'broadcast', keyType: 'String', valueType: 'Long', data: 'rules.csv', keyField: 'r', valueField: 'v' },
            ],
          },
        ],
      },
    });
    const e6 = path.join(d, 'e6');
    assert.equal((await cli('bootstrap', '--spec', path.join(d, 'add.json'), '--from', e5, '--out', e6)).code, 0);
    const e7 = path.join(d, 'e7');
    assert.equal((await cli('remove-operator', e6, '--operator', 'renamed', '--out', e7)).code, 0);
    // the sources are gone: the results must stand alone
    for (const p of [base, e1, e2, e3, e4, e5]) fs.rmSync(p, { recursive: true });
    writeFiles(d, {
      'x-counts.jsonl': jsonl([{ user: 'alice', count: 10 }, { user: 'bob', count: 6 }, { user: 'zoë', count: -1 }]),
      'x-events.jsonl': jsonl([{ user: 'alice', event: 'login' }, { user: 'alice', event: 'log,out' }, { user: 'alice', event: 'extra' }, { user: 'dave', event: 'a' }, { user: 'dave', event: 'b' }]),
      'x-days.jsonl': jsonl([{ user: 'alice', day: 'mon', n: 4 }, { user: 'alice', day: 'wed', n: 9 }]),
    });
    const renamed = {
      uid: 'renamed',
      keyType: 'String',
      states: [
        { name: 'count', kind: 'value', valueType: 'Long', data: 'x-counts.jsonl', keyField: 'user', valueField: 'count' },
        { name: 'events', kind: 'list', valueType: 'String', data: 'x-events.jsonl', keyField: 'user', valueField: 'event' },
        { name: 'perDay', kind: 'map', userKeyType: 'String', valueType: 'Long', data: 'x-days.jsonl', keyField: 'user', userKeyField: 'day', valueField: 'n' },
      ],
    };
    const rulesState = { name: 'rules', kind: 'broadcast', keyType: 'String', valueType: 'Long', data: 'rules.csv', keyField: 'r', valueField: 'v' };
    const bufferOp = { uid: 'buffer-op', states: [{ name: 'buf', kind: 'operator-list', valueType: 'Long', data: 'buf.csv', valueField: 'n' }, rulesState] };
    writeFiles(d, {
      'expect6.json': { maxParallelism: 128, operators: [renamed, bufferOp] },
      'expect7.json': { maxParallelism: 128, operators: [bufferOp] },
    });
    const r6 = checkOk(e6, path.join(d, 'expect6.json'), { parallelism: 2 });
    assert.deepEqual({ missing: r6.missing, extra: r6.extra }, { missing: [], extra: [] });
    assert.equal(r6.entries, 3 + 2 + 2 + 3 + 2 * 2); // count 3 keys, events 2 keys, perDay 2 entries, buf 3 elements, rules 2 × 2 subtasks
    // e7 has no "renamed" operator any more: a job without it restores (no allowNonRestoredState) …
    assert.equal(checkOk(e7, path.join(d, 'expect7.json')).ok, true);
    // operator list state edits on e7: subtask 0 holds [1, 3], subtask 1 holds [2] (round-robin)
    writeFiles(d, {
      'bufops.jsonl': jsonl([
        { op: 'append', subtask: 1, value: 4 },
        { op: 'set', subtask: 0, index: 1, value: 30 },
        { op: 'delete', subtask: 0, index: 0 },
      ]),
      'buf8.csv': 'n\n30\n2\n4\n',
      'rules9.csv': 'r,v\nr2,2\nr3,3\n',
      'expect9.json': { maxParallelism: 128, operators: [{ ...bufferOp, states: [{ ...bufferOp.states[0], data: 'buf8.csv' }, { ...rulesState, data: 'rules9.csv' }] }] },
    });
    const e8 = path.join(d, 'e8');
    const r8 = await cli('edit', e7, '--out', e8, '--operator', 'buffer-op', '--state', 'buf', '--ops', path.join(d, 'bufops.jsonl'));
    assert.equal(r8.code, 0, r8.stderr);
    assert.equal(JSON.parse(r8.stdout).changed, 3);
    // broadcast state: every subtask's copy is edited
    const e9a = path.join(d, 'e9a');
    assert.equal((await cli('edit', e8, '--out', e9a, '--operator', 'buffer-op', '--state', 'rules', '--set', 'r3=3')).code, 0);
    const e9 = path.join(d, 'e9');
    assert.equal((await cli('edit', e9a, '--out', e9, '--operator', 'buffer-op', '--state', 'rules', '--delete', 'r1')).code, 0);
    assert.equal(checkOk(e9, path.join(d, 'expect9.json'), { parallelism: 3 }).entries, 3 + 2 * 3);
    // … while e6 still carries it, so the same job must refuse e6
    const refused = check(e6, path.join(d, 'expect7.json'));
    assert.notEqual(refused.code, 0);
    assert.match(refused.error ?? '', /operator/i);
  });

  it('metadata V3 with operator-state proxy v5 (Flink 1.13–1.17 layout) restores too', async () => {
    const d = path.join(dir, 'v3');
    const spec = basicFixture(d);
    const j = JSON.parse(fs.readFileSync(spec, 'utf8'));
    j.metadataVersion = 3;
    j.operatorStateVersion = 5;
    j.operators.push({ uid: 'ops', parallelism: 1, states: [{ name: 'u', kind: 'operator-union', valueType: 'String', data: 'events.csv', valueField: 'event' }] });
    fs.writeFileSync(spec, JSON.stringify(j));
    const sp = path.join(d, 'sp');
    assert.equal((await cli('bootstrap', '--spec', spec, '--out', sp)).code, 0);
    const meta = fs.readFileSync(path.join(sp, '_metadata'));
    assert.equal(meta.readInt32BE(4), 3);
    const r = checkOk(sp, spec, { parallelism: 2 });
    assert.deepEqual({ missing: r.missing, extra: r.extra }, { missing: [], extra: [] });
  });

  it('max parallelism above 128: two-byte key-group prefixes, Integer and String keys', async () => {
    const d = path.join(dir, 'mp');
    const rows = Array.from({ length: 500 }, (_, i) => ({ k: i * 7919 - 100000, s: `key-${i}`, v: i }));
    writeFiles(d, {
      'rows.jsonl': jsonl(rows),
      'spec.json': {
        maxParallelism: 1000,
        operators: [
          { uid: 'ints', keyType: 'Integer', parallelism: 3, states: [{ name: 'v', kind: 'value', valueType: 'Integer', data: 'rows.jsonl', keyField: 'k', valueField: 'v' }] },
          { uid: 'strs', keyType: 'String', parallelism: 4, states: [{ name: 'l', kind: 'list', valueType: 'Long', data: 'rows.jsonl', keyField: 's', valueField: 'v' }] },
        ],
      },
    });
    const sp = path.join(d, 'sp');
    assert.equal((await cli('bootstrap', '--spec', path.join(d, 'spec.json'), '--out', sp)).code, 0);
    const r = checkOk(sp, path.join(d, 'spec.json'), { backend: 'rocksdb', parallelism: 5 });
    assert.deepEqual({ missing: r.missing, extra: r.extra }, { missing: [], extra: [] });
    assert.equal(r.entries, 1000);
  });

  it('Flink 2.x (engine.jar built with -Pflink2) restores the same savepoint, and a V6 one', async function () {
    assert.ok(fs.existsSync(ENGINE_JAR_FLINK2), `${ENGINE_JAR_FLINK2} is missing: build it with \`npm run engine -- 2.3.0\``);
    const v4 = checkOk(typesSp, typesSpec, { jar: ENGINE_JAR_FLINK2, backend: 'rocksdb', parallelism: 2 });
    assert.equal(v4.entries, 79 + 2 + 2);
    const spec6 = path.join(dir, 'types', 'spec6.json');
    fs.writeFileSync(spec6, JSON.stringify({ ...TYPES_SPEC, metadataVersion: 6 }));
    const sp6 = path.join(dir, 'types-v6');
    assert.equal((await cli('bootstrap', '--spec', spec6, '--out', sp6)).code, 0);
    assert.equal(fs.readFileSync(path.join(sp6, '_metadata')).readInt32BE(4), 6);
    const r = checkOk(sp6, spec6, { jar: ENGINE_JAR_FLINK2 });
    assert.equal(r.entries, 79);
  });

  it('edit adds keys to a subtask that had no keyed state (new file with the key serializer and states of another subtask)', async () => {
    const d = path.join(dir, 'sparse');
    const kgOf = (k: string) => keyGroupForHash(javaHashCode(k, 'String'), 128);
    const low = Array.from({ length: 200 }, (_, i) => `k${i}`).filter((k) => kgOf(k) < 64).slice(0, 5);
    const high = Array.from({ length: 200 }, (_, i) => `k${i}`).find((k) => kgOf(k) >= 64)!;
    writeFiles(d, {
      'low.jsonl': jsonl(low.map((k, i) => ({ k, v: i }))),
      'spec.json': { maxParallelism: 128, operators: [{ uid: 'sparse', keyType: 'String', parallelism: 2, states: [{ name: 'v', kind: 'value', valueType: 'Long', data: 'low.jsonl', keyField: 'k', valueField: 'v' }] }] },
    });
    const full = path.join(d, 'full');
    assert.equal((await cli('bootstrap', '--spec', path.join(d, 'spec.json'), '--out', full)).code, 0);
    // drop subtask 1 (it holds no data): the savepoint Flink would write when subtask 1 never saw a key
    const sparse = path.join(d, 'sparse-sp');
    fs.mkdirSync(sparse);
    const meta = parseMetadata(new Uint8Array(fs.readFileSync(path.join(full, '_metadata'))), path.join(full, '_metadata'));
    const op = meta.operators[0];
    const s0 = op.subtasks[0].managedKeyed as KeyGroupsHandle;
    const d0 = s0.data as { relative: string; size: number; path: string };
    fs.copyFileSync(d0.path, path.join(sparse, d0.relative));
    fs.writeFileSync(
      path.join(sparse, '_metadata'),
      metadataBytes({ version: 4, operators: [{ id: op.id, parallelism: 2, maxParallelism: 128, subtasks: [{ index: 0, managedKeyed: { type: 7, start: s0.start, offsets: s0.offsets, data: { type: 6, relative: d0.relative, size: d0.size } } }] }] }),
    );
    const edited = path.join(d, 'edited');
    const r = await cli('edit', sparse, '--out', edited, '--operator', 'sparse', '--state', 'v', '--set', `${high}=99`);
    assert.equal(r.code, 0, r.stderr);
    const m2 = parseMetadata(new Uint8Array(fs.readFileSync(path.join(edited, '_metadata'))), path.join(edited, '_metadata'));
    assert.deepEqual(m2.operators[0].subtasks.map((s) => s.index), [0, 1]);
    fs.appendFileSync(path.join(d, 'low.jsonl'), JSON.stringify({ k: high, v: 99 }) + '\n');
    const c = checkOk(edited, path.join(d, 'spec.json'), { parallelism: 2, backend: 'rocksdb' });
    assert.equal(c.entries, 6);
  });
});
