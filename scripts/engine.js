'use strict';
// npm run engine [-- <flink version>|all] : builds engine.jar (default Flink 1.20.3).
const { ensureEngineJar, ensureSampleJobJar, FLINK_VERSIONS, DEFAULT_FLINK } = require('./lib/engine');

const arg = process.argv[2] || DEFAULT_FLINK;
const versions = arg === 'all' ? Object.keys(FLINK_VERSIONS) : [arg];
try {
  for (const v of versions) console.log(ensureEngineJar(v, { force: process.argv.includes('--force') }));
  const job = ensureSampleJobJar();
  if (job) console.log(job);
} catch (e) {
  console.error(`npm run engine: ${e.message}`);
  process.exit(1);
}
