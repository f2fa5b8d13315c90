'use strict';
// UI test of the custom editors, Playwright + Chromium against code-server with the .vsix installed
// (started by test/e2e/run.js, which sets FSP_E2E_*): the Savepoints view expanded down to the states
// of the corpus savepoint, the overview editor, and the entries editor (a page of a keyed state, a key
// lookup, an edit that shows as unsaved). Screenshots: test-results/editors-*.png
const assert = require('assert');
const path = require('path');
const { ui } = require('../../scripts/lib/e2e-tools');

const BASE = process.env.FSP_E2E_BASE;
const FOLDER = process.env.FSP_E2E_FOLDER;
const SAVEPOINT = process.env.FSP_E2E_SAVEPOINT;
const SHOTS = process.env.FSP_E2E_SHOTS;
// the keyed corpus jobs: operator uid "keyed-state" holds a VALUE state "count" (String -> Long)
const OPERATOR = 'keyed-state';
const STATE = 'count';

describe('UI: Savepoints view, overview editor and entries editor', function () {
  let ctx;
  let page;
  let sp;
  let entries; // the entries editor's webview frame
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

  before(async function () {
    assert.ok(BASE, 'run through test/e2e/run.js');
    assert.ok(SAVEPOINT, 'run.js sets FSP_E2E_SAVEPOINT');
    // taller than the default so that the entries grid and the entry's editor fit on one screenshot
    ({ ctx, page } = await ui.openWorkbench(BASE, FOLDER, process.env.FSP_E2E_BROWSER_DIR, { width: 1400, height: 1150 }));
    await ui.showFlinkContainer(page);
    sp = await ui.pane(page, 'Savepoints');
  });

  after(async function () {
    if (page) await ui.closeAllEditors(page).catch(() => {});
    if (ctx) await ctx.close();
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`failed-editors-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => {});
  });

  it('expands the corpus savepoint down to the states of an operator', async function () {
    const spRow = ui.row(sp, SAVEPOINT, 1);
    await spRow.waitFor({ timeout: 60000 });
    await ui.expand(spRow);
    const opRow = ui.row(sp, OPERATOR, 2);
    await opRow.waitFor();
    const opText = await ui.rowText(opRow);
    console.log(`      operator row: ${opText}`);
    assert.match(opText, /^keyed-state — .*p=3 max=128/, 'the operator row shows its uid, parallelism and max parallelism');
    await ui.expand(opRow);
    const stateRow = ui.row(sp, STATE, 3);
    await stateRow.waitFor();
    const states = (await sp.locator('.monaco-list-row[aria-level="3"] .label-name').allTextContents()).map((s) => s.trim());
    console.log(`      states of ${OPERATOR}: ${states.join(', ')}`);
    for (const s of ['avg', 'byTag', 'count', 'history', 'sum']) assert.ok(states.includes(s), `state ${s} is listed: ${states.join(', ')}`);
    assert.match(await ui.rowText(stateRow), /^count — VALUE · String → Long|^count — VALUE/, 'the state row shows its kind');
    console.log(`      state row: ${await ui.rowText(stateRow)}`);
    await shot('editors-1-savepoints-view-states');
  });

  it('opens the overview editor of the savepoint', async function () {
    await ui.inlineAction(ui.row(sp, SAVEPOINT, 1), 'Open Savepoint Overview');
    await page.locator('.tabs-container .tab', { hasText: '_metadata' }).waitFor();
    const f = await ui.webviewFrame(page, 'body');
    await ui.until('the overview to show the savepoint', async () => /826c38023c4272520855c3219fef4f3f/.test(await f.locator('body').innerText()), 60000);
    const text = (await f.locator('body').innerText()).replace(/\s+/g, ' ');
    console.log(`      overview: ${text.slice(0, 200)}…`);
    assert.match(text, /CANONICAL/, 'the format');
    assert.match(text, new RegExp(OPERATOR), 'operators named by uid');
    await page.waitForTimeout(300);
    await shot('editors-2-overview');
  });

  it('opens the entries editor on a keyed state and shows a page of entries', async function () {
    await ui.inlineAction(ui.row(sp, STATE, 3), 'Open Entries');
    await page.locator('.tabs-container .tab', { hasText: new RegExp(`^${STATE}`) }).first().waitFor();
    entries = await ui.webviewFrame(page, '#grid-body');
    await entries.locator('#title', { hasText: STATE }).waitFor();
    const rows = entries.locator('#grid-body .row:not(.empty)');
    await rows.first().waitFor({ timeout: 60000 });
    const n = await rows.count();
    const head = (await entries.locator('#grid-head').innerText()).replace(/\s+/g, ' ');
    const first = (await rows.first().innerText()).replace(/\s+/g, ' ');
    console.log(`      entries: ${n} rows shown; columns: ${head}; first row: ${first}`);
    assert.ok(n >= 5, `a page of entries (${n} rows)`);
    assert.match(head, /key/i);
    assert.match(head, /value/i);
    assert.match(head, /Long/, 'the value type is shown');
    await shot('editors-3-entries-page');
  });

  it('looks up a key', async function () {
    await entries.locator('#lookup input').fill('key-15');
    await entries.locator('#lookup-go').click();
    const rows = entries.locator('#grid-body .row:not(.empty)');
    await ui.until('exactly the looked-up row', async () => (await rows.count()) === 1 && /key-15/.test(await rows.first().innerText()));
    const row = (await rows.first().innerText()).replace(/\s+/g, ' ');
    console.log(`      lookup key-15: ${row}`);
    assert.match(row, /^12 "key-15" 3$/, 'key group 12, key-15, the value 3');
    await entries.locator('#value-input').waitFor();
    await entries.evaluate(() => window.scrollTo(0, 0));
    await shot('editors-4-entries-lookup');
  });

  it('edits the value; the edit is marked as not saved (entries editor and tab)', async function () {
    const rejected = entries.locator('#edit-error');
    // a value that is not a Long is rejected, nothing changes
    await entries.locator('#value-input textarea').fill('"not a number"');
    await entries.locator('#apply').click();
    await ui.until('the type error', async () => (await rejected.innerText()).trim().length > 0);
    console.log(`      rejected: ${(await rejected.innerText()).trim()}`);
    await entries.locator('#value-input textarea').fill('4242');
    await entries.locator('#apply').click();
    await ui.until('the unsaved edit', async () => /1 edit not saved/.test(await entries.locator('#dirty').innerText()));
    const row = entries.locator('#grid-body .row:not(.empty)').first();
    await ui.until('the row to show the new value', async () => /4242/.test(await row.innerText()));
    assert.match(await row.getAttribute('class'), /\bs-(edited|changed|modified|updated)\b/, 'the row is marked as edited');
    const tab = page.locator('.tabs-container .tab', { hasText: new RegExp(`^${STATE}`) }).first();
    await ui.until('the tab to show it is dirty', async () => /\bdirty\b/.test(await tab.getAttribute('class')));
    console.log(`      after edit: "${(await entries.locator('#dirty').innerText()).trim()}", row "${(await row.innerText()).replace(/\s+/g, ' ')}", row class "${await row.getAttribute('class')}"`);
    await entries.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(200);
    await shot('editors-5-entries-edited-unsaved');
  });
});
