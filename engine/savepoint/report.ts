/**
 * Markdown for people: the pieces the comparison report (compare.ts) and the verification report
 * share, and the verification report itself (the extension's "Verify Savepoint").
 */
import type { Savepoint, VerifyReport } from './index';

/**
 * A size in bytes in binary units: `iec` writes KiB, MiB… with one decimal (the CLI's tables),
 * otherwise KB, MB… with one decimal below 10 (the Markdown reports).
 */
export function sizeText(n: number, iec = false): string {
  if (n < 1024) return `${n} B`;
  const units = iec ? ['KiB', 'MiB', 'GiB', 'TiB'] : ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${iec || v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A size for the Markdown reports. */
export function mdBytes(n: number): string {
  return sizeText(n);
}

/** Inline code that is safe in a table cell (text longer than `max` shortened). */
export function mdCode(s: string | undefined, max = 200): string {
  if (s === undefined) return '—';
  const t = s.length > max ? s.slice(0, max) + '…' : s;
  const fence = t.includes('`') ? '``' : '`';
  return `${fence}${t.replace(/\|/g, '\\|').replace(/\n/g, ' ')}${fence}`;
}

/** An operator as ID · uid · “name”. */
export function mdOperator(o: { id: string; uid?: string; name?: string }): string {
  const bits = [`\`${o.id}\``];
  if (o.uid) bits.push(`uid \`${o.uid}\``);
  if (o.name) bits.push(`“${o.name.replace(/\|/g, '\\|')}”`);
  return bits.join(' · ');
}

const count = (n: number) => n.toLocaleString('en-US');

/** What the file check of a handle that is not decoded found, e.g. "its 16 files are present with their sizes". */
export function filesCheckText(f: { checked: number; bad: number; remote: number } | undefined): string {
  if (!f) return '';
  const parts: string[] = [];
  if (f.bad) parts.push(`${f.bad} of its ${f.checked} file${f.checked === 1 ? '' : 's'} missing or damaged`);
  else if (f.checked) parts.push(`its ${f.checked} file${f.checked === 1 ? ' is' : 's are'} present with ${f.checked === 1 ? 'its size' : 'their sizes'}`);
  if (f.remote) parts.push(`${f.remote} file${f.remote === 1 ? '' : 's'} on another file system not checked`);
  return parts.join('; ');
}

/** The report of `verify()` as Markdown: verdict, bad handles, what was not decoded, then states per operator. */
export function formatVerifyMarkdown(sp: Savepoint, r: VerifyReport): string {
  const L: string[] = ['# Savepoint verification', ''];
  L.push(`${mdCode(sp.metadataPath)} · metadata version ${sp.version} · checkpoint ${sp.checkpointId}${sp.snapshotType ? ` · ${sp.snapshotType}` : ''}${sp.format ? ` (${sp.format})` : ''}`, '');
  const states = r.states.length;
  const summary = `${count(r.entries)} entries of ${states} state${states === 1 ? '' : 's'} decoded (${mdBytes(r.storedBytes)} of keyed state)`;
  if (r.errors.length) L.push(`**Failed**: ${r.errors.length} bad handle${r.errors.length === 1 ? '' : 's'}; ${summary}. A restore from this savepoint would fail on them.`, '');
  else if (r.notVerified.length) L.push(`**No errors found**, but ${r.notVerified.length} handle${r.notVerified.length === 1 ? ' was' : 's were'} not decoded (see below); ${summary}.`, '');
  else L.push(`**OK**: ${summary}. Every file is present and every entry decodes with its serializer.`, '');
  if (r.errors.length) {
    L.push('## Bad handles', '', '| operator | subtask | slot | error |', '|---|---|---|---|');
    // whole: the file, offset and expectation are what to act on
    for (const e of r.errors) L.push(`| \`${e.operator}\` | ${e.subtask} | ${e.slot} | ${mdCode(e.message, Infinity)} |`);
    L.push('');
  }
  if (r.notVerified.length) {
    L.push('## Not decoded by this reader', '', '| operator | subtask | slot | handle | reason |', '|---|---|---|---|---|');
    for (const e of r.notVerified) L.push(`| \`${e.operator}\` | ${e.subtask} | ${e.slot} | ${e.handle} | ${e.reason}${e.files ? `; ${filesCheckText(e.files)}` : ''} |`);
    L.push('');
  }
  L.push('## States', '');
  for (const o of sp.operators) {
    const own = r.states.filter((s) => s.operator === o.id);
    if (!own.length) continue;
    L.push(`### ${mdOperator(o)}`, '', '| state | kind | entries | bytes | key groups | fullest key group |', '|---|---|---|---|---|---|');
    for (const s of own) {
      const kg = s.largestKeyGroup;
      L.push(
        `| \`${s.state}\` | ${s.kind} | ${count(s.entries)} | ${s.bytes !== undefined ? mdBytes(s.bytes) : '—'} | ${s.keyGroups !== undefined ? count(s.keyGroups) : '—'} | ${kg ? `${kg.keyGroup}: ${count(kg.entries)} ${kg.entries === 1 ? 'entry' : 'entries'}, ${mdBytes(kg.bytes)}` : '—'} |`,
      );
    }
    L.push('');
  }
  return L.join('\n');
}
