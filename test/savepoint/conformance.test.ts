/**
 * The main evidence: `fsp dump <case>/savepoint` must print exactly the oracle's `dump.jsonl`
 * (docs/dump-format.md) for every case of the corpus under test/fixtures/savepoints/.
 *
 * `--no-entries` (the "first view", §6) must print exactly the dump's savepoint, operator, state,
 * skipped and error lines, on both sides: fsp, and engine.jar of the case's oracle Flink
 * (engine/runtime/target/flink-<version>/engine.jar, or $FSP_ENGINE_JAR_DIR/flink-<version>/engine.jar).
 * The oracle Flink is the folder's version, or for savepoints written by older releases
 * (`npm run corpus:legacy`) case.json's `oracleFlinkVersion`; their committed dump.jsonl is
 * re-checked against a live `engine.jar dump` here too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli/fsp';
import { corpusCases, isCheckpointCase, isLegacyCase, memoryIo, oracleFlinkVersion, type CorpusCase } from './corpus';

const FIRST_VIEW_TYPES = new Set(['savepoint', 'operator', 'state', 'skipped', 'error']);

/** The `--no-entries` lines of a full dump. */
function firstViewOf(dump: string): string {
  return dump
    .split('\n')
    .filter((l) => l !== '' && FIRST_VIEW_TYPES.has(/^\{"type":"([a-z]+)"/.exec(l)?.[1] ?? ''))
    .map((l) => l + '\n')
    .join('');
}

function assertSameLines(actual: string, expected: string, who: string, stderr = ''): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  assert.fail(
    `${who} differs at line ${i + 1} (${who} ${a.length - 1} lines, oracle ${e.length - 1} lines)\n` +
      `  ${who}: ${a[i] ?? '<end>'}\n  oracle: ${e[i] ?? '<end>'}` +
      (stderr ? `\n  stderr: ${stderr.trim()}` : ''),
  );
}

/** engine.jar of the Flink that reads the case for its oracle (built by npm test for both Flink lines). */
function engineJarFor(c: CorpusCase): string | undefined {
  const flink = `flink-${oracleFlinkVersion(c)}`;
  const dirs = [process.env.FSP_ENGINE_JAR_DIR, path.resolve(__dirname, '../../engine/runtime/target')].filter((d): d is string => !!d);
  for (const d of dirs) {
    const jar = path.join(d, flink, 'engine.jar');
    if (fs.existsSync(jar)) return jar;
  }
  return undefined;
}

describe('conformance: fsp dump == engine.jar dump', function () {
  this.timeout(120000);
  const cases = corpusCases().filter((c) => c.dumpFile);
  if (cases.length === 0) {
    it('has a corpus to compare against', () => {
      assert.fail('no corpus savepoints with dump.jsonl under test/fixtures/savepoints (npm run corpus)');
    });
  }
  for (const c of cases) {
    it(c.name, async () => {
      const expected = fs.readFileSync(c.dumpFile!, 'utf8');
      const m = memoryIo();
      const code = await main(['dump', c.savepoint], m.io);
      assertSameLines(m.out(), expected, 'fsp', m.err());
      const oracleErrors = expected.split('\n').some((l) => l.startsWith('{"type":"error"'));
      assert.equal(code, oracleErrors ? 1 : 0, `exit code (stderr: ${m.err().trim()})`);
    });
  }
});

