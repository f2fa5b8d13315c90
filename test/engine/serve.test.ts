/**
 * Smoke test of `engine.jar serve`: a real MiniCluster driven only through Flink's REST API,
 * exactly as the extension does it: upload → run → savepoint → stop-with-savepoint → restore.
 *
 * Needs the built engine.jar (env FSP_ENGINE_JAR, default engine/runtime/target/flink-1.20.3/engine.jar)
 * and the sample job jar (samples/workspace/sample-job/target/sample-job.jar).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlinkRestClient, FlinkRestError, type JobDetails } from '../../engine/rest/client';
import { findJava, startEngine, type RunningEngine } from '../../engine/rest/engine-process';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE_JAR = process.env.FSP_ENGINE_JAR ?? join(ROOT, 'engine', 'runtime', 'target', 'flink-1.20.3', 'engine.jar');
const SAMPLE_JAR = process.env.FSP_SAMPLE_JAR ?? join(ROOT, 'samples', 'workspace', 'sample-job', 'target', 'sample-job.jar');
const ENTRY_CLASS = 'com.example.fraud.FraudDetectionJob';
const JOB_ARGS = ['--rate', '50', '--sink', 'discard', '--checkpoint-seconds', '5'];

function requireBuilt(path: string, how: string): void {
  if (!existsSync(path)) {
    throw new Error(`Missing ${path}. Build it first: ${how}`);
  }
}

/** A savepoint location (`file:/x/savepoint-…`) as a local directory. */
function localDir(location: string): string {
  return location.startsWith('file:') ? fileURLToPath(new URL(location.replace(/^file:\/*/, 'file:///'))) : location;
}

async function poll<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Savepoints need every task RUNNING, not just the job. */
async function awaitAllTasksRunning(client: FlinkRestClient, jobId: string): Promise<JobDetails> {
  await client.awaitJobState(jobId, 'RUNNING', 90_000);
  return poll(`all tasks of ${jobId} to run`, 90_000, async () => {
    const j = await client.job(jobId);
    return j.vertices.length > 0 && j.vertices.every((v) => v.status === 'RUNNING') ? j : undefined;
  });
}

describe('engine serve: local Flink cluster over REST', function () {
  this.timeout(240_000);

  let java: string;
  let engine: RunningEngine | undefined;
  let client: FlinkRestClient;
  let workDir: string;
  let savepointDir: string;
  const log: string[] = [];
  const started: RunningEngine[] = [];
  const jobIds: string[] = [];

  before(async function () {
    this.timeout(180_000);
    requireBuilt(ENGINE_JAR, 'cd engine/runtime && mvn -B package (or set FSP_ENGINE_JAR)');
    requireBuilt(SAMPLE_JAR, 'mvn -B -f samples/workspace/sample-job/pom.xml package');
    java = (await findJava()).path;
    workDir = mkdtempSync(join(tmpdir(), 'fsp-serve-test-'));
    savepointDir = join(workDir, 'savepoints');
    engine = await startEngine({
      java,
      jar: ENGINE_JAR,
      args: ['--work-dir', join(workDir, 'work'), '--savepoint-dir', savepointDir, '--slots', '4'],
      onLog: (line) => log.push(line),
    });
    started.push(engine);
    client = new FlinkRestClient({ baseUrl: engine.url });
  });

  after(async function () {
    this.timeout(90_000);
    for (const id of jobIds) {
      try {
        await client.cancel(id);
      } catch {
        // already gone
      }
    }
    await Promise.all(started.map((e) => e.stop({ graceMs: 20_000, termGraceMs: 10_000 })));
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.error(`--- last engine log lines ---\n${log.slice(-40).join('\n')}`);
    }
  });

  it('serves the REST API on 127.0.0.1 and reports its Flink version', async () => {
    assert.match(engine!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const expected = /flink-(\d+\.\d+\.\d+)/.exec(ENGINE_JAR)?.[1];
    if (expected) assert.equal(engine!.flinkVersion, expected);
    const config = await client.config();
    assert.equal(config['flink-version'], engine!.flinkVersion);
    assert.equal(config.features?.['web-submit'], true, 'web submission must be enabled');
    const overview = await client.overview();
    assert.equal(overview.taskmanagers, 1);
    assert.equal(overview['slots-total'], 4);
    const ui = await fetch(`${engine!.url}/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /<html/i, 'the web UI should be served at /');
  });

  it('turns Flink error answers into FlinkRestError with Flink\'s message', async () => {
    await assert.rejects(client.job('00000000000000000000000000000000'), (e: unknown) => {
      assert.ok(e instanceof FlinkRestError);
      assert.equal(e.status, 404);
      assert.ok(e.errors.length > 0);
      assert.match(e.message, /GET http:\/\/127\.0\.0\.1:\d+\/jobs\/0{32} failed with HTTP 404/);
      return true;
    });
  });

  let jarId: string;
  let jobId: string;
  let stopLocation: string;

  it('uploads the sample job jar and runs it', async () => {
    const uploaded = await client.uploadJar(SAMPLE_JAR);
    jarId = uploaded.id;
    assert.match(jarId, /_sample-job\.jar$/);
    const jars = await client.listJars();
    const listed = jars.files.find((f) => f.id === jarId);
    assert.ok(listed, `uploaded jar ${jarId} not in GET /jars`);
    assert.equal(listed.entry[0]?.name, ENTRY_CLASS);

    jobId = await client.runJar(jarId, { entryClass: ENTRY_CLASS, args: JOB_ARGS, parallelism: 2 });
    jobIds.push(jobId);
    assert.match(jobId, /^[0-9a-f]{32}$/);
    const job = await awaitAllTasksRunning(client, jobId);
    assert.equal(job.name, 'Fraud detection (sample)');
    const names = job.vertices.map((v) => v.name).join(' | ');
    assert.match(names, /fraud-detector/);
    assert.match(names, /spending-per-window/);
    const listedJobs = await client.jobs();
    assert.ok(listedJobs.some((j) => j.jid === jobId && j.state === 'RUNNING'));
  });

  it('triggers a canonical savepoint and waits for it', async () => {
    const trigger = await client.triggerSavepoint(jobId, { formatType: 'CANONICAL' });
    const location = await client.awaitSavepoint(jobId, trigger, { timeoutMs: 90_000 });
    const dir = localDir(location);
    assert.ok(dir.startsWith(savepointDir), `savepoint ${dir} should be under --savepoint-dir ${savepointDir}`);
    assert.ok(existsSync(join(dir, '_metadata')), `no _metadata in ${dir}`);
    const stats = await client.checkpoints(jobId);
    assert.equal(stats.latest.savepoint?.external_path, location);
  });

  it('triggers a NATIVE savepoint into an explicit directory', async () => {
    const target = join(workDir, 'native');
    const trigger = await client.triggerSavepoint(jobId, { formatType: 'NATIVE', targetDirectory: target });
    const location = await client.awaitSavepoint(jobId, trigger, { timeoutMs: 90_000 });
    const dir = localDir(location);
    assert.ok(dir.startsWith(target), `native savepoint ${dir} should be under ${target}`);
    assert.ok(readdirSync(dir).includes('_metadata'));
  });

  it('stops the job with a savepoint', async () => {
    const trigger = await client.stopWithSavepoint(jobId, { drain: false, formatType: 'CANONICAL' });
    stopLocation = await client.awaitSavepoint(jobId, trigger, { timeoutMs: 90_000 });
    assert.ok(existsSync(join(localDir(stopLocation), '_metadata')));
    const job = await client.awaitJobState(jobId, 'FINISHED', 60_000);
    assert.equal(job.state, 'FINISHED');
  });

  it('restores the job from that savepoint (NO_CLAIM) and Flink confirms the restore path', async () => {
    assert.ok(stopLocation, 'needs the stop-with-savepoint test');
    const restoredId = await client.runJar(jarId, {
      entryClass: ENTRY_CLASS,
      args: JOB_ARGS,
      parallelism: 2,
      savepointPath: stopLocation,
      allowNonRestoredState: false,
      claimMode: 'NO_CLAIM',
    });
    jobIds.push(restoredId);
    assert.notEqual(restoredId, jobId);
    await awaitAllTasksRunning(client, restoredId);
    const restored = await poll('latest.restored in /checkpoints', 60_000, async () => {
      const stats = await client.checkpoints(restoredId);
      return stats.latest.restored ?? undefined;
    });
    assert.equal(restored.external_path, stopLocation);
    assert.equal(restored.is_savepoint, true);
    // NO_CLAIM: Flink must not own (and later delete) the savepoint.
    assert.ok(existsSync(join(localDir(stopLocation), '_metadata')));
  });

  it('rejects a restore from a missing savepoint with Flink\'s reason', async () => {
    await assert.rejects(
      client.runJar(jarId, {
        entryClass: ENTRY_CLASS,
        args: JOB_ARGS,
        savepointPath: join(workDir, 'does-not-exist'),
        claimMode: 'NO_CLAIM',
      }).then((id) => {
        jobIds.push(id);
        return client.awaitJobState(id, 'RUNNING', 60_000);
      }),
      /does-not-exist|Cannot|not find|FileNotFound|failed/i,
    );
  });

  it('survives a job whose main() calls System.exit', async function () {
    // Needs javac next to the java in use (a JDK); skipped on a bare JRE.
    const javac = basename(java) === java ? 'javac' : join(dirname(java), process.platform === 'win32' ? 'javac.exe' : 'javac');
    const jarTool = basename(java) === java ? 'jar' : join(dirname(java), process.platform === 'win32' ? 'jar.exe' : 'jar');
    const dir = join(workDir, 'exit-job');
    mkdirSync(join(dir, 'classes'), { recursive: true });
    writeFileSync(join(dir, 'ExitJob.java'), 'public class ExitJob { public static void main(String[] a) { System.exit(3); } }\n');
    writeFileSync(join(dir, 'manifest.txt'), 'Main-Class: ExitJob\n');
    try {
      execFileSync(javac, ['-d', join(dir, 'classes'), join(dir, 'ExitJob.java')], { stdio: 'pipe' });
      execFileSync(jarTool, ['cfm', join(dir, 'exit-job.jar'), join(dir, 'manifest.txt'), '-C', join(dir, 'classes'), '.'], { stdio: 'pipe' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.skip();
      throw e;
    }
    const up = await client.uploadJar(join(dir, 'exit-job.jar'));
    await assert.rejects(client.runJar(up.id, {}), /user code attempted to exit JVM/);
    const overview = await client.overview();
    assert.equal(overview.taskmanagers, 1, 'serve must still be running');
    await client.deleteJar(up.id);
    assert.ok(!(await client.listJars()).files.some((f) => f.id === up.id));
  });

  describe('process lifetime', () => {
    async function startExtra(name: string): Promise<RunningEngine> {
      const e = await startEngine({
        java,
        jar: ENGINE_JAR,
        args: ['--work-dir', join(workDir, name)],
        onLog: (line) => log.push(`[${name}] ${line}`),
      });
      started.push(e);
      return e;
    }

    async function exitWithin(e: RunningEngine, ms: number) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
      try {
        return await Promise.race([e.exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }

    it('exits with code 0 when its stdin closes', async () => {
      const e = await startExtra('stdin');
      const c = new FlinkRestClient(e.url);
      assert.ok((await c.overview())['slots-total'] > 0);
      e.process.stdin!.end();
      const r = await exitWithin(e, 20_000);
      assert.notEqual(r, 'timeout', 'serve did not exit within 20 s after stdin closed');
      assert.deepEqual(r, { code: 0, signal: null });
      await assert.rejects(c.overview(), /Cannot reach Flink/);
    });

    it('exits with code 0 on SIGTERM', async function () {
      if (process.platform === 'win32') this.skip();
      const e = await startExtra('sigterm');
      e.process.kill('SIGTERM');
      const r = await exitWithin(e, 20_000);
      assert.notEqual(r, 'timeout', 'serve did not exit within 20 s after SIGTERM');
      assert.deepEqual(r, { code: 0, signal: null });
    });
  });
});
