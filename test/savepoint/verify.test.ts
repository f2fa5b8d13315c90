/**
 * `verify` / `fsp verify`: every entry decoded without sorting or writing. Its counts must be the
 * oracle's (engine.jar dump, Flink's own reading) for every corpus case, and on damaged input it must
 * find exactly the errors the dump finds: same handles, same messages (file, offset, expectation).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { dumpLines, entries, openSavepoint, verify, VerifyCancelled, VerifyReport } from '../../engine/savepoint/index';
import { main } from '../../engine/cli/fsp';
import { formatVerifyMarkdown } from '../../engine/savepoint/report';
import { cleanupTemp, copyOfSavepoint } from './build';
import { corpusCases } from './corpus';
import { copySeed, mutate, Seed } from './mutate';
import { xorshift32 } from './random';

const FSP = path.resolve(__dirname, '../../dist/fsp.js');

interface Line {
  type: string;
  operator: string;
  state?: string;
  name?: string;
  keyGroup?: number;
  subtask?: number;
  slot?: string;
  message?: string;
  handle?: string;
  reason?: string;
}

/** What verify must report, computed from dump lines. */
function expectedFrom(lines: Line[]) {
  const states = new Map<string, { entries: number; perKg: Map<number, number> }>();
  for (const l of lines) {
    if (l.type === 'state') states.set(`${l.operator}/${l.name}`, { entries: 0, perKg: new Map() });
  }
  for (const l of lines) {
    if (l.type !== 'entry' && l.type !== 'element') continue;
    const s = states.get(`${l.operator}/${l.state}`);
    assert.ok(s, `a state line for ${l.operator}/${l.state}`);
    s.entries++;
    if (l.keyGroup !== undefined) s.perKg.set(l.keyGroup, (s.perKg.get(l.keyGroup) ?? 0) + 1);
  }
  return {
    states: [...states].map(([k, v]) => {
      let largest: { keyGroup: number; entries: number } | undefined;
      for (const [keyGroup, entries] of v.perKg) if (!largest || entries > largest.entries || (entries === largest.entries && keyGroup < largest.keyGroup)) largest = { keyGroup, entries };
      return { key: k, entries: v.entries, keyGroups: v.perKg.size, largest };
    }),
    errors: lines.filter((l) => l.type === 'error').map((l) => `${l.operator} ${l.subtask} ${l.slot} ${l.message}`),
    skipped: lines.filter((l) => l.type === 'skipped').map((l) => `${l.operator} ${l.subtask} ${l.slot} ${l.handle} ${l.reason}`),
  };
}

function reportErrors(r: VerifyReport): string[] {
  return r.errors.map((e) => `${e.operator} ${e.subtask} ${e.slot} ${e.message}`);
}

const sorted = (a: string[]) => [...a].sort();

function caseNamedIn(name: string) {
  const c = corpusCases().find((x) => x.name === name);
  assert.ok(c, `corpus case ${name}`);
  return c;
}

