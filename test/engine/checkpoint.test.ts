// Real Flink checkpoints with their state in files, written live by engine.jar (a MiniCluster) into a temp
// folder (`engine.jar corpus --state-in-files`, CheckpointCase in engine/runtime):
//  - a full hashmap checkpoint (chk-1: key-group and operator state files beside _metadata);
//  - the second of two incremental RocksDB checkpoints (chk-2: its SST files in shared/, uploaded by the
//    first, named by absolute path);
//  - a hashmap checkpoint with checkpoint file merging (segments of merged files in taskowned/, by absolute
//    path; empty placeholders for operators without operator state).
// Where Flink wrote them, `fsp dump` prints exactly the bytes `engine.jar dump` prints. Then the folder is
// moved (absolute paths no longer resolve): both still list every operator, state and handle they can,
// report each unreadable handle as an error line naming its missing file and exit 1; `fsp inspect` too,
// and `fsp verify` names each SST file of the incremental checkpoint that no longer resolves.
//
//   npx mocha test/engine/checkpoint.test.ts
//   FSP_ENGINE_JAR_DIR=<folder with flink-<version>/engine.jar> npx mocha test/engine/checkpoint.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../engine/cli/fsp';
import { memoryIo } from '../savepoint/corpus';

const ROOT = path.resolve(__dirname, '..', '..');
const VERSIONS = ['1.20.3', '2.3.0'];

function jarFor(version: string): string {
  const dirs = [process.env.FSP_ENGINE_JAR_DIR, path.join(ROOT, 'engine', 'runtime', 'target')].filter((d): d is string => !!d);
  for (const d of dirs) {
    const jar = path.join(d, `flink-${version}`, 'engine.jar');
    if (fs.existsSync(jar)) return jar;
  }
  assert.fail(`no engine.jar for Flink ${version} (build it: npm run engine -- all)`);
}

