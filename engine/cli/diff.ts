/**
 * `fsp diff <savepoint A> <savepoint B> [--entries] [--max-entries <n>] [--json]`
 *
 * Compares two savepoints (engine/savepoint/compare.ts): operators only in A / only in B, changed
 * parallelism / max parallelism / size, state declarations, and with --entries the entries of states
 * declared alike on both sides. Exit codes like diff(1): 0 identical, 1 different, 2 bad arguments or
 * a savepoint that cannot be read.
 */
import { SavepointFormatError } from '../savepoint/errors';
import { openSavepoint } from '../savepoint/index';
import { compareSavepoints, formatComparisonMarkdown } from '../savepoint/compare';

export interface DiffIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const DIFF_USAGE = 'fsp diff <savepoint A> <savepoint B> [--entries] [--max-entries <n>] [--json]';

export async function diffCommand(args: string[], io: DiffIo): Promise<number> {
  const positional: string[] = [];
  let withEntries = false;
  let json = false;
  let maxEntries: number | undefined;
  const bad = (msg: string) => {
    io.stderr(`fsp diff: ${msg} (usage: ${DIFF_USAGE})\n`);
    return 2;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a === '--entries') withEntries = true;
    else if (a === '--json') json = true;
    else if (a === '--max-entries' || a.startsWith('--max-entries=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined || !/^[1-9][0-9]*$/.test(v)) return bad('--max-entries needs a positive whole number');
      maxEntries = Number(v);
    } else if (a === '-h' || a === '--help') {
      io.stdout(`usage: ${DIFF_USAGE}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') return bad(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2) return bad(`needs exactly two savepoint paths (got ${positional.length})`);
  try {
    const [a, b] = [await openSavepoint(positional[0]), await openSavepoint(positional[1])];
    const diff = await compareSavepoints(a, b, { entries: withEntries, maxEntriesPerState: maxEntries });
    if (json) io.stdout(JSON.stringify(diff, null, 2) + '\n');
    else io.stdout(formatComparisonMarkdown(diff) + '\n');
    return diff.identical ? 0 : 1;
  } catch (e) {
    io.stderr(`fsp diff: ${e instanceof SavepointFormatError || e instanceof Error ? e.message : String(e)}\n`);
    // like diff(1): trouble is exit status 2
    return 2;
  }
}
