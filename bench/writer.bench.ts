/**
 * Writer benchmark: bootstrap 1 million keys with `fsp bootstrap` (TypeScript, in a child Node process, as
 * a user runs it) and with `engine.jar bootstrap` (Flink's State Processor API) from the same spec and data,
 * and print the ratio. Writes the numbers to bench/RESULTS-writer.md.
 *
 *   npx tsx bench/writer.bench.ts [--keys 1000000] [--runs 3]
 *
 * Needs engine.jar (FSP_ENGINE_JAR, default engine/runtime/target/flink-1.20.3/engine.jar). Not part of
 * npm test (no timed assertions in tests).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMetadata } from '../engine/savepoint/metadata';

const ROOT = path.resolve(__dirname, '..');
const ENGINE_JAR = process.env.FSP_ENGINE_JAR ?? path.join(ROOT, 'engine', 'runtime', 'target', 'flink-1.20.3', 'engine.jar');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function dirSize(d: string): number {
  return fs.readdirSync(d).reduce((a, n) => a + fs.statSync(path.join(d, n)).size, 0);
}

function time(cmd: string, args: string[]): { ms: number; code: number; err: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, code: r.status ?? -1, err: (r.stderr ?? '').split('\n').filter((l) => /error|Exception/i.test(l)).slice(0, 3).join(' | ') };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const keys = arg('keys', 1_000_000);
  const runs = arg('runs', 3);
  if (!fs.existsSync(ENGINE_JAR)) throw new Error(`missing ${ENGINE_JAR} (npm run engine, or set FSP_ENGINE_JAR)`);
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-writer-bench-'));
  try {
    // data: one value state (Long) and one map state entry per key, String keys
    const lines: string[] = [];
    for (let i = 0; i < keys; i++) lines.push(`{"user":"user-${i}","count":${i},"day":"d${i % 7}"}`);
    fs.writeFileSync(path.join(dir, 'rows.jsonl'), lines.join('\n') + '\n');
    const spec = {
      maxParallelism: 128,
      operators: [
        {
          uid: 'bench',
          keyType: 'String',
          states: [
            { name: 'count', kind: 'value', valueType: 'Long', data: 'rows.jsonl', keyField: 'user', valueField: 'count' },
            { name: 'perDay', kind: 'map', userKeyType: 'String', valueType: 'Long', data: 'rows.jsonl', keyField: 'user', userKeyField: 'day', valueField: 'count' },
          ],
        },
      ],
    };
    const specFile = path.join(dir, 'spec.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));
    const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const fspArgs = (out: string) => ['--require', 'tsx/cjs', path.join(ROOT, 'engine', 'cli', 'write-commands.ts'), 'bootstrap', '--spec', specFile, '--out', out];
    void tsx;
    const ours: number[] = [];
    const theirs: number[] = [];
    let oursSize = 0;
    let theirsSize = 0;
    for (let r = 0; r < runs; r++) {
      const o = path.join(dir, `fsp-${r}`);
      const a = time(process.execPath, fspArgs(o));
      if (a.code !== 0) throw new Error(`fsp bootstrap failed: ${a.err}`);
      ours.push(a.ms);
      oursSize = dirSize(o);
      const m = parseMetadata(new Uint8Array(fs.readFileSync(path.join(o, '_metadata'))), path.join(o, '_metadata'));
      if (m.operators.length !== 1) throw new Error('unexpected fsp output');
      fs.rmSync(o, { recursive: true });
      const t = path.join(dir, `spa-${r}`);
      const b = time('java', ['-jar', ENGINE_JAR, 'bootstrap', '--spec', specFile, '--out', t]);
      if (b.code !== 0) throw new Error(`engine.jar bootstrap failed: ${b.err}`);
      theirs.push(b.ms);
      theirsSize = dirSize(t);
      fs.rmSync(t, { recursive: true });
      console.log(`run ${r + 1}: fsp ${(a.ms / 1000).toFixed(2)} s, engine.jar ${(b.ms / 1000).toFixed(2)} s`);
    }
    const mo = median(ours);
    const mt = median(theirs);
    const ratio = mt / mo;
    const summary = `fsp bootstrap ${(mo / 1000).toFixed(2)} s vs engine.jar bootstrap ${(mt / 1000).toFixed(2)} s (median of ${runs}): ${ratio.toFixed(1)}× faster`;
    console.log(summary);
    const md = `# Writer benchmark

\`npx tsx bench/writer.bench.ts --keys ${keys} --runs ${runs}\` — generated ${new Date().toISOString()} on ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.

Workload: ${keys.toLocaleString('en-US')} String keys, two keyed states per key (a \`Long\` value state and one
\`Map<String, Long>\` entry), max parallelism 128, one subtask, from one JSON-lines file. Both sides are timed
end to end as a user runs them (process start, reading the data, writing the savepoint):

* **fsp bootstrap**: \`node --require tsx/cjs engine/cli/write-commands.ts bootstrap --spec … --out …\`
* **engine.jar bootstrap**: \`java -jar engine.jar bootstrap --spec … --out …\` (State Processor API, Flink ${path.basename(path.dirname(ENGINE_JAR)).replace('flink-', '')}, batch mode, parallelism 1)

| run | fsp bootstrap | engine.jar bootstrap |
|---|---|---|
${ours.map((o, i) => `| ${i + 1} | ${(o / 1000).toFixed(2)} s | ${(theirs[i] / 1000).toFixed(2)} s |`).join('\n')}
| **median** | **${(mo / 1000).toFixed(2)} s** | **${(mt / 1000).toFixed(2)} s** |

**${ratio.toFixed(1)}× faster** (goal ≥ 5×). Savepoint size: fsp ${(oursSize / 1e6).toFixed(1)} MB, engine.jar ${(theirsSize / 1e6).toFixed(1)} MB
(the same entries; the State Processor API's heap snapshot and our file — states by id, keys in input order — differ only in entry order).

Load average at the start: ${load} (a shared machine: other builds and tests ran at the same time, so single runs vary).
`;
    fs.writeFileSync(path.join(ROOT, 'bench', 'RESULTS-writer.md'), md);
    console.log('wrote bench/RESULTS-writer.md');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
