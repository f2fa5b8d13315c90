/**
 * Crash safety: the writer CLI is spawned as a child process and SIGKILLed while it is writing data
 * files. Nothing may appear at the target, the source savepoint must stay byte-identical, and a later
 * run to the same target succeeds. (FSP_TEST_SLOW_WRITE makes the child pause after each file, so the
 * kill lands between two data files rather than before the first or after the last.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, jsonl, ROOT, sameTree, snapshotTree, tmp, WRITE_CLI, writeFiles } from './helpers';
import { TMP_MARK } from '../../engine/savepoint/write/output';

/** Spawns the CLI, kills it once `files` data files exist in its temporary folder; returns what was left. */
async function killMidway(args: string[], target: string, files: number): Promise<{ killed: boolean; tmpDirs: string[] }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', WRITE_CLI, ...args], { cwd: ROOT, env: { ...process.env, FSP_TEST_SLOW_WRITE: '400' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const parent = path.dirname(target);
  const prefix = `.${path.basename(target)}${TMP_MARK}`;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let killed = false;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const t = fs.readdirSync(parent).find((n) => n.startsWith(prefix));
    if (t && fs.readdirSync(path.join(parent, t)).length >= files) {
      killed = child.kill('SIGKILL');
      break;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const code = await exited;
  // the process is gone: give a stray writer no chance to finish unseen
  await new Promise((r) => setTimeout(r, 1500));
  if (!killed) throw new Error(`the writer was not killed midway (exit ${code}): ${stderr}`);
  return { killed, tmpDirs: fs.readdirSync(parent).filter((n) => n.startsWith(prefix)) };
}

describe('writer: killed midway leaves no half-written savepoint', function () {
  this.timeout(300_000);
  let dir: string;
  let spec: string;

  before(() => {
    dir = tmp();
    const rows: object[] = [];
    for (let i = 0; i < 200_000; i++) rows.push({ k: `user-${i}`, v: i });
    writeFiles(dir, {
      'rows.jsonl': jsonl(rows),
      'spec.json': { maxParallelism: 128, operators: [{ uid: 'big', keyType: 'String', parallelism: 8, states: [{ name: 'v', kind: 'value', valueType: 'Long', data: 'rows.jsonl', keyField: 'k', valueField: 'v' }] }] },
    });
    spec = path.join(dir, 'spec.json');
  });

  after(() => {
    if (dir && !process.env.FSP_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bootstrap: SIGKILL after 3 of 8 data files → the target does not exist; a rerun writes it', async () => {
    const target = path.join(dir, 'boot-out');
    const r = await killMidway(['bootstrap', '--spec', spec, '--out', target], target, 3);
    assert.equal(r.killed, true);
    assert.equal(fs.existsSync(target), false, 'no target after the kill');
    assert.equal(r.tmpDirs.length, 1, 'the partial output is only in the hidden temporary folder');
    assert.equal(fs.existsSync(path.join(dir, r.tmpDirs[0], '_metadata')), false, '_metadata is written last');
    const again = await cli('bootstrap', '--spec', spec, '--out', target);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(fs.existsSync(path.join(target, '_metadata')));
    assert.equal(fs.readdirSync(target).length, 9);
  });

  it('set-uid / edit of an existing savepoint: SIGKILL midway → no target, the source is byte-identical', async () => {
    const source = path.join(dir, 'source');
    assert.equal((await cli('bootstrap', '--spec', spec, '--out', source)).code, 0);
    const before = snapshotTree(source);
    const t1 = path.join(dir, 'renamed');
    const r1 = await killMidway(['set-uid', source, '--operator', 'big', '--uid', 'bigger', '--out', t1], t1, 2);
    assert.equal(r1.killed, true);
    assert.equal(fs.existsSync(t1), false);
    assert.ok(sameTree(before, snapshotTree(source)), 'source unchanged after killing set-uid');
    const t2 = path.join(dir, 'edited');
    const r2 = await killMidway(['edit', source, '--out', t2, '--operator', 'big', '--state', 'v', '--set', 'user-7=70'], t2, 2);
    assert.equal(r2.killed, true);
    assert.equal(fs.existsSync(t2), false);
    assert.ok(sameTree(before, snapshotTree(source)), 'source unchanged after killing edit');
  });
});
