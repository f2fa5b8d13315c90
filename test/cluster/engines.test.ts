/**
 * The cluster features against two REAL Flink engines (`engine.jar serve`): the first plays the
 * bundled local engine, the second a remote cluster reached by URL with an auth header.
 * run the sample job → trigger a savepoint → failed savepoint with Flink's cause → stop with a
 * savepoint → restore (NO_CLAIM, confirmed by checkpoint statistics) → Restore Again → bootstrap
 * with engine.jar (State Processor API) and the TypeScript writer → restore from the bootstrapped
 * savepoint with allowNonRestoredState=false, and the state is really in the job.
 *
 * Needs engine.jar with the `bootstrap` command (env FSP_ENGINE_JAR, default
 * engine/runtime/target/flink-1.20.3/engine.jar), Java 17+, and samples/workspace/sample-job/target/sample-job.jar.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FlinkRestClient, SavepointFailedError, type JobDetails } from '../../engine/rest/client';
import { findJava, startEngine, type RunningEngine } from '../../engine/rest/engine-process';
import { authOption, bundledEngineArgs, parseClusterSettings } from '../../extension/cluster/cluster-config';
import {
  JarUploadCache,
  MapStore,
  RestoreMemory,
  RestoreNotConfirmedError,
  confirmRestore,
  dropReport,
  entryClassOf,
  findJarCandidates,
  sameLocation,
  submitPlan,
  takeSavepoint,
  type RestorePlan,
} from '../../extension/cluster/restore-plan';
import { runBootstrap, writeSpecFor, type BootstrapAnswers } from '../../extension/cluster/bootstrap-plan';
import { crossCheck } from '../../language/crosscheck';
import { analyzeSource } from '../../language/index';
import { lookup, openSavepoint } from '../../engine/savepoint/index';
import { operatorIdFromUid } from '../../engine/savepoint/murmur';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE_JAR = process.env.FSP_ENGINE_JAR ?? join(ROOT, 'engine', 'runtime', 'target', 'flink-1.20.3', 'engine.jar');
const SAMPLE_WS = join(ROOT, 'samples', 'workspace');
const SAMPLE_SRC = join(SAMPLE_WS, 'sample-job', 'src', 'main', 'java', 'com', 'example', 'fraud', 'FraudDetectionJob.java');
const JOB_ARGS = ['--rate', '50', '--sink', 'discard', '--checkpoint-seconds', '5'];

async function poll<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Savepoints need every task RUNNING, not only the job. */
async function allTasksRunning(c: FlinkRestClient, jobId: string): Promise<JobDetails> {
  await c.awaitJobState(jobId, 'RUNNING', 90_000);
  return poll(`all tasks of ${jobId}`, 90_000, async () => {
    const j = await c.job(jobId);
    return j.vertices.length > 0 && j.vertices.every((v) => v.status === 'RUNNING') ? j : undefined;
  });
}

async function cancel(c: FlinkRestClient, jobId: string): Promise<void> {
  try {
    await c.cancel(jobId);
    await c.awaitJobState(jobId, 'CANCELED', 60_000);
  } catch {
    // already gone
  }
}

/** uids declared in the sample job, found the way the extension finds them (language/ analysis). */
async function sampleUids(): Promise<string[]> {
  const a = await analyzeSource(readFileSync(SAMPLE_SRC, 'utf8'), 'java');
  return a.uids.map((u: { uid: string }) => u.uid);
}

