#!/usr/bin/env node
// npm run corpus:legacy [-- --skip-build] [--version 1.13.6|1.15.4|1.17.2|2.0.1]… [--case <name>]…
//
// Savepoints written by Flink releases older than the bundled ones, so that every _metadata version
// a release writes is in the conformance corpus (1.13–1.15: V3, 1.16–1.20: V4, 2.0: V5, 2.1–2.3: V6).
// Builds engine/runtime-legacy (legacy-corpus.jar) once per release with that release's Flink, runs
// its job on a MiniCluster, and writes the oracle with the current engine.jar of the Flink line that
// restores it (1.20.3 for 1.x, 2.3.0 for 2.x: Flink reads older savepoints, not newer ones):
//   test/fixtures/savepoints/flink-<release>/<case>/{savepoint/, case.json, dump.jsonl}
// case.json names the release that wrote the savepoint (flinkVersion) and the one that read it for
// dump.jsonl (oracleFlinkVersion). npm test never builds these old releases; it re-runs the oracle.
// Node builtins only.
'use strict';

const { spawnSync } = require('child_process');
const { parseCorpusArgs, run, casesToGenerate, dumpCases } = require('./lib/corpus');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const POM = path.join(ROOT, 'engine', 'runtime-legacy', 'pom.xml');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'savepoints');
const RELEASES = [
  { version: '1.13.6', profile: 'flink-1.13', oracle: '1.20.3' },
  { version: '1.15.4', profile: 'flink-1.15', oracle: '1.20.3' },
  { version: '1.17.2', profile: 'flink-1.17', oracle: '1.20.3' },
  { version: '2.0.1', profile: 'flink-2.0', oracle: '2.3.0' },
];

function generatorJar(version) {
  return path.join(ROOT, 'engine', 'runtime-legacy', 'target', `flink-${version}`, 'legacy-corpus.jar');
}

// FSP_ENGINE_TARGET: a folder holding flink-<version>/engine.jar built elsewhere (use with --skip-build)
function oracleJar(version, build) {
  if (build && !process.env.FSP_ENGINE_TARGET) return require('./lib/engine').ensureEngineJar(version);
  const target = process.env.FSP_ENGINE_TARGET || path.join(ROOT, 'engine', 'runtime', 'target');
  return path.join(target, `flink-${version}`, 'engine.jar');
}

function listCases(jar) {
  const r = spawnSync('java', ['-jar', jar, '--list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`legacy-corpus.jar --list failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

function main() {
  const opts = parseCorpusArgs(process.argv.slice(2), 'corpus:legacy');
  const releases = RELEASES.filter((r) => opts.versions.length === 0 || opts.versions.includes(r.version));
  if (releases.length === 0) {
    console.error(`corpus:legacy: no such release (known: ${RELEASES.map((r) => r.version).join(', ')})`);
    process.exit(2);
  }
  let failed = false;
  for (const rel of releases) {
    const jar = generatorJar(rel.version);
    if (opts.build && run('mvn', ['-q', '-B', '-f', POM, 'package', `-P${rel.profile}`]) !== 0) {
      console.error(`corpus:legacy: building legacy-corpus.jar for Flink ${rel.version} failed`);
      process.exit(1);
    }
    const oracle = oracleJar(rel.oracle, opts.build);
    for (const j of [jar, oracle]) {
      if (!fs.existsSync(j)) {
        console.error(`corpus:legacy: ${path.relative(ROOT, j)} is missing (build it or drop --skip-build)`);
        process.exit(1);
      }
    }
    const out = path.join(FIXTURES, `flink-${rel.version}`);
    const cases = casesToGenerate(out, listCases(jar), opts.cases);
    const args = ['-jar', jar, '--out', out, '--oracle-flink', rel.oracle];
    for (const c of cases) args.push('--case', c);
    if (run('java', args) !== 0) {
      console.error(`corpus:legacy: some cases failed for Flink ${rel.version}`);
      failed = true;
    }
    if (opts.dump && !dumpCases(oracle, out, cases, 'corpus:legacy')) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main();
