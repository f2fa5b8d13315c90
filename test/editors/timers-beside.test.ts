/**
 * The entries editor's "timers beside the key": selecting a row of a keyed (non-timer) state shows
 * the key's stored timers of the same operator (event / processing time, per service), read by a
 * key-group lookup; add / delete go to the timer state's OWN model (the existing timer edit path)
 * and are saved with its Save As. Expected values come from the corpus dumps (`dump.jsonl`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';
import { deleteTimerOfKey, isoUtc, parseTimerStateName, StateModel } from '../../extension/editors/model';
import type { KeyTimers } from '../../webview/protocol';
import { tmp } from '../writer/helpers';
import { GEN_UID, generateSavepoint } from './generate';

const FIX = path.resolve(__dirname, '..', 'fixtures', 'savepoints', 'flink-1.20.3');
const OP = '826c38023c4272520855c3219fef4f3f';
const EVENT = '_timer_state/event_user-timers';
const PROC = '_timer_state/processing_user-timers';

interface DumpEntry {
  type: string;
  operator: string;
  state: string;
  keyGroup?: number;
  key?: unknown;
  namespace?: unknown;
  timestamp?: number | string;
}

function dumpOf(corpus: string): { entries: DumpEntry[]; lines: string[] } {
  const lines = fs.readFileSync(path.join(FIX, corpus, 'dump.jsonl'), 'utf8').split('\n').filter(Boolean);
  return { lines, entries: lines.map((l) => JSON.parse(l) as DumpEntry).filter((e) => e.type === 'entry') };
}

/** The dump's timers of one key (String keys) in the form the model reports them. */
function dumpTimers(d: DumpEntry[], key: string): string[] {
  return d
    .filter((e) => e.operator === OP && e.state.startsWith('_timer_state/') && e.key === key)
    .map((e) => {
      const t = parseTimerStateName(e.state)!;
      return JSON.stringify([e.state, t.domain, t.service, e.keyGroup, String(e.timestamp), e.namespace === undefined ? null : JSON.stringify(e.namespace)]);
    })
    .sort();
}

function modelTimers(kt: KeyTimers): string[] {
  return kt.timers.map((t) => JSON.stringify([t.state, t.domain, t.service, t.keyGroup, t.timestamp, t.namespace ?? null])).sort();
}

/** A savepoint's dump lines, without the savepoint line (its path / id differ between copies). */
async function readerDump(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of dumpLines(await openSavepoint(dir))) if (!l.startsWith('{"type":"savepoint"')) out.push(l);
  return out.sort();
}

