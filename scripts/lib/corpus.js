// Shared by scripts/corpus.js and scripts/corpus-legacy.js: arguments, running the generator, and
// writing each case's oracle dump. Node builtins only.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

/** [--skip-build] [--no-dump] [--version v]… [--case name]…; FSP_SKIP_BUILD=1 is --skip-build. */
function parseCorpusArgs(argv, label) {
  const opts = { build: true, dump: true, versions: [], cases: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-build') opts.build = false;
    else if (a === '--no-dump') opts.dump = false;
    else if (a === '--version') opts.versions.push(argv[++i]);
    else if (a === '--case') opts.cases.push(argv[++i]);
    else {
      console.error(`${label}: unknown argument ${a}`);
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

/**
 * The cases to generate into `out` (one Flink version's folder): the asked ones, or all `known`
 * ones — a full run then also removes folders of cases that no longer exist.
 */
function casesToGenerate(out, known, asked) {
  fs.mkdirSync(out, { recursive: true });
  if (asked.length) return asked;
  for (const d of fs.readdirSync(out)) {
    if (!known.includes(d) && fs.statSync(path.join(out, d)).isDirectory()) fs.rmSync(path.join(out, d), { recursive: true, force: true });
  }
  return known;
}

/** Writes <caseDir>/dump.jsonl with `engine.jar dump` (the oracle); false when the dump failed. */
function dumpCase(jar, caseDir, label) {
  const r = spawnSync('java', ['-jar', jar, 'dump', path.join(caseDir, 'savepoint')], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  fs.writeFileSync(path.join(caseDir, 'dump.jsonl'), r.stdout);
  if (r.status !== 0) {
    console.error(`${label}: dump of ${caseDir} exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return false;
  }
  return true;
}

/** dumpCase for every generated case (those with a savepoint); false when one failed. */
function dumpCases(jar, out, cases, label) {
  let ok = true;
  for (const c of cases) {
    const dir = path.join(out, c);
    if (!fs.existsSync(path.join(dir, 'savepoint', '_metadata'))) continue;
    if (!dumpCase(jar, dir, label)) ok = false;
  }
  return ok;
}

module.exports = { parseCorpusArgs, run, casesToGenerate, dumpCase, dumpCases };
