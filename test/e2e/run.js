'use strict';
// End-to-end tests in a real VS Code (code-server 4.139 = VS Code 1.139, Chromium via playwright-core):
//   1. extension tests: mocha inside the extension host (extensionDevelopmentPath = this repo)
//   2. UI tests: the packaged .vsix installed into code-server, driven with Playwright; screenshots in test-results/
// Prints mocha's output of both suites and a final "N passed, N failed"; exits non-zero on any failure.
//   FSP_E2E_NO_BUILD=1  skip `node esbuild.js`      FSP_E2E_ONLY=ext|ui  run one suite
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const tools = require('../../scripts/lib/e2e-tools');

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'test-results');

function secs(t0) { return ((Date.now() - t0) / 1000).toFixed(1); }

async function runUiSuite(runDir, folder, savepoint) {
  const t0 = Date.now();
  const vsix = tools.packageVsix(path.join(runDir, 'flink-savepoints.vsix'));
  const csRun = path.join(runDir, 'ui');
  tools.installExtension(csRun, vsix);
  console.log(`(vsix packaged and installed in ${secs(t0)}s)`);
  const cs = await tools.startCodeServer({ runDir: csRun, folder });
  const Mocha = require('mocha');
  process.env.FSP_E2E_BASE = cs.base;
  process.env.FSP_E2E_FOLDER = folder;
  process.env.FSP_E2E_SAVEPOINT = savepoint ? savepoint.name : '';
  process.env.FSP_E2E_SHOTS = RESULTS;
  process.env.FSP_E2E_BROWSER_DIR = path.join(runDir, 'browser');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90000, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'ui.test.js'));
  try {
    const stats = await new Promise((resolve) => {
      const r = mocha.run(() => resolve(r.stats));
    });
    return { passed: stats.passes, failed: stats.failures, seconds: Number(secs(t0)) };
  } finally {
    await cs.stop();
  }
}

async function main() {
  const t0 = Date.now();
  let passed = 0;
  let failed = 0;
  const only = process.env.FSP_E2E_ONLY;

  const tt = Date.now();
  const info = tools.ensureTools();
  console.log(`tools ready (${secs(tt)}s): code-server ${tools.CODE_SERVER_VERSION}, ${info.chromium}`);

  if (process.env.FSP_E2E_NO_BUILD !== '1') {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('esbuild failed');
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-e2e-'));
  const { folder, savepoint } = tools.prepareWorkspace(runDir, {
    extra: [path.join(__dirname, 'workspace')],
    brokenSavepoint: true,
  });
  console.log(`workspace: ${folder}${savepoint ? ` (savepoint ${savepoint.name})` : ' (no corpus savepoint found!)'}`);

  if (!only || only === 'ext') {
    console.log('\n--- extension tests (mocha in the VS Code extension host) ---');
    const r = await tools.runExtensionTests({
      extDir: ROOT,
      testsIndex: path.join(__dirname, 'index.js'),
      folder,
      runDir: path.join(runDir, 'ext'),
    });
    console.log(`extension tests: exit code ${r.code} after ${r.seconds.toFixed(1)}s`);
    passed += r.passed;
    failed += r.failed;
    if (r.code !== 0 && r.failed === 0) failed += 1;
  }

  if (!only || only === 'ui') {
    console.log('\n--- UI tests (Playwright + Chromium against code-server, extension installed from .vsix) ---');
    // a fresh workspace copy: the extension tests edited files in the first one
    const ui = tools.prepareWorkspace(path.join(runDir, 'ui-ws'), { extra: [path.join(__dirname, 'workspace')] });
    try {
      const r = await runUiSuite(runDir, ui.folder, ui.savepoint);
      console.log(`UI tests: ${r.passed} passed, ${r.failed} failed in ${r.seconds}s (screenshots in ${path.relative(ROOT, RESULTS)}/)`);
      passed += r.passed;
      failed += r.failed;
    } catch (e) {
      console.log(`UI tests could not run: ${e && e.stack ? e.stack : e}`);
      failed += 1;
    }
  }

  if (process.env.FSP_E2E_KEEP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  else console.log(`run dir kept: ${runDir}`);
  console.log(`\ne2e finished in ${secs(t0)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(`e2e: ${e && e.stack ? e.stack : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