/** Lines in `a` not in `b` (multiset). */
function minus(a: string[], b: string[]): string[] {
  const n = new Map<string, number>();
  for (const l of b) n.set(l, (n.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of a) {
    const c = n.get(l) ?? 0;
    if (c > 0) n.set(l, c - 1);
    else out.push(l);
  }
  return out;
}

for (const corpus of ['keyed-hashmap', 'keyed-rocksdb']) {
  const SP = path.join(FIX, corpus, 'savepoint');

  describe(`entries editor: a key's timers beside its state (${corpus})`, function () {
    this.timeout(120_000);
    const { entries: dump } = dumpOf(corpus);
    let out: string;
    before(() => {
      out = tmp('fsp-timers-beside-');
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it('for every key of `count`, the selected row shows exactly the dump\'s timers of that key', async () => {
      const m = await StateModel.open({ savepoint: SP, operator: OP, state: 'count' }, { pageSize: 500 });
      try {
        const rows = (await m.page({ kg: 0, skip: 0 })).rows;
        assert.ok(rows.length >= 10, `rows: ${rows.length}`);
        let withTimers = 0;
        for (const r of rows) {
          const key = JSON.parse(r.key!) as string;
          const kt = await m.timersOfRow(r.id);
          assert.ok(kt, `timers of ${r.key}`);
          assert.equal(kt.key, r.key);
          assert.equal(kt.keyGroup, r.keyGroup);
          assert.deepEqual(kt.states, [
            { state: EVENT, domain: 'event', service: 'user-timers' },
            { state: PROC, domain: 'processing', service: 'user-timers' },
          ]);
          const expected = dumpTimers(dump, key);
          assert.deepEqual(modelTimers(kt), expected, `key ${r.key}`);
          for (const t of kt.timers) {
            assert.equal(t.status, 'clean');
            assert.equal(t.iso, new Date(Number(t.timestamp)).toISOString());
            assert.equal(t.namespace, undefined); // VoidNamespace is not shown
          }
          if (expected.length) withTimers++;
        }
        assert.ok(withTimers > 0, 'some key has timers');
      } finally {
        await m.close();
      }
    });

    it('event and processing timers of a key are both found, sorted by domain and timestamp', async () => {
      const key = 'back\\slash';
      const m = await StateModel.open({ savepoint: SP, operator: OP, state: 'history' });
      try {
        const kt = (await m.timersOfKey(JSON.stringify(key)))!;
        const dumpEvent = dump.filter((e) => e.state === EVENT && e.key === key).map((e) => String(e.timestamp));
        const dumpProc = dump.filter((e) => e.state === PROC && e.key === key).map((e) => String(e.timestamp));
        assert.ok(dumpEvent.length > 0 && dumpProc.length > 0);
        assert.deepEqual(
          kt.timers.filter((t) => t.domain === 'event').map((t) => t.timestamp),
          dumpEvent.sort((a, b) => Number(a) - Number(b)),
        );
        assert.deepEqual(
          kt.timers.filter((t) => t.domain === 'processing').map((t) => t.timestamp),
          dumpProc.sort((a, b) => Number(a) - Number(b)),
        );
        assert.deepEqual(kt.timers.map((t) => t.domain), [...dumpEvent.map(() => 'event'), ...dumpProc.map(() => 'processing')]);
      } finally {
        await m.close();
      }
    });

    it('a key without timers has none (stored key absent from timers, and an added entry)', async () => {
      const m = await StateModel.open({ savepoint: SP, operator: OP, state: 'count' });
      try {
        assert.deepEqual(dumpTimers(dump, 'no-such-key'), []);
        const kt = (await m.timersOfKey('no-such-key'))!;
        assert.ok(kt, 'the operator has timer states: a (possibly empty) section');
        assert.equal(kt.states.length, 2);
        assert.deepEqual(kt.timers, []);
        // a row added in the editor for a new key: no timers beside it
        const e = await m.addEntry('"fresh-key"', undefined, '7');
        m.edits.apply(e);
        const { rows } = await m.lookup('fresh-key');
        assert.equal(rows.length, 1);
        assert.equal(rows[0].status, 'added');
        assert.deepEqual((await m.timersOfRow(rows[0].id))!.timers, []);
      } finally {
        await m.close();
      }
    });

    it('a timer state itself has no "timers beside"', async () => {
      const m = await StateModel.open({ savepoint: SP, operator: OP, state: EVENT });
      try {
        const [r] = (await m.page({ kg: 0, skip: 0 })).rows;
        assert.equal(await m.timersOfRow(r.id), undefined);
      } finally {
        await m.close();
      }
    });

    it('adding a timer for a key (routed to the timer state\'s model) then Save As: the reader dump has the new timer and nothing else changed', async () => {
      const key = 'key-14';
      const ts = 1_700_000_000_123n;
      const keyed = await StateModel.open({ savepoint: SP, operator: OP, state: 'count' });
      const timers = await StateModel.open({ savepoint: SP, operator: OP, state: EVENT });
      try {
        const before = (await keyed.timersOfKey(JSON.stringify(key)))!;
        assert.deepEqual(modelTimers(before), dumpTimers(dump, key));
        // the keyed editor routes the add to the timer state's document: its model makes and applies the edit
        const edit = await timers.addEntry(JSON.stringify(key), undefined, '', { timestamp: new Date(Number(ts)).toISOString() });
        timers.edits.apply(edit);
        assert.ok(timers.edits.dirty);
        const open = (state: string) => (state === EVENT ? timers : undefined);
        const pending = (await keyed.timersOfKey(JSON.stringify(key), open))!;
        const added = pending.timers.filter((t) => t.status === 'added');
        assert.equal(added.length, 1);
        assert.equal(added[0].timestamp, ts.toString());
        assert.equal(added[0].state, EVENT);
        assert.equal(added[0].iso, isoUtc(ts.toString()));
        assert.equal(pending.timers.length, before.timers.length + 1);
        // undo / redo through the same edit model
        timers.edits.undo();
        assert.equal((await keyed.timersOfKey(JSON.stringify(key), open))!.timers.length, before.timers.length);
        timers.edits.redo();

        const target = path.join(out, 'added');
        timers.saveAs(target);
        const orig = await readerDump(SP);
        const now = await readerDump(target);
        assert.deepEqual(minus(orig, now), [], 'nothing removed');
        const extra = minus(now, orig);
        assert.equal(extra.length, 1, extra.join('\n'));
        const line = JSON.parse(extra[0]) as DumpEntry;
        assert.deepEqual(
          { type: line.type, operator: line.operator, state: line.state, key: line.key, timestamp: String(line.timestamp), keyGroup: line.keyGroup },
          { type: 'entry', operator: OP, state: EVENT, key, timestamp: ts.toString(), keyGroup: before.keyGroup },
        );
        // and the new savepoint shows it beside the key
        const reopened = await StateModel.open({ savepoint: target, operator: OP, state: 'count' });
        try {
          const kt = (await reopened.timersOfKey(JSON.stringify(key)))!;
          assert.deepEqual(modelTimers(kt), [...dumpTimers(dump, key), JSON.stringify([EVENT, 'event', 'user-timers', before.keyGroup, ts.toString(), null])].sort());
        } finally {
          await reopened.close();
        }
      } finally {
        await keyed.close();
        await timers.close();
      }
    });

    it('deleting one of a key\'s timers then Save As: exactly that timer is gone', async () => {
      const key = 'héllo';
      const keyed = await StateModel.open({ savepoint: SP, operator: OP, state: 'count' });
      const timers = await StateModel.open({ savepoint: SP, operator: OP, state: PROC });
      try {
        const victim = dump.find((e) => e.state === PROC && e.key === key)!;
        assert.ok(victim, 'the dump has a processing timer for the key');
        await assert.rejects(deleteTimerOfKey(timers, JSON.stringify(key), '12345'), /no timer at 12345/);
        const edit = await deleteTimerOfKey(timers, JSON.stringify(key), String(victim.timestamp));
        timers.edits.apply(edit);
        const pending = (await keyed.timersOfKey(JSON.stringify(key), (s) => (s === PROC ? timers : undefined)))!;
        assert.deepEqual(pending.timers.filter((t) => t.status === 'deleted').map((t) => [t.state, t.timestamp]), [[PROC, String(victim.timestamp)]]);
        await assert.rejects(deleteTimerOfKey(timers, JSON.stringify(key), String(victim.timestamp)), /no timer at/);

        const target = path.join(out, 'deleted');
        timers.saveAs(target);
        const orig = await readerDump(SP);
        const now = await readerDump(target);
        assert.deepEqual(minus(now, orig), [], 'nothing added');
        const gone = minus(orig, now).map((l) => JSON.parse(l) as DumpEntry);
        assert.equal(gone.length, 1);
        assert.deepEqual([gone[0].state, gone[0].key, String(gone[0].timestamp)], [PROC, key, String(victim.timestamp)]);
      } finally {
        await keyed.close();
        await timers.close();
      }
    });
  });
}

describe('entries editor: no timers section when the operator has no timer states', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = tmp('fsp-timers-beside-gen-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('timersOfRow is undefined (nothing to show) for an operator without timers', async () => {
    const sp = generateSavepoint(dir, 20);
    const m = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'count' });
    try {
      const [r] = (await m.page({ kg: 0, skip: 0 })).rows;
      assert.ok(r?.key);
      assert.equal(await m.timersOfRow(r.id), undefined);
      assert.equal(await m.timersOfKey('"user-1"'), undefined);
    } finally {
      await m.close();
    }
  });
});
