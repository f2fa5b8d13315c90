/**
 * compareSavepoints / formatComparisonMarkdown (engine/savepoint/compare.ts) and `fsp diff`
 * (engine/cli/diff.ts) against the corpus: keyed-hashmap vs keyed-rocksdb of Flink 1.20.3 run the
 * same job with the same uids on different backends and parallelism. Expected differences are
 * computed here independently from the two dump.jsonl files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSavepoint, operatorIdFromUid, Savepoint } from '../../engine/savepoint/index';
import { compareSavepoints, formatComparisonMarkdown, SavepointComparison } from '../../engine/savepoint/compare';
import { diffCommand } from '../../engine/cli/diff';
import { main } from '../../engine/cli/fsp';
import { CORPUS_ROOT, memoryIo } from './corpus';

const V1 = path.join(CORPUS_ROOT, 'flink-1.20.3');
const HASHMAP = path.join(V1, 'keyed-hashmap');
const ROCKSDB = path.join(V1, 'keyed-rocksdb');
const have = fs.existsSync(path.join(HASHMAP, 'savepoint', '_metadata')) && fs.existsSync(path.join(ROCKSDB, 'savepoint', '_metadata'));

type Dump = {
  operators: Map<string, { parallelism: number; maxParallelism: number }>;
  states: Map<string, Record<string, unknown>>; // opId \0 name → state line
  entries: Map<string, Map<string, string>>; // opId \0 state → identity → value
};

/** Reads a dump.jsonl: identities and values re-serialized from the parsed JSON (not the reader's text). */
function readDump(file: string): Dump {
  const d: Dump = { operators: new Map(), states: new Map(), entries: new Map() };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const j = JSON.parse(line);
    if (j.type === 'operator') d.operators.set(j.id, { parallelism: j.parallelism, maxParallelism: j.maxParallelism });
    else if (j.type === 'state') d.states.set(`${j.operator}\0${j.name}`, j);
    else if (j.type === 'entry' || j.type === 'element') {
      const k = `${j.operator}\0${j.state}`;
      let m = d.entries.get(k);
      if (!m) d.entries.set(k, (m = new Map()));
      const id = j.type === 'element'
        ? JSON.stringify('userKey' in j ? [j.userKey] : [j.subtask, j.index ?? 0])
        : JSON.stringify([j.key, j.namespace ?? null, j.userKey ?? null, j.timestamp ?? null]);
      m.set(id, 'value' in j ? JSON.stringify(j.value) : '');
    }
  }
  return d;
}

/** A reader identity (rendered JSON array, variable length) in the test's normal form. */
function normId(id: string): string {
  const a = JSON.parse(id) as unknown[];
  if (a.length <= 2 && typeof a[0] === 'number') return JSON.stringify(a); // [subtask, index]
  if (a.length === 1 && typeof a[0] !== 'string') return JSON.stringify(a);
  while (a.length < 4) a.push(null);
  return JSON.stringify(a);
}

const norm = (v: string | undefined) => (v === undefined || v === '' ? '' : JSON.stringify(JSON.parse(v)));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const m = memoryIo();
  const code = await main(args, m.io);
  return { code, out: m.out(), err: m.err() };
}