describe('verify: every entry decoded, nothing written', function () {
  this.timeout(300_000);

  it('counts what the oracle dump holds for every corpus case: entries per state, key groups, the fullest key group, bad and skipped handles', async () => {
    const cases = corpusCases().filter((c) => c.dumpFile);
    assert.ok(cases.length > 30, 'the corpus is there');
    for (const c of cases) {
      const lines = fs.readFileSync(c.dumpFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
      const want = expectedFrom(lines);
      const r = await verify(await openSavepoint(c.savepoint));
      const got = new Map(r.states.map((s) => [`${s.operator}/${s.state}`, s]));
      assert.deepEqual(sorted([...got.keys()]), sorted(want.states.map((s) => s.key)), `${c.name}: the states`);
      for (const w of want.states) {
        const s = got.get(w.key)!;
        assert.equal(s.entries, w.entries, `${c.name} ${w.key}: entries`);
        if (s.bytes === undefined) continue; // operator state
        assert.equal(s.keyGroups, w.keyGroups, `${c.name} ${w.key}: key groups`);
        assert.equal(s.largestKeyGroup?.keyGroup, w.largest?.keyGroup, `${c.name} ${w.key}: the fullest key group`);
        assert.equal(s.largestKeyGroup?.entries, w.largest?.entries, `${c.name} ${w.key}: entries of the fullest key group`);
        assert.equal(s.bytes > 0, w.entries > 0, `${c.name} ${w.key}: bytes`);
      }
      assert.equal(r.entries, want.states.reduce((n, s) => n + s.entries, 0), `${c.name}: total`);
      assert.deepEqual(sorted(reportErrors(r)), sorted(want.errors), `${c.name}: bad handles`);
      assert.deepEqual(sorted(r.notVerified.map((e) => `${e.operator} ${e.subtask} ${e.slot} ${e.handle} ${e.reason}`)), sorted(want.skipped), `${c.name}: not verified`);
    }
  });

  it('finds exactly the errors the dump finds, and counts its entries, over 1,500 seeded mutations (entries() throws the first of them)', async () => {
    const seeds: Seed[] = [];
    for (const name of ['flink-1.20.3/keys-hashmap', 'flink-1.20.3/keyed-compressed', 'flink-1.20.3/operator-state', 'flink-2.3.0/types-hashmap', 'flink-1.20.3/windows-rocksdb']) {
      const c = corpusCases().find((x) => x.name === name);
      assert.ok(c, `corpus case ${name}`);
      seeds.push(copySeed(c.savepoint));
    }
    const rnd = xorshift32(0x0e1f1ed5);
    const seen = { errors: 0, clean: 0, unreadable: 0 };
    for (let i = 0; i < 1500; i++) {
      const sd = seeds[i % seeds.length];
      // state files more often than _metadata: the entries are what verify decodes
      const f = sd.files[rnd() % 4 === 0 ? 0 : rnd() % sd.files.length];
      fs.writeFileSync(f.path, mutate(f.bytes, rnd));
      try {
        let dump: Line[] | SavepointFormatError;
        try {
          const out: Line[] = [];
          for await (const l of dumpLines(await openSavepoint(sd.dir))) out.push(JSON.parse(l) as Line);
          dump = out;
        } catch (e) {
          if (!(e instanceof SavepointFormatError)) throw e;
          dump = e;
        }
        let report: VerifyReport | SavepointFormatError;
        try {
          report = await verify(await openSavepoint(sd.dir));
        } catch (e) {
          if (!(e instanceof SavepointFormatError)) throw e;
          report = e;
        }
        const what = `mutation ${i} of ${path.basename(f.path)}`;
        if (dump instanceof SavepointFormatError || report instanceof SavepointFormatError) {
          assert.equal(String(report instanceof SavepointFormatError ? report.message : 'a report'), String(dump instanceof SavepointFormatError ? dump.message : 'a dump'), what);
          seen.unreadable++;
          continue;
        }
        const want = expectedFrom(dump);
        assert.deepEqual(sorted(reportErrors(report)), sorted(want.errors), what);
        // entries() throws the first error the dump prints for the operator (keyed handles, then operator state)
        const sp = await openSavepoint(sd.dir);
        for (const o of sp.operators) {
          const first: Line | undefined = dump.find((l) => l.type === 'error' && l.operator === o.id);
          let thrown: string | undefined;
          try {
            for await (const _e of entries(sp, o.id)) void _e;
          } catch (e) {
            if (!(e instanceof SavepointFormatError)) throw e;
            thrown = e.message;
          }
          assert.equal(thrown, first?.message, `${what}: entries() of ${o.id}`);
        }
        assert.equal(report.entries, want.states.reduce((n, s) => n + s.entries, 0), `${what}: entries`);
        if (want.errors.length) seen.errors++;
        else seen.clean++;
      } finally {
        fs.writeFileSync(f.path, f.bytes);
      }
    }
    assert.ok(seen.errors > 300 && seen.clean > 50 && seen.unreadable > 50, `the mutations reached entries, headers and metadata: ${JSON.stringify(seen)}`);
  });

  it('the Markdown report (the extension\'s): verdict, every state with its counts, bad handles with their whole message', async () => {
    const c = caseNamedIn('flink-1.20.3/keys-hashmap');
    const sp = await openSavepoint(c.savepoint);
    const r = await verify(sp);
    const md = formatVerifyMarkdown(sp, r);
    assert.ok(md.startsWith('# Savepoint verification\n'));
    assert.ok(md.includes(`**OK**: ${r.entries.toLocaleString('en-US')} entries of ${r.states.length} states decoded`), md.slice(0, 500));
    for (const s of r.states) assert.ok(md.includes(`| \`${s.state}\` | ${s.kind} | ${s.entries.toLocaleString('en-US')} | `), s.state);
    const longMessage = `${'/a/very/long/path'.repeat(20)}/state-file at offset 1234: expected a state value (17 bytes), found 3 bytes left`;
    const bad = formatVerifyMarkdown(sp, { ...r, errors: [{ operator: r.states[0].operator, subtask: 0, slot: 'managedKeyed', message: longMessage }] });
    assert.ok(bad.includes('**Failed**: 1 bad handle;'), bad.slice(0, 500));
    assert.ok(bad.includes(longMessage), 'the whole message, not shortened');
    assert.ok(!md.includes('## Bad handles') && bad.includes('## Bad handles'));
    const native = caseNamedIn('flink-1.20.3/keyed-rocksdb-native');
    const nsp = await openSavepoint(native.savepoint);
    const nmd = formatVerifyMarkdown(nsp, await verify(nsp));
    assert.ok(nmd.includes('**No errors found**, but 2 handles were not decoded'), nmd.slice(0, 500));
    assert.match(nmd, /\| incremental \| native RocksDB state is not readable yet; its 16 files are present with their sizes \|/);
  });

  it('stops between key groups when cancelled (VerifyCancelled), on this thread', async () => {
    const sp = await openSavepoint(caseNamedIn('flink-1.20.3/keys-hashmap').savepoint);
    let polls = 0;
    await assert.rejects(
      verify(sp, { isCancelled: () => ++polls > 3 }),
      (e: Error) => e instanceof VerifyCancelled && e.message === 'the verification was cancelled',
    );
    assert.equal(polls, 4, 'polled once per key group until it was cancelled');
  });

  describe('fsp verify', () => {
    const run = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(['verify', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { code, stdout, stderr };
    };
    const caseNamed = caseNamedIn;

    it('prints each state with its entries, bytes and fullest key group; exit 0', async () => {
      const c = caseNamed('flink-1.20.3/keys-hashmap');
      const r = await run([c.savepoint]);
      assert.equal(r.code, 0, r.stderr);
      const report = await verify(await openSavepoint(c.savepoint));
      assert.match(r.stdout, new RegExp(`^ok: ${report.entries.toLocaleString('en-US')} entries of ${report.states.length} states decoded`, 'm'));
      for (const s of report.states.filter((x) => x.largestKeyGroup)) {
        const kg = s.largestKeyGroup!;
        assert.match(r.stdout, new RegExp(`^  ${s.state.replace(/[/.]/g, '\\$&')} +${s.kind} +${s.entries.toLocaleString('en-US')} .* ${kg.keyGroup}: ${kg.entries.toLocaleString('en-US')} entr`, 'm'));
      }
      const json = await run([c.savepoint, '--json']);
      assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(report)));
    });

    it('shows its progress on a terminal (io.progress) and clears it at the end', async () => {
      const c = caseNamed('flink-1.20.3/keys-hashmap');
      const shown: string[] = [];
      const code = await main(['verify', c.savepoint], { stdout: () => undefined, stderr: () => undefined, progress: (t) => shown.push(t) });
      assert.equal(code, 0);
      assert.match(shown[shown.length - 2], /^verifying: 100% of [\d.]+ (B|KiB|MiB) of keyed state$/);
      assert.equal(shown[shown.length - 1], '');
      const pcts = shown.slice(0, -1).map((t) => Number(/(\d+)%/.exec(t)![1]));
      assert.deepEqual(pcts, [...pcts].sort((a, b) => a - b), 'rising');
    });

    it('native RocksDB state cannot be decoded: listed, exit 3', async () => {
      const r = await run([caseNamed('flink-1.20.3/keyed-rocksdb-native').savepoint]);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /not decodable by this reader \(not verified\):\n {2}operator [0-9a-f]{32} subtask \d+ managedKeyed: incremental handle: native RocksDB state is not readable yet/);
    });

    it('native RocksDB files: each one missing or cut short is named (the size _metadata records), exit 1', async () => {
      for (const name of ['flink-1.20.3/keyed-rocksdb-native', 'flink-2.3.0/keyed-rocksdb-native']) {
        const c = caseNamed(name);
        const whole = await verify(await openSavepoint(c.savepoint));
        const checked = whole.notVerified.reduce((n, h) => n + (h.files?.checked ?? 0), 0);
        assert.ok(checked > 10 && whole.errors.length === 0, `${name}: ${checked} files present with their sizes`);
        // the native handles' files are the ones _metadata names that the canonical handles do not read
        const { sp, files } = copyOfSavepoint(c.savepoint, 'fsp-verify-native-');
        const before = await verify(await openSavepoint(sp));
        assert.deepEqual(before.errors, []);
        const victims: string[] = [];
        for (const f of files) {
          fs.renameSync(f, f + '.away');
          const r = await verify(await openSavepoint(sp));
          fs.renameSync(f + '.away', f);
          if (r.errors.length === 1 && r.errors[0].message === `${f} at offset 0: expected a readable state file, found ENOENT`) victims.push(f);
          if (victims.length === 2) break;
        }
        assert.equal(victims.length, 2, `${name}: two files of native handles found`);
        fs.rmSync(victims[0]);
        const size = fs.statSync(victims[1]).size;
        fs.truncateSync(victims[1], size - 1);
        const out = await run([sp]);
        assert.equal(out.code, 1, out.stderr);
        assert.ok(out.stdout.includes(`${victims[0]} at offset 0: expected a readable state file, found ENOENT`), out.stdout);
        assert.ok(out.stdout.includes(`${victims[1]} at offset ${size - 1}: expected a file of ${size} bytes (its size in _metadata), found ${size - 1} bytes`), out.stdout);
        assert.match(out.stdout, /native RocksDB state is not readable yet; [12] of its \d+ files missing or damaged/);
      }
    });

    it('a damaged key group and a missing file: each handle named with file, offset and expectation, exit 1; the same on worker threads', async () => {
      const c = caseNamed('flink-1.20.3/keys-hashmap');
      const { sp, files } = copyOfSavepoint(c.savepoint, 'fsp-verify-');
      const bytes = fs.readFileSync(files[0]);
      fs.writeFileSync(files[0], bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      fs.rmSync(files[files.length - 1]);
      const r = await run([sp]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^FAILED: .*, 2 bad handles/m);
      assert.match(r.stdout, new RegExp(`${path.basename(files[0])} at offset \\d+: expected `));
      assert.match(r.stdout, new RegExp(`${path.basename(files[files.length - 1])} at offset 0: expected a readable state file, found ENOENT`));
      assert.ok(fs.existsSync(FSP), `${FSP} is missing: build it with \`node esbuild.js\` (npm test does)`);
      const serial = spawnSync(process.execPath, [FSP, 'verify', sp, '--json', '--workers', '1'], { encoding: 'utf8' });
      const threads = spawnSync(process.execPath, [FSP, 'verify', sp, '--json', '--workers', '2'], { encoding: 'utf8' });
      assert.equal(serial.status, 1, serial.stderr);
      assert.equal(threads.status, 1, threads.stderr);
      assert.deepEqual(JSON.parse(threads.stdout), JSON.parse(serial.stdout));
      assert.equal((JSON.parse(serial.stdout) as VerifyReport).errors.length, 2);
    });

    it('worker threads report what one thread reports on every corpus case', () => {
      assert.ok(fs.existsSync(FSP), `${FSP} is missing: build it with \`node esbuild.js\` (npm test does)`);
      for (const c of corpusCases().filter((x) => /keys-hashmap|types-rocksdb|windows-hashmap|checkpoint-hashmap/.test(x.name))) {
        const one = spawnSync(process.execPath, [FSP, 'verify', c.savepoint, '--json', '--workers', '1'], { encoding: 'utf8' });
        const two = spawnSync(process.execPath, [FSP, 'verify', c.savepoint, '--json', '--workers', '2'], { encoding: 'utf8' });
        assert.equal(two.status, one.status, c.name);
        assert.deepEqual(JSON.parse(two.stdout), JSON.parse(one.stdout), c.name);
      }
    });

    it('--operator and --state narrow it; unknown ones are bad arguments (exit 2)', async () => {
      const c = caseNamed('flink-1.20.3/keys-hashmap');
      const report = await verify(await openSavepoint(c.savepoint));
      const keyed = report.states.find((s) => s.bytes !== undefined && s.entries > 0)!;
      const r = await run([c.savepoint, '--operator', keyed.operator, '--state', keyed.state, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const narrowed = JSON.parse(r.stdout) as VerifyReport;
      assert.deepEqual(narrowed.states, [keyed]);
      assert.equal(narrowed.entries, keyed.entries);
      assert.equal((await run([c.savepoint, '--state', 'no such state'])).code, 2);
      assert.equal((await run([c.savepoint, '--operator', 'no-such-uid'])).code, 2);
    });
  });
});

after(() => cleanupTemp());
