'use strict';
// Shared by the extension-host suites (*.test.js here, not the Playwright ui*.test.js ones).

const EXT_ID = 'flink-savepoints.flink-savepoints';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy (returned), failing after `timeoutMs`. */
async function waitFor(what, fn, timeoutMs = 30000, everyMs = 100) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `command` is registered and offered in the context menu of savepoint nodes of the Savepoints view. */
async function assertSavepointMenuCommand(command) {
  const assert = require('assert');
  const vscode = require('vscode');
  const cmds = await vscode.commands.getCommands(true);
  assert.ok(cmds.includes(command), `${command} is registered`);
  const pkg = vscode.extensions.getExtension(EXT_ID).packageJSON;
  const menu = pkg.contributes.menus['view/item/context'].find((m) => m.command === command);
  assert.ok(menu && /viewItem == savepoint/.test(menu.when), `${command}: context menu entry on savepoint nodes`);
}

module.exports = { EXT_ID, sleep, waitFor, assertSavepointMenuCommand };