(have ? describe : describe.skip)('compare savepoints', function () {
  this.timeout(120000);
  let a: Savepoint;
  let b: Savepoint;
  let diff: SavepointComparison;
  let da: Dump;
  let db: Dump;
  const caseJson = JSON.parse(fs.readFileSync(path.join(ROCKSDB, 'case.json'), 'utf8'));
  const uids = new Map<string, string>((caseJson.uids as string[]).map((u) => [operatorIdFromUid(u), u]));

  before(async () => {
    a = await openSavepoint(path.join(HASHMAP, 'savepoint'));
    b = await openSavepoint(path.join(ROCKSDB, 'savepoint'));
    diff = await compareSavepoints(a, b, { entries: true, uids });
    da = readDump(path.join(HASHMAP, 'dump.jsonl'));
    db = readDump(path.join(ROCKSDB, 'dump.jsonl'));
  });

  it('matches every operator by ID (same job, same uids) and names them by uid', () => {
    assert.deepEqual(diff.onlyInA, []);
    assert.deepEqual(diff.onlyInB, []);
    assert.equal(diff.matched.length, a.operators.length);
    assert.deepEqual(diff.matched.map((o) => o.id).sort(), [...da.operators.keys()].sort());
    for (const o of diff.matched) assert.equal(o.uid, uids.get(o.id), `uid of ${o.id}`);
    assert.equal(diff.identical, false);
  });

  it('reports exactly the parallelism changes the two dumps show (1 → 3 where the job runs with the case parallelism)', () => {
    const hm = JSON.parse(fs.readFileSync(path.join(HASHMAP, 'case.json'), 'utf8'));
    const expected = [...da.operators].filter(([id, o]) => db.operators.get(id)!.parallelism !== o.parallelism).map(([id]) => id).sort();
    assert.ok(expected.length > 0, 'the dumps differ in parallelism');
    const got = diff.matched.filter((o) => o.changes.some((c) => c.field === 'parallelism')).map((o) => o.id).sort();
    assert.deepEqual(got, expected);
    for (const o of diff.matched) {
      const c = o.changes.find((x) => x.field === 'parallelism');
      if (c) assert.deepEqual([c.a, c.b], [hm.parallelism, caseJson.parallelism]);
      assert.ok(!o.changes.some((x) => x.field === 'max parallelism'), 'max parallelism is the same');
    }
    assert.ok(got.includes(operatorIdFromUid('keyed-state')), 'the keyed operator changed parallelism');
  });

  it('finds no state declaration changes and the same states on both sides', () => {
    for (const o of diff.matched) {
      assert.deepEqual(o.statesOnlyInA, [], o.id);
      assert.deepEqual(o.statesOnlyInB, [], o.id);
      assert.deepEqual(o.changedStates, [], o.id);
      assert.equal(o.errors, undefined);
      const declared = [...da.states.keys()].filter((k) => k.startsWith(o.id + '\0')).map((k) => k.split('\0')[1]).sort();
      assert.deepEqual([...o.sameStates].sort(), declared);
    }
  });

  it('reports exactly the entry differences between the two dump.jsonl files', () => {
    let totalDiffs = 0;
    for (const o of diff.matched) {
      for (const e of o.entries ?? []) {
        const k = `${o.id}\0${e.name}`;
        const ma = da.entries.get(k) ?? new Map<string, string>();
        const mb = db.entries.get(k) ?? new Map<string, string>();
        const added = [...mb.keys()].filter((x) => !ma.has(x));
        const removed = [...ma.keys()].filter((x) => !mb.has(x));
        const changed = [...ma.keys()].filter((x) => mb.has(x) && mb.get(x) !== ma.get(x));
        assert.ok(e.compared, `${e.name} compared`);
        assert.equal(e.countA, ma.size, `${e.name}: entries in A`);
        assert.equal(e.countB, mb.size, `${e.name}: entries in B`);
        assert.equal(e.added, added.length, `${e.name}: added`);
        assert.equal(e.removed, removed.length, `${e.name}: removed`);
        assert.equal(e.changed, changed.length, `${e.name}: changed`);
        assert.deepEqual(e.addedExamples.map((x) => normId(x.key)).sort(), added.slice(0, 5).sort());
        assert.deepEqual(e.removedExamples.map((x) => normId(x.key)).sort(), removed.slice(0, 5).sort());
        for (const x of e.addedExamples) assert.equal(norm(x.b), mb.get(normId(x.key)));
        for (const x of e.changedExamples) {
          assert.equal(norm(x.a), ma.get(normId(x.key)));
          assert.equal(norm(x.b), mb.get(normId(x.key)));
        }
        totalDiffs += added.length + removed.length + changed.length;
      }
    }
    // the RocksDB case holds a map entry with a null user value that the hashmap case does not
    assert.ok(totalDiffs >= 1);
    const byTag = diff.matched.find((o) => o.id === operatorIdFromUid('keyed-state'))!.entries!.find((e) => e.name === 'byTag')!;
    assert.equal(byTag.added, 1);
    assert.equal(byTag.addedExamples[0].b, 'null');
    assert.equal(JSON.parse(byTag.addedExamples[0].key)[2], 'null-value');
    // every state declared on both sides with the same types was compared
    const stated = new Set([...da.states.keys()]);
    const compared = diff.matched.flatMap((o) => (o.entries ?? []).map((e) => `${o.id}\0${e.name}`));
    assert.deepEqual(compared.sort(), [...stated].sort());
  });

  it('marks states above maxEntriesPerState as not compared (too large)', async () => {
    const d = await compareSavepoints(b, b, { entries: true, maxEntriesPerState: 30 });
    const big = d.matched.flatMap((o) => o.entries ?? []).filter((e) => !e.compared);
    assert.deepEqual(big.map((e) => e.name).sort(), ['_timer_state/event_user-timers', '_timer_state/processing_user-timers', 'byTag']);
    for (const e of big) assert.match(e.reason!, /too large/);
    assert.equal(d.identical, false, 'an uncompared state is not known to be identical');
    assert.match(formatComparisonMarkdown(d), /not compared: too large/);
  });

  it('a savepoint compared with itself is identical', async () => {
    const d = await compareSavepoints(b, b, { entries: true });
    assert.equal(d.identical, true);
    assert.ok(d.matched.every((o) => !o.changes.length && (o.entries ?? []).every((e) => !e.added && !e.removed && !e.changed)));
    assert.match(formatComparisonMarkdown(d), /\*\*Identical\*\*/);
  });

  it('the Markdown report has the sections and names the changes', () => {
    const md = formatComparisonMarkdown(diff);
    for (const h of ['# Savepoint comparison', '## Summary', '## Operators only in A', '## Operators only in B', '## Operators in both']) {
      assert.ok(md.includes(`\n${h}\n`) || md.startsWith(`${h}\n`), h);
    }
    assert.match(md, /\| parallelism changed \| 1 \| 3 \|/);
    assert.match(md, /### keyed-state\n/);
    assert.match(md, /\| `byTag` \| 46 \| 47 \| 1 \| 0 \| 0 \|/);
    assert.match(md, /\| added \| `\["",null,"null-value"\]` \| — \| `null` \|/);
  });

  it('the same case across Flink versions (V4 vs newer metadata): operators matched by ID, no declaration changes', async function () {
    const v2 = path.join(CORPUS_ROOT, 'flink-2.3.0', 'keyed-hashmap', 'savepoint');
    assert.ok(fs.existsSync(path.join(v2, '_metadata')), `corpus case ${v2} is missing`);
    const other = await openSavepoint(v2);
    const d = await compareSavepoints(a, other, { entries: true });
    assert.notEqual(d.a.version, d.b.version);
    const shared = a.operators.filter((o) => other.operators.some((x) => x.id === o.id)).map((o) => o.id).sort();
    assert.deepEqual(d.matched.map((o) => o.id).sort(), shared);
    assert.ok(shared.includes(operatorIdFromUid('keyed-state')));
    for (const o of d.matched) assert.deepEqual(o.changedStates, [], o.id);
  });

  it('a NATIVE savepoint: keyed states are reported as not compared, not as missing', async function () {
    const native = path.join(V1, 'keyed-hashmap-native', 'savepoint');
    assert.ok(fs.existsSync(path.join(native, '_metadata')), `corpus case ${native} is missing`);
    const d = await compareSavepoints(a, await openSavepoint(native), { entries: true });
    const ks = d.matched.find((o) => o.id === operatorIdFromUid('keyed-state'))!;
    assert.deepEqual(ks.statesOnlyInA, []);
    assert.deepEqual(ks.statesOnlyInB, []);
    assert.match(ks.errors!.join('\n'), /B: keyed state not compared: .*NATIVE/);
    assert.equal(d.identical, false);
    // operator state (the source's split state) is still compared
    const src = d.matched.find((o) => o.sameStates.includes('SourceReaderState'));
    assert.ok(src?.entries?.some((e) => e.name === 'SourceReaderState' && e.compared));
  });

  describe('fsp diff', () => {
    it('a savepoint with itself: exit 0, says identical', async () => {
      const m = memoryIo();
      const code = await diffCommand([path.join(ROCKSDB, 'savepoint'), path.join(ROCKSDB, 'savepoint'), '--entries'], m.io);
      assert.equal(code, 0, m.err());
      assert.match(m.out(), /Identical/);
      assert.equal(m.err(), '');
    });

    it('two different savepoints: exit 1 and a changed parallelism', async () => {
      const r = await run(['diff', path.join(HASHMAP, 'savepoint'), path.join(ROCKSDB, 'savepoint')]);
      assert.equal(r.code, 1, r.err);
      assert.match(r.out, /parallelism changed \| 1 \| 3/);
      assert.match(r.out, /entries not compared/);
    });

    it('--json gives the structured diff', async () => {
      const r = await run(['diff', path.join(HASHMAP, 'savepoint'), path.join(ROCKSDB, 'savepoint'), '--json', '--entries']);
      assert.equal(r.code, 1, r.err);
      const j = JSON.parse(r.out) as SavepointComparison;
      assert.equal(j.identical, false);
      const ks = j.matched.find((o) => o.id === operatorIdFromUid('keyed-state'))!;
      assert.deepEqual(ks.changes.find((c) => c.field === 'parallelism'), { field: 'parallelism', a: 1, b: 3 });
      assert.equal(ks.entries!.find((e) => e.name === 'byTag')!.added, 1);
    });

    it('bad arguments: exit 2, one line on stderr, nothing on stdout', async () => {
      const sp = path.join(ROCKSDB, 'savepoint');
      for (const args of [['diff'], ['diff', sp], ['diff', sp, sp, sp], ['diff', sp, sp, '--bogus'], ['diff', sp, sp, '--max-entries'], ['diff', sp, sp, '--max-entries', 'x']]) {
        const r = await run(args);
        assert.equal(r.code, 2, `fsp ${args.join(' ')}`);
        assert.equal(r.out, '');
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
      }
    });

    it('an unreadable savepoint: exit 2 naming the path', async () => {
      const r = await run(['diff', '/nonexistent/savepoint', path.join(ROCKSDB, 'savepoint')]);
      assert.equal(r.code, 2);
      assert.match(r.err, /\/nonexistent\/savepoint/);
    });
  });
});
