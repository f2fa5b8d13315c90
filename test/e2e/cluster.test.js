'use strict';
// Cluster features inside the extension host of a real VS Code (code-server), see test/e2e/run.js.
// Drives the commands through vscode.commands.executeCommand with options objects (no pickers):
// start the bundled engine → run the sample job → trigger a savepoint (appears in the Savepoints
// view) → stop with a savepoint → restore from the Savepoints-view node (confirmed by Flink) →
// Restore Again → bootstrap a savepoint and restore from it.
// Needs Java 17+, engine.jar (engine/runtime/target/flink-1.20.3/engine.jar, dist/engine/engine.jar
// or FSP_ENGINE_JAR) and samples/workspace/sample-job/target/sample-job.jar.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const { EXT_ID, waitFor: waitUntil } = require('./host-helpers');
const ROOT = path.resolve(__dirname, '..', '..');
const SAMPLE_JAR = process.env.FSP_SAMPLE_JAR || path.join(ROOT, 'samples', 'workspace', 'sample-job', 'target', 'sample-job.jar');
const JOB_ARGS = ['--rate', '50', '--sink', 'discard', '--checkpoint-seconds', '5'];

const waitFor = (what, fn, timeoutMs = 30000) => waitUntil(what, fn, timeoutMs, 200);

