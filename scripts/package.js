'use strict';
// npm run package [out.vsix]: a .vsix with the bundled extension, webviews, CLI and engine.jar (Flink 1.20).
//   1. esbuild.js --production into dist/ (the development build's dist/ is rebuilt in place)
//   2. engine.jar (Maven, only when stale) copied to dist/engine/engine.jar
//   3. a staging folder gets exactly what ships: package.json, README, .vscodeignore, media/, syntaxes/ and
//      the dist/ files written by step 1 and 2. Files in dist/ that this build did not write (a bundle of a
//      webview that no longer exists, say) are left out, so a stale dist/ never ends up in the .vsix.
//   4. vsce package in the staging folder (offline), .vscodeignore applies on top.
// FSP_PACKAGE_KEEP_STAGE=1 keeps the staging folder (its path is printed).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, ensureNodeModules, run } = require('./lib/deps');

const TOP_FILES = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.txt', 'NOTICE', '.vscodeignore'];
const TOP_DIRS = ['media', 'syntaxes'];

function copyTree(src, dest, keep = () => true) {
  let n = 0;
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dest, e.name);
    if (e.isDirectory()) n += copyTree(s, d, keep);
    else if (e.isFile() && keep(s)) {
      fs.mkdirSync(dest, { recursive: true });
      fs.copyFileSync(s, d);
      n++;
    }
  }
  return n;
}

function stage(builtSince) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-package-'));
  for (const f of TOP_FILES) if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  for (const d of TOP_DIRS) if (fs.existsSync(path.join(ROOT, d))) copyTree(path.join(ROOT, d), path.join(dir, d));
  const stale = [];
  copyTree(path.join(ROOT, 'dist'), path.join(dir, 'dist'), (f) => {
    if (f.endsWith('.map')) return false;
    // 2 s slack for file systems with coarse timestamps
    if (fs.statSync(f).mtimeMs + 2000 < builtSince) { stale.push(path.relative(ROOT, f)); return false; }
    return true;
  });
  if (stale.length) console.log(`left out of the .vsix (not written by this build, stale): ${stale.join(', ')}`);
  return dir;
}

function vsceBin() {
  const bin = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
  return fs.existsSync(bin) ? [bin, []] : ['npx', ['--prefix', ROOT, 'vsce']];
}

function main() {
  ensureNodeModules();
  const builtSince = Date.now();
  if (run(process.execPath, ['esbuild.js', '--production']) !== 0) throw new Error('bundling failed');
  const jar = require('./lib/engine').ensureEngineJar();
  fs.mkdirSync(path.join(ROOT, 'dist', 'engine'), { recursive: true });
  const distJar = path.join(ROOT, 'dist', 'engine', 'engine.jar');
  fs.copyFileSync(jar, distJar);
  fs.utimesSync(distJar, new Date(), new Date()); // copyFileSync may keep the source's mtime
  const version = require(path.join(ROOT, 'package.json')).version;
  const out = path.resolve(process.argv[2] || path.join(ROOT, `flink-savepoints-${version}.vsix`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const dir = stage(builtSince);
  try {
    const [cmd, pre] = vsceBin();
    const args = [...pre, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out];
    if (run(cmd, args, { cwd: dir }) !== 0) throw new Error('vsce package failed');
  } finally {
    if (process.env.FSP_PACKAGE_KEEP_STAGE === '1') console.log(`staging folder kept: ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(out);
}

try {
  main();
} catch (e) {
  console.error(`npm run package: ${e.message}`);
  process.exit(1);
}
