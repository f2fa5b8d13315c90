'use strict';
// Compare with Another Savepoint… (extension/compare/) and state sizes in the Savepoints view, in the
// extension host (test/e2e/run.js). The workspace holds one corpus savepoint (savepoints/<name>); the
// other side of the comparison is a corpus case read from the repository.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const { EXT_ID, assertSavepointMenuCommand, waitFor: waitUntil } = require('./host-helpers');
const CORPUS = path.resolve(__dirname, '..', 'fixtures', 'savepoints', 'flink-1.20.3');
const KEYED_STATE_ID = '826c38023c4272520855c3219fef4f3f'; // operatorIdFromUid('keyed-state')

const waitFor = (what, fn, timeoutMs = 60000) => waitUntil(what, fn, timeoutMs, 100);

suite('Compare savepoints and state sizes (extension host)', function () {
  let api;
  const spName = process.env.FSP_E2E_SAVEPOINT || 'keyed-rocksdb';
  const otherName = spName === 'keyed-hashmap' ? 'keyed-rocksdb' : 'keyed-hashmap';
  const otherDir = path.join(CORPUS, otherName, 'savepoint');

  suiteSetup(async function () {
    api = await vscode.extensions.getExtension(EXT_ID).activate();
  });

  suiteTeardown(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function workspaceSavepoint() {
    const sp = await waitFor(`workspace savepoint ${spName}`, async () => (await api.getChildren()).find((r) => r.kind === 'savepoint' && r.sp && r.label === spName));
    return sp;
  }

  test('the command is registered and contributed to the savepoint context menu', async function () {
    await assertSavepointMenuCommand('flinkSavepoints.compareWith');
  });

  test('compares a tree node with another savepoint (URI) and opens the Markdown report', async function () {
    const sp = await workspaceSavepoint();
    assert.ok(fs.existsSync(path.join(otherDir, '_metadata')), `corpus case ${otherDir} is missing`);
    const r = await vscode.commands.executeCommand('flinkSavepoints.compareWith', sp, vscode.Uri.file(otherDir));
    assert.ok(r, 'the command returns the report');
    assert.strictEqual(r.identical, false);
    const editor = await waitFor('the report editor', async () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === r.uri.toString()));
    const text = editor.document.getText();
    assert.strictEqual(text, r.text);
    assert.strictEqual(editor.document.languageId, 'markdown');
    for (const h of ['# Savepoint comparison', '## Summary', '## Operators only in A', '## Operators only in B', '## Operators in both']) {
      assert.ok(text.split('\n').includes(h), `heading ${h}`);
    }
    assert.ok(text.includes(sp.dir), 'names savepoint A');
    assert.ok(text.includes(otherDir), 'names savepoint B');
    if (/^keyed-(hashmap|rocksdb)$/.test(spName)) {
      // same job, parallelism 3 (rocksdb) vs 1 (hashmap); RocksDB holds one more map entry (null value)
      const [pa, pb] = spName === 'keyed-rocksdb' ? [3, 1] : [1, 3];
      assert.ok(text.includes(`| parallelism changed | ${pa} | ${pb} |`), text);
      assert.ok(/\| `byTag` \| 4[67] \| 4[67] \| [01] \| [01] \| 0 \|/.test(text), 'entry counts of byTag');
      assert.ok(text.includes('"null-value"'), 'the differing byTag entry is shown');
    }
    // read-only virtual document, not a file
    assert.notStrictEqual(editor.document.uri.scheme, 'file');
    assert.strictEqual(editor.document.isUntitled, false);
  });

  test('a savepoint compared with itself (URIs) is identical', async function () {
    const sp = await workspaceSavepoint();
    const r = await vscode.commands.executeCommand('flinkSavepoints.compareWith', vscode.Uri.file(path.join(sp.dir, '_metadata')), vscode.Uri.file(sp.dir));
    assert.ok(r);
    assert.strictEqual(r.identical, true);
    assert.ok(r.text.includes('**Identical**'), r.text.slice(0, 800));
  });

  test('state nodes show their size once the operator was expanded', async function () {
    const sp = await workspaceSavepoint();
    const ops = await api.getChildren(sp);
    const op = ops.find((o) => o.kind === 'operator' && o.op.id === KEYED_STATE_ID) || ops.find((o) => o.kind === 'operator' && o.op.size > 0);
    assert.ok(op, 'an operator with state');
    const first = await api.getChildren(op);
    assert.ok(first.length && first.every((s) => s.kind === 'state'), 'states listed without waiting for sizes');
    const sizes = await waitFor('measured sizes', async () => api.savepoints.measuredSizes(sp.dir, op.op.id));
    assert.ok(sizes.size > 0, 'some state measured');
    const states = await api.getChildren(op);
    const measured = states.filter((s) => s.measured);
    assert.ok(measured.length > 0);
    for (const s of measured) {
      const item = api.getTreeItem(s);
      assert.ok(/ · \d+(\.\d)? (B|KB|MB|GB)$/.test(item.description), `size in the description: ${item.description}`);
      assert.strictEqual(s.measured.bytes, sizes.get(s.state.name).bytes);
      if (s.measured.count !== undefined) assert.ok(item.tooltip.value.includes(`| entries | \`${s.measured.count}\` |`), item.tooltip.value);
    }
    if (op.op.id === KEYED_STATE_ID) {
      const count = states.find((s) => s.state.name === 'count');
      assert.strictEqual(count.measured.count, 20, 'the keyed-state operator holds 20 `count` entries');
    }
  });
});
