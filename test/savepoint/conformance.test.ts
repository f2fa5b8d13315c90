/**
 * The main evidence: `fsp dump <case>/savepoint` must print exactly the oracle's `dump.jsonl`
 * (docs/dump-format.md) for every case of the corpus under test/fixtures/savepoints/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { main } from '../../engine/cli/fsp';
import { corpusCases, memoryIo } from './corpus';

describe('conformance: fsp dump == engine.jar dump', function () {
  this.timeout(120000);
  const cases = corpusCases().filter((c) => c.dumpFile);
  if (cases.length === 0) {
    it('has a corpus to compare against', function () {
      this.skip();
    });
  }
  for (const c of cases) {
    it(c.name, async () => {
      const expected = fs.readFileSync(c.dumpFile!, 'utf8');
      const m = memoryIo();
      const code = await main(['dump', c.savepoint], m.io);
      const actual = m.out();
      if (actual !== expected) {
        const a = actual.split('\n');
        const e = expected.split('\n');
        let i = 0;
        while (i < a.length && i < e.length && a[i] === e[i]) i++;
        assert.fail(
          `dump differs at line ${i + 1} (fsp ${a.length - 1} lines, oracle ${e.length - 1} lines)\n` +
            `  fsp:    ${a[i] ?? '<end>'}\n  oracle: ${e[i] ?? '<end>'}` +
            (m.err() ? `\n  stderr: ${m.err().trim()}` : ''),
        );
      }
      const oracleErrors = expected.split('\n').some((l) => l.startsWith('{"type":"error"'));
      assert.equal(code, oracleErrors ? 1 : 0, `exit code (stderr: ${m.err().trim()})`);
    });
  }
});
