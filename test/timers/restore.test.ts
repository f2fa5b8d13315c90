/**
 * Evidence from real Flink: timers bootstrapped by `fsp bootstrap` (spec `timers` section) are
 * restored by a Flink job (`engine.jar timers-check`: same uid, same key type, a KeyedProcessFunction
 * that registers nothing and reports every onTimer) on a local MiniCluster, with event time driven by
 * watermarks from a bounded source. Each event-time timer fires exactly once, for its key, when the
 * watermark reaches exactly its timestamp (the watermark before it is timestamp − 1); processing-time
 * timers in the past fire right after the restore; future ones and nothing else fire. The same
 * savepoints read back identically through our reader and the Java oracle (`engine.jar dump`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { cli, engine, ENGINE_JAR, jsonl, requireEngine, tmp, writeFiles } from '../writer/helpers';
import { dumpLines, openSavepoint } from '../../engine/savepoint/index';
import { StateModel } from '../../extension/editors/model';

const T = 600_000;

interface Fired {
  event: 'timer';
  key: unknown;
  timestamp: number;
  domain: 'event' | 'processing';
  watermark: number | string;
  firedAt: number;
  namespace?: { start: number; end: number };
}

interface TimersCheckResult {
  fired: Fired[];
  startedAt: number;
  endedAt: number;
}

/** `java -jar engine.jar timers-check …`; throws with Flink's error when the restore fails. */
function timersCheck(savepoint: string, uid: string, opts: { keyType?: string; backend?: string; parallelism?: number; maxParallelism?: number; watermarks: number[]; service?: string; namespace?: string }): TimersCheckResult {
  requireEngine();
  const args = ['-jar', ENGINE_JAR, 'timers-check', '--savepoint', savepoint, '--uid', uid, '--key-type', opts.keyType ?? 'String'];
  if (opts.backend) args.push('--backend', opts.backend);
  if (opts.parallelism) args.push('--parallelism', String(opts.parallelism));
  if (opts.maxParallelism) args.push('--max-parallelism', String(opts.maxParallelism));
  if (opts.service) args.push('--service', opts.service);
  if (opts.namespace) args.push('--namespace', opts.namespace);
  args.push('--watermarks', opts.watermarks.join(','));
  // JSON.parse loses the digits of watermarks near Long.MIN/MAX; keep them as strings
  const r = spawnSync('java', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{'));
  const end = lines.find((l) => l.startsWith('{"event":"timers-check"'));
  if (r.status !== 0 || !end) {
    const err = (r.stderr ?? '').split('\n').filter((l) => /engine timers-check|Exception|Caused by/.test(l)).slice(0, 6).join('\n');
    throw new Error(`timers-check failed (exit ${r.status}): ${err || r.stderr?.slice(-2000)}`);
  }
  const fired = lines
    .filter((l) => l.startsWith('{"event":"timer"'))
    .map((l) => JSON.parse(l.replace(/"watermark":(-?\d+)/, '"watermark":"$1"')) as Fired);
  const e = JSON.parse(end);
  return { fired, startedAt: e.startedAt, endedAt: e.endedAt };
}

/** The watermarks the source emits: each distinct event timestamp minus one, then the timestamp. */
function watermarksFor(ts: number[]): number[] {
  const out: number[] = [];
  for (const t of [...new Set(ts)].sort((a, b) => a - b)) {
    if (out.length === 0 || out[out.length - 1] < t - 1) out.push(t - 1);
    out.push(t);
  }
  return out;
}

interface Timer {
  key: unknown;
  ts: number;
  domain: 'event' | 'processing';
}

/** Asserts the exact firing set: every event timer once at its watermark, past processing timers, nothing else. */
function assertFired(r: TimersCheckResult, timers: Timer[], now: number): void {
  const sortKey = (t: { key: unknown; ts: number; domain: string }) => `${t.domain} ${JSON.stringify(t.key)} ${t.ts}`;
  const expected = timers.filter((t) => t.domain === 'event' || t.ts <= now).map(sortKey).sort();
  const actual = r.fired.map((f) => sortKey({ key: f.key, ts: f.timestamp, domain: f.domain })).sort();
  assert.deepEqual(actual, expected, 'exactly the restored timers fire, each once');
  for (const f of r.fired) {
    if (f.domain === 'event') {
      assert.equal(f.watermark, String(f.timestamp), `event timer ${JSON.stringify(f)} fires when the watermark reaches its timestamp`);
    } else {
      assert.ok(f.firedAt >= f.timestamp, 'a processing timer never fires early');
      assert.ok(f.firedAt - r.startedAt < 60_000, 'past processing timers fire right after the restore');
      assert.equal(f.watermark, '-9223372036854775808', 'processing timers in the past fire before event time starts');
    }
  }
}

async function readerTimerLines(sp: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of dumpLines(await openSavepoint(sp))) if (l.includes('"_timer_state/')) out.push(l);
  return out.sort();
}

function oracleTimerLines(sp: string): string[] {
  const r = engine(['dump', sp]);
  assert.equal(r.code, 0, r.stderr.slice(-1000));
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('"_timer_state/'))
    .sort();
}

