'use strict';
// Verify Savepoint (Decode Every Entry) (extension/verify/) in the extension host (test/e2e/run.js):
// the workspace's corpus savepoint, whose entry count the oracle dump in the repository gives, and a
// damaged copy of it.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const { EXT_ID, assertSavepointMenuCommand, waitFor: waitUntil } = require('./host-helpers');
const CORPUS = path.resolve(__dirname, '..', 'fixtures', 'savepoints', 'flink-1.20.3');

const waitFor = (what, fn, timeoutMs = 60000) => waitUntil(what, fn, timeoutMs, 100);

suite('Verify savepoint (extension host)', function () {
  let api;
  const spName = process.env.FSP_E2E_SAVEPOINT || 'keyed-rocksdb';

  suiteSetup(async function () {
    api = await vscode.extensions.getExtension(EXT_ID).activate();
  });

  suiteTeardown(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const workspaceSavepoint = () =>
    waitFor(`workspace savepoint ${spName}`, async () => (await api.getChildren()).find((r) => r.kind === 'savepoint' && r.sp && r.label === spName));

  test('the command is registered and contributed to the savepoint context menu', async function () {
    await assertSavepointMenuCommand('flinkSavepoints.verifySavepoint');
  });

  test('verifies a tree node: every entry of the oracle dump decoded, the Markdown report opened', async function () {
    const sp = await workspaceSavepoint();
    const dump = fs.readFileSync(path.join(CORPUS, spName, 'dump.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const want = dump.filter((l) => l.type === 'entry' || l.type === 'element').length;
    assert.ok(want > 0, 'the corpus case has entries');
    const r = await vscode.commands.executeCommand('flinkSavepoints.verifySavepoint', sp);
    assert.ok(r, 'the command returns the report');
    assert.strictEqual(r.report.entries, want);
    assert.deepStrictEqual(r.report.errors, []);
    const editor = await waitFor('the report editor', async () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === r.uri.toString()));
    assert.strictEqual(editor.document.getText(), r.text);
    assert.strictEqual(editor.document.languageId, 'markdown');
    assert.ok(r.text.startsWith('# Savepoint verification\n'), r.text.slice(0, 200));
    assert.ok(r.text.includes(`**OK**: ${want.toLocaleString('en-US')} entries of `), r.text.slice(0, 600));
    for (const s of dump.filter((l) => l.type === 'state')) assert.ok(r.text.includes(`| \`${s.name}\` | ${s.kind} | `), `state ${s.name} in the report`);
    assert.notStrictEqual(editor.document.uri.scheme, 'file');
  });

  test('on worker threads (the bundled CLI in the extension host) the report is the same', async function () {
    const sp = await workspaceSavepoint();
    const one = await vscode.commands.executeCommand('flinkSavepoints.verifySavepoint', sp, { workers: 1 });
    const two = await vscode.commands.executeCommand('flinkSavepoints.verifySavepoint', sp, { workers: 2 });
    assert.ok(one && two, 'both reports');
    assert.ok(one.report.entries > 0);
    assert.deepStrictEqual(two.report, one.report);
    assert.strictEqual(two.text, one.text);
  });

  test('a damaged copy: the bad handle is named with its file, the verdict says a restore would fail', async function () {
    const sp = await workspaceSavepoint();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-e2e-verify-'));
    try {
      const copy = path.join(dir, 'savepoint');
      fs.cpSync(sp.dir, copy, { recursive: true });
      const files = fs.readdirSync(copy).filter((f) => f !== '_metadata').map((f) => path.join(copy, f));
      files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
      const bytes = fs.readFileSync(files[0]);
      fs.writeFileSync(files[0], bytes.subarray(0, Math.floor(bytes.length / 2)));
      const r = await vscode.commands.executeCommand('flinkSavepoints.verifySavepoint', vscode.Uri.file(copy));
      assert.ok(r, 'the command returns the report');
      assert.ok(r.report.errors.length >= 1, JSON.stringify(r.report.errors));
      assert.ok(r.text.includes('**Failed**'), r.text.slice(0, 600));
      assert.ok(r.text.includes('## Bad handles'));
      assert.ok(r.report.errors.every((e) => / at offset \d+: expected /.test(e.message)), JSON.stringify(r.report.errors));
      assert.ok(r.text.includes(path.basename(files[0])), 'the damaged file is named');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
