'use strict';
// Runs inside the extension host of a real VS Code (code-server), see test/e2e/run.js.
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');

const { EXT_ID, waitFor } = require('./host-helpers');

function ourDiagnostics(uri, rule) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Flink Savepoints' && (!rule || d.code === rule));
}

suite('Savepoints for Apache Flink (extension host)', function () {
  let api;
  const ws = () => vscode.workspace.workspaceFolders[0].uri.fsPath;

  suiteSetup(async function () {
    console.log(`host: ${vscode.env.appName} ${vscode.version} uiKind=${vscode.env.uiKind} node ${process.version}`);
  });

  test('extension is present and activates', async function () {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is installed`);
    const t0 = Date.now();
    api = await ext.activate();
    console.log(`    activate() itself took ${api.activationMs} ms (awaiting activation here: ${Date.now() - t0} ms)`);
    // activation time is measured (bench/RESULTS.md), not asserted; what is asserted is that
    // activate() loads none of the heavy modules (savepoint reader, tree-sitter analysis)
    assert.deepStrictEqual([...api.loadedDuringActivation], [], 'activate() requested no heavy module');
    assert.ok(api && typeof api.getChildren === 'function', 'activate() returns the API');
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['flinkSavepoints.refresh', 'flinkSavepoints.copyOperatorId', 'flinkSavepoints.fixAllInFile']) {
      assert.ok(cmds.includes(c), `command ${c} registered`);
    }
  });

  test('Savepoints view: savepoint → operators → states', async function () {
    const roots = await api.getChildren();
    const names = roots.map((r) => `${r.label}${r.error ? ' (error)' : ''}`);
    console.log(`    savepoints: ${names.join(', ')}`);
    const good = roots.filter((r) => r.kind === 'savepoint' && r.sp);
    assert.ok(good.length >= 1, `a readable savepoint is listed (got: ${names.join(', ')})`);
    const wanted = process.env.FSP_E2E_SAVEPOINT;
    const sp = good.find((r) => r.label === wanted) || good[0];
    const spItem = api.getTreeItem(sp);
    assert.strictEqual(spItem.label, path.basename(sp.dir));
    assert.ok(/B/.test(String(spItem.description)), `savepoint description shows a size: ${spItem.description}`);
    assert.ok(String(spItem.tooltip.value).includes('checkpoint id'), 'tooltip lists the checkpoint id');

    const ops = await api.getChildren(sp);
    assert.ok(ops.length >= 1, 'the savepoint has operators');
    assert.ok(ops.every((o) => o.kind === 'operator'));
    let withStates;
    for (const op of ops) {
      const item = api.getTreeItem(op);
      assert.match(String(item.description), /p=\d+ max=\d+/);
      assert.ok(/^operator/.test(item.contextValue));
      const states = await api.getChildren(op);
      if (!withStates && states.some((s) => s.kind === 'state')) withStates = { op, states };
    }
    console.log(`    operators: ${ops.map((o) => api.getTreeItem(o).label).join(', ')}`);
    assert.ok(withStates, 'at least one operator has states');
    const caseUids = (process.env.FSP_E2E_CASE_UIDS || '').split(',').filter(Boolean);
    if (caseUids.length) {
      const named = ops.filter((o) => caseUids.includes(String(api.getTreeItem(o).label)));
      assert.ok(named.length >= 1, `operators are named by the uids found in the workspace's code (${caseUids.join(', ')})`);
      assert.strictEqual(api.getTreeItem(named[0]).contextValue, 'operator.uid');
    }
    const st = withStates.states.find((s) => s.kind === 'state');
    const stItem = api.getTreeItem(st);
    assert.strictEqual(stItem.label, st.state.name);
    assert.ok(String(stItem.description).length > 0, 'state description shows kind/types');
    console.log(`    states of ${api.getTreeItem(withStates.op).label}: ${withStates.states.map((s) => `${api.getTreeItem(s).label} [${api.getTreeItem(s).description}]`).join(', ')}`);
  });

  test('a broken savepoint shows an error node instead of failing', async function () {
    const roots = await api.getChildren();
    const bad = roots.find((r) => r.label === 'broken-savepoint');
    assert.ok(bad, 'broken-savepoint is listed');
    assert.ok(bad.error, 'it carries the error');
    const kids = await api.getChildren(bad);
    assert.strictEqual(kids.length, 1);
    assert.strictEqual(kids[0].kind, 'error');
    assert.ok(kids[0].text.length > 0);
    console.log(`    error node: ${kids[0].text}`);
  });

  test('the savepoint overview custom editor opens for _metadata', async function () {
    const roots = await api.getChildren();
    const sp = roots.find((r) => r.sp);
    await vscode.commands.executeCommand('flinkSavepoints.openSavepoint', sp);
    const tab = await waitFor('the custom editor tab', () => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t && t.input instanceof vscode.TabInputCustom && t.input.viewType === 'flinkSavepoints.overview' ? t : undefined;
    });
    assert.strictEqual(path.basename(tab.input.uri.fsPath), '_metadata');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('savepoints from the flinkSavepoints.savepointFolders setting are listed', async function () {
    const outside = process.env.FSP_E2E_OUTSIDE;
    assert.ok(outside, 'run.js passes a folder outside the workspace');
    const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
    await cfg.update('savepointFolders', [outside], vscode.ConfigurationTarget.Workspace);
    try {
      const extra = await waitFor('extra-savepoint in the view', async () => (await api.getChildren()).find((r) => r.label === 'extra-savepoint'));
      assert.ok(extra.sp, 'it is readable');
      assert.ok(extra.dir.startsWith(outside));
    } finally {
      await cfg.update('savepointFolders', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('extra-savepoint gone again', async () => !(await api.getChildren()).some((r) => r.label === 'extra-savepoint'));
  });

  test('a savepoint copied into the workspace appears (file watcher)', async function () {
    const fs = require('fs');
    const roots = await api.getChildren();
    const src = roots.find((r) => r.sp).dir;
    const dest = path.join(ws(), 'savepoints', 'copied-savepoint');
    fs.mkdirSync(dest, { recursive: true });
    for (const f of fs.readdirSync(src)) if (f !== '_metadata') fs.copyFileSync(path.join(src, f), path.join(dest, f));
    fs.copyFileSync(path.join(src, '_metadata'), path.join(dest, '_metadata'));
    const found = await waitFor('copied-savepoint in the view', async () => (await api.getChildren()).find((r) => r.label === 'copied-savepoint'), 60000)
      .catch(async (e) => {
        const now = await api.getChildren();
        throw new Error(`${e.message}; src=${src}; listed: ${now.map((r) => r.dir).join(', ')}; copied files: ${fs.readdirSync(dest).join(',')}`);
      });
    assert.ok(found.sp);
    fs.rmSync(dest, { recursive: true, force: true });
    await waitFor('copied-savepoint gone again', async () => !(await api.getChildren()).some((r) => r.label === 'copied-savepoint'), 60000);
  });

  test('copy operator ID command puts the ID on the clipboard', async function () {
    const roots = await api.getChildren();
    const sp = roots.find((r) => r.sp);
    const [op] = await api.getChildren(sp);
    await vscode.commands.executeCommand('flinkSavepoints.copyOperatorId', op);
    assert.strictEqual(await vscode.env.clipboard.readText(), op.op.id);
  });

  test('Java job: stateful operator without uid gets a diagnostic and a code lens', async function () {
    const uri = vscode.Uri.file(path.join(ws(), 'jobs', 'UidLintJob.java'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'java');
    const diags = await waitFor('stateful-operator-without-uid diagnostics', () => {
      const d = ourDiagnostics(uri, 'stateful-operator-without-uid');
      return d.length ? d : undefined;
    });
    console.log(`    diagnostics: ${diags.map((d) => `${d.range.start.line + 1}: ${d.message}`).join(' | ')}`);
    assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Warning));
    const processDiag = diags.find((d) => doc.getText(d.range) === 'process');
    assert.ok(processDiag, 'the .process(new CountPerKey()) call is flagged');

    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => l.command && l.command.title).filter(Boolean);
    console.log(`    code lenses: ${titles.join(' | ')}`);
    assert.ok(titles.some((t) => /^uids \d+\/\d+ · \d+ stateful without uid$/.test(t)), 'a pipeline code lens shows the uid coverage');
  });

  for (const [lang, file] of [['python', 'word_count.py'], ['scala', 'WordCount.scala'], ['kotlin', 'WordCount.kt']]) {
    test(`${lang} job: stateful operators without uid are reported`, async function () {
      const uri = vscode.Uri.file(path.join(ws(), 'jobs', lang, file));
      const doc = await vscode.workspace.openTextDocument(uri);
      const diags = await waitFor(`${lang} diagnostics`, () => {
        const d = ourDiagnostics(uri, 'stateful-operator-without-uid');
        return d.length ? d : undefined;
      });
      const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
      console.log(`    ${file} (languageId ${doc.languageId}): ${diags.length} warnings; lens: ${lenses.map((l) => l.command && l.command.title).join(' | ')}`);
      assert.ok(lenses.length >= 1);
    });
  }

  test('quick fix "Add .uid(…)" inserts a uid and the warning clears', async function () {
    const uri = vscode.Uri.file(path.join(ws(), 'jobs', 'UidLintJob.java'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const before = ourDiagnostics(uri, 'stateful-operator-without-uid');
    const diag = before.find((d) => doc.getText(d.range) === 'process');
    assert.ok(diag);
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, diag.range);
    const fix = actions.find((a) => /^Add \.uid\(/.test(a.title));
    assert.ok(fix, `a quick fix is offered (got: ${actions.map((a) => a.title).join(', ')})`);
    assert.ok(actions.some((a) => /^Fix all in file/.test(a.title)), 'a fix-all action is offered');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(doc.getText().includes('.process(new CountPerKey()).uid("count-per-key")'), 'uid inserted after the call');
    await waitFor('the warning to clear', () => {
      const now = ourDiagnostics(uri, 'stateful-operator-without-uid');
      return now.length === before.length - 1 && !now.some((d) => doc.getText(d.range) === 'process');
    });

    await vscode.commands.executeCommand('flinkSavepoints.fixAllInFile', uri);
    await waitFor('all stateful warnings to clear', () => ourDiagnostics(uri, 'stateful-operator-without-uid').length === 0);
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
    console.log(`    code lenses after fix all: ${lenses.map((l) => l.command && l.command.title).join(' | ')}`);
    // revert acts on the active editor: make it this document's, then revert it
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.ok(!doc.isDirty, 'the job file is back to its saved text');
  });

  test('rule severity follows the settings', async function () {
    const uri = vscode.Uri.file(path.join(ws(), 'jobs', 'UidLintJob.java'));
    await vscode.workspace.openTextDocument(uri);
    await waitFor('warnings back after revert', () => ourDiagnostics(uri, 'stateful-operator-without-uid').length > 0);
    const cfg = vscode.workspace.getConfiguration('flinkSavepoints.lint.rules');
    await cfg.update('stateful-operator-without-uid', 'error', vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('errors', () => {
        const d = ourDiagnostics(uri, 'stateful-operator-without-uid');
        return d.length > 0 && d.every((x) => x.severity === vscode.DiagnosticSeverity.Error);
      }).catch((e) => {
        const d = ourDiagnostics(uri);
        const open = vscode.workspace.textDocuments.map((t) => t.uri.fsPath);
        throw new Error(`${e.message}; setting=${vscode.workspace.getConfiguration('flinkSavepoints.lint.rules').get('stateful-operator-without-uid')}; diagnostics=${d.map((x) => `${x.code}:${x.severity}`).join(',')}; open=${open.join(',')}`);
      });
      await cfg.update('stateful-operator-without-uid', 'off', vscode.ConfigurationTarget.Workspace);
      await waitFor('rule off', () => ourDiagnostics(uri, 'stateful-operator-without-uid').length === 0);
    } finally {
      await cfg.update('stateful-operator-without-uid', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
