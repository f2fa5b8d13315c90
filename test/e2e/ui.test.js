'use strict';
// UI test: Playwright drives Chromium against code-server with the packaged extension installed.
// Started by test/e2e/run.js (which sets FSP_E2E_* and starts code-server).
const assert = require('assert');
const path = require('path');
const tools = require('../../scripts/lib/e2e-tools');

const BASE = process.env.FSP_E2E_BASE;
const FOLDER = process.env.FSP_E2E_FOLDER;
const SAVEPOINT = process.env.FSP_E2E_SAVEPOINT;
const SHOTS = process.env.FSP_E2E_SHOTS;

describe('Savepoints for Apache Flink (UI in code-server)', function () {
  let ctx;
  let page;
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

  before(async function () {
    assert.ok(BASE, 'run through test/e2e/run.js');
    ({ ctx, page } = await tools.launchBrowser(process.env.FSP_E2E_BROWSER_DIR));
    page.setDefaultTimeout(30000);
    await page.goto(`${BASE}/?folder=${encodeURIComponent(FOLDER)}`);
    await page.waitForSelector('.monaco-workbench .part.sidebar', { timeout: 60000 });
  });

  after(async function () {
    if (ctx) await ctx.close();
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => {});
  });

  it('shows the Flink Savepoints view container in the activity bar', async function () {
    // (an earlier UI suite may have left the container open: clicking its icon again would hide the side bar)
    await tools.ui.showFlinkContainer(page);
    await page.locator('.sidebar .pane', { has: page.locator('.pane-header[aria-label^="Savepoints"]') }).first().waitFor();
  });

  it('lists the savepoint, expands operators and states', async function () {
    assert.ok(SAVEPOINT, 'a corpus savepoint was copied into the workspace');
    const pane = page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: /Savepoints/ }) }).first();
    const spRow = pane.locator('.monaco-list-row', { hasText: new RegExp(`^${SAVEPOINT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first();
    await spRow.waitFor({ timeout: 60000 });
    // an earlier UI suite may have left rows expanded: start from a collapsed tree
    const collapse = pane.locator('.pane-header .action-label[aria-label^="Collapse All"]').first();
    await pane.locator('.pane-header').first().hover();
    if (await collapse.isVisible().catch(() => false)) await collapse.click();
    await page.waitForFunction(() => !document.querySelector('.sidebar .monaco-list-row[aria-level="2"]'), undefined, { timeout: 5000 }).catch(() => {});
    if ((await spRow.getAttribute('aria-expanded')) !== 'true') await spRow.locator('.monaco-tl-twistie').click();
    const opRows = pane.locator('.monaco-list-row[aria-level="2"]');
    await opRows.first().waitFor();
    const ops = await opRows.allTextContents();
    assert.ok(ops.length >= 1, 'operators are listed');
    assert.ok(ops.every((t) => /p=\d+ max=\d+/.test(t)), `operator rows show parallelism: ${ops.join(' | ')}`);
    const caseUids = (process.env.FSP_E2E_CASE_UIDS || '').split(',').filter(Boolean);
    if (caseUids.length) assert.ok(ops.some((t) => caseUids.some((u) => t.startsWith(u))), `an operator is labelled with its uid: ${ops.join(' | ')}`);
    // expand operators until one shows states
    let states = [];
    const n = await opRows.count();
    for (let i = 0; i < n && !states.length; i++) {
      const row = pane.locator('.monaco-list-row[aria-level="2"]').nth(i);
      await row.locator('.monaco-tl-twistie').click();
      const level3 = pane.locator('.monaco-list-row[aria-level="3"]');
      await level3.first().waitFor({ timeout: 10000 }).catch(() => {});
      const texts = await level3.allTextContents();
      states = texts.filter((t) => !/^no state$/.test(t));
      if (!states.length) await row.locator('.monaco-tl-twistie').click(); // collapse again
    }
    console.log(`      operators: ${ops.length}, states shown: ${states.join(' | ')}`);
    assert.ok(states.length >= 1, 'an operator shows its states');
    await shot('savepoints-view');
  });

  it('opens the savepoint overview (custom editor webview) from the tree', async function () {
    const pane = page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: /Savepoints/ }) }).first();
    const spRow = pane.locator('.monaco-list-row[aria-level="1"]', { hasText: new RegExp(`^${SAVEPOINT}`) }).first();
    await spRow.locator('.label-name').click();
    await page.locator('.tabs-container .tab', { hasText: '_metadata' }).waitFor();
    const web = page.frameLocator('iframe.webview.ready[src*="extensionId=flink-savepoints.flink-savepoints"]').frameLocator('#active-frame');
    const body = web.locator('body');
    await body.waitFor({ timeout: 60000 });
    // whichever overview editor is the default for _metadata: it shows the savepoint and its operator IDs
    await web.locator('body', { hasText: SAVEPOINT }).waitFor({ timeout: 60000 });
    await web.locator('body', { hasText: /[0-9a-f]{12}/ }).waitFor();
    await page.waitForTimeout(500);
    const text = (await body.innerText()).replace(/\s+/g, ' ');
    console.log(`      overview webview text: ${text.slice(0, 160)}…`);
    await shot('savepoint-overview');
  });

  it('opens a Java job and shows the uid warning and code lens', async function () {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('UidLintJob.java');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'UidLintJob.java' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'UidLintJob.java' }).waitFor();
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: /uids \d+\/\d+ · \d+ stateful without uid/ }).first();
    await lens.waitFor({ timeout: 60000 });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor();
    // status bar problem counts show the warnings
    const problems = await page.locator('[id="status.problems"]').textContent();
    console.log(`      code lens: "${await lens.textContent()}", status bar problems: "${(problems || '').trim()}"`);
    await shot('java-uid-lint');
  });

  it('shows the quick fix and applies "Add .uid(…)" to every stateful operator via the code lens', async function () {
    // hover the flagged `process` call and open the quick fix menu
    const proc = page.locator('.monaco-editor .view-line span', { hasText: /^process$/ }).first();
    const menu = page.locator('.action-widget .monaco-list-row', { hasText: /Add \.uid\(/ }).first();
    for (let attempt = 0; ; attempt++) {
      await proc.click();
      await page.keyboard.press('Control+.');
      try {
        await menu.waitFor({ timeout: 8000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    await shot('java-quick-fix');
    await page.keyboard.press('Escape');
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: /stateful without uid/ }).first();
    await lens.click();
    const after = page.locator('.monaco-editor .codelens-decoration', { hasText: /^uids \d+\/\d+$/ }).first();
    await after.waitFor();
    console.log(`      code lens after fix all: "${await after.textContent()}"`);
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'detached' });
    await shot('java-after-fix-all');
  });
});
