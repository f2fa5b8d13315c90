/**
 * Timers in written savepoints, without a JVM: the PRIORITY_QUEUE meta infos and the timer entries
 * engine/savepoint/write/timers.ts produces are byte-identical to what Flink wrote in the corpus
 * (both Flink lines, RocksDB and heap, VoidNamespace user timers and TimeWindow window timers).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMetadata, KeyGroupsHandle } from '../../engine/savepoint/metadata';
import { keyString, parseKeyedFile, ParsedKeyedFile, writeStateMetaInfo } from '../../engine/savepoint/write/keyed-file';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { snapshotOfType, VOID_NAMESPACE } from '../../engine/savepoint/write/types';
import { EntryStore } from '../../engine/savepoint/write/store';
import { DataCache } from '../../engine/savepoint/write/bootstrap';
import {
  addTimers,
  isTimerState,
  parseTimersSpec,
  parseTimerStateName,
  TIME_WINDOW_NAMESPACE,
  timerKeyBytes,
  timerStateMeta,
  timerStateName,
  TimersSpecError,
} from '../../engine/savepoint/write/timers';
import { cli, jsonl, tmp, writeFiles } from '../writer/helpers';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'savepoints');

function keyedFiles(sp: string): { id: string; maxParallelism: number; file: ParsedKeyedFile; raw: Uint8Array }[] {
  const meta = parseMetadata(new Uint8Array(fs.readFileSync(path.join(sp, '_metadata'))), path.join(sp, '_metadata'));
  const out: { id: string; maxParallelism: number; file: ParsedKeyedFile; raw: Uint8Array }[] = [];
  for (const o of meta.operators) {
    for (const s of o.subtasks) {
      const h = s.managedKeyed as KeyGroupsHandle | undefined;
      if (!h || !h.data) continue;
      const d = h.data;
      const raw = d.type === 1 ? d.data : new Uint8Array(fs.readFileSync((d as { path: string }).path));
      out.push({ id: o.id, maxParallelism: o.maxParallelism, file: parseKeyedFile(raw, 'f', h.start, h.offsets), raw });
    }
  }
  return out;
}

function metaBytes(m: Parameters<typeof writeStateMetaInfo>[1]): Buffer {
  const w = new ByteWriter(512);
  writeStateMetaInfo(w, m);
  return Buffer.from(w.toBytes());
}

const CASES = ['keyed-rocksdb', 'keyed-hashmap', 'windows-rocksdb', 'windows-hashmap', 'keys-hashmap'];

describe('timers: writer output equals Flink-written timers (corpus)', () => {
  for (const version of ['flink-1.20.3', 'flink-2.3.0']) {
    for (const c of CASES) {
      const dir = path.join(FIXTURES, version, c);
      it(`${version}/${c}: every timer's key bytes and every timer queue's meta info`, function () {
        assert.ok(fs.existsSync(dir), `corpus case ${dir} is missing`);
        const lines = fs
          .readFileSync(path.join(dir, 'dump.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('"_timer_state/'))
          .map((l) => JSON.parse(l));
        const timers = lines.filter((l) => l.type === 'entry');
        const files = keyedFiles(path.join(dir, 'savepoint'));
        let checked = 0;
        let metas = 0;
        for (const t of timers) {
          const candidates = files.filter((f) => f.id === t.operator && t.keyGroup >= f.file.start && t.keyGroup <= f.file.end);
          assert.equal(candidates.length, 1, `one keyed file holds key group ${t.keyGroup} of ${t.operator}`);
          const { file, maxParallelism } = candidates[0];
          const sid = file.states.findIndex((s) => s.name === t.state);
          const m = file.states[sid];
          assert.ok(isTimerState(m), `${t.state} is a timer state`);
          const ns = m.serializers.get('VALUE_SERIALIZER')!.nested[1];
          const { keyGroup, bytes } = timerKeyBytes(file.keySerializer, ns, maxParallelism, t.key, String(t.timestamp), t.namespace ?? null);
          assert.equal(keyGroup, t.keyGroup, `key group of ${JSON.stringify(t.key)}`);
          const entry = file.table.groups.get(keyGroup)?.get(sid)?.get(keyString(bytes));
          assert.ok(entry, `${c}: timer ${JSON.stringify(t)} has the key bytes Flink wrote`);
          assert.equal(entry!.value.length, 0, 'timer values are empty');
          checked++;
        }
        for (const f of files) {
          for (const m of f.file.states) {
            if (!isTimerState(m)) continue;
            const p = parseTimerStateName(m.name)!;
            assert.ok(p, m.name);
            assert.equal(m.name, timerStateName(p.domain, p.service));
            const ns = m.serializers.get('VALUE_SERIALIZER')!.nested[1];
            const ours = timerStateMeta(p.domain, p.service, f.file.keySerializer, ns.kind === 'timeWindow' ? TIME_WINDOW_NAMESPACE : VOID_NAMESPACE);
            assert.ok(Buffer.from(f.raw).indexOf(metaBytes(ours)) >= 0, `${c}: meta info of ${m.name} is byte-identical to Flink's`);
            if (f.file.keySerializer.className.includes('StringSerializer')) {
              const fromSpec = timerStateMeta(p.domain, p.service, snapshotOfType('String'), ns.kind === 'timeWindow' ? TIME_WINDOW_NAMESPACE : VOID_NAMESPACE);
              assert.ok(Buffer.from(f.raw).indexOf(metaBytes(fromSpec)) >= 0, `${c}: meta info from a spec key type "String"`);
            }
            metas++;
          }
        }
        assert.equal(checked, timers.length);
        assert.ok(metas >= 2, 'the case has timer queues');
      });
    }
  }
});

describe('timers: spec section and addTimers', () => {
  let dir: string;
  before(() => {
    dir = tmp('fsp-timers-');
    writeFiles(dir, {
      'timers.jsonl': jsonl([
        { user: 'a', ts: 10, domain: 'event' },
        { user: 'a', ts: 10, domain: 'event' }, // same timer twice: one entry (a set)
        { user: 'a', ts: 10, domain: 'processing' },
        { user: 'b', ts: '9223372036854775807', domain: 'EVENT_TIME' },
        { user: 'c', ts: '2024-01-01T00:00:00Z', domain: 'processing' },
      ]),
      'bad.jsonl': jsonl([{ user: 'a', ts: 1, domain: 'sometimes' }]),
      'nots.csv': 'user,ts\na,\n',
    });
  });

  it('parses the section with its defaults and rejects mistakes', () => {
    const s = parseTimersSpec({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domainField: 'domain' }, dir, 'operators[0].timers');
    assert.equal(s.service, 'user-timers');
    assert.equal(s.namespaceType, 'VoidNamespace');
    assert.equal(s.data, path.join(dir, 'timers.jsonl'));
    const bad = (o: object, re: RegExp) => assert.throws(() => parseTimersSpec(o, dir, 'operators[0].timers'), (e: Error) => e instanceof TimersSpecError && re.test(e.message));
    bad({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts' }, /"domain".*"domainField"/);
    bad({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domain: 'later' }, /"event" or "processing"/);
    bad({ data: 'missing.jsonl', keyField: 'user', timestampField: 'ts', domain: 'event' }, /not found/);
    bad({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domain: 'event', namespaceType: 'TimeWindow' }, /windowStartField/);
    bad({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domain: 'event', namespace: 'x' }, /unknown member "namespace"/);
  });

  it('adds both queues (processing, then event) and one entry per distinct timer', () => {
    const s = parseTimersSpec({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domainField: 'domain' }, dir, 't');
    const store = new EntryStore();
    const states = [timerStateMeta('event', 'other', snapshotOfType('String'), VOID_NAMESPACE)];
    const n = addTimers(s, snapshotOfType('String'), 128, store, states, new DataCache());
    assert.equal(n, 4);
    assert.deepEqual(
      states.map((m) => m.name),
      ['_timer_state/event_other', '_timer_state/processing_user-timers', '_timer_state/event_user-timers'],
    );
    const live = [];
    for (let i = 0; i < store.n; i++) if (store.head[i] !== -1) live.push(i);
    assert.equal(live.length, 4);
    for (const i of live) assert.equal(store.valueLength(i), 0);
    // Long.MAX_VALUE with the sign bit flipped: 0xFF…FF right after the one-byte key-group prefix
    const b = timerKeyBytes(snapshotOfType('String'), VOID_NAMESPACE, 128, 'b', '9223372036854775807').bytes;
    assert.deepEqual([...b.subarray(1, 9)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    // 0 flips to 0x80 00…; a two-byte prefix above max parallelism 128
    const z = timerKeyBytes(snapshotOfType('Long'), VOID_NAMESPACE, 32768, 7, 0).bytes;
    assert.deepEqual([...z.subarray(2, 10)], [0x80, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(z.length, 2 + 8 + 8 + 1);
  });

  it('refuses a second declaration of the same service and reports bad rows with file:line', () => {
    const s = parseTimersSpec({ data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domainField: 'domain' }, dir, 't');
    const states = [timerStateMeta('event', 'user-timers', snapshotOfType('String'), VOID_NAMESPACE)];
    assert.throws(() => addTimers(s, snapshotOfType('String'), 128, new EntryStore(), states, new DataCache()), /already declared/);
    const bad = parseTimersSpec({ data: 'bad.jsonl', keyField: 'user', timestampField: 'ts', domainField: 'domain' }, dir, 't');
    assert.throws(() => addTimers(bad, snapshotOfType('String'), 128, new EntryStore(), [], new DataCache()), /bad\.jsonl:1: .*"event" or "processing"/);
    const nots = parseTimersSpec({ data: 'nots.csv', keyField: 'user', timestampField: 'ts', domain: 'event' }, dir, 't');
    assert.throws(() => addTimers(nots, snapshotOfType('String'), 128, new EntryStore(), [], new DataCache()), /nots\.csv:2: no timestamp/);
  });
});

describe('timers: fsp bootstrap with a timers section', () => {
  it('writes timers-only and mixed operators; a bad section or row is one error line (exit 1)', async () => {
    const dir = tmp('fsp-timers-cli-');
    writeFiles(dir, {
      't.csv': 'k,ts,d\n1,100,event\n2,200,processing\n',
      'bad.csv': 'k,ts,d\n1,soon,event\n',
      'spec.json': { operators: [{ uid: 'only', keyType: 'Long', timers: { data: 't.csv', keyField: 'k', timestampField: 'ts', domainField: 'd' } }] },
      'bad.json': { operators: [{ uid: 'only', keyType: 'Long', timers: { data: 'bad.csv', keyField: 'k', timestampField: 'ts', domainField: 'd' } }] },
      'nokey.json': { operators: [{ uid: 'only', timers: { data: 't.csv', keyField: 'k', timestampField: 'ts', domainField: 'd' } }] },
    });
    const ok = await cli('bootstrap', '--spec', path.join(dir, 'spec.json'), '--out', path.join(dir, 'sp'));
    assert.equal(ok.code, 0, ok.stderr);
    const lines: string[] = [];
    for await (const l of dumpLines(await openSavepoint(path.join(dir, 'sp')))) lines.push(l);
    const entries = lines.filter((l) => l.startsWith('{"type":"entry"')).map((l) => JSON.parse(l));
    assert.deepEqual(
      entries.map((e) => [e.state, e.key, e.timestamp]).sort(),
      [
        ['_timer_state/event_user-timers', 1, 100],
        ['_timer_state/processing_user-timers', 2, 200],
      ],
    );
    const bad = await cli('bootstrap', '--spec', path.join(dir, 'bad.json'), '--out', path.join(dir, 'sp-bad'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.csv:2: .*timestamp/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.ok(!fs.existsSync(path.join(dir, 'sp-bad')));
    const nokey = await cli('bootstrap', '--spec', path.join(dir, 'nokey.json'), '--out', path.join(dir, 'sp-nokey'));
    assert.notEqual(nokey.code, 0);
    assert.match(nokey.stderr, /keyType/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
