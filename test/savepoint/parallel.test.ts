/**
 * `fsp dump --workers <n>`: key groups rendered on worker threads (engine/savepoint/parallel.ts) must
 * give exactly the serial output — the oracle's dump.jsonl for every corpus case, and the same error
 * lines and exit code when a key group is damaged. Runs the bundled CLI (dist/fsp.js: worker threads
 * run that file), which `npm test` builds before mocha.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTemp, copyOfSavepoint } from './build';
import { corpusCases } from './corpus';

const FSP = path.resolve(__dirname, '../../dist/fsp.js');

function fsp(args: string[]) {
  assert.ok(fs.existsSync(FSP), `${FSP} is missing: build it with \`node esbuild.js\` (npm test does)`);
  const r = spawnSync(process.execPath, [FSP, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return r;
}

describe('fsp dump --workers: key groups on worker threads', function () {
  this.timeout(120_000);

  it('prints every corpus case exactly like the oracle (2 and 3 threads)', () => {
    const cases = corpusCases().filter((c) => c.dumpFile);
    assert.ok(cases.length > 30, 'the corpus is there');
    for (const c of cases) {
      const expected = fs.readFileSync(c.dumpFile!, 'utf8');
      const threads = c.name.length % 2 === 0 ? '2' : '3';
      const r = fsp(['dump', c.savepoint, '--workers', threads]);
      assert.equal(r.stdout, expected, `${c.name} with ${threads} threads (stderr: ${r.stderr})`);
      assert.equal(r.status, expected.includes('{"type":"error"') ? 1 : 0, `${c.name} exit code`);
    }
  });

  it('a damaged key group: the same error line, the same truncation of its handle and the same exit code as the serial dump', () => {
    const src = corpusCases().find((c) => c.name === 'flink-1.20.3/keys-hashmap');
    assert.ok(src, 'corpus case flink-1.20.3/keys-hashmap');
    // cut the largest state file in the middle of its key groups
    const { sp, files } = copyOfSavepoint(src.savepoint, 'fsp-parallel-');
    const biggest = files[0];
    const bytes = fs.readFileSync(biggest);
    fs.writeFileSync(biggest, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const serial = fsp(['dump', sp, '--workers', '1']);
    const parallel = fsp(['dump', sp, '--workers', '2']);
    assert.match(serial.stdout, /"type":"error".*"slot":"managedKeyed"/, 'the serial dump reports the damaged key group');
    assert.equal(serial.status, 1);
    assert.equal(parallel.stdout, serial.stdout);
    assert.equal(parallel.status, serial.status);
    assert.equal(parallel.stderr, serial.stderr);
  });

  it('--workers takes a whole number from 1 to 64', () => {
    const sp = corpusCases()[0].savepoint;
    for (const bad of ['0', '65', '1.5', 'many']) {
      const r = fsp(['dump', sp, '--workers', bad]);
      assert.equal(r.status, 2, `--workers ${bad}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /--workers needs a whole number from 1 to 64/);
    }
  });
});

after(() => cleanupTemp());
