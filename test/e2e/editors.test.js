'use strict';
// The custom editors inside a real VS Code extension host (code-server), see test/e2e/run.js.
// Added to the host's mocha by test/e2e/index.js:  mocha.addFile(path.resolve(__dirname, 'editors.test.js'));
// Uses the internal command `flinkSavepoints.editors._test` (extension/editors/index.ts) as a test hook.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const { EXT_ID, waitFor } = require('./host-helpers');

function customTab(pred) {
  for (const g of vscode.window.tabGroups.all) {
    for (const t of g.tabs) if (t.input instanceof vscode.TabInputCustom && pred(t.input)) return t;
  }
  return undefined;
}

suite('Custom editors: savepoint overview and state entries (extension host)', function () {
  let api;
  const ws = () => vscode.workspace.workspaceFolders[0].uri.fsPath;
  const savepointDir = () => path.join(ws(), 'savepoints', process.env.FSP_E2E_SAVEPOINT || 'keyed-rocksdb');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-e2e-editors-'));

  suiteSetup(async function () {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is installed`);
    await ext.activate();
    api = await vscode.commands.executeCommand('flinkSavepoints.editors._test');
    assert.ok(api && typeof api.page === 'function', 'registerEditors(context) is wired (test hook present)');
  });

  suiteTeardown(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the overview editor opens on a corpus _metadata and reads the savepoint', async function () {
    const file = path.join(savepointDir(), '_metadata');
    assert.ok(fs.existsSync(file), `corpus savepoint in the workspace: ${file}`);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'flinkSavepoints.overview');
    const init = await waitFor('the overview model', () => api.overviewModel(file));
    assert.ok(init.ok, init.error);
    assert.ok(init.model.operators.length > 0);
    assert.match(init.model.format || '', /CANONICAL|NATIVE/);
    assert.ok(/^\d+$/.test(init.model.checkpointId));
    assert.ok(customTab((i) => i.viewType === 'flinkSavepoints.overview' && i.uri.fsPath === file), 'an overview tab');
  });

  test('a bad _metadata shows its format error in the overview, nothing crashes', async function () {
    const file = path.join(ws(), 'savepoints', 'broken-savepoint', '_metadata');
    assert.ok(fs.existsSync(file), `run.js puts a broken savepoint at ${file}`);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'flinkSavepoints.overview');
    const init = await waitFor('the overview model of the broken file', () => api.overviewModel(file));
    assert.strictEqual(init.ok, false);
    assert.match(init.error, /expected/);
  });

  test('entries editor: open a keyed state, reject a bad value, edit, Save As a new savepoint, read it back', async function () {
    const dir = savepointDir();
    const file = path.join(dir, '_metadata');
    const init = await waitFor('the overview model', () => api.overviewModel(file));
    // a keyed VALUE state named "count" (every keyed corpus job has one), else the first keyed value state found
    let operator;
    let lines = [];
    for (const o of init.model.operators) {
      try {
        lines = await api.readBack(dir, o.id, 'count');
      } catch {
        lines = [];
      }
      if (lines.some((l) => l.startsWith('{"type":"entry"'))) {
        operator = o.id;
        break;
      }
    }
    assert.ok(operator, 'the workspace savepoint has an operator with a `count` state');
    const uri = await vscode.commands.executeCommand('flinkSavepoints.openEntries', { savepoint: dir, operator, state: 'count' });
    assert.ok(uri, 'openEntries returns the document URI');
    await waitFor('the entries document', () => api.entriesDocuments().includes(uri.toString()));
    assert.ok(customTab((i) => i.viewType === 'flinkSavepoints.entries' && i.uri.toString() === uri.toString()), 'an entries tab');
    const info = api.info(uri.toString());
    assert.strictEqual(info.kind, 'VALUE', JSON.stringify(info));
    assert.strictEqual(info.readOnly, undefined);

    const page = await api.page(uri.toString());
    assert.ok(page.rows.length > 0);
    assert.strictEqual(page.decoded, page.rows.length);
    const row = page.rows[0];
    const rejected = await api.validate(uri.toString(), row.id, '"not a number"');
    assert.match(rejected, /does not fit Long/);

    await api.edit(uri.toString(), row.id, '424242');
    assert.strictEqual(api.editCount(uri.toString()), 1);
    await waitFor('the tab to be dirty', () => {
      const t = customTab((i) => i.uri.toString() === uri.toString());
      return t && t.isDirty;
    });

    // undo / redo through VS Code's edit stack
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => api.editCount(uri.toString()) === 0, 10000);
    await vscode.commands.executeCommand('redo');
    await waitFor('redo', () => api.editCount(uri.toString()) === 1, 10000);

    const target = path.join(tmp, 'edited-savepoint');
    const before = fs.readFileSync(file);
    const written = await api.saveAs(uri.toString(), target);
    assert.strictEqual(written, target);
    assert.ok(fs.existsSync(path.join(target, '_metadata')));
    assert.ok(before.equals(fs.readFileSync(file)), 'the source _metadata is unchanged');

    const back = await api.readBack(target, operator, 'count');
    const key = JSON.parse(row.key);
    const edited = back.map((l) => JSON.parse(l)).find((e) => e.type === 'entry' && JSON.stringify(e.key) === JSON.stringify(key));
    assert.ok(edited, 'the edited key is in the new savepoint');
    assert.strictEqual(edited.value, 424242);
    assert.strictEqual(back.length, lines.length, 'no entry lost or added');
    const untouched = lines.filter((l) => !l.includes(`"key":${row.key},`));
    for (const l of untouched) assert.ok(back.includes(l), `unchanged: ${l}`);

    // Revert drops the edits (and leaves nothing to ask about when the editors close)
    await vscode.commands.executeCommand('vscode.openWith', uri, 'flinkSavepoints.entries');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('revert', () => api.editCount(uri.toString()) === 0, 10000);
    await waitFor('the tab to be clean', () => {
      const t = customTab((i) => i.uri.toString() === uri.toString());
      return t && !t.isDirty;
    }, 10000);
  });

  test('entries editor on Table API / SQL state: read-only, lookup by a row key given as its fields', async function () {
    // a real SQL savepoint of the repository's corpus (GROUP BY user_id, region)
    const dir = path.resolve(__dirname, '..', 'fixtures', 'savepoints', 'flink-1.20.3', 'sql-groupby', 'savepoint');
    const operator = '23eaad2bb152dd975bbc63554c2ca61f';
    const uri = await vscode.commands.executeCommand('flinkSavepoints.openEntries', { savepoint: dir, operator, state: 'accState' });
    assert.ok(uri, 'openEntries returns the document URI');
    await waitFor('the entries document', () => api.entriesDocuments().includes(uri.toString()));
    const info = api.info(uri.toString());
    assert.strictEqual(info.keyType, 'RowData<INT NOT NULL, STRING>');
    assert.ok(info.readOnly, 'SQL state is read-only');
    assert.strictEqual(info.canLookup, true, 'the lookup field is offered');
    const found = await api.lookup(uri.toString(), '[4, "eu"]');
    assert.strictEqual(found.rows.length, 1);
    assert.strictEqual(found.rows[0].key, '{"$row":"+I","fields":[4,"eu"]}');
    assert.strictEqual(found.rows[0].keyGroup, found.keyGroup);
    assert.strictEqual((await api.lookup(uri.toString(), '[4, "nowhere"]')).rows.length, 0);
  });
});
