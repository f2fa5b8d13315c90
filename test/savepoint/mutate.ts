/**
 * Seeded mutations of savepoint files for the fuzz tests: bit flips, random bytes, oversized
 * lengths, truncation, insertion and deletion; seeds are savepoints copied to a temp folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './build';

export function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = Uint8Array.from(src);
  const n = 1 + (rnd() % 3);
  for (let k = 0; k < n; k++) {
    if (b.length === 0) break;
    const at = rnd() % b.length;
    switch (rnd() % 7) {
      case 0:
        b[at] ^= 1 << (rnd() % 8);
        break;
      case 1:
        b[at] = rnd() & 0xff;
        break;
      case 2: {
        const v = [0x7fffffff, 0xffffffff, 0x80000000, 0x0000ffff, rnd()][rnd() % 5];
        for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = (v >>> (24 - 8 * i)) & 0xff;
        break;
      }
      case 3:
        b = b.subarray(0, at);
        break;
      case 4: {
        const len = 1 + (rnd() % 16);
        const ins = new Uint8Array(len).map(() => rnd() & 0xff);
        const out = new Uint8Array(b.length + len);
        out.set(b.subarray(0, at));
        out.set(ins, at);
        out.set(b.subarray(at), at + len);
        b = out;
        break;
      }
      case 5: {
        const len = 1 + (rnd() % 16);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + len))]);
        break;
      }
      default:
        b[at] = [0x00, 0x80, 0xff, 0x7f][rnd() % 4];
    }
  }
  return b;
}

export interface Seed {
  dir: string;
  files: { path: string; bytes: Uint8Array }[];
}

export function copySeed(from: string): Seed {
  const dir = tempDir('fsp-fuzz-');
  const files: Seed['files'] = [];
  for (const f of fs.readdirSync(from)) {
    const p = path.join(from, f);
    if (!fs.statSync(p).isFile()) continue;
    const bytes = fs.readFileSync(p);
    fs.writeFileSync(path.join(dir, f), bytes);
    files.push({ path: path.join(dir, f), bytes: new Uint8Array(bytes) });
  }
  // metadata first so that it is mutated most often
  files.sort((a, b) => (path.basename(a.path) === '_metadata' ? -1 : path.basename(b.path) === '_metadata' ? 1 : 0));
  return { dir, files };
}
