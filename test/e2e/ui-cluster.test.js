'use strict';
// UI walk-through of the cluster features, Playwright + Chromium against code-server with the .vsix
// installed (started by test/e2e/run.js, which sets FSP_E2E_*):
//   start the bundled engine from the Flink Jobs view → run the sample job (a key bound by run.js to
//   flinkSavepoints.runJob with an options object: jar, args, parallelism; no pickers) → the RUNNING job
//   in the Flink Jobs view → Trigger Savepoint from the job's inline action (format and target picked in
//   the quick picks) → the new savepoint in the Savepoints view → the status bar item → stop the engine.
// Needs Java 17+ and samples/workspace/sample-job/target/sample-job.jar. Screenshots: test-results/cluster-*.png
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { ui } = require('../../scripts/lib/e2e-tools');

const BASE = process.env.FSP_E2E_BASE;
const FOLDER = process.env.FSP_E2E_FOLDER;
const SHOTS = process.env.FSP_E2E_SHOTS;
const RUN_JOB_KEY = process.env.FSP_E2E_RUN_JOB_KEY;
const JOB_NAME = 'Fraud detection (sample)';

describe('UI: Flink cluster walk-through (engine, job, savepoint, status bar)', function () {
  this.timeout(240000);
  let ctx;
  let page;
  let jobs;
  let sp;
  let engineStarted = false;
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const status = () => ui.statusBarItem(page, 'flinkSavepoints.cluster');
  const savepointsBefore = new Set(fs.existsSync(path.join(FOLDER || '.', 'savepoints')) ? fs.readdirSync(path.join(FOLDER, 'savepoints')) : []);

  before(async function () {
    assert.ok(BASE, 'run through test/e2e/run.js');
    ({ ctx, page } = await ui.openWorkbench(BASE, FOLDER, process.env.FSP_E2E_BROWSER_DIR));
    await ui.showFlinkContainer(page);
    sp = await ui.pane(page, 'Savepoints');
    jobs = await ui.pane(page, 'Flink Jobs');
  });

  after(async function () {
    this.timeout(60000);
    const running = page ? await status().innerText().then((t) => !/stopped/.test(t), () => false) : false;
    if (page && (engineStarted || running)) {
      // stop the engine (and with it the job) through the UI; run.js checks that no java process is left
      try {
        await ui.palette(page, 'Flink: Stop Local Flink Engine');
        await status().filter({ hasText: /local \(stopped\)/ }).waitFor({ timeout: 40000 });
        console.log(`      engine stopped; status bar: "${(await status().innerText()).trim()}"`);
      } catch (e) {
        console.log(`      could not stop the engine from the UI: ${e.message}`);
      }
    }
    if (ctx) await ctx.close();
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`failed-cluster-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => {});
  });

  it('shows the local engine as stopped in the status bar and offers to start it in the Flink Jobs view', async function () {
    await status().filter({ hasText: /Flink: local \(stopped\)/ }).waitFor({ timeout: 60000 });
    await ui.row(jobs, 'Start the local Flink engine').waitFor();
    const rows = (await jobs.locator('.monaco-list-row .label-name').allTextContents()).map((s) => s.trim());
    console.log(`      Flink Jobs view: ${rows.join(' | ')}; status bar: "${(await status().innerText()).trim()}"`);
    assert.ok(rows.includes('Run a job…'), rows.join(' | '));
  });

  it('starts the bundled engine from the Flink Jobs view', async function () {
    const t0 = Date.now();
    await ui.row(jobs, 'Start the local Flink engine').click();
    engineStarted = true;
    // the view may re-render right after activation, swallowing the click: then the palette command
    const leftStopped = await status().filter({ hasText: /local \(stopped\)/ }).waitFor({ state: 'detached', timeout: 15000 }).then(() => false, () => true);
    if (leftStopped) {
      console.log('      (the click on the tree row did not start the engine; running "Flink: Start Local Flink Engine" from the palette)');
      await ui.palette(page, 'Flink: Start Local Flink Engine');
    }
    await status().filter({ hasText: /Flink 1\.20\.\d+ \(local\)/ }).waitFor({ timeout: 180000 });
    await ui.row(jobs, /^No jobs on /).waitFor({ timeout: 30000 });
    console.log(`      engine up in ${((Date.now() - t0) / 1000).toFixed(1)}s; status bar: "${(await status().innerText()).trim()}"`);
    await shot('cluster-1-engine-started');
  });

  it('runs the sample job (runJob with an options object) and shows it RUNNING in the Flink Jobs view', async function () {
    assert.ok(RUN_JOB_KEY, 'samples/workspace/sample-job/target/sample-job.jar exists (build the sample job)');
    // focus the workbench (not a webview) so that the key binding reaches VS Code
    await jobs.locator('.monaco-list').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.keyboard.press(RUN_JOB_KEY);
    const job = ui.row(jobs, JOB_NAME, 1);
    await job.waitFor({ timeout: 120000 });
    await ui.until('the job to be RUNNING in the view', async () => /RUNNING/.test(await job.innerText()), 120000);
    await ui.expand(job);
    await ui.row(jobs, 'Job ID', 2).waitFor();
    const jobText = await ui.rowText(job);
    const details = await ui.rowTexts(jobs, 2);
    console.log(`      job row: "${jobText}"; details: ${details.join(' | ')}`);
    assert.match(jobText, /^Fraud detection \(sample\) — RUNNING · started /);
    assert.ok(details.some((d) => /^Job ID — [0-9a-f]{32}$/.test(d)), details.join(' | '));
    assert.ok(details.some((d) => /^Checkpoints — \d+ completed/.test(d)), details.join(' | '));
    const jid = details.find((d) => d.startsWith('Job ID — ')).slice('Job ID — '.length);
    await page.locator('.notifications-toasts .notification-list-item-message', { hasText: `Job ${jid} is running on` }).first().waitFor({ timeout: 30000 });
    await shot('cluster-2-job-running');
  });

  it('triggers a savepoint from the job row and the new savepoint appears in the Savepoints view', async function () {
    const job = ui.row(jobs, JOB_NAME, 1);
    await ui.inlineAction(job, 'Trigger Savepoint');
    // format: Canonical (first, default); target: <workspace>/savepoints (first, default)
    const picks = page.locator('.quick-input-widget');
    await picks.locator('.quick-input-title', { hasText: /Savepoint format/ }).waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Canonical' }).first().waitFor();
    await page.keyboard.press('Enter');
    await picks.locator('.quick-input-title', { hasText: /Where should Flink write the savepoint/ }).waitFor();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'savepoints' }).first().waitFor();
    await page.keyboard.press('Enter');
    // Flink writes savepoints/savepoint-<job id prefix>-<random>; the extension refreshes the Savepoints view
    const created = await ui.until('a new savepoint folder with _metadata', async () => {
      const dir = path.join(FOLDER, 'savepoints');
      return fs.readdirSync(dir).find((d) => !savepointsBefore.has(d) && fs.existsSync(path.join(dir, d, '_metadata')));
    }, 120000);
    const row = ui.row(sp, created, 1);
    await row.waitFor({ timeout: 60000 });
    await row.scrollIntoViewIfNeeded();
    await row.click();
    const rowText = await ui.rowText(row);
    assert.match(rowText, new RegExp(`^${ui.reEscape(created)} — CANONICAL`), 'the Savepoints view row shows the format');
    // the notification (a toast, as the smoke-test driver is off here)
    const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: new RegExp(`Savepoint ${ui.reEscape(created)} written to`) }).first();
    await toast.waitFor({ timeout: 30000 });
    console.log(`      new savepoint: ${created}; Savepoints view row: "${rowText}"; notification: "${(await toast.innerText()).trim()}"`);
    await ui.expand(row);
    const ops = await ui.until('the new savepoint\'s operators', async () => {
      const t = await ui.rowTexts(sp, 2);
      return t.length && t.every((x) => /p=1 max=\d+/.test(x)) ? t : undefined;
    });
    console.log(`      its operators: ${ops.join(' | ')}`);
    // the job row's details show it as the latest savepoint once the view refreshed
    await ui.until('"Latest savepoint" in the job details', async () => {
      const d = await ui.rowTexts(jobs, 2);
      return d.some((t) => t.startsWith('Latest savepoint — ') && t.includes(created));
    }, 60000);
    await shot('cluster-3-savepoint-in-savepoints-view');
  });

  it('shows the running cluster in the status bar item', async function () {
    const item = status();
    const text = (await item.innerText()).trim();
    const label = (await item.getAttribute('aria-label')) || '';
    console.log(`      status bar: "${text}" (aria-label "${label.replace(/\s+/g, ' ')}")`);
    assert.match(text, /Flink 1\.20\.\d+ \(local\)/);
    await item.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: /Local Flink engine at http:\/\/127\.0\.0\.1:\d+/ }).first();
    await hover.waitFor({ timeout: 10000 });
    await shot('cluster-4-status-bar');
    const box = await item.boundingBox();
    if (box) await page.screenshot({ path: path.join(SHOTS, 'cluster-4-status-bar-item.png'), clip: { x: Math.max(0, box.x - 200), y: Math.max(0, box.y - 70), width: Math.min(700, box.width + 400), height: box.height + 70 } });
  });
});
