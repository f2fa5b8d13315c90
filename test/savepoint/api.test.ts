/** The public API (engine/savepoint/index.ts) against the corpus: listStates, entries, lookup. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { dumpLines, entries, listStates, lookup, openSavepoint } from '../../engine/savepoint/index';
import { SMALL_FILE } from '../../engine/savepoint/files';
import { buildSavepoint, cleanupTemp } from './build';
import { corpusCases, hasPlainKeyEntries } from './corpus';

const ENTRY = /^\{"type":"entry","operator":"([0-9a-f]{32})","state":("(?:[^"\\]|\\.)*"),"keyGroup":(\d+),"key":(-?\d+|"(?:[^"\\]|\\.)*")[,}]/;

describe('savepoint API on the corpus', function () {
  this.timeout(60000);
  for (const c of corpusCases().filter((x) => x.dumpFile)) {
    const lines = fs.readFileSync(c.dumpFile!, 'utf8').split('\n').filter(Boolean);
    if (lines.some((l) => l.startsWith('{"type":"error"'))) continue;

    it(`${c.name}: listStates matches the dump's state lines`, async () => {
      const sp = await openSavepoint(c.savepoint);
      assert.equal(sp.operators.length, JSON.parse(lines[0]).operators);
      for (const o of sp.operators) {
        const expected = lines
          .filter((l) => l.startsWith(`{"type":"state","operator":"${o.id}"`))
          .map((l) => JSON.parse(l))
          .map((s) => [s.name, s.backend, s.kind, s.key, s.namespace, s.userKey, s.value]);
        const actual = (await listStates(sp, o.id)).map((s) => [s.name, s.backend, s.kind, s.keyType, s.namespaceType, s.userKeyType, s.valueType]);
        assert.deepEqual(actual, expected, o.id);
      }
    });

    // native and FileSink cases have no String/Long/Integer keyed entries to look up
    if (hasPlainKeyEntries(lines)) it(`${c.name}: lookup(key) returns exactly the dump's entries of that key`, async function () {
      const sp = await openSavepoint(c.savepoint);
      const keyTypes = new Map<string, string>();
      for (const l of lines) if (l.startsWith('{"type":"state"')) {
        const s = JSON.parse(l);
        if (s.key && s.backend === 'KEY_VALUE') keyTypes.set(s.operator, s.key);
      }
      let checked = 0;
      const seen = new Set<string>();
      for (const l of lines) {
        const m = ENTRY.exec(l);
        if (!m) continue;
        const kt = keyTypes.get(m[1]);
        if (kt !== 'String' && kt !== 'Long' && kt !== 'Integer') continue;
        const id = `${m[1]}/${m[4]}`;
        if (seen.has(id) || seen.size >= 12) continue;
        seen.add(id);
        const key = kt === 'String' ? (JSON.parse(m[4]) as string) : m[4];
        const expected = lines.filter((x) => {
          const n = ENTRY.exec(x);
          return n && n[1] === m[1] && n[4] === m[4] && !JSON.parse(n[2]).startsWith('_timer_state/');
        });
        const got = (await lookup(sp, m[1], undefined, key)).filter((e) => !e.state.startsWith('_timer_state/')).map((e) => e.line);
        assert.deepEqual(got, expected, `key ${m[4]}`);
        checked++;
      }
      assert.ok(checked > 0, 'no key was looked up');
    });

    it(`${c.name}: entries() streams the dump's entry and element lines, key-group ranges included`, async () => {
      const sp = await openSavepoint(c.savepoint);
      for (const o of sp.operators) {
        const expected = lines.filter((l) => (l.startsWith('{"type":"entry"') || l.startsWith('{"type":"element"')) && l.includes(`"operator":"${o.id}"`));
        const got: string[] = [];
        for await (const e of entries(sp, o.id)) got.push(e.line);
        assert.deepEqual(got, expected, o.id);
        const half = Math.floor(o.maxParallelism / 2);
        const ranged: string[] = [];
        for await (const e of entries(sp, o.id, { fromKeyGroup: 0, toKeyGroup: half - 1 })) {
          assert.ok(e.type === 'entry' && e.keyGroup! < half);
          ranged.push(e.line);
        }
        assert.deepEqual(ranged, expected.filter((l) => l.startsWith('{"type":"entry"') && Number(/"keyGroup":(\d+)/.exec(l)![1]) < half));
      }
    });

    it(`${c.name}: one state at a time (entries() and the dump's --state) gives that state's lines of the whole dump`, async () => {
      const sp = await openSavepoint(c.savepoint);
      for (const o of sp.operators) {
        const mine = lines.filter((l) => (l.startsWith('{"type":"entry"') || l.startsWith('{"type":"element"')) && l.includes(`"operator":"${o.id}"`));
        const names = lines.filter((l) => l.startsWith(`{"type":"state","operator":"${o.id}"`)).map((l) => (JSON.parse(l) as { name: string }).name);
        for (const name of names) {
          const expected = mine.filter((l) => (JSON.parse(l) as { state: string }).state === name);
          const got: string[] = [];
          for await (const e of entries(sp, o.id, { state: name })) got.push(e.line);
          assert.deepEqual(got, expected, `${o.id} ${name}: entries()`);
          const dumped: string[] = [];
          for await (const l of dumpLines(sp, { operator: o.id, state: name })) if (l.startsWith('{"type":"entry"') || l.startsWith('{"type":"element"')) dumped.push(l);
          assert.deepEqual(dumped, expected, `${o.id} ${name}: dump --state`);
        }
      }
    });
  }
});

describe('savepoint API on large state files', function () {
  this.timeout(60000);
  it('streams a keyed file above the small-file threshold by ranges and looks up one key group', async () => {
    const b = buildSavepoint({ keys: 80000 });
    assert.ok(fs.statSync(b.keyedFile).size > SMALL_FILE, 'the keyed file is read by ranges');
    const sp = await openSavepoint(b.dir);
    let count = 0;
    let lastKg = -1;
    for await (const e of entries(sp, 'keyed', { state: 'count' })) {
      assert.ok(e.keyGroup! >= lastKg);
      lastKg = e.keyGroup!;
      count++;
    }
    assert.equal(count, 80000);
    const key = 'key-12345';
    const expected = b.valueLines.find((l) => l.includes(`"key":"${key}"`));
    const got = await lookup(sp, 'keyed', 'count', key);
    assert.deepEqual(got.map((e) => e.line), [expected]);
    assert.deepEqual(await lookup(sp, 'keyed', 'count', 'no-such-key'), []);
  });
});

after(() => cleanupTemp());
