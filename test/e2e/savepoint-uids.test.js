'use strict';
// Savepoint-aware uid checks in the extension host (extension/uids/). Not named uids.test.js: index.js and
// run.js treat every ui*.test.js as a Playwright suite. Covers uid code lenses against a selected
// savepoint, Check Against Savepoint, Explain Operator ID, hovers/links on operator IDs in a Flink log,
// and workspace uids in the overview editor. See test/e2e/run.js for the workspace.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const { EXT_ID, waitFor: waitUntil } = require('./host-helpers');
// murmur3 operator IDs of uids used below (engine/savepoint/murmur.ts; checked by test/uids/core.test.ts)
const ID = { 'upper-case': '19d8005379a45fa6d52c70fc08cbfa00', 'keyed-state': '826c38023c4272520855c3219fef4f3f', ids: '027f3cb25b791fec4f4b0dd94fd38849' };

const waitFor = (what, fn, timeoutMs = 60000) => waitUntil(what, fn, timeoutMs, 200);

async function lenses(uri) {
  const list = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100)) || [];
  return list.filter((l) => l.command && /^[0-9a-f]{32} · /.test(l.command.title));
}

function hoverText(hovers) {
  return (hovers || []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

suite('Savepoint-aware uid checks (extension host)', function () {
  let api;
  let ext;
  const ws = () => vscode.workspace.workspaceFolders[0].uri.fsPath;
  const spName = process.env.FSP_E2E_SAVEPOINT || 'keyed-rocksdb';
  const caseUids = (process.env.FSP_E2E_CASE_UIDS || '').split(',').filter(Boolean);

  suiteSetup(async function () {
    ext = vscode.extensions.getExtension(EXT_ID);
    api = await ext.activate();
  });

  suiteTeardown(async function () {
    await vscode.workspace.getConfiguration('flinkSavepoints.lint').update('savepoint', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('commands are registered', async function () {
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['flinkSavepoints.useSavepointForUidChecks', 'flinkSavepoints.checkAgainstSavepoint', 'flinkSavepoints.explainOperatorId', 'flinkSavepoints.revealOperator']) {
      assert.ok(cmds.includes(c), `command ${c} registered`);
    }
  });

  test('uid lenses show the operator ID and what the selected savepoint holds', async function () {
    const sp = (await api.getChildren()).find((r) => r.kind === 'savepoint' && r.sp && r.label === spName);
    assert.ok(sp, `workspace savepoint ${spName} listed`);
    const dir = await vscode.commands.executeCommand('flinkSavepoints.useSavepointForUidChecks', sp);
    assert.strictEqual(dir, sp.dir);

    // UidLintJob.java (test/e2e/workspace): .uid("upper-case") is not in the corpus savepoint
    const lintJob = vscode.Uri.file(path.join(ws(), 'jobs', 'UidLintJob.java'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(lintJob));
    const fresh = await waitFor('the upper-case lens', async () => (await lenses(lintJob)).find((l) => l.command.title.startsWith(ID['upper-case'])));
    assert.strictEqual(fresh.command.title, `${ID['upper-case']} · not in savepoint: new operator`);
    assert.strictEqual(fresh.range.start.line, 19, 'the lens sits on the .uid("upper-case") line');
    console.log(`    ${fresh.command.title}`);

    assert.ok(caseUids.includes('keyed-state'), `run.js passes the corpus case's uids (got ${caseUids.join(',')})`);
    // CorpusUids.java (written by run.js) sets the corpus job's uids: keyed-state holds 7 keyed states
    const corpusJob = vscode.Uri.file(path.join(ws(), 'jobs', 'CorpusUids.java'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(corpusJob));
    const list = await waitFor('uid lenses in CorpusUids.java', async () => { const l = await lenses(corpusJob); return l.length >= caseUids.length ? l : undefined; });
    for (const l of list) console.log(`    ${l.command.title}`);
    const keyed = list.find((l) => l.command.title.startsWith(ID['keyed-state']));
    assert.ok(keyed, 'a lens with the operator ID of keyed-state');
    assert.match(keyed.command.title, new RegExp(`^${ID['keyed-state']} · ${spName}: 7 states, \\d+(\\.\\d)? KB$`));
    assert.ok(list.every((l) => !/new operator/.test(l.command.title)), 'every corpus uid is in the savepoint');

    // clicking the lens reveals the operator in the Savepoints view (and copies its ID)
    const revealed = await vscode.commands.executeCommand(keyed.command.command, ...(keyed.command.arguments || []));
    assert.strictEqual(revealed, ID['keyed-state']);
  });

  test('Check Against Savepoint: the workspace savepoint is fully matched by the code', async function () {
    assert.ok(caseUids.length > 0, 'run.js passes the corpus case\'s uids (FSP_E2E_CASE_UIDS)');
    const r = await vscode.commands.executeCommand('flinkSavepoints.checkAgainstSavepoint');
    assert.ok(r && r.result, 'the command returns the check');
    assert.strictEqual(path.basename(r.result.savepoint.dir), spName);
    assert.deepStrictEqual(r.result.dropped.map((o) => o.id), []);
    assert.deepStrictEqual(r.result.matched.map((m) => m.uid).sort(), [...caseUids].sort());
    assert.ok(r.result.newInCode.some((n) => n.uid === 'upper-case'), 'upper-case is new');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri.toString());
    assert.ok(doc, 'the report is open');
    assert.match(doc.getText(), /## Dropped by --allowNonRestoredState \(0\)/);
  });

  test('Check Against Savepoint with flinkSavepoints.lint.savepoint: the dropped operators', async function () {
    // a Flink 2.3 corpus savepoint (metadata V6, uids in it) from the repository: the tests load from test/e2e/
    const other = path.join(__dirname, '..', 'fixtures', 'savepoints', 'flink-2.3.0', 'windows-hashmap', 'savepoint');
    assert.ok(fs.existsSync(path.join(other, '_metadata')), `corpus savepoint ${other}`);
    const otherUids = JSON.parse(fs.readFileSync(path.join(path.dirname(other), 'case.json'), 'utf8')).uids;
    await vscode.workspace.getConfiguration('flinkSavepoints.lint').update('savepoint', other, vscode.ConfigurationTarget.Workspace);
    const r = await vscode.commands.executeCommand('flinkSavepoints.checkAgainstSavepoint');
    assert.strictEqual(r.result.savepoint.dir, other, 'the setting selects the savepoint');
    const inCode = new Set([...r.result.matched.map((m) => m.uid), ...r.result.newInCode.map((n) => n.uid)]);
    assert.ok(inCode.has('upper-case'));
    const expected = otherUids.filter((u) => !inCode.has(u)).sort();
    assert.ok(expected.includes('tumbling-process'), 'the window operators are not in the workspace code');
    // metadata V6 names the dropped operators by uid
    assert.deepStrictEqual(r.result.dropped.map((o) => o.uid).sort(), expected);
    assert.ok(r.result.droppedWithState.some((o) => o.uid === 'tumbling-process'), 'window state would be lost');
    const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri.toString()).getText();
    assert.match(text, new RegExp(`## Dropped by --allowNonRestoredState \\(${expected.length}\\)`));
    assert.ok(text.includes('`tumbling-process`'));
    console.log(`    dropped: ${r.result.dropped.map((o) => o.uid).join(', ')}`);

    // the lenses follow the setting
    if (caseUids.includes('ids')) {
      const corpusJob = vscode.Uri.file(path.join(ws(), 'jobs', 'CorpusUids.java'));
      const l = await waitFor('the ids lens against windows-hashmap', async () => (await lenses(corpusJob)).find((x) => x.command.title.startsWith(`${ID.ids} · windows-hashmap/savepoint: `)));
      assert.match(l.command.title, /1 state, /);
    }
    await vscode.workspace.getConfiguration('flinkSavepoints.lint').update('savepoint', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('Explain Operator ID: uid, code location and savepoint states', async function () {
    const up = await vscode.commands.executeCommand('flinkSavepoints.explainOperatorId', ID['upper-case']);
    assert.strictEqual(up.explanation.id, ID['upper-case']);
    const site = up.explanation.code.find((c) => c.file.endsWith('UidLintJob.java'));
    assert.ok(site, 'found in UidLintJob.java');
    assert.strictEqual(site.uid, 'upper-case');
    assert.strictEqual(site.line, 19);
    assert.deepStrictEqual(up.explanation.savepoints, [], 'no savepoint has it');
    assert.match(up.text, /\*\*uid:\*\* `upper-case`/);

    // no argument: the .uid("…") under the cursor of a job file
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(site.file)));
    const col = editor.document.lineAt(site.line).text.indexOf('upper-case');
    assert.ok(col > 0);
    editor.selection = new vscode.Selection(site.line, col + 3, site.line, col + 3);
    const byCursor = await vscode.commands.executeCommand('flinkSavepoints.explainOperatorId');
    assert.ok(byCursor, 'explained without an argument');
    assert.strictEqual(byCursor.explanation.id, ID['upper-case']);

    // a uid typed instead of an ID, and the workspace savepoint's states
    if (!caseUids.includes('keyed-state')) return;
    const k = await vscode.commands.executeCommand('flinkSavepoints.explainOperatorId', 'keyed-state');
    assert.strictEqual(k.explanation.id, ID['keyed-state']);
    assert.ok(k.explanation.code.some((c) => c.file.endsWith('CorpusUids.java')));
    const inWs = k.explanation.savepoints.find((s) => path.basename(s.dir) === spName);
    assert.ok(inWs, 'the workspace savepoint holds it');
    assert.deepStrictEqual(inWs.op.states.map((s) => s.name).filter((n) => !n.startsWith('_timer')).sort(), ['avg', 'byTag', 'count', 'history', 'sum']);
    assert.match(k.text, /`count` VALUE/);
  });

  test('hover and links on operator IDs in a Flink log file', async function () {
    // a rotated log (`*.log.1`: the flink-log language by file name; `*.log` is git-ignored in this repo)
    const log = vscode.Uri.file(path.join(ws(), 'logs', 'flink-e2e-standalonesession-0.log.1'));
    const doc = await vscode.workspace.openTextDocument(log);
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'flink-log');
    const text = doc.getText();
    const at = (s) => doc.positionAt(text.indexOf(s) + 5);

    const known = await waitFor('a hover on the upper-case operator ID', async () => {
      const h = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', log, at(ID['upper-case'])));
      return h.includes('upper-case') ? h : undefined;
    });
    assert.match(known, /UidLintJob\.java:20/);
    assert.match(known, /command:flinkSavepoints\.explainOperatorId/);

    const restore = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', log, at(ID['keyed-state'])));
    assert.match(restore, /no operator of the new job has this ID/);
    if (caseUids.includes('keyed-state')) assert.match(restore, /7 states/);

    const jobId = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', log, at('3f2a9c1e0b7d4e5f8a6b2c1d0e9f8a7b')));
    assert.ok(!jobId.includes('Flink operator'), 'a job ID is not an operator');

    const links = (await vscode.commands.executeCommand('vscode.executeLinkProvider', log)) || [];
    const ours = links.filter((l) => l.target && l.target.scheme === 'command');
    const linked = ours.map((l) => doc.getText(l.range).toLowerCase());
    assert.ok(linked.includes(ID['upper-case']), `link on upper-case's ID (links: ${linked.join(', ')})`);
    assert.ok(linked.includes(ID['keyed-state']), 'link on the restore error ID');
    assert.ok(!linked.includes('3f2a9c1e0b7d4e5f8a6b2c1d0e9f8a7b'), 'no link on the job ID');
  });

  test('the overview editor names V4 operators by the workspace uids', async function () {
    assert.ok(caseUids.includes('keyed-state'), `run.js passes the corpus case's uids (got ${caseUids.join(',')})`);
    const file = path.join(ws(), 'savepoints', spName, '_metadata');
    const editors = await vscode.commands.executeCommand('flinkSavepoints.editors._test');
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'flinkSavepoints.overview');
    const init = await waitFor('the overview model', () => editors.overviewModel(file));
    assert.ok(init.ok, init.error);
    const op = init.model.operators.find((o) => o.id === ID['keyed-state']);
    assert.ok(op, 'keyed-state operator in the overview');
    assert.strictEqual(op.uid, 'keyed-state');
  });
});