describe('cluster: against real Flink engines (bundled + "remote")', function () {
  this.timeout(300_000);

  let java: string;
  let work: string;
  let ws: string;
  const engines: RunningEngine[] = [];
  const log: string[] = [];
  let local: FlinkRestClient; // plays the bundled engine
  let remote: FlinkRestClient; // plays a remote cluster, with an auth header
  const jobs: [FlinkRestClient, string][] = [];
  const memory = new RestoreMemory(new MapStore());
  const jarCache = new JarUploadCache();
  let plan: RestorePlan;

  before(async function () {
    this.timeout(240_000);
    for (const [p, how] of [[ENGINE_JAR, 'cd engine/runtime && mvn -B package (or set FSP_ENGINE_JAR)'], [join(SAMPLE_WS, 'sample-job', 'target', 'sample-job.jar'), 'mvn -B -f samples/workspace/sample-job/pom.xml package']]) {
      if (!existsSync(p)) throw new Error(`Missing ${p}. Build it first: ${how}`);
    }
    java = (await findJava()).path;
    work = mkdtempSync(join(tmpdir(), 'fsp-cluster-test-'));
    ws = join(work, 'workspace');
    cpSync(SAMPLE_WS, ws, { recursive: true }); // includes sample-job/target/sample-job.jar
    const start = (name: string) =>
      startEngine({
        java,
        jar: ENGINE_JAR,
        args: bundledEngineArgs({ workDir: join(work, name), savepointDir: join(work, name, 'default-savepoints'), slots: 4 }),
        onLog: (l) => log.push(`[${name}] ${l}`),
      }).then((e) => {
        engines.push(e);
        return e;
      });
    const [a, b] = await Promise.all([start('local'), start('remote')]);
    assert.notEqual(a.url, b.url, 'two engines on two ports');
    local = new FlinkRestClient({ baseUrl: a.url });
    const entry = parseClusterSettings([{ name: 'staging', url: `${b.url}/` }]).clusters[1];
    assert.equal(entry.url, b.url);
    remote = new FlinkRestClient({ baseUrl: entry.url!, auth: authOption(entry, 'test-token') });
  });

  after(async function () {
    this.timeout(120_000);
    for (const [c, id] of jobs) await cancel(c, id);
    await Promise.all(engines.map((e) => e.stop({ graceMs: 20_000, termGraceMs: 10_000 })));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(`--- last engine log lines ---\n${log.slice(-40).join('\n')}`);
  });

  let jobId: string;

  it('runs the sample job picked from the workspace jars on the "remote" cluster', async () => {
    const [jar] = findJarCandidates([ws]);
    assert.ok(jar, 'a job jar is offered');
    assert.match(jar.rel, /sample-job[\\/]target[\\/]sample-job\.jar$/);
    plan = { jar: jar.path, entryClass: entryClassOf(jar.path), args: JOB_ARGS, parallelism: 2, claimMode: 'NO_CLAIM', allowNonRestoredState: false };
    assert.equal(plan.entryClass, 'com.example.fraud.FraudDetectionJob');
    const progress: string[] = [];
    const r = await submitPlan(remote, plan, { jarCache, progress: (m) => progress.push(m) });
    jobId = r.jobId;
    jobs.push([remote, jobId]);
    assert.equal(r.restored, undefined);
    assert.deepEqual(progress, ['Uploading sample-job.jar…', 'Submitting the job…', 'Waiting for the job to run…']);
    await memory.remember(plan);
    const job = await allTasksRunning(remote, jobId);
    assert.equal(job.name, 'Fraud detection (sample)');
  });

  it('triggers a NATIVE savepoint into the workspace savepoints folder', async () => {
    const target = join(ws, 'savepoints');
    const r = await takeSavepoint(remote, { jobId, formatType: 'NATIVE', targetDirectory: target, timeoutMs: 90_000 });
    assert.ok(r.dir, `the savepoint is local: ${r.location}`);
    assert.ok(r.dir.startsWith(target), `${r.dir} under ${target}`);
    assert.ok(existsSync(join(r.dir, '_metadata')));
    const sp = await openSavepoint(r.dir);
    assert.ok(sp.operators.some((o) => o.id === operatorIdFromUid('fraud-detector')), 'the reader opens it and finds fraud-detector');
  });

  it('a savepoint that Flink cannot write fails with Flink\'s own cause', async () => {
    await assert.rejects(
      takeSavepoint(remote, { jobId, targetDirectory: '/proc/fsp-cannot-write-here', timeoutMs: 90_000 }),
      (e: unknown) => {
        assert.ok(e instanceof SavepointFailedError, `SavepointFailedError, got ${e}`);
        assert.ok(e.flinkCause.length > 0);
        console.log(`      Flink's cause: ${e.flinkCause.slice(0, 200)}`);
        return true;
      },
    );
    await allTasksRunning(remote, jobId); // the job survives a failed savepoint
  });

  let stopped: string;

  it('stops the job with a savepoint (no drain)', async () => {
    const r = await takeSavepoint(remote, { jobId, stop: true, drain: false, formatType: 'CANONICAL', targetDirectory: join(ws, 'savepoints'), timeoutMs: 90_000 });
    assert.ok(r.dir && existsSync(join(r.dir, '_metadata')));
    stopped = r.dir;
    const job = await remote.awaitJobState(jobId, 'FINISHED', 60_000);
    assert.equal(job.state, 'FINISHED');
  });

  it('restores from it (NO_CLAIM), confirmed by latest.restored.external_path; Restore Again repeats it', async () => {
    assert.ok(stopped, 'needs the stop test');
    const restorePlan: RestorePlan = { ...plan, savepointPath: stopped, clusterId: 'remote' };
    const r = await submitPlan(remote, restorePlan, { jarCache });
    jobs.push([remote, r.jobId]);
    assert.ok(r.restored);
    assert.ok(sameLocation(r.restored.external_path!, stopped), `${r.restored.external_path} is ${stopped}`);
    assert.equal(r.restored.is_savepoint, true);
    assert.ok(existsSync(join(stopped, '_metadata')), 'NO_CLAIM: the savepoint stays');
    await memory.remember(restorePlan);
    await cancel(remote, r.jobId);

    const again = memory.lastPlan();
    assert.deepEqual(again, restorePlan);
    const before = (await remote.listJars()).files.length;
    const r2 = await submitPlan(remote, again!, { jarCache });
    jobs.push([remote, r2.jobId]);
    assert.equal(r2.jarId, r.jarId, 'the jar is uploaded once');
    assert.equal((await remote.listJars()).files.length, before);
    assert.ok(sameLocation(r2.restored!.external_path!, stopped));
    await cancel(remote, r2.jobId);
  });

  it('does not confirm a restore for a job that started without the savepoint', async () => {
    const r = await submitPlan(local, { ...plan, parallelism: 1 }, { jarCache });
    jobs.push([local, r.jobId]);
    await assert.rejects(confirmRestore(local, r.jobId, stopped, { timeoutMs: 3_000 }), (e: unknown) => {
      assert.ok(e instanceof RestoreNotConfirmedError);
      assert.match(e.message, /did not report a restored checkpoint/);
      return true;
    });
    await cancel(local, r.jobId);
  });

  /** A CSV of total spent per account, for accounts the generator never uses. */
  function spentCsv(name: string): string {
    const f = join(ws, 'data', name);
    mkdirSync(join(ws, 'data'), { recursive: true });
    writeFileSync(f, 'account,total\nboot-1,12.5\nboot-2,7.25\n"boot,3",1\n');
    return f;
  }

  async function bootstrapAndRestore(writer: 'java' | 'typescript'): Promise<void> {
    const answers: BootstrapAnswers = {
      dataFile: spentCsv(`spent-${writer}.csv`), uid: 'fraud-detector', stateKind: 'value', stateName: 'total-spent',
      keyField: 'account', keyType: 'String', valueField: 'total', valueType: 'Double', maxParallelism: 128,
    };
    const out = join(ws, 'savepoints', `bootstrap-${writer}`);
    const { specFile } = writeSpecFor(answers, out);
    const t0 = Date.now();
    const bs = await runBootstrap({ specFile, outDir: out, writer, java, engineJar: ENGINE_JAR, onLog: (l) => log.push(`[bootstrap] ${l}`) });
    console.log(`      ${writer} writer: ${Date.now() - t0} ms`);
    assert.ok(existsSync(join(bs.path, '_metadata')));

    // the cross-check over the job's code: nothing would be dropped
    const sp = await openSavepoint(bs.path);
    const report = dropReport(await sampleUids(), sp.operators, crossCheck);
    assert.equal(report.matched, 1);
    assert.deepEqual(report.wouldDrop, []);

    const r = await submitPlan(local, { ...plan, savepointPath: bs.path, allowNonRestoredState: false }, { jarCache });
    jobs.push([local, r.jobId]);
    assert.ok(sameLocation(r.restored!.external_path!, bs.path));
    await allTasksRunning(local, r.jobId);
    // the bootstrapped values are in the running job: they come back in its next savepoint
    const next = await takeSavepoint(local, { jobId: r.jobId, stop: true, targetDirectory: join(work, `after-${writer}`), timeoutMs: 90_000 });
    const after = await openSavepoint(next.dir!);
    const entries = await lookup(after, operatorIdFromUid('fraud-detector'), 'total-spent', 'boot-1');
    assert.equal(entries.length, 1, `boot-1 in ${JSON.stringify(entries)}`);
    assert.equal(Number(entries[0].value), 12.5);
    const comma = await lookup(after, operatorIdFromUid('fraud-detector'), 'total-spent', 'boot,3');
    assert.equal(Number(comma[0]?.value), 1);
  }

  it('bootstraps with engine.jar (State Processor API) a state the job declares and restores it with allowNonRestoredState=false', async () => {
    await bootstrapAndRestore('java');
  });

  it('bootstraps with the TypeScript writer and Flink restores that too', async () => {
    await bootstrapAndRestore('typescript');
  });

  it('a bootstrapped uid the job does not have: the cross-check names it, Flink refuses without allowNonRestoredState and restores with it', async () => {
    const answers: BootstrapAnswers = {
      dataFile: spentCsv('retired.csv'), uid: 'retired-operator', stateKind: 'value', stateName: 'total',
      keyField: 'account', keyType: 'String', valueField: 'total', valueType: 'Double', maxParallelism: 128,
    };
    const out = join(ws, 'savepoints', 'bootstrap-retired');
    const { specFile } = writeSpecFor(answers, out);
    await runBootstrap({ specFile, outDir: out, writer: 'java', java, engineJar: ENGINE_JAR });
    const sp = await openSavepoint(out);
    const report = dropReport(await sampleUids(), sp.operators, crossCheck);
    assert.deepEqual(report.wouldDrop.map((o) => o.id), [operatorIdFromUid('retired-operator')]);

    let refusedId: string | undefined;
    const t0 = Date.now();
    await assert.rejects(
      submitPlan(local, { ...plan, savepointPath: out, allowNonRestoredState: false }, { jarCache, onSubmitted: (id) => (refusedId = id) }),
      (e: Error) => {
        console.log(`      refused after ${Date.now() - t0} ms: ${e.message.slice(0, 300)}`);
        assert.match(e.message, /allowNonRestoredState|Cannot map/);
        return true;
      },
    );
    if (refusedId) jobs.push([local, refusedId]);
    const r = await submitPlan(local, { ...plan, savepointPath: out, allowNonRestoredState: true }, { jarCache });
    jobs.push([local, r.jobId]);
    assert.ok(sameLocation(r.restored!.external_path!, out));
    await cancel(local, r.jobId);
  });
});