describe('timers: bootstrapped timers fire in real Flink (engine.jar timers-check)', function () {
  this.timeout(T);
  let dir: string;
  const now = Date.now();
  const FUTURE = 4102444800000; // 2100-01-01

  const userTimers: Timer[] = [
    { key: 'alice', ts: 1000, domain: 'event' },
    { key: 'alice', ts: 5000, domain: 'event' },
    { key: 'bob', ts: 3000, domain: 'event' },
    { key: 'zoë', ts: 4000, domain: 'event' },
    { key: '', ts: 2500, domain: 'event' },
    { key: 'carol', ts: -5, domain: 'event' },
    { key: 'tab\tquote"', ts: 1000, domain: 'event' },
    { key: 'bob', ts: 1234, domain: 'processing' },
    { key: 'dave', ts: now - 60_000, domain: 'processing' },
    { key: 'carol', ts: FUTURE, domain: 'processing' },
  ];

  before(async function () {
    requireEngine();
    dir = tmp('fsp-timers-');
    writeFiles(dir, {
      // ISO date-times and digit strings are timestamps too
      'timers.jsonl': jsonl(userTimers.map((t, i) => ({ user: t.key, ts: i === 3 ? '1970-01-01T00:00:04Z' : i === 1 ? '5000' : t.ts, domain: t.domain }))),
      'counts.jsonl': jsonl([{ user: 'alice', count: 3 }]),
      'spec.json': {
        maxParallelism: 128,
        operators: [
          {
            uid: 'timed',
            keyType: 'String',
            parallelism: 2,
            states: [{ name: 'count', kind: 'value', valueType: 'Long', data: 'counts.jsonl', keyField: 'user', valueField: 'count' }],
            timers: { data: 'timers.jsonl', keyField: 'user', timestampField: 'ts', domainField: 'domain' },
          },
        ],
      },
      'only.csv': 'k,t\n1,100\n2,200\n3,200\n-4,150\n',
      'only.json': {
        maxParallelism: 128,
        operators: [{ uid: 'only-timers', keyType: 'Long', timers: { data: 'only.csv', keyField: 'k', timestampField: 't', domain: 'event' } }],
      },
      'w.jsonl': jsonl([
        { k: 'a', t: 1999, s: 1000, e: 2000 },
        { k: 'b', t: 2999, s: 2000, e: 3000 },
        { k: 'a', t: 2999, s: 2000, e: 3000 },
      ]),
      'windows.json': {
        maxParallelism: 256,
        operators: [
          {
            uid: 'win',
            keyType: 'String',
            parallelism: 2,
            timers: { data: 'w.jsonl', keyField: 'k', timestampField: 't', domain: 'event', service: 'window-timers', namespaceType: 'TimeWindow', windowStartField: 's', windowEndField: 'e' },
          },
        ],
      },
    });
    for (const [spec, out] of [
      ['spec.json', 'sp'],
      ['only.json', 'sp-only'],
      ['windows.json', 'sp-win'],
    ]) {
      const r = await cli('bootstrap', '--spec', path.join(dir, spec), '--out', path.join(dir, out));
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('hashmap, same parallelism: each event timer fires once at its timestamp, past processing timers right away, nothing else', () => {
    const r = timersCheck(path.join(dir, 'sp'), 'timed', { parallelism: 2, watermarks: watermarksFor(userTimers.filter((t) => t.domain === 'event').map((t) => t.ts)) });
    assertFired(r, userTimers, now);
    assert.equal(r.fired.length, 9);
  });

  it('rocksdb, rescaled 2 → 3: the same timers fire', () => {
    const r = timersCheck(path.join(dir, 'sp'), 'timed', { parallelism: 3, backend: 'rocksdb', watermarks: watermarksFor(userTimers.filter((t) => t.domain === 'event').map((t) => t.ts)) });
    assertFired(r, userTimers, now);
  });

  it('a timers-only operator (Long keys, no keyed state)', () => {
    const timers: Timer[] = [
      { key: 1, ts: 100, domain: 'event' },
      { key: 2, ts: 200, domain: 'event' },
      { key: 3, ts: 200, domain: 'event' },
      { key: -4, ts: 150, domain: 'event' },
    ];
    const r = timersCheck(path.join(dir, 'sp-only'), 'only-timers', { keyType: 'Long', watermarks: watermarksFor(timers.map((t) => t.ts)) });
    assertFired(r, timers, now);
  });

  it('window timers: service window-timers, TimeWindow namespace, max parallelism 256 (two-byte prefix)', () => {
    const r = timersCheck(path.join(dir, 'sp-win'), 'win', { maxParallelism: 256, service: 'window-timers', namespace: 'TimeWindow', backend: 'rocksdb', watermarks: watermarksFor([1999, 2999]) });
    const got = r.fired.map((f) => `${f.key} ${f.timestamp} ${f.namespace!.start}-${f.namespace!.end} ${f.watermark}`).sort();
    assert.deepEqual(got, ['a 1999 1000-2000 1999', 'a 2999 2000-3000 2999', 'b 2999 2000-3000 2999']);
  });

  it('timers deleted and added in the entries editor (Save As) fire in Flink as edited', async () => {
    const ev = await StateModel.open({ savepoint: path.join(dir, 'sp'), operator: 'timed', state: '_timer_state/event_user-timers' });
    const alice = (await ev.lookup('alice')).rows.find((r) => r.timestamp === '5000')!;
    ev.edits.apply(await ev.deleteEntry(alice.id));
    ev.edits.apply(await ev.addEntry('erin', undefined, '', { timestamp: '6000' }));
    ev.saveAs(path.join(dir, 'sp-edit1'));
    await ev.close();
    const pt = await StateModel.open({ savepoint: path.join(dir, 'sp-edit1'), operator: 'timed', state: '_timer_state/processing_user-timers' });
    const past = now - 1000;
    pt.edits.apply(await pt.addEntry('frank', undefined, '', { timestamp: String(past) }));
    pt.saveAs(path.join(dir, 'sp-edit2'));
    await pt.close();
    const edited: Timer[] = [...userTimers.filter((t) => !(t.key === 'alice' && t.ts === 5000)), { key: 'erin', ts: 6000, domain: 'event' }, { key: 'frank', ts: past, domain: 'processing' }];
    const r = timersCheck(path.join(dir, 'sp-edit2'), 'timed', { parallelism: 2, watermarks: watermarksFor(edited.filter((t) => t.domain === 'event').map((t) => t.ts)) });
    assertFired(r, edited, now);
    assert.deepEqual(await readerTimerLines(path.join(dir, 'sp-edit2')), oracleTimerLines(path.join(dir, 'sp-edit2')));
  });

  it('our reader and the Java oracle read the bootstrapped timers identically', async () => {
    for (const sp of ['sp', 'sp-only', 'sp-win']) {
      const ours = await readerTimerLines(path.join(dir, sp));
      const theirs = oracleTimerLines(path.join(dir, sp));
      assert.ok(ours.length > 0);
      assert.deepEqual(ours, theirs, sp);
    }
    const entries = (await readerTimerLines(path.join(dir, 'sp'))).filter((l) => l.startsWith('{"type":"entry"'));
    assert.equal(entries.length, userTimers.length);
  });
});
