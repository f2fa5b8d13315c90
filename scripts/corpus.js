#!/usr/bin/env node
// npm run corpus [-- --skip-build] [--version 1.20.3|2.3.0]… [--case <name>]… [--no-dump]
//
// Builds engine.jar for Flink 1.20.3 and 2.3.0, regenerates the savepoint corpus with
// `engine.jar corpus` and writes every case's oracle dump with `engine.jar dump`:
//   test/fixtures/savepoints/flink-<version>/<case>/{savepoint/, case.json, dump.jsonl}
// Node builtins only.
'use strict';

const { spawnSync } = require('child_process');
const { parseCorpusArgs, run, casesToGenerate, dumpCases } = require('./lib/corpus');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const POM = path.join(ROOT, 'engine', 'runtime', 'pom.xml');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'savepoints');
const VERSIONS = [
  { version: '1.20.3', mvnArgs: [] },
  { version: '2.3.0', mvnArgs: ['-Pflink2'] },
];

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

function main() {
  const opts = parseCorpusArgs(process.argv.slice(2), 'corpus');
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
    const cases = casesToGenerate(out, listCases(jar), opts.cases);
    const args = ['-jar', jar, 'corpus', '--out', out];
    for (const c of cases) args.push('--case', c);
    if (run('java', args) !== 0) {
      console.error(`corpus: some cases failed for Flink ${v.version}`);
      failed = true;
    }
    if (opts.dump && !dumpCases(jar, out, cases, 'corpus')) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main();
