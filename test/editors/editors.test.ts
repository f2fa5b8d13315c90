/**
 * The editors' non-vscode logic: the key-group pager, lookup by key, the edit model with undo / redo,
 * JSON → value validation, and Save As New Savepoint — on the corpus and on generated savepoints.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { entries, listStates, openSavepoint } from '../../engine/savepoint/index';
import { EditModel, EntryEdit, entryId, parseEntryId } from '../../extension/editors/editModel';
import { StateModel } from '../../extension/editors/model';
import { countAll, PagerSource, readPage } from '../../extension/editors/pager';
import { encodeChecked, parseJson, ValueEditError, valueBytes } from '../../extension/editors/valueEdit';
import { snapshots } from '../../engine/savepoint/serializers';
import { corpusCases, isCheckpointCase } from '../savepoint/corpus';
import { GEN_UID, generateSavepoint } from './generate';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-editors-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

type Tuple = [number | undefined, string | undefined, string | undefined, string | undefined, string | undefined, string | undefined];
const tuple = (r: { keyGroup?: number; key?: string; namespace?: string; userKey?: string; value?: string; timestamp?: string }): Tuple => [r.keyGroup, r.key, r.namespace, r.userKey, r.value, r.timestamp];

async function allPages(m: StateModel): Promise<Tuple[]> {
  const out: Tuple[] = [];
  let cursor = { kg: 0, skip: 0 };
  for (let n = 0; n < 100000; n++) {
    const p = await m.page(cursor);
    out.push(...p.rows.map(tuple));
    if (!p.next) break;
    cursor = p.next;
  }
  return out;
}

function dirHash(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) {
    h.update(f);
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  return h.digest('hex');
}

describe('editors: pager over the corpus', function () {
  this.timeout(120000);
  for (const c of corpusCases().filter((x) => x.name.startsWith('flink-1.20.3/'))) {
    it(`${c.name}: pages (7 rows each) are exactly the reader's entries, state by state`, async () => {
      const sp = await openSavepoint(c.savepoint);
      let checked = 0;
      for (const o of sp.operators) {
        let states;
        try {
          states = await listStates(sp, o.id);
        } catch {
          continue; // native / unreadable: the reader has nothing to compare with
        }
        for (const s of states.filter((x) => x.backend === 'KEY_VALUE' || x.backend === 'PRIORITY_QUEUE')) {
          const expected: Tuple[] = [];
          for await (const e of entries(sp, o.id, { state: s.name })) if (e.type === 'entry') expected.push(tuple(e));
          const m = await StateModel.open({ savepoint: c.savepoint, operator: o.id, state: s.name }, { pageSize: 7 });
          try {
            assert.deepEqual(await allPages(m), expected, `${o.id} ${s.name}`);
            assert.equal(await m.count(), expected.length);
          } finally {
            await m.close();
          }
          checked++;
        }
      }
      // native savepoints and checkpoints (case.json) hold no keyed state the reader decodes, except the
      // hashmap backend's (heap key-group layout)
      if (/hashmap/.test(c.name)) assert.ok(checked > 0, 'keyed states paged');
      else if (c.name.includes('native') || isCheckpointCase(c)) assert.equal(checked, 0);
    });
  }

  it('operator state (list, broadcast) pages are read-only elements', async () => {
    const c = corpusCases().find((x) => x.name === 'flink-1.20.3/operator-state');
    if (!c) return;
    const sp = await openSavepoint(c.savepoint);
    const op = sp.operators.find((o) => o.id === '797d4678fb62ec2a4316a1cb0e9329d6')!;
    const m = await StateModel.open({ savepoint: c.savepoint, operator: op.id, state: 'rules' });
    const p = await m.page({ kg: 0, skip: 0 });
    assert.ok(p.rows.length > 0);
    assert.ok(m.info.readOnly);
    await assert.rejects(m.editValue(p.rows[0].id, '1'), ValueEditError);
    await m.close();
  });

  it('a native (incremental RocksDB) savepoint gives a clear message', async () => {
    const c = corpusCases().find((x) => x.name === 'flink-1.20.3/keyed-rocksdb-native');
    if (!c) return;
    await assert.rejects(StateModel.open({ savepoint: c.savepoint, operator: '826c38023c4272520855c3219fef4f3f', state: 'count' }), /native|canonical/i);
  });

  it('an incremental RocksDB checkpoint gives a clear message', async () => {
    const c = corpusCases().find((x) => x.name === 'flink-1.20.3/checkpoint-rocksdb-incremental');
    assert.ok(c && isCheckpointCase(c), 'the corpus has the checkpoint-rocksdb-incremental checkpoint (npm run corpus)');
    await assert.rejects(StateModel.open({ savepoint: c.savepoint, operator: '826c38023c4272520855c3219fef4f3f', state: 'count' }), /incremental RocksDB \(native\)/);
  });

  it("a hashmap checkpoint's key-group state (heap layout) is paged like a canonical savepoint's", async () => {
    const c = corpusCases().find((x) => x.name === 'flink-1.20.3/checkpoint-hashmap');
    assert.ok(c && isCheckpointCase(c), 'the corpus has the checkpoint-hashmap checkpoint (npm run corpus)');
    const m = await StateModel.open({ savepoint: c.savepoint, operator: '826c38023c4272520855c3219fef4f3f', state: 'count' });
    try {
      const dumped = fs.readFileSync(c.dumpFile!, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"entry","operator":"826c38023c4272520855c3219fef4f3f","state":"count"'));
      assert.ok(dumped.length > 0);
      assert.equal(await m.count(), dumped.length);
    } finally {
      await m.close();
    }
  });
});

describe('editors: generated savepoint (20 000 keys)', function () {
  this.timeout(120000);
  let sp: string;
  before(() => {
    sp = generateSavepoint(path.join(TMP, 'gen'), 20000);
  });

  it('the first page decodes only the rows it shows and reads few key groups', async () => {
    const m = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'count' }, { pageSize: 50 });
    const access = (m as unknown as { access: { decodeCount: number; sectionReads: number; groups: unknown[] } }).access;
    const p = await m.page({ kg: 0, skip: 0 });
    assert.equal(p.rows.length, 50);
    assert.equal(p.decoded, 50);
    assert.equal(access.decodeCount, 50);
    assert.ok(access.sectionReads <= 2, `read ${access.sectionReads} key groups for one page`);
    assert.equal(access.groups.length, 128);
    assert.ok(p.next && p.next.kg === p.rows[49].keyGroup, 'the next page continues in the same key group');
    const p2 = await m.page(p.next!);
    assert.notEqual(p2.rows[0].id, p.rows[49].id);
    assert.equal(p2.rows[0].keyGroup, p.rows[49].keyGroup);
    await m.close();
  });

  it('seek by key group and lookup by key land on the key group of the key', async () => {
    const m = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'count' }, { pageSize: 20 });
    const c = m.seek(77);
    const p = await m.page(c);
    assert.ok(p.rows.every((r) => r.keyGroup! >= 77));
    assert.equal(p.rows[0].keyGroup, 77);
    for (const i of [0, 1, 4711, 19999]) {
      const r = await m.lookup(`user-${i}`); // a bare word works for String keys
      assert.equal(r.rows.length, 1, `user-${i}`);
      assert.equal(r.rows[0].key, `"user-${i}"`);
      assert.equal(r.rows[0].value, String(i * 31));
      assert.equal(r.rows[0].keyGroup, r.keyGroup);
      const q = await m.lookup(`"user-${i}"`);
      assert.equal(q.rows[0].id, r.rows[0].id);
    }
    assert.equal((await m.lookup('"nobody"')).rows.length, 0);
    assert.throws(() => m.seek(128), /between 0 and 127/);
    await m.close();
  });

  it('a filter scans within its budget and continues with the next cursor', async () => {
    const m = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'count' }, { pageSize: 10, maxScan: 3000 });
    const p = await m.page({ kg: 0, skip: 0 }, 'user-1999');
    // user-1999 and user-19990..19999: 11 matches somewhere in 20 000 keys
    let found = p.rows.map((r) => r.key);
    let next = p.next;
    let rounds = 0;
    while (next && rounds++ < 100) {
      const q = await m.page(next, 'user-1999');
      found = found.concat(q.rows.map((r) => r.key));
      next = q.next;
    }
    assert.equal(found.length, 11);
    assert.ok(found.includes('"user-1999"'));
    await m.close();
  });

  it('edits, deletes and adds round-trip through Save As; undo restores; the source is untouched', async () => {
    const before = dirHash(sp);
    const m = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'count' }, { pageSize: 10 });
    const [a, b] = (await m.page({ kg: 0, skip: 0 })).rows;
    // a rejected edit says why
    await assert.rejects(m.editValue(a.id, '"many"'), (e: Error) => e instanceof ValueEditError && /does not fit Long/.test(e.message));
    await assert.rejects(m.editValue(a.id, '1.5'), /Long/);
    await assert.rejects(m.editValue(a.id, '{'), /invalid JSON/);
    // edit, undo, redo
    const e1 = await m.editValue(a.id, '9223372036854775807');
    m.edits.apply(e1);
    assert.equal((await m.row(a.id))!.value, '9223372036854775807');
    assert.equal((await m.row(a.id))!.status, 'edited');
    m.edits.undo();
    assert.equal((await m.row(a.id))!.value, a.value);
    assert.equal((await m.row(a.id))!.status, 'clean');
    m.edits.redo();
    assert.equal((await m.row(a.id))!.value, '9223372036854775807');
    // delete b, add a new key
    m.edits.apply(await m.deleteEntry(b.id));
    assert.equal((await m.row(b.id))!.status, 'deleted');
    const add = await m.addEntry('"new-user"', undefined, '42');
    m.edits.apply(add);
    await assert.rejects(m.addEntry('"new-user"', undefined, '1'), /already exists/);
    const looked = await m.lookup('new-user');
    assert.equal(looked.rows.length, 1);
    assert.equal(looked.rows[0].status, 'added');
    assert.equal(looked.rows[0].value, '42');
    assert.equal(m.edits.size, 3);
    assert.ok(m.edits.dirty);

    const target = path.join(TMP, 'edited');
    const r = m.saveAs(target);
    assert.equal(r.dir, target);
    assert.equal(r.changed, 3);
    assert.ok(!m.edits.dirty);
    await m.close();
    assert.equal(dirHash(sp), before, 'the source savepoint is unchanged');

    const back = await StateModel.open({ savepoint: target, operator: GEN_UID, state: 'count' });
    assert.equal((await back.lookup(JSON.parse(a.key!))).rows[0].value, '9223372036854775807');
    assert.equal((await back.lookup(JSON.parse(b.key!))).rows.length, 0);
    assert.equal((await back.lookup('new-user')).rows[0].value, '42');
    assert.equal(await back.count(), 20000);
    await back.close();
    // the other state of the operator is carried over unchanged
    const spOld = await openSavepoint(sp);
    const spNew = await openSavepoint(target);
    const lines = async (s: typeof spOld) => {
      const out: string[] = [];
      for await (const e of entries(s, GEN_UID, { state: 'perDay' })) out.push(e.line);
      return out;
    };
    assert.deepEqual(await lines(spNew), await lines(spOld));
    // Save As never overwrites
    const m2 = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'count' });
    m2.edits.apply(await m2.editValue(a.id, '1'));
    assert.throws(() => m2.saveAs(target), /already exists/);
    assert.throws(() => m2.saveAs(path.join(sp, 'inside')), /inside the source/);
    await m2.close();
  });

  it('map state: a row is one user key; values validate against the value type', async () => {
    const m = await StateModel.open({ savepoint: sp, operator: GEN_UID, state: 'perDay' }, { pageSize: 5 });
    assert.equal(m.info.kind, 'MAP');
    assert.deepEqual(m.info.columns.map((c) => c.id), ['keyGroup', 'key', 'userKey', 'value']);
    const [row] = (await m.page({ kg: 0, skip: 0 })).rows;
    m.edits.apply(await m.editValue(row.id, '7'));
    assert.equal((await m.row(row.id))!.value, '7');
    await assert.rejects(m.editValue(row.id, '"x"'), /Long/);
    m.edits.apply(await m.addEntry('"user-1"', '"2024-02-02"', '5'));
    const r = await m.lookup('user-1');
    assert.ok(r.rows.some((x) => x.userKey === '"2024-02-02"' && x.value === '5' && x.status === 'added'));
    await m.close();
  });
});

describe('editors: edit model', () => {
  const edit = (kg: number, key: string, value: string | null, existed = true): EntryEdit => ({ subtask: 0, kg, stateId: 0, key, value, existed, label: `e ${key}` });

  it('undo / redo in stack order, effective edits, dirty tracking', () => {
    const m = new EditModel();
    assert.ok(!m.dirty);
    m.apply(edit(1, 'aa', '01'));
    m.apply(edit(1, 'aa', '02'));
    m.apply(edit(2, 'bb', null));
    assert.equal(m.current(entryId({ subtask: 0, kg: 1, key: 'aa' }))!.value, '02');
    assert.equal(m.effective().length, 2);
    assert.ok(m.dirty);
    m.markSaved();
    assert.ok(!m.dirty);
    assert.equal(m.undo()!.key, 'bb');
    assert.ok(m.dirty);
    assert.equal(m.undo()!.value, '02');
    assert.equal(m.current(entryId({ subtask: 0, kg: 1, key: 'aa' }))!.value, '01');
    m.redo();
    m.redo();
    assert.ok(!m.dirty, 'back at the saved state');
    m.undo();
    m.apply(edit(3, 'cc', '03'));
    assert.ok(!m.canRedo);
    assert.ok(m.dirty, 'the saved state is no longer reachable');
  });

  it('an added-then-deleted entry is no change; adds are listed per key group', () => {
    const m = new EditModel();
    m.apply(edit(5, 'cc', '01', false));
    assert.deepEqual([...m.keyGroupsWithAdds()], [5]);
    assert.equal(m.addedIn(5).length, 1);
    m.apply(edit(5, 'cc', null, false));
    assert.equal(m.effective().length, 0);
    assert.equal(m.addedIn(5).length, 0);
  });

  it('snapshot / restore (backups) keeps the stacks and marks the work unsaved', () => {
    const m = new EditModel();
    m.apply(edit(1, 'aa', '01'));
    m.apply(edit(1, 'bb', '02'));
    m.undo();
    m.markSaved();
    const copy = new EditModel();
    copy.restore(JSON.parse(JSON.stringify(m.snapshot())));
    assert.equal(copy.size, 1);
    assert.ok(copy.canRedo);
    assert.ok(copy.dirty);
    assert.equal(copy.redo()!.key, 'bb');
  });

  it('entry ids round-trip', () => {
    assert.deepEqual(parseEntryId(entryId({ subtask: 3, kg: 127, key: '7f00ab' })), { subtask: 3, kg: 127, key: '7f00ab' });
    assert.equal(parseEntryId('op/0/1'), undefined);
  });
});

describe('editors: JSON → value validation', () => {
  it('parseJson keeps big integers exact', () => {
    assert.equal(parseJson('9223372036854775807'), 9223372036854775807n);
    assert.equal(parseJson('42'), 42);
    assert.deepEqual(parseJson(' {"a": [1, 2.5, "x\\n"], "b": null} '), { a: [1, 2.5, 'x\n'], b: null });
    assert.throws(() => parseJson('[1,'), /invalid JSON/);
    assert.throws(() => parseJson('1 2'), /after the value/);
    assert.equal((parseJson('{"__proto__": 1}') as Record<string, unknown>)['__proto__'], 1);
  });

  it('encodes through the serializer and re-encodes identically', () => {
    const long = snapshots.simple('long');
    const c = encodeChecked(long, 9223372036854775807n);
    assert.equal(c.json, '9223372036854775807');
    assert.equal(c.bytes.length, 8);
    assert.throws(() => encodeChecked(long, 9223372036854775808n), /does not fit Long/);
    const str = snapshots.simple('string');
    assert.equal(encodeChecked(str, 'héllo').json, '"héllo"');
    assert.throws(() => encodeChecked(snapshots.simple('int'), 2 ** 31), /does not fit Integer/);
  });

  it('state kinds: list needs an array, map values carry the null flag', () => {
    const base = { name: 's', backend: 'KEY_VALUE' as const, key: snapshots.simple('string'), namespace: undefined };
    const list = valueBytes({ ...base, kind: 'LIST', value: snapshots.simple('string') }, '["a","b"]');
    assert.equal(list.json, '["a","b"]');
    assert.equal(list.bytes[2], 0x2c, 'elements are joined by a comma byte');
    assert.throws(() => valueBytes({ ...base, kind: 'LIST', value: snapshots.simple('string') }, '"a"'), /JSON array/);
    const map = valueBytes({ ...base, kind: 'MAP', userKey: snapshots.simple('string'), value: snapshots.simple('long') }, '5');
    assert.deepEqual([...map.bytes], [0, 0, 0, 0, 0, 0, 0, 0, 5]);
    assert.deepEqual([...valueBytes({ ...base, kind: 'MAP', userKey: snapshots.simple('string'), value: snapshots.simple('long') }, 'null').bytes], [1]);
    assert.throws(() => valueBytes({ ...base, kind: 'TIMER', backend: 'PRIORITY_QUEUE' } as never, '1'), /read-only/);
  });
});

describe('editors: pager unit', () => {
  const src = (groups: number[][]): PagerSource<number> => ({
    groupCount: groups.length,
    kgAt: (i) => i * 10,
    indexOf: (kg) => Math.min(groups.length, Math.ceil(kg / 10)),
    items: async (i) => groups[i],
  });

  it('pages across key groups and resumes inside one', async () => {
    const s = src([[1, 2, 3], [], [4], [5, 6, 7, 8]]);
    const p1 = await readPage(s, { kg: 0, skip: 0 }, 2);
    assert.deepEqual(p1.items.map((x) => x.item), [1, 2]);
    assert.deepEqual(p1.next, { kg: 0, skip: 2 });
    const p2 = await readPage(s, p1.next!, 3);
    assert.deepEqual(p2.items.map((x) => x.item), [3, 4, 5]);
    assert.deepEqual(p2.next, { kg: 30, skip: 1 });
    const p3 = await readPage(s, p2.next!, 5);
    assert.deepEqual(p3.items.map((x) => x.item), [6, 7, 8]);
    assert.equal(p3.next, undefined);
    assert.equal(await countAll(s), 8);
    const seek = await readPage(s, { kg: 11, skip: 0 }, 10);
    assert.deepEqual(seek.items.map((x) => x.item), [4, 5, 6, 7, 8]);
  });

  it('a filtered page stops at its scan budget with a cursor to continue', async () => {
    const s = src([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    const p = await readPage(s, { kg: 0, skip: 0 }, 5, { match: (x) => x % 5 === 0, maxScan: 3 });
    assert.equal(p.items.length, 0);
    assert.ok(p.partial);
    assert.deepEqual(p.next, { kg: 0, skip: 3 });
    const q = await readPage(s, p.next!, 5, { match: (x) => x % 5 === 0 });
    assert.deepEqual(q.items.map((x) => x.item), [5, 10]);
  });
});
