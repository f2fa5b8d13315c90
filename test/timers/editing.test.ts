/**
 * The entries editor's timer edit path (no vscode): a timer state's rows are its timers (key,
 * namespace, timestamp); timers are deleted and added (never edited in place), with undo / redo, and
 * saved as a new savepoint through Save As. Checked on Flink-written corpus savepoints (VoidNamespace
 * user timers and TimeWindow window timers) against the public reader.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { entries, openSavepoint } from '../../engine/savepoint/index';
import { StateModel } from '../../extension/editors/model';
import { ValueEditError, valueBytes } from '../../extension/editors/valueEdit';
import { tmp } from '../writer/helpers';

const FIX = path.resolve(__dirname, '..', 'fixtures', 'savepoints', 'flink-1.20.3');
const KEYED = path.join(FIX, 'keyed-rocksdb', 'savepoint');
const WINDOWS = path.join(FIX, 'windows-rocksdb', 'savepoint');
const KEYED_OP = '826c38023c4272520855c3219fef4f3f';
const WINDOW_OP = '35b289bd7ef176505543cdbb4bcf3eb1';
const EVENT = '_timer_state/event_user-timers';
const PROC = '_timer_state/processing_user-timers';

async function timerLines(sp: string, op: string, state: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of entries(await openSavepoint(sp), op, { state })) out.push(e.line);
  return out.sort();
}

function dirBytes(dir: string): string {
  return fs
    .readdirSync(dir)
    .sort()
    .map((f) => f + ':' + fs.readFileSync(path.join(dir, f)).toString('base64'))
    .join('|');
}

describe('timers: editing timers in the entries editor model', function () {
  this.timeout(120_000);
  let out: string;
  before(() => {
    out = tmp('fsp-timer-edits-');
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('a timer state is editable: key / timestamp columns, add and delete, no value edits', async () => {
    const m = await StateModel.open({ savepoint: KEYED, operator: KEYED_OP, state: EVENT }, { pageSize: 50 });
    try {
      assert.equal(m.info.kind, 'TIMER');
      assert.equal(m.info.readOnly, undefined);
      assert.ok(m.info.canAdd);
      assert.ok(m.info.canLookup);
      assert.deepEqual(m.info.columns.map((c) => c.id), ['keyGroup', 'key', 'timestamp']);
      const [first] = (await m.page({ kg: 0, skip: 0 })).rows;
      assert.equal(first.readOnly, undefined);
      await assert.rejects(m.editValue(first.id, '1'), (e: Error) => e instanceof ValueEditError && /no value.*delete the timer and add/.test(e.message));
      assert.throws(() => valueBytes({ name: EVENT, backend: 'PRIORITY_QUEUE', kind: 'TIMER' } as never, '1'), /read-only/);
    } finally {
      await m.close();
    }
  });

  it('delete + add (epoch ms, digit string beyond 2^53, ISO-8601), undo / redo, Save As; the reader sees exactly the change', async () => {
    const before = dirBytes(KEYED);
    const orig = await timerLines(KEYED, KEYED_OP, EVENT);
    const m = await StateModel.open({ savepoint: KEYED, operator: KEYED_OP, state: EVENT }, { pageSize: 500 });
    const rows = (await m.page({ kg: 0, skip: 0 })).rows;
    const victim = rows[3];
    m.edits.apply(await m.deleteEntry(victim.id));
    assert.equal((await m.row(victim.id))!.status, 'deleted');
    await assert.rejects(m.deleteEntry(victim.id), /already deleted/);

    const a1 = await m.addEntry('alice', undefined, '', { timestamp: '1700000000000' });
    m.edits.apply(a1);
    assert.equal(a1.value, '', 'a timer has an empty value');
    const a2 = await m.addEntry('"bob"', undefined, '', { timestamp: '9007199254740993' });
    m.edits.apply(a2);
    const a3 = await m.addEntry('zoë', undefined, '', { timestamp: '2024-02-29T12:00:00Z' });
    m.edits.apply(a3);
    // the same timer twice is refused (a timer queue is a set); so is an existing Flink-written one
    await assert.rejects(m.addEntry('alice', undefined, '', { timestamp: '1700000000000' }), /already exists/);
    // a deleted timer can be added again (undone below)
    m.edits.apply(await m.addEntry(victim.key!, undefined, '', { timestamp: victim.timestamp }));
    assert.equal((await m.row(victim.id))!.status, 'edited');
    // bad input says why
    await assert.rejects(m.addEntry('alice', undefined, '', { timestamp: 'soon' }), /timestamp/);
    await assert.rejects(m.addEntry('alice', undefined, '', {}), /needs a timestamp/);
    await assert.rejects(m.addEntry('alice', undefined, '', { timestamp: '9223372036854775808' }), /64-bit/);

    const looked = await m.lookup('alice');
    const added = looked.rows.find((r) => r.status === 'added');
    assert.ok(added, 'lookup by key shows the added timer');
    assert.equal(added!.timestamp, '1700000000000');
    assert.equal((await m.lookup('bob')).rows.find((r) => r.status === 'added')!.timestamp, '9007199254740993');
    assert.equal((await m.lookup('zoë')).rows.find((r) => r.status === 'added')!.timestamp, String(Date.parse('2024-02-29T12:00:00Z')));

    // undo the re-add of the victim and the last add, redo the last add
    const sizeBefore = m.edits.size;
    m.edits.undo(); // re-added victim
    m.edits.undo(); // zoë
    assert.equal((await m.lookup('zoë')).rows.some((r) => r.status === 'added'), false);
    m.edits.redo();
    assert.equal(m.edits.size, sizeBefore - 1);

    const target = path.join(out, 'edited');
    const r = m.saveAs(target);
    assert.equal(r.changed, 4);
    await m.close();
    assert.equal(dirBytes(KEYED), before, 'the source savepoint is unchanged');

    const after = await timerLines(target, KEYED_OP, EVENT);
    const victimLine = orig.find((l) => l.includes(`"keyGroup":${victim.keyGroup},`) && l.includes(`"key":${victim.key},`) && l.includes(`"timestamp":${victim.timestamp}}`));
    assert.ok(victimLine);
    const expected = orig.filter((l) => l !== victimLine);
    const line = (kg: number, key: string, ts: string) => `{"type":"entry","operator":"${KEYED_OP}","state":"${EVENT}","keyGroup":${kg},"key":${JSON.stringify(key)},"timestamp":${ts}}`;
    expected.push(line(a1.kg, 'alice', '1700000000000'), line(a2.kg, 'bob', '9007199254740993'), line(a3.kg, 'zoë', String(Date.parse('2024-02-29T12:00:00Z'))));
    assert.deepEqual(after, expected.sort());
    // the processing-time queue and the other states are carried over unchanged
    assert.deepEqual(await timerLines(target, KEYED_OP, PROC), await timerLines(KEYED, KEYED_OP, PROC));
    assert.deepEqual(await timerLines(target, KEYED_OP, 'count'), await timerLines(KEYED, KEYED_OP, 'count'));
  });

  it('window timers: a TimeWindow namespace is required, validated and stored', async () => {
    const m = await StateModel.open({ savepoint: WINDOWS, operator: WINDOW_OP, state: '_timer_state/event_window-timers' }, { pageSize: 50 });
    try {
      assert.equal(m.info.namespaceType, 'TimeWindow');
      assert.ok(m.info.canAdd);
      assert.deepEqual(m.info.columns.map((c) => c.id), ['keyGroup', 'key', 'namespace', 'timestamp']);
      await assert.rejects(m.addEntry('w1', undefined, '', { timestamp: '99' }), /needs its namespace/);
      await assert.rejects(m.addEntry('w1', undefined, '', { timestamp: '99', namespace: '{"start":0}' }), /namespace/);
      const e = await m.addEntry('w1', undefined, '', { timestamp: '1999', namespace: '{"start":1000,"end":2000}' });
      m.edits.apply(e);
      const row = (await m.lookup('w1')).rows.find((r) => r.status === 'added')!;
      assert.equal(row.namespace, '{"start":1000,"end":2000}');
      assert.equal(row.timestamp, '1999');
      const target = path.join(out, 'edited-window');
      m.saveAs(target);
      const lines = await timerLines(target, WINDOW_OP, '_timer_state/event_window-timers');
      assert.ok(lines.some((l) => l.includes('"key":"w1","namespace":{"start":1000,"end":2000},"timestamp":1999')));
      assert.equal(lines.length, (await timerLines(WINDOWS, WINDOW_OP, '_timer_state/event_window-timers')).length + 1);
    } finally {
      await m.close();
    }
  });
});
