#!/usr/bin/env node
'use strict';
// npm start: from a fresh clone to a real VS Code with the extension and a sample workspace.
//   1. npm install when node_modules is missing or older than package-lock.json
//   2. bundle with esbuild
//   3. engine.jar (scripts/lib/engine.js, when present)
//   4. copy samples/workspace + one corpus savepoint into a run dir (the repo's files are never touched)
//   5. desktop `code --extensionDevelopmentPath=<repo> <workspace>` when `code` is on PATH,
//      otherwise code-server on 127.0.0.1:${PORT:-8089} with the extension installed from a fresh .vsix
// Ctrl-C stops everything. FSP_START_WEB=1 forces code-server even when `code` exists.
// Only Node builtins are required at the top: this runs before `npm install`.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(msg) { console.log(`\n▶ ${msg}`); }

function mtime(p) { try { return fs.statSync(p).mtimeMs; } catch { return 0; } }

function ensureNodeModules() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(marker) && mtime(lock) <= mtime(marker)) return;
  step('npm install');
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm install failed');
}

function build() {
  step('bundle (esbuild)');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('esbuild failed');
}

function ensureEngine() {
  const lib = path.join(__dirname, 'lib', 'engine.js');
  if (!fs.existsSync(lib)) {
    console.warn('⚠ scripts/lib/engine.js is missing: skipping engine.jar (state values and REST features need it)');
    return;
  }
  step('engine.jar');
  try {
    require(lib).ensureEngineJar();
  } catch (e) {
    console.warn(`⚠ engine.jar could not be built: ${e && e.message ? e.message : e}`);
    console.warn('  Browsing savepoints and the uid checks work without it.');
  }
}

function onPath(cmd) {
  const r = spawnSync(process.platform === 'win32' ? 'where' : 'which', [cmd], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim().split(/\r?\n/)[0] : undefined;
}

function waitForSignal(children) {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (sig) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${sig}: stopping…`);
      for (const c of children) await c.stop();
      resolve();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => stop('SIGHUP'));
  });
}

async function main() {
  const t0 = Date.now();
  ensureNodeModules();
  build();
  ensureEngine();

  const tools = require('./lib/e2e-tools');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-savepoints-start-'));
  step('sample workspace');
  const { folder, savepoint } = tools.prepareWorkspace(runDir);
  // the code of the job that wrote the corpus savepoints: its .uid(...) calls name the savepoint's operators
  const corpusJobs = path.join(ROOT, 'engine', 'runtime', 'src', 'main', 'java', 'dev', 'flinksavepoints', 'engine', 'corpus', 'Jobs.java');
  if (savepoint && fs.existsSync(corpusJobs)) {
    fs.mkdirSync(path.join(folder, 'savepoints', 'job-source'), { recursive: true });
    fs.copyFileSync(corpusJobs, path.join(folder, 'savepoints', 'job-source', 'Jobs.java'));
  }
  console.log(`  ${folder}`);
  console.log(savepoint ? `  savepoint: savepoints/${savepoint.name} (from ${path.relative(ROOT, savepoint.dir)})` : '  (no corpus savepoint found under test/fixtures/savepoints/flink-1.20.3: run `npm run corpus`)');
  const cleanup = () => { if (process.env.FSP_KEEP_RUN !== '1') fs.rmSync(runDir, { recursive: true, force: true }); };

  const code = process.env.FSP_START_WEB === '1' ? undefined : onPath('code');
  if (code) {
    step(`VS Code: ${code}`);
    const child = spawn(code, ['--new-window', `--extensionDevelopmentPath=${ROOT}`, folder], { stdio: 'inherit' });
    await new Promise((r) => child.on('exit', r));
    console.log(`VS Code is running with the extension from ${ROOT}; workspace ${folder} (kept)`);
    return;
  }

  step('code-server (VS Code in the browser)');
  tools.ensureTools();
  const vsix = tools.packageVsix(path.join(runDir, 'flink-savepoints.vsix'));
  const csRun = path.join(runDir, 'code-server');
  tools.installExtension(csRun, vsix);
  const port = Number(process.env.PORT) || 8089;
  const free = await tools.freePort(port);
  if (free !== port) throw new Error(`port ${port} is in use; set PORT=<free port>`);
  const cs = await tools.startCodeServer({ runDir: csRun, port, folder });
  console.log(`\n  Savepoints for Apache Flink is ready (${((Date.now() - t0) / 1000).toFixed(0)} s).`);
  console.log(`  Open ${cs.url}`);
  console.log('  (the "Flink Savepoints" icon in the activity bar; job code in sample-job/src/main/java)');
  console.log(`  code-server log: ${path.join(csRun, 'code-server.log')}`);
  console.log('  Ctrl-C stops everything.');
  cs.child.on('exit', (c) => { console.log(`code-server exited (${c})`); cleanup(); process.exit(c || 0); });
  await waitForSignal([cs]);
  cleanup();
  process.exit(0);
}

main().catch((e) => {
  console.error(`npm start: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