describe('conformance: dump --no-entries (first view) on both sides', function () {
  this.timeout(180000);
  const cases = corpusCases().filter((c) => c.dumpFile);
  if (cases.length) {
    it('--operator matching nothing: exit 2, one line on stderr, nothing on stdout (both sides)', async function () {
      const c = cases[0];
      const m = memoryIo();
      assert.equal(await main(['dump', c.savepoint, '--operator', 'no-such-operator'], m.io), 2);
      assert.equal(m.out(), '');
      assert.equal(m.err(), 'fsp: no operator matches no-such-operator\n');
      const jar = engineJarFor(c);
      assert.ok(jar, `no engine.jar for Flink ${oracleFlinkVersion(c)}: build it with \`npm run engine -- all\``);
      const r = spawnSync('java', ['-jar', jar!, 'dump', c.savepoint, '--operator', 'no-such-operator'], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /no operator matches no-such-operator\n$/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
  for (const c of cases) {
    it(`fsp ${c.name}`, async () => {
      const dump = fs.readFileSync(c.dumpFile!, 'utf8');
      const expected = firstViewOf(dump);
      const m = memoryIo();
      const code = await main(['dump', c.savepoint, '--no-entries'], m.io);
      assertSameLines(m.out(), expected, 'fsp --no-entries', m.err());
      assert.equal(code, expected.includes('{"type":"error"') ? 1 : 0, `exit code (stderr: ${m.err().trim()})`);
    });
    it(`engine.jar ${c.name}`, function () {
      const jar = engineJarFor(c);
      // npm test builds engine.jar for every Flink line of the corpus
      assert.ok(jar, `no engine.jar for Flink ${oracleFlinkVersion(c)}: build it with \`npm run engine -- all\``);
      const r = spawnSync('java', ['-jar', jar!, 'dump', c.savepoint, '--no-entries'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const expected = firstViewOf(fs.readFileSync(c.dumpFile!, 'utf8'));
      assertSameLines(r.stdout, expected, 'engine.jar --no-entries', r.stderr.slice(-2000));
      assert.equal(r.status, expected.includes('{"type":"error"') ? 1 : 0, `exit code (stderr: ${r.stderr.slice(-2000)})`);
    });
  }
});

describe('conformance: the oracle of savepoints from older Flink releases, re-read live', function () {
  this.timeout(180000);
  const legacy = corpusCases().filter((c) => c.dumpFile && isLegacyCase(c));
  it('has savepoints written by Flink releases older than the bundled ones', () => {
    assert.ok(legacy.length > 0, 'no legacy corpus folders (case.json with oracleFlinkVersion): npm run corpus:legacy');
  });
  it('covers every _metadata version a Flink release from 1.13 to 2.3 writes (V3 to V6)', () => {
    const versions = new Set(
      corpusCases()
        .filter((c) => c.dumpFile)
        .map((c) => (JSON.parse(fs.readFileSync(c.dumpFile!, 'utf8').split('\n')[0]) as { version: number }).version),
    );
    for (const v of [3, 4, 5, 6]) assert.ok(versions.has(v), `no corpus savepoint with _metadata version ${v}`);
  });
  it('has retained checkpoints, not only savepoints, of both bundled Flink lines (a full and an incremental one)', () => {
    for (const flink of ['flink-1.20.3', 'flink-2.3.0']) {
      const checkpoints = corpusCases().filter((c) => c.dumpFile && c.name.startsWith(`${flink}/`) && isCheckpointCase(c));
      const handles = new Set<string>();
      let heapEntries = 0;
      for (const c of checkpoints) {
        const lines = fs.readFileSync(c.dumpFile!, 'utf8').split('\n');
        assert.match(lines[0], /"snapshot":"Checkpoint"/, `${c.name}: the trailer says Checkpoint`);
        for (const l of lines) if (l.startsWith('{"type":"skipped"')) handles.add((JSON.parse(l) as { handle: string }).handle);
        if (c.name.endsWith('/checkpoint-hashmap')) heapEntries += lines.filter((l) => l.startsWith('{"type":"entry"')).length;
      }
      // the full (hashmap) checkpoint's key groups are read (heap layout); the incremental one's are skipped
      assert.ok(!handles.has('keyGroups') && handles.has('incremental'), `${flink}: checkpoint cases with full (keyGroups) and incremental handles (npm run corpus)`);
      assert.ok(heapEntries > 0, `${flink}: the hashmap checkpoint's keyed entries`);
    }
  });
  for (const c of legacy) {
    it(`engine.jar ${oracleFlinkVersion(c)} dump ${c.name} == committed dump.jsonl`, function () {
      const jar = engineJarFor(c);
      assert.ok(jar, `no engine.jar for Flink ${oracleFlinkVersion(c)}: build it with \`npm run engine -- all\``);
      const r = spawnSync('java', ['-jar', jar!, 'dump', c.savepoint], { encoding: 'utf8', maxBuffer: 1 << 28 });
      assertSameLines(r.stdout, fs.readFileSync(c.dumpFile!, 'utf8'), `engine.jar ${oracleFlinkVersion(c)}`, r.stderr.slice(-2000));
      assert.equal(r.status, 0, `exit code (stderr: ${r.stderr.slice(-2000)})`);
    });
  }
});
