'use strict';
// npm run package: a .vsix with the bundled extension, webviews, CLI and engine.jar (Flink 1.20).
const fs = require('fs');
const path = require('path');
const { ROOT, ensureNodeModules, run } = require('./lib/deps');

try {
  ensureNodeModules();
  if (run('node', ['esbuild.js', '--production']) !== 0) throw new Error('bundling failed');
  const jar = require('./lib/engine').ensureEngineJar();
  fs.mkdirSync(path.join(ROOT, 'dist', 'engine'), { recursive: true });
  fs.copyFileSync(jar, path.join(ROOT, 'dist', 'engine', 'engine.jar'));
  const out = process.argv[2] || path.join(ROOT, `flink-savepoints-${require(path.join(ROOT, 'package.json')).version}.vsix`);
  if (run('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out]) !== 0) {
    throw new Error('vsce package failed');
  }
  console.log(out);
} catch (e) {
  console.error(`npm run package: ${e.message}`);
  process.exit(1);
}
