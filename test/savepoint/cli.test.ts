import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { main } from '../../engine/cli/fsp';
import { buildSavepoint, cleanupTemp } from './build';
import { corpusCases, memoryIo } from './corpus';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const m = memoryIo();
  const code = await main(args, m.io);
  return { code, out: m.out(), err: m.err() };
}

describe('fsp CLI', () => {
  it('uid prints the operator id', async () => {
    const r = await run(['uid', '42']);
    assert.equal(r.code, 0);
    assert.equal(r.out, '6c4f323f22da8fb6e34f80c61be7a689\n');
  });

  it('bad arguments exit 2 with one line on stderr', async () => {
    for (const args of [[], ['frobnicate'], ['uid'], ['uid', 'a', 'b'], ['dump'], ['dump', 'x', '--bogus'], ['dump', 'x', '--state'], ['inspect', 'a', 'b']]) {
      const r = await run(args);
      assert.equal(r.code, 2, `fsp ${args.join(' ')}`);
      assert.equal(r.out, '');
      assert.ok(r.err.length > 0);
      if (args.length) assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
  });

  it('a missing savepoint exits 1 naming the path', async () => {
    const r = await run(['dump', '/nonexistent/savepoint']);
    assert.equal(r.code, 1);
    assert.equal(r.err, 'fsp: /nonexistent/savepoint at offset 0: expected a savepoint directory or _metadata file, found ENOENT\n');
  });

  it('a corrupt _metadata exits 1 with file, offset and expectation', async () => {
    const b = buildSavepoint({ keys: 2 });
    const bytes = fs.readFileSync(b.metadata);
    fs.writeFileSync(b.metadata, bytes.subarray(0, 10));
    const r = await run(['inspect', b.dir]);
    assert.equal(r.code, 1);
    assert.equal(r.err, `fsp: ${b.metadata} at offset 8: expected the checkpoint id (8 bytes), found 2 bytes left\n`);
  });

  it('dump prints JSON lines, filters by operator uid, state and key', async () => {
    const b = buildSavepoint({ keys: 6 });
    const all = await run(['dump', b.dir]);
    assert.equal(all.code, 0, all.err);
    const lines = all.out.split('\n');
    assert.equal(lines.pop(), '');
    for (const l of lines) JSON.parse(l);
    assert.equal(lines[0], '{"type":"savepoint","version":4,"checkpointId":7,"operators":2}');
    assert.equal(lines.filter((l) => l.startsWith('{"type":"operator"')).length, 2);

    const one = await run(['dump', b.dir, '--operator', 'keyed', '--state', 'count']);
    assert.equal(one.code, 0, one.err);
    const entries = one.out.split('\n').filter((l) => l.startsWith('{"type":"entry"'));
    assert.deepEqual(entries, b.valueLines);
    assert.ok(!one.out.includes('"type":"element"'));

    const byId = await run(['dump', b.dir, '--operator', b.keyedOpId, '--state', 'count']);
    assert.equal(byId.out, one.out);

    const key = await run(['dump', b.dir, '--operator', 'keyed', '--key', b.keys[3]]);
    assert.equal(key.code, 0, key.err);
    const keyed = key.out.split('\n').filter((l) => l.startsWith('{"type":"entry"'));
    assert.equal(keyed.length, 3, key.out);
    assert.ok(keyed.every((l) => l.includes(`"key":"${b.keys[3]}"`)));

    const none = await run(['dump', b.dir, '--operator', 'nope']);
    assert.equal(none.code, 2);
    assert.equal(none.out, '');
    assert.equal(none.err, 'fsp: no operator matches nope\n');

    const first = await run(['dump', b.dir, '--no-entries']);
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out, lines.filter((l) => /^\{"type":"(savepoint|operator|state|skipped|error)"/.test(l)).map((l) => l + '\n').join(''));
    const firstOne = await run(['dump', b.dir, '--operator', 'keyed', '--state', 'count', '--no-entries']);
    assert.equal(firstOne.code, 0, firstOne.err);
    assert.deepEqual(firstOne.out.split('\n').filter((l) => l).map((l) => JSON.parse(l).type), ['savepoint', 'operator', 'state']);
    const both = await run(['dump', b.dir, '--no-entries', '--key', 'x']);
    assert.equal(both.code, 2);
  });

  it('inspect prints a table and --json a document', async () => {
    const b = buildSavepoint({ keys: 2, version: 5 });
    const t = await run(['inspect', b.dir]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /metadata version 5, checkpoint 7, 2 operators/);
    assert.match(t.out, /uid "keyed"/);
    assert.match(t.out, /attrs +KEY_VALUE +MAP +String +VoidNamespace +String -> String/);
    const j = await run(['inspect', b.dir, '--json']);
    assert.equal(j.code, 0, j.err);
    const doc = JSON.parse(j.out);
    assert.equal(doc.version, 5);
    assert.equal(doc.checkpointId, '7');
    const keyed = doc.operators.find((o: { uid?: string }) => o.uid === 'keyed');
    assert.deepEqual(keyed.states.map((s: { name: string }) => s.name), ['_timer_state/event_user-timers', 'attrs', 'count']);
  });

  it('lint is delegated (or reported missing) without crashing', async () => {
    const r = await run(['lint', '--help']);
    assert.ok(r.code === 0 || r.code === 1 || r.code === 2);
  });

  const c = corpusCases().find((x) => x.dumpFile);
  it('inspect and dump on a corpus case', async function () {
    assert.ok(c, 'no corpus case with a dump');
    const i = await run(['inspect', c!.savepoint]);
    assert.equal(i.code, 0, i.err);
    assert.match(i.out, /metadata version \d, checkpoint \d+/);
    const d = await run(['dump', c!.savepoint]);
    assert.equal(d.out.split('\n')[0], fs.readFileSync(c!.dumpFile!, 'utf8').split('\n')[0]);
  });
});

after(() => cleanupTemp());
