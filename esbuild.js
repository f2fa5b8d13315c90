'use strict';
// Bundles the extension (node/cjs), the webviews (browser/iife) and the `fsp` CLI (node, shebang),
// and copies the tree-sitter wasm files next to the bundle.
//   node esbuild.js [--watch] [--production]
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = __dirname;
const DIST = path.join(ROOT, 'dist');
const argv = process.argv.slice(2);
const watch = argv.includes('--watch');
const production = argv.includes('--production');

const GRAMMARS = {
  'tree-sitter-java.wasm': 'tree-sitter-wasms/out/tree-sitter-java.wasm',
  'tree-sitter-python.wasm': 'tree-sitter-wasms/out/tree-sitter-python.wasm',
  'tree-sitter-kotlin.wasm': 'tree-sitter-wasms/out/tree-sitter-kotlin.wasm',
  // the tree-sitter-wasms Scala grammar rejects ordinary Scala 2 code; use the grammar's own build
  'tree-sitter-scala.wasm': 'tree-sitter-scala/tree-sitter-scala.wasm',
};

function copyAssets() {
  fs.mkdirSync(path.join(DIST, 'grammars'), { recursive: true });
  const resolve = (spec) => require.resolve(spec, { paths: [ROOT] });
  for (const [file, spec] of Object.entries(GRAMMARS)) {
    fs.copyFileSync(resolve(spec), path.join(DIST, 'grammars', file));
  }
  fs.copyFileSync(resolve('web-tree-sitter/tree-sitter.wasm'), path.join(DIST, 'tree-sitter.wasm'));
  // @vscode-elements bundled build + codicons are used by the webviews (local files only, strict CSP)
  const codicon = tryResolve('@vscode/codicons/dist/codicon.css');
  if (codicon) {
    fs.mkdirSync(path.join(DIST, 'webview'), { recursive: true });
    fs.copyFileSync(codicon, path.join(DIST, 'webview', 'codicon.css'));
    fs.copyFileSync(path.join(path.dirname(codicon), 'codicon.ttf'), path.join(DIST, 'webview', 'codicon.ttf'));
  }
}

function tryResolve(spec) {
  try { return require.resolve(spec, { paths: [ROOT] }); } catch { return undefined; }
}

function webviewEntries() {
  const dir = path.join(ROOT, 'webview');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'protocol.ts' && !f.startsWith('_'))
    .map((f) => path.join(dir, f));
}

const logPlugin = (label) => ({
  name: 'log',
  setup(build) {
    let t0 = 0;
    build.onStart(() => { t0 = Date.now(); });
    build.onEnd((r) => {
      for (const e of r.errors) console.error(`✘ [${label}] ${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ''}`);
      if (watch) console.log(`[${new Date().toLocaleTimeString()}] ${label}: ${r.errors.length ? 'failed' : 'built'} in ${Date.now() - t0} ms`);
    });
  },
});

// While other parts of the project are being written, a module the extension imports lazily may be
// missing. Build anyway with a stub that throws on first use, so the rest of the extension works.
const optionalModules = {
  name: 'optional-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/(engine|language)\// }, (args) => {
      if (!args.importer.startsWith(path.join(ROOT, 'extension') + path.sep)) return undefined;
      const base = path.resolve(args.resolveDir, args.path);
      const exists = ['.ts', '.js', '/index.ts'].some((ext) => fs.existsSync(base + ext)) || fs.existsSync(base);
      if (exists) return undefined;
      console.warn(`⚠ ${path.relative(ROOT, base)} does not exist yet: bundling a stub that throws when used`);
      return { path: base, namespace: 'missing-module' };
    });
    build.onLoad({ filter: /.*/, namespace: 'missing-module' }, (args) => ({
      contents: `const e = () => { throw new Error(${JSON.stringify(`${path.relative(ROOT, args.path)} is not part of this build`)}); };
        module.exports = new Proxy({}, { get: (_, k) => (k === '__esModule' ? false : k === 'then' ? undefined : e) });`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

function configs() {
  const list = [];
  if (fs.existsSync(path.join(ROOT, 'extension', 'extension.ts'))) {
    list.push({
      ...common,
      label: 'extension',
      entryPoints: { extension: path.join(ROOT, 'extension', 'extension.ts') },
      outdir: DIST,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      extraPlugins: [optionalModules],
      // web-tree-sitter's wasm loader probes these; they are not needed under Node
      mainFields: ['module', 'main'],
      define: { 'import.meta.url': 'importMetaUrl' },
      banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    });
  }
  const web = webviewEntries();
  if (web.length) {
    list.push({
      ...common,
      label: 'webview',
      entryPoints: web,
      outdir: path.join(DIST, 'webview'),
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    });
  }
  if (fs.existsSync(path.join(ROOT, 'engine', 'cli', 'fsp.ts'))) {
    list.push({
      ...common,
      label: 'fsp',
      entryPoints: { fsp: path.join(ROOT, 'engine', 'cli', 'fsp.ts') },
      outdir: DIST,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      define: { 'import.meta.url': 'importMetaUrl' },
      banner: { js: "#!/usr/bin/env node\nconst importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    });
  }
  return list;
}

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(DIST, { recursive: true });
  copyAssets();
  const list = configs();
  if (watch) {
    for (const { label, ...cfg } of list) {
      const { extraPlugins = [], ...rest } = cfg;
      const ctx = await esbuild.context({ ...rest, plugins: [...extraPlugins, logPlugin(label)] });
      await ctx.watch();
    }
    console.log('watching for changes… (Ctrl-C to stop)');
    return;
  }
  const results = await Promise.allSettled(list.map(({ label, extraPlugins = [], ...cfg }) => esbuild.build({ ...cfg, plugins: [...extraPlugins, logPlugin(label)] })));
  const failed = results.filter((r) => r.status === 'rejected');
  const fsp = path.join(DIST, 'fsp.js');
  if (fs.existsSync(fsp)) fs.chmodSync(fsp, 0o755);
  if (failed.length) {
    console.error(`esbuild: ${failed.length} of ${list.length} bundles failed`);
    process.exit(1);
  }
  console.log(`esbuild: ${list.map((c) => c.label).join(', ')} built in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
