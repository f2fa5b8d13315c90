// Generates keyed savepoints of any size with the TypeScript writer (engine/savepoint/write/bootstrap),
// for the editor tests and bench/editor.bench.ts. Cached by key count under the given folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootstrapSavepoint } from '../../engine/savepoint/write/bootstrap';

export const GEN_UID = 'editor-users';

/** Writes `n` lines `line(0) … line(n-1)` to `file` in 1 MB chunks (generated bootstrap data). */
export function writeLines(file: string, n: number, line: (i: number) => string): void {
  const fd = fs.openSync(file, 'w');
  try {
    let buf = '';
    for (let i = 0; i < n; i++) {
      buf += line(i) + '\n';
      if (buf.length > 1 << 20) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    }
    fs.writeSync(fd, buf);
  } finally {
    fs.closeSync(fd);
  }
}

/** A savepoint with operator `editor-users` (String keys, maxParallelism 128, parallelism 2): value state `count` (Long) with `keys` keys, map state `perDay` on keys/10 keys. */
export function generateSavepoint(dir: string, keys: number): string {
  const sp = path.join(dir, `sp-${keys}`);
  if (fs.existsSync(path.join(sp, '_metadata'))) return sp;
  fs.mkdirSync(dir, { recursive: true });
  const write = (file: string, n: number, line: (i: number) => string) => writeLines(path.join(dir, file), n, line);
  write(`counts-${keys}.jsonl`, keys, (i) => `{"user":"user-${i}","count":${i * 31}}`);
  const mapKeys = Math.max(1, Math.floor(keys / 10));
  write(`days-${keys}.jsonl`, mapKeys * 2, (i) => `{"user":"user-${i % mapKeys}","day":"2024-01-0${1 + Math.floor(i / mapKeys)}","n":${i}}`);
  const spec = {
    maxParallelism: 128,
    operators: [
      {
        uid: GEN_UID,
        parallelism: 2,
        keyType: 'String',
        states: [
          { name: 'count', kind: 'value', valueType: 'Long', data: `counts-${keys}.jsonl`, keyField: 'user', valueField: 'count' },
          { name: 'perDay', kind: 'map', userKeyType: 'String', valueType: 'Long', data: `days-${keys}.jsonl`, keyField: 'user', userKeyField: 'day', valueField: 'n' },
        ],
      },
    ],
  };
  const specFile = path.join(dir, `spec-${keys}.json`);
  fs.writeFileSync(specFile, JSON.stringify(spec));
  bootstrapSavepoint(specFile, sp);
  return sp;
}