suite('Flink clusters: run, savepoint, restore, bootstrap (extension host)', function () {
  this.timeout(180000);
  let api;
  let cluster;
  let ws;
  let jar;
  const jobIds = [];

  suiteSetup(async function () {
    const ext = vscode.extensions.getExtension(EXT_ID);
    api = await ext.activate();
    cluster = api && api.cluster; // registerClusterFeatures(...).api, if the activation exposes it
    ws = vscode.workspace.workspaceFolders[0].uri.fsPath;
    console.log(`    trusted=${vscode.workspace.isTrusted} cluster api=${!!cluster}`);
  });

  suiteTeardown(async function () {
    this.timeout(60000);
    for (const id of jobIds) {
      try {
        await vscode.commands.executeCommand('flinkSavepoints.cancelJob', { jobId: id });
      } catch {
        // finished already
      }
    }
    try {
      await vscode.commands.executeCommand('flinkSavepoints.stopEngine');
    } catch {
      // not started
    }
  });

  test('the cluster commands are registered', async function () {
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['flinkSavepoints.selectCluster', 'flinkSavepoints.setClusterToken', 'flinkSavepoints.startEngine', 'flinkSavepoints.runJob',
      'flinkSavepoints.triggerSavepoint', 'flinkSavepoints.stopWithSavepoint', 'flinkSavepoints.restoreFromSavepoint', 'flinkSavepoints.restoreAgain',
      'flinkSavepoints.bootstrapSavepoint', 'flinkSavepoints.refreshJobs']) {
      assert.ok(cmds.includes(c), `command ${c} registered`);
    }
  });

  test('untrusted workspaces: nothing runs', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    await assert.rejects(vscode.commands.executeCommand('flinkSavepoints.startEngine', {}), /trusted workspace/);
  });

  test('the bundled engine starts with the user\'s Java', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    if (cluster) {
      const before = await cluster.getChildren();
      const labels = before.map((n) => String(cluster.getTreeItem(n).label));
      console.log(`    jobs view before start: ${labels.join(' | ')}`);
      assert.ok(labels.some((l) => /Start the local Flink engine/.test(l)), 'the Jobs view offers to start the engine');
    }
    const t0 = Date.now();
    const info = await vscode.commands.executeCommand('flinkSavepoints.startEngine');
    console.log(`    engine: Flink ${info.flinkVersion} at ${info.url} (${Date.now() - t0} ms, java ${info.java})`);
    assert.strictEqual(info.state, 'running');
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  /** GET /jobs/{id} of the bundled engine, straight over HTTP (independent of the extension's client). */
  async function job(id) {
    const { url } = await vscode.commands.executeCommand('flinkSavepoints.startEngine'); // already running: returns its info
    return (await fetch(`${url}/jobs/${id}`)).json();
  }

  async function jobState(id) {
    return (await job(id)).state;
  }

  function allTasksRunning(id) {
    return waitFor(`all tasks of ${id} running`, async () => (await job(id)).vertices.every((v) => v.status === 'RUNNING'), 60000);
  }

  let jobId;

  test('runs the sample job from the workspace (options, no pickers) and lists it in the Flink Jobs view', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    assert.ok(fs.existsSync(SAMPLE_JAR), `build the sample job first: ${SAMPLE_JAR}`);
    jar = path.join(ws, 'sample-job', 'target', 'sample-job.jar');
    fs.mkdirSync(path.dirname(jar), { recursive: true });
    fs.copyFileSync(SAMPLE_JAR, jar);
    const r = await vscode.commands.executeCommand('flinkSavepoints.runJob', { jar, args: JOB_ARGS, parallelism: 1 });
    jobId = r.jobId;
    jobIds.push(jobId);
    assert.match(jobId, /^[0-9a-f]{32}$/);
    assert.strictEqual(r.plan.entryClass, 'com.example.fraud.FraudDetectionJob', 'entry class from the jar manifest');
    assert.strictEqual(await jobState(jobId), 'RUNNING');
    if (cluster) {
      const jobs = await waitFor('the job in the Jobs view', async () => {
        cluster.refreshJobs();
        const j = await cluster.jobs();
        return j.find((n) => n.job.jid === jobId) ? j : undefined;
      });
      const node = jobs.find((n) => n.job.jid === jobId);
      const item = cluster.getTreeItem(node);
      console.log(`    jobs view: ${item.label} — ${item.description}`);
      assert.strictEqual(item.contextValue, 'job.RUNNING');
      assert.match(String(item.description), /^RUNNING · started /);
    }
    // savepoints need every task running
    await allTasksRunning(jobId);
  });

  let savepointDir;

  test('triggers a savepoint into <workspace>/savepoints and the Savepoints view lists it', async function () {
    if (!jobId) this.skip();
    const r = await vscode.commands.executeCommand('flinkSavepoints.triggerSavepoint', { jobId, formatType: 'CANONICAL' });
    console.log(`    savepoint: ${r.location}`);
    assert.ok(r.dir, 'a local folder');
    assert.ok(r.dir.startsWith(path.join(ws, 'savepoints')), `${r.dir} under the workspace's savepoints folder`);
    savepointDir = r.dir;
    const node = await waitFor('the savepoint in the Savepoints view', async () => {
      api.refresh();
      const roots = await api.getChildren();
      return roots.find((n) => n.dir === r.dir && n.sp);
    });
    assert.ok(node.sp.operators.length > 0);
    if (cluster) {
      // Flink updates its checkpoint statistics asynchronously after the savepoint completes
      let seen = [];
      const latest = await waitFor('the job\'s latest savepoint in the Flink Jobs view', async () => {
        cluster.refreshJobs();
        const jobs = await cluster.jobs();
        const details = await cluster.getChildren(jobs.find((n) => n.job.jid === jobId));
        seen = details.map((d) => `${d.label}=${d.savepointPath ?? ''}`);
        return details.find((d) => d.label === 'Latest savepoint' && d.savepointPath === r.dir);
      }).catch((e) => { throw new Error(`${e.message}; job details: ${seen.join(', ')}`); });
      assert.strictEqual(latest.savepointPath, r.dir);
    }
  });

  let stoppedDir;

  test('stops the job with a savepoint', async function () {
    if (!jobId) this.skip();
    const r = await vscode.commands.executeCommand('flinkSavepoints.stopWithSavepoint', { jobId, drain: false });
    assert.ok(r.dir && fs.existsSync(path.join(r.dir, '_metadata')));
    stoppedDir = r.dir;
    assert.strictEqual(await jobState(jobId), 'FINISHED');
  });

  test('restores from the Savepoints-view node; Flink confirms the restore path', async function () {
    if (!stoppedDir) this.skip();
    const node = await waitFor('the stop savepoint in the view', async () => {
      api.refresh();
      return (await api.getChildren()).find((n) => n.dir === stoppedDir && n.sp);
    });
    const r = await vscode.commands.executeCommand('flinkSavepoints.restoreFromSavepoint', node, { jar, args: JOB_ARGS, parallelism: 1 });
    jobIds.push(r.jobId);
    console.log(`    restored ${r.jobId} from ${r.restored.external_path}; cross-check: ${r.dropReport ? `${r.dropReport.matched} matched, ${r.dropReport.wouldDrop.length} without uid in code` : 'unavailable'}`);
    assert.ok(r.restored.external_path.endsWith(path.basename(stoppedDir)));
    assert.strictEqual(r.plan.claimMode, 'NO_CLAIM');
    assert.strictEqual(r.plan.allowNonRestoredState, false);
    if (cluster) assert.deepStrictEqual(cluster.lastRestorePlan().savepointPath, stoppedDir);
    await vscode.commands.executeCommand('flinkSavepoints.cancelJob', { jobId: r.jobId });
  });

  test('Restore Again repeats the last restore in one call', async function () {
    if (!stoppedDir) this.skip();
    const r = await vscode.commands.executeCommand('flinkSavepoints.restoreAgain', {});
    jobIds.push(r.jobId);
    assert.ok(r.restored.external_path.endsWith(path.basename(stoppedDir)));
    await vscode.commands.executeCommand('flinkSavepoints.cancelJob', { jobId: r.jobId });
  });

  test('bootstraps a savepoint for a state the job declares and restores from it', async function () {
    if (!jar) this.skip();
    const data = path.join(ws, 'data', 'spent.csv');
    fs.mkdirSync(path.dirname(data), { recursive: true });
    fs.writeFileSync(data, 'account,total\nboot-1,12.5\nboot-2,7.25\n');
    const b = await vscode.commands.executeCommand('flinkSavepoints.bootstrapSavepoint', {
      dataFile: data, uid: 'fraud-detector', stateKind: 'value', stateName: 'total-spent',
      keyField: 'account', keyType: 'String', valueField: 'total', valueType: 'Double', maxParallelism: 128,
    });
    console.log(`    bootstrapped ${b.path} (${b.writer} writer)`);
    assert.ok(fs.existsSync(path.join(b.path, '_metadata')));
    assert.ok(fs.existsSync(b.specFile));
    const r = await vscode.commands.executeCommand('flinkSavepoints.restoreFromSavepoint', vscode.Uri.file(path.join(b.path, '_metadata')), {
      jar, args: JOB_ARGS, parallelism: 1, allowNonRestoredState: false,
    });
    jobIds.push(r.jobId);
    assert.ok(r.restored.external_path.endsWith(path.basename(b.path)));
    assert.deepStrictEqual(r.dropReport && r.dropReport.wouldDrop, [], 'every operator of the bootstrapped savepoint has a uid in code');
    await vscode.commands.executeCommand('flinkSavepoints.cancelJob', { jobId: r.jobId });
  });

  test('a remote cluster from the settings, with a token in the secret storage', async function () {
    if (!vscode.workspace.isTrusted || !cluster) this.skip();
    // the running engine, reached by URL as a remote cluster would be
    const { url } = await vscode.commands.executeCommand('flinkSavepoints.startEngine');
    const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
    await cfg.update('clusters', [{ name: 'staging', url: `${url}/` }, { name: 'broken', url: 'ftp://nope' }], vscode.ConfigurationTarget.Workspace);
    try {
      const names = cluster.clusters().map((c) => c.name);
      assert.deepStrictEqual(names, ['Local engine (bundled)', 'staging'], 'invalid entries are skipped');
      const picked = await vscode.commands.executeCommand('flinkSavepoints.selectCluster', { id: 'staging' });
      assert.strictEqual(picked.url, url);
      assert.strictEqual(cluster.activeCluster().name, 'staging');
      await vscode.commands.executeCommand('flinkSavepoints.setClusterToken', { clusterId: 'staging', token: 'secret-token' });
      const client = await cluster.activeClient();
      assert.strictEqual(client.baseUrl, url);
      assert.ok((await client.config())['flink-version'], 'REST works with the auth header');
      cluster.refreshJobs();
      const roots = await cluster.getChildren();
      console.log(`    jobs on "staging": ${roots.map((n) => String(cluster.getTreeItem(n).label)).join(' | ')}`);
      assert.ok(roots.some((n) => n.kind === 'job'), 'the Jobs view lists the remote cluster\'s jobs');
      await vscode.commands.executeCommand('flinkSavepoints.setClusterToken', { clusterId: 'staging', token: '' });
    } finally {
      await vscode.commands.executeCommand('flinkSavepoints.selectCluster', { id: 'bundled' });
      await cfg.update('clusters', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.strictEqual(cluster.activeCluster().kind, 'bundled');
  });

  test('a failing savepoint reports Flink\'s cause', async function () {
    if (!jar) this.skip();
    const run = await vscode.commands.executeCommand('flinkSavepoints.runJob', { jar, args: JOB_ARGS, parallelism: 1 });
    jobIds.push(run.jobId);
    await allTasksRunning(run.jobId);
    await assert.rejects(
      vscode.commands.executeCommand('flinkSavepoints.triggerSavepoint', { jobId: run.jobId, targetDirectory: '/proc/fsp-cannot-write-here' }),
      /savepoint directory|IOException|Failed/i,
    );
    await vscode.commands.executeCommand('flinkSavepoints.cancelJob', { jobId: run.jobId });
  });

  test('without a usable Java the engine does not start and the message names the setting', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    await vscode.commands.executeCommand('flinkSavepoints.stopEngine');
    const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
    await cfg.update('java.home', path.join(ws, 'no-such-jdk'), vscode.ConfigurationTarget.Workspace);
    try {
      await assert.rejects(vscode.commands.executeCommand('flinkSavepoints.startEngine', {}), (e) => {
        console.log(`    ${e.message.slice(0, 160)}…`);
        assert.match(e.message, /No usable Java found/);
        assert.match(e.message, /flinkSavepoints\.java\.home/);
        return true;
      });
      if (cluster) assert.strictEqual(cluster.engineInfo().state, 'failed');
    } finally {
      await cfg.update('java.home', undefined, vscode.ConfigurationTarget.Workspace);
    }
    const info = await vscode.commands.executeCommand('flinkSavepoints.startEngine', {});
    assert.strictEqual(info.state, 'running', 'starts again once the setting is fixed');
  });
});
