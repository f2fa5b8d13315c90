'use strict';
// Builds engine.jar (the bundled Apache Flink) and the sample job jar with Maven when they are
// missing or older than their sources. Node builtins only: this runs before `npm install`.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const RUNTIME = path.join(ROOT, 'engine', 'runtime');
const SAMPLE_JOB = path.join(ROOT, 'samples', 'workspace', 'sample-job');

/** Flink lines we build: the default (bundled) one first. */
const FLINK_VERSIONS = { '1.20.3': [], '2.3.0': ['-Pflink2'] };
const DEFAULT_FLINK = '1.20.3';

function engineJarPath(version = DEFAULT_FLINK) {
  return path.join(RUNTIME, 'target', `flink-${version}`, 'engine.jar');
}

function sampleJobJarPath() {
  return path.join(SAMPLE_JOB, 'target', 'sample-job.jar');
}

function newestMtime(p) {
  let newest = 0;
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.name === 'target' || e.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, e.name)));
  }
  return newest;
}

function isStale(jar, sourceDirs) {
  const st = fs.statSync(jar, { throwIfNoEntry: false });
  if (!st) return true;
  return sourceDirs.some((d) => newestMtime(d) > st.mtimeMs);
}

function mvn(args, what) {
  const t0 = Date.now();
  console.log(`[build] ${what}: mvn ${args.join(' ')}`);
  const r = spawnSync('mvn', ['-q', '-B', ...args], { stdio: 'inherit', cwd: ROOT });
  if (r.error) throw new Error(`could not run Maven (mvn) to build ${what}: ${r.error.message}. Install Apache Maven and Java 17.`);
  if (r.status !== 0) throw new Error(`Maven failed to build ${what} (exit ${r.status})`);
  console.log(`[build] ${what} built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

function ensureEngineJar(version = DEFAULT_FLINK, { force = false } = {}) {
  const profile = FLINK_VERSIONS[version];
  if (!profile) throw new Error(`unknown Flink version ${version}; known: ${Object.keys(FLINK_VERSIONS).join(', ')}`);
  const jar = engineJarPath(version);
  if (force || isStale(jar, [path.join(RUNTIME, 'src'), path.join(RUNTIME, 'pom.xml')])) {
    mvn(['-f', path.join(RUNTIME, 'pom.xml'), 'package', ...profile], `engine.jar for Flink ${version}`);
  }
  if (!fs.existsSync(jar)) throw new Error(`Maven finished but ${path.relative(ROOT, jar)} is missing`);
  return jar;
}

function ensureSampleJobJar({ force = false } = {}) {
  const jar = sampleJobJarPath();
  if (!fs.existsSync(path.join(SAMPLE_JOB, 'pom.xml'))) return undefined;
  if (force || isStale(jar, [path.join(SAMPLE_JOB, 'src'), path.join(SAMPLE_JOB, 'pom.xml')])) {
    mvn(['-f', path.join(SAMPLE_JOB, 'pom.xml'), 'package'], 'the sample job jar');
  }
  return fs.existsSync(jar) ? jar : undefined;
}

module.exports = { ROOT, DEFAULT_FLINK, FLINK_VERSIONS, engineJarPath, sampleJobJarPath, ensureEngineJar, ensureSampleJobJar };
