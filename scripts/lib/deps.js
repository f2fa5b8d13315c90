'use strict';
// Installs npm dependencies when node_modules is missing or older than package-lock.json.
// Node builtins only: `npm test` and `npm start` call this on a fresh clone.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');

function ensureNodeModules() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lockSt = fs.statSync(lock, { throwIfNoEntry: false });
  const instSt = fs.statSync(installed, { throwIfNoEntry: false });
  if (instSt && lockSt && instSt.mtimeMs >= lockSt.mtimeMs) return;
  console.log('[setup] installing npm dependencies');
  const cmd = lockSt ? 'ci' : 'install';
  const r = spawnSync('npm', [cmd, '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) throw new Error(`npm ${cmd} failed (exit ${r.status})`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

module.exports = { ROOT, ensureNodeModules, run };
