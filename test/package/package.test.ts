/**
 * `npm run package` (scripts/package.js) builds a .vsix that holds the extension, its webviews, the
 * `fsp` CLI, the tree-sitter grammars and engine.jar, and nothing the extension does not need at run
 * time (no sources, tests, fixtures, node_modules, engine/runtime, source maps). Read through the zip's
 * central directory (scripts/lib/e2e-tools.js listZip), so no unzip binary is needed.
 * FSP_PACKAGE_VSIX=<file> checks an existing .vsix instead of building one.
 * Runs in the mocha step of `npm test` (every test .ts file); the e2e step then reuses the .vsix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { listZip } = require('../../scripts/lib/e2e-tools') as { listZip(file: string): { name: string; size: number; compressedSize: number }[] };

const ROOT = path.resolve(__dirname, '..', '..');
const MB = 1024 * 1024;
/** engine.jar (Flink 1.20 + the State Processor API + flink-scala with its Scala library and compiler + the Table API runtime, ~138 MB, compresses to ~130 MB) dominates; the rest is ~1.5 MB */
const MAX_VSIX_BYTES = 160 * MB;
const MAX_WITHOUT_ENGINE_BYTES = 20 * MB;

describe('npm run package: the .vsix', function () {
  this.timeout(15 * 60_000); // Maven builds engine.jar when it is stale
  let tmp: string | undefined;
  let vsix: string;
  let entries: { name: string; size: number; compressedSize: number }[];
  let names: string[];

  before(function () {
    if (process.env.FSP_PACKAGE_VSIX) {
      vsix = path.resolve(process.env.FSP_PACKAGE_VSIX);
    } else {
      // exactly `npm run package`: the .vsix lands in the repository (git-ignored), where the e2e run
      // (test/e2e/run.js) reuses it while nothing it is built from has changed; FSP_PACKAGE_TMP=1: a temp dir
      const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
      if (process.env.FSP_PACKAGE_TMP === '1') tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-package-test-'));
      vsix = tmp ? path.join(tmp, 'flink-savepoints.vsix') : path.join(ROOT, `flink-savepoints-${version}.vsix`);
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.js'), vsix], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * MB });
      assert.equal(r.status, 0, `scripts/package.js failed:\n${r.stdout}\n${r.stderr}`);
      console.log(`      packaged in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    entries = listZip(vsix);
    names = entries.map((e) => e.name);
    const size = fs.statSync(vsix).size;
    const unpacked = entries.reduce((n, e) => n + e.size, 0);
    console.log(`      ${path.basename(vsix)}: ${(size / MB).toFixed(2)} MB (${(unpacked / MB).toFixed(2)} MB unpacked), ${entries.length} files`);
    for (const e of [...entries].sort((a, b) => b.size - a.size)) console.log(`        ${(e.size / 1024).toFixed(1).padStart(10)} KiB  ${e.name}`);
  });

  after(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the extension bundle, the CLI, the webviews, grammars, engine.jar, package.json and README', function () {
    const required = [
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/fsp.js',
      'extension/dist/tree-sitter.wasm',
      'extension/dist/grammars/tree-sitter-java.wasm',
      'extension/dist/grammars/tree-sitter-scala.wasm',
      'extension/dist/grammars/tree-sitter-kotlin.wasm',
      'extension/dist/grammars/tree-sitter-python.wasm',
      'extension/dist/webview/overview.js',
      'extension/dist/webview/entries.js',
      'extension/dist/webview/codicon.css',
      'extension/dist/webview/codicon.ttf',
      'extension/dist/engine/engine.jar',
      'extension/media/icon.png',
      'extension/media/flink-savepoints.svg',
    ];
    for (const f of required) assert.ok(names.includes(f), `${f} is in the .vsix`);
    assert.ok(names.some((n) => /^extension\/readme\.md$/i.test(n)), 'README is in the .vsix');
  });

  it('ships one webview bundle per webview source, and a grammar for every language the manifest contributes', function () {
    const sources = fs.readdirSync(path.join(ROOT, 'webview')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'protocol.ts' && !f.startsWith('_'));
    const bundles = names.filter((n) => /^extension\/dist\/webview\/[^/]+\.js$/.test(n)).map((n) => path.basename(n, '.js')).sort();
    assert.deepEqual(bundles, sources.map((f) => path.basename(f, '.ts')).sort(), 'no stale or missing webview bundles');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const g of pkg.contributes.grammars ?? []) assert.ok(names.includes(`extension/${path.posix.normalize(g.path)}`), `grammar ${g.path}`);
    for (const l of pkg.contributes.languages ?? []) if (l.configuration) assert.ok(names.includes(`extension/${path.posix.normalize(l.configuration)}`), `language configuration ${l.configuration}`);
  });

  it('the manifest in the .vsix points at files in it (main, bin, icons)', function () {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const inVsix = (p: string) => names.includes(`extension/${path.posix.normalize(p)}`);
    assert.ok(inVsix(pkg.main), `main ${pkg.main}`);
    for (const b of Object.values(pkg.bin ?? {}) as string[]) assert.ok(inVsix(b), `bin ${b}`);
    if (pkg.icon) assert.ok(inVsix(pkg.icon), `icon ${pkg.icon}`);
    for (const c of pkg.contributes.viewsContainers?.activitybar ?? []) assert.ok(inVsix(c.icon), `view container icon ${c.icon}`);
  });

  it('holds nothing the extension does not need: no sources, tests, fixtures, node_modules, engine runtime, maps', function () {
    const forbidden: [RegExp, string][] = [
      [/\.ts$/, 'TypeScript sources'],
      [/\.map$/, 'source maps'],
      [/^extension\/(test|bench|scripts|samples|webview|language|extension|engine|docs)\//, 'repository folders other than dist/, media/, syntaxes/'],
      [/(^|\/)node_modules\//, 'node_modules'],
      [/(^|\/)fixtures\//, 'test fixtures'],
      [/(^|\/)_metadata$/, 'savepoints'],
      [/engine\/runtime\//, 'the engine\'s Maven project'],
      [/(^|\/)(tsconfig\.json|esbuild\.js|package-lock\.json|\.vscodeignore|\.mocharc\.json|\.gitignore)$/, 'build configuration'],
      [/\.(vsix|log|java|class|pom|xml)$/, 'build artifacts'],
    ];
    const allowedXml = new Set(['[Content_Types].xml']);
    for (const n of names) {
      for (const [re, what] of forbidden) {
        if (allowedXml.has(n)) continue;
        assert.ok(!re.test(n), `${n} should not ship (${what})`);
      }
    }
    const top = new Set(names.filter((n) => n.startsWith('extension/')).map((n) => n.split('/')[1]));
    assert.deepEqual([...top].filter((t) => !['dist', 'media', 'syntaxes', 'package.json', 'readme.md', 'README.md', 'changelog.md', 'CHANGELOG.md', 'LICENSE.txt', 'LICENSE', 'NOTICE'].includes(t)), [], 'only dist/, media/, syntaxes/ and the top-level docs');
  });

  it('stays under a sensible size', function () {
    const size = fs.statSync(vsix).size;
    const jar = entries.find((e) => e.name === 'extension/dist/engine/engine.jar');
    const rest = entries.filter((e) => e !== jar).reduce((n, e) => n + e.compressedSize, 0);
    console.log(`      .vsix ${(size / MB).toFixed(2)} MB; engine.jar ${((jar?.size ?? 0) / MB).toFixed(2)} MB; everything else ${(rest / MB).toFixed(2)} MB compressed`);
    assert.ok(size < MAX_VSIX_BYTES, `${(size / MB).toFixed(1)} MB < ${MAX_VSIX_BYTES / MB} MB`);
    assert.ok(rest < MAX_WITHOUT_ENGINE_BYTES, `without engine.jar: ${(rest / MB).toFixed(1)} MB < ${MAX_WITHOUT_ENGINE_BYTES / MB} MB`);
  });
});
