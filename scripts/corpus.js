#!/usr/bin/env node
// npm run corpus [-- --skip-build] [--version 1.20.3|2.3.0]… [--case <name>]… [--no-dump]
//
// Builds engine.jar for Flink 1.20.3 and 2.3.0, regenerates the savepoint corpus with
// `engine.jar corpus` and writes every case's oracle dump with `engine.jar dump`:
//   test/fixtures/savepoints/flink-<version>/<case>/{savepoint/, case.json, dump.jsonl}
// Node builtins only.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const POM = path.join(ROOT, 'engine', 'runtime', 'pom.xml');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'savepoints');
const VERSIONS = [
  { version: '1.20.3', mvnArgs: [] },
  { version: '2.3.0', mvnArgs: ['-Pflink2'] },
];

function parseArgs(argv) {
  const opts = { build: true, dump: true, versions: [], cases: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-build') opts.build = false;
    else if (a === '--no-dump') opts.dump = false;
    else if (a === '--version') opts.versions.push(argv[++i]);
    else if (a === '--case') opts.cases.push(argv[++i]);
    else {
      console.error(`corpus: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (process.env.FSP_SKIP_BUILD === '1') opts.build = false;
  return opts;
}

function run(cmd, args, options = {}) {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  return r.status;
}

// FSP_ENGINE_TARGET: a folder holding flink-<version>/engine.jar built elsewhere (use with --skip-build)
function jarFor(version) {
  const target = process.env.FSP_ENGINE_TARGET || path.join(ROOT, 'engine', 'runtime', 'target');
  return path.join(target, `flink-${version}`, 'engine.jar');
}

function listCases(jar) {
  const r = spawnSync('java', ['-jar', jar, 'corpus', '--list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`engine.jar corpus --list failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
}

function dumpCase(jar, caseDir) {
  const r = spawnSync('java', ['-jar', jar, 'dump', path.join(caseDir, 'savepoint')], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  fs.writeFileSync(path.join(caseDir, 'dump.jsonl'), r.stdout);
  if (r.status !== 0) {
    console.error(`corpus: dump of ${caseDir} exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return false;
  }
  return true;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const versions = VERSIONS.filter((v) => opts.versions.length === 0 || opts.versions.includes(v.version));
  if (versions.length === 0) {
    console.error(`corpus: no such version (known: ${VERSIONS.map((v) => v.version).join(', ')})`);
    process.exit(2);
  }
  let failed = false;
  for (const v of versions) {
    const jar = jarFor(v.version);
    if (opts.build) {
      if (run('mvn', ['-q', '-B', '-f', POM, 'package', ...v.mvnArgs]) !== 0) {
        console.error(`corpus: building engine.jar for Flink ${v.version} failed`);
        process.exit(1);
      }
    }
    if (!fs.existsSync(jar)) {
      console.error(`corpus: ${jar} is missing (build it or drop --skip-build)`);
      process.exit(1);
    }
    const out = path.join(FIXTURES, `flink-${v.version}`);
    fs.mkdirSync(out, { recursive: true });
    const known = listCases(jar);
    const cases = opts.cases.length ? opts.cases : known;
    if (opts.cases.length === 0) {
      // a full run also removes cases that no longer exist
      for (const d of fs.readdirSync(out)) {
        if (!known.includes(d) && fs.statSync(path.join(out, d)).isDirectory()) {
          fs.rmSync(path.join(out, d), { recursive: true, force: true });
        }
      }
    }
    const args = ['-jar', jar, 'corpus', '--out', out];
    for (const c of cases) args.push('--case', c);
    if (run('java', args) !== 0) {
      console.error(`corpus: some cases failed for Flink ${v.version}`);
      failed = true;
    }
    if (opts.dump) {
      for (const c of cases) {
        const dir = path.join(out, c);
        if (!fs.existsSync(path.join(dir, 'savepoint', '_metadata'))) continue;
        if (!dumpCase(jar, dir)) failed = true;
      }
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