function java(jar: string, args: string[]) {
  const r = spawnSync('java', ['-jar', jar, ...args], { encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

async function fsp(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const m = memoryIo();
  const code = await main(args, m.io);
  return { code, out: m.out(), err: m.err() };
}

/** The one chk-N folder Flink left in a case folder (the retained checkpoint). */
function checkpointIn(caseDir: string): string {
  const chk = fs.readdirSync(caseDir).filter((d) => /^chk-\d+$/.test(d));
  assert.equal(chk.length, 1, `retained checkpoints in ${caseDir}: ${chk.join(', ')}`);
  return path.join(caseDir, chk[0]);
}

/** `fsp verify --json`, the parts checked here. */
interface VerifyJson {
  entries: number;
  errors: { slot: string; message: string }[];
  notVerified: { files?: { checked: number; bad: number; remote: number } }[];
}

/** Absolute `file:` paths named in a `_metadata` (handle names and file handles). */
function absolutePaths(metadata: string): string[] {
  const text = fs.readFileSync(metadata).toString('latin1');
  return [...new Set([...text.matchAll(/file:(\/[\x21-\x7e]+)/g)].map((m) => m[1]))];
}

const lines = (s: string) => s.split('\n').filter(Boolean);
const withoutMessage = (l: string) => l.replace(/,"message":"(?:[^"\\]|\\.)*"\}$/, ',"message":…}');

for (const version of VERSIONS) {
  describe(`live checkpoints of Flink ${version} (state in files, then moved)`, function () {
    this.timeout(600_000);
    let jar: string;
    let tmp: string;
    const live: Record<string, string> = {};
    const liveDump: Record<string, string> = {};

    before(function () {
      jar = jarFor(version);
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-checkpoint-test-'));
      const runs = [
        { out: 'files', cases: ['checkpoint-hashmap', 'checkpoint-rocksdb-incremental'], flags: ['--state-in-files'] },
        { out: 'merged', cases: ['checkpoint-hashmap'], flags: ['--state-in-files', '--file-merging'] },
      ];
      for (const run of runs) {
        const args = ['corpus', '--out', path.join(tmp, 'live', run.out), '--work', path.join(tmp, `work-${run.out}`), ...run.flags];
        for (const c of run.cases) args.push('--case', c);
        const r = java(jar, args);
        assert.equal(r.status, 0, `engine.jar ${args.join(' ')} failed: ${r.stderr.slice(-3000)}`);
        for (const c of run.cases) live[`${run.out}/${c}`] = checkpointIn(path.join(tmp, 'live', run.out, c));
      }
    });

    before(async function () {
      // our reading where Flink wrote them, compared with the oracle below and with the moved copies later
      for (const [name, chk] of Object.entries(live)) liveDump[name] = (await fsp(['dump', chk])).out;
    });

    after(() => {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('where Flink wrote them: fsp dump prints exactly what engine.jar dump prints', async () => {
      for (const [name, chk] of Object.entries(live)) {
        const oracle = java(jar, ['dump', chk]);
        assert.equal(oracle.status, 0, `engine.jar dump ${name}: ${oracle.stderr.slice(-2000)}`);
        const ours = await fsp(['dump', chk]);
        assert.equal(ours.out, oracle.stdout, `fsp dump ${name}`);
        assert.equal(ours.out, liveDump[name]);
        assert.equal(ours.code, 0, `fsp dump ${name}: ${ours.err}`);
        assert.match(lines(ours.out)[0], /^\{"type":"savepoint","version":\d,"checkpointId":\d+,"snapshot":"Checkpoint",/, name);
      }
      // the readable state is there: the source's split state, the hashmap checkpoints' keyed entries (heap
      // key-group layout), and the incremental RocksDB checkpoint's keyed handles as skipped lines
      for (const name of Object.keys(live)) assert.match(liveDump[name], /"type":"element","operator":"027f3cb25b791fec4f4b0dd94fd38849","state":"SourceReaderState"/, name);
      const skipped = (name: string) => lines(liveDump[name]).filter((l) => l.startsWith('{"type":"skipped"')).map((l) => (JSON.parse(l) as { handle: string }).handle);
      assert.deepEqual(skipped('files/checkpoint-hashmap'), []);
      assert.deepEqual(skipped('files/checkpoint-rocksdb-incremental'), ['incremental', 'incremental']);
      assert.deepEqual(skipped('merged/checkpoint-hashmap'), []);
      for (const name of ['files/checkpoint-hashmap', 'merged/checkpoint-hashmap']) {
        for (const kind of ['VALUE', 'LIST', 'MAP', 'REDUCING', 'AGGREGATING', 'TIMER']) assert.match(liveDump[name], new RegExp(`"type":"state","operator":"826c38023c4272520855c3219fef4f3f","name":"[^"]+","backend":"[A-Z_]+","kind":"${kind}"`), `${name} ${kind}`);
        assert.ok(lines(liveDump[name]).some((l) => l.startsWith('{"type":"entry","operator":"826c38023c4272520855c3219fef4f3f","state":"byTag"')), `${name}: map entries`);
        assert.ok(lines(liveDump[name]).some((l) => l.startsWith('{"type":"entry","operator":"826c38023c4272520855c3219fef4f3f","state":"_timer_state/event_user-timers"')), `${name}: timers`);
      }
    });

    it('the layouts are the ones under test: relative chk-N files, absolute shared/ and taskowned/ files', () => {
      const full = live['files/checkpoint-hashmap'];
      assert.equal(path.basename(full), 'chk-1');
      assert.deepEqual(absolutePaths(path.join(full, '_metadata')), [], 'a full checkpoint names its chk-1 files relatively');
      assert.ok(fs.readdirSync(full).length > 1, 'chk-1 holds state files beside _metadata');

      // the second incremental checkpoint: nothing changed after the first, so every SST file it references
      // in shared/ was uploaded by the first one
      const incremental = live['files/checkpoint-rocksdb-incremental'];
      assert.equal(path.basename(incremental), 'chk-2');
      const shared = absolutePaths(path.join(incremental, '_metadata')).filter((p) => p.includes('/shared/'));
      assert.ok(shared.length > 0, 'chk-2 references SST files in shared/ by absolute path');
      for (const p of shared) assert.ok(fs.existsSync(p), p);

      const merged = live['merged/checkpoint-hashmap'];
      const owned = absolutePaths(path.join(merged, '_metadata')).filter((p) => p.includes('/taskowned/'));
      assert.ok(owned.some((p) => fs.existsSync(p) && fs.statSync(p).isFile()), 'file merging: segments of merged files in taskowned/');
    });

    it('fsp verify: every checkpoint decodes where Flink wrote it, and the incremental one\'s SST files in shared/ are present with their sizes', async () => {
      for (const [name, chk] of Object.entries(live)) {
        const r = await fsp(['verify', chk, '--json']);
        const report = JSON.parse(r.out) as VerifyJson;
        assert.deepEqual(report.errors, [], name);
        assert.ok(report.entries > 0, `${name}: entries decoded`);
        if (name === 'files/checkpoint-rocksdb-incremental') {
          assert.equal(r.code, 3, `${name}: native handles are not decoded (exit 3)`);
          const shared = absolutePaths(path.join(chk, '_metadata')).filter((p) => p.includes('/shared/'));
          const checked = report.notVerified.reduce((n, h) => n + (h.files?.checked ?? 0), 0);
          assert.ok(checked >= shared.length && shared.length > 0, `${name}: ${checked} files checked, ${shared.length} in shared/`);
          assert.ok(report.notVerified.every((h) => h.files && h.files.bad === 0), name);
        } else assert.equal(r.code, 0, `${name}: ${r.err}`);
      }
    });

    describe('moved elsewhere (the absolute paths no longer resolve)', () => {
      const moved: Record<string, string> = {};

      before(function () {
        fs.renameSync(path.join(tmp, 'live'), path.join(tmp, 'moved'));
        for (const [name, chk] of Object.entries(live)) moved[name] = path.join(tmp, 'moved', path.relative(path.join(tmp, 'live'), chk));
      });

      it('a full and an incremental checkpoint read the same as before (their readable handles are relative)', async () => {
        for (const name of ['files/checkpoint-hashmap', 'files/checkpoint-rocksdb-incremental']) {
          const ours = await fsp(['dump', moved[name]]);
          assert.equal(ours.out, liveDump[name], name);
          assert.equal(ours.code, 0, ours.err);
        }
      });

      it('file merging: operators and handles still listed; an error line per unreadable handle (operator and keyed) naming its missing file; exit 1 (both sides)', async () => {
        const name = 'merged/checkpoint-hashmap';
        const ours = await fsp(['dump', moved[name]]);
        assert.equal(ours.code, 1, `fsp exit code (stderr: ${ours.err})`);
        assert.equal(ours.err, '');
        const got = lines(ours.out);
        const errors = got.filter((l) => l.startsWith('{"type":"error"'));
        assert.ok(errors.length > 0, 'error lines');
        for (const l of errors) {
          const e = JSON.parse(l) as { slot: string; message: string };
          assert.ok(e.slot === 'managedOperator' || e.slot === 'managedKeyed', e.slot);
          const missing = absolutePaths(path.join(moved[name], '_metadata')).find((p) => e.message.startsWith(p));
          assert.ok(missing && missing.startsWith(path.join(tmp, 'live')) && !fs.existsSync(missing), `names the missing file: ${e.message}`);
        }
        // every savepoint, operator and skipped line of the live dump is still there, in order
        const head = (ls: string[]) => ls.filter((l) => /^\{"type":"(savepoint|operator|skipped)"/.test(l));
        assert.deepEqual(head(got), head(lines(liveDump[name])));
        // the live dump's state, element and entry lines of the failing handles are gone, nothing else
        const failing = new Set(errors.map((l) => (JSON.parse(l) as { operator: string }).operator));
        const kept = lines(liveDump[name]).filter((l) => !/^\{"type":"(state|element|entry)"/.test(l) || !failing.has(/"operator":"([0-9a-f]{32})"/.exec(l)![1]));
        assert.deepEqual(got.filter((l) => !l.startsWith('{"type":"error"')), kept);

        // engine.jar on the moved checkpoint: the same lines, its own message text
        const oracle = java(jar, ['dump', moved[name]]);
        assert.equal(oracle.status, 1, `engine.jar exit code (stderr: ${oracle.stderr.slice(-2000)})`);
        assert.deepEqual(lines(oracle.stdout).map(withoutMessage), got.map(withoutMessage));
        for (const l of lines(oracle.stdout).filter((x) => x.startsWith('{"type":"error"'))) {
          assert.ok(absolutePaths(path.join(moved[name], '_metadata')).some((p) => (JSON.parse(l) as { message: string }).message.includes(p)), l);
        }

        // --no-entries: the same first view with the error lines
        const first = await fsp(['dump', moved[name], '--no-entries']);
        assert.equal(first.code, 1);
        assert.deepEqual(lines(first.out), got.filter((l) => /^\{"type":"(savepoint|operator|state|skipped|error)"/.test(l)));
      });

      it('fsp inspect lists every operator and handle and names the missing files (exit 1), text and JSON', async () => {
        const name = 'merged/checkpoint-hashmap';
        const text = await fsp(['inspect', moved[name]]);
        assert.equal(text.code, 1, text.err);
        for (const l of lines(liveDump[name]).filter((x) => x.startsWith('{"type":"operator"'))) {
          assert.ok(text.out.includes(`operator ${(JSON.parse(l) as { id: string }).id}`), l);
        }
        assert.match(text.out, /checkpoint 1, Checkpoint,/);
        assert.match(text.out, /error: \/\S+\/taskowned\/\S+ at offset 0: expected a readable state file, found ENOENT/);
        // the keyed operator's key groups (heap layout, read like any state file) are missing too
        assert.match(text.out, /operator 826c38023c4272520855c3219fef4f3f[^\n]*\n[^\n]*\n {2}error: \/\S+\/taskowned\/\S+ at offset 0: expected a readable state file, found ENOENT/);

        const json = await fsp(['inspect', moved[name], '--json']);
        assert.equal(json.code, 1, json.err);
        const j = JSON.parse(json.out) as { snapshotType: string; operators: { id: string; handles: { slot: string; location?: string }[]; states: unknown }[] };
        assert.equal(j.snapshotType, 'Checkpoint');
        assert.equal(j.operators.length, lines(liveDump[name]).filter((x) => x.startsWith('{"type":"operator"')).length);
        const source = j.operators.find((o) => o.id === '027f3cb25b791fec4f4b0dd94fd38849')!;
        assert.ok('error' in (source.states as object), 'the source operator reports its unreadable state');
        assert.ok(source.handles.some((h) => h.slot === 'managedOperator' && h.location?.includes('/taskowned/')), 'its handle and where it pointed');

        // fsp verify names every SST file in shared/ that no longer resolves (a restore would fail on them)
        const incName = 'files/checkpoint-rocksdb-incremental';
        const v = await fsp(['verify', moved[incName], '--json']);
        assert.equal(v.code, 1, v.err);
        const report = JSON.parse(v.out) as VerifyJson;
        const shared = absolutePaths(path.join(moved[incName], '_metadata')).filter((p) => p.includes('/shared/'));
        const missing = report.errors.map((e) => /^(\S+) at offset 0: expected a readable state file, found ENOENT$/.exec(e.message)?.[1]);
        assert.deepEqual([...new Set(missing)].sort(), [...shared].sort(), 'one error per missing shared file, nothing else');
        assert.ok(report.errors.every((e) => e.slot === 'managedKeyed'));
        assert.equal(report.notVerified.reduce((n, h) => n + (h.files?.bad ?? 0), 0), report.errors.length);

        // the incremental checkpoint, moved: its native handles are listed (nothing to read)
        const inc = await fsp(['inspect', moved['files/checkpoint-rocksdb-incremental']]);
        assert.equal(inc.code, 0, inc.err);
        assert.match(inc.out, /checkpoint 2, Checkpoint,/);
        assert.match(inc.out, /subtask 0 managedKeyed: incremental handle \(type 1?[15], [^)]+\): native RocksDB state is not readable yet/);
        assert.match(inc.out, /subtask 1 managedKeyed: incremental handle/);
      });
    });
  });
}
