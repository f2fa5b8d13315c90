/**
 * Savepoint-aware uid checks, the part without VS Code: finding operator IDs and Flink's restore
 * errors in text, lens titles, the "Check Against Savepoint" report and the "Explain Operator ID"
 * text. Pure data in, strings out, so mocha tests run it without an extension host.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { crossCheck } from '../../language/crosscheck';
import type { UidSite } from '../../language/types';
import { operatorIdFromUid } from '../../engine/savepoint/murmur';
import { formatBytes } from '../../webview/protocol';

export { operatorIdFromUid };

/** A `.uid("…")` call in job code. Lines and characters are 0-based. */
export interface CodeUid {
  uid: string;
  file: string;
  line: number;
  character: number;
  /** operator method the uid is set on (process, map, sinkTo …) */
  method?: string;
  stateful?: string;
  /** from `.setUidHash("…")`: the operator ID Flink restores this operator's state under */
  operatorId?: string;
}

/** The operator ID a code uid restores under: its setUidHash if given, else the uid's hash. */
export function operatorIdOf(u: { uid: string; operatorId?: string }): string {
  return u.operatorId ?? operatorIdFromUid(u.uid);
}

export interface StateSummary { name: string; kind: string; backend?: string; size?: number }

/** One operator of a savepoint as the uid checks see it. */
export interface SavepointOp {
  id: string;
  /** uid stored in the metadata (Flink 2.x / metadata V5+) */
  uid?: string;
  name?: string;
  size: number;
  /** undefined while not listed, or when listing failed (see statesError) */
  states?: StateSummary[];
  statesError?: string;
}

export interface SavepointSummary {
  dir: string;
  /** metadata version (V4 = Flink 1.x without uids, V5+ carry uids) */
  version?: number;
  operators: SavepointOp[];
}

/** The part of engine/savepoint/index.ts the summary needs (injected: the extension loads it lazily). */
export interface SavepointReader<S> {
  openSavepoint(dir: string): Promise<S & { dir: string; version: number; operators: { id: string; uid?: string; name?: string; size: number }[] }>;
  listStates(sp: S, opId: string): Promise<StateSummary[]> | StateSummary[];
}

/** Opens a savepoint and lists every operator's states (an operator whose states cannot be listed keeps the error). */
export async function summarizeSavepoint<S>(reader: SavepointReader<S>, dir: string): Promise<SavepointSummary> {
  const sp = await reader.openSavepoint(dir);
  const operators: SavepointOp[] = [];
  for (const o of sp.operators) {
    const op: SavepointOp = { id: o.id.toLowerCase(), size: o.size };
    if (o.uid) op.uid = o.uid;
    if (o.name) op.name = o.name;
    try {
      op.states = (await reader.listStates(sp, o.id)).map((s) => ({ name: s.name, kind: s.kind, backend: s.backend, size: s.size }));
    } catch (e) {
      op.statesError = e instanceof Error ? e.message.split('\n')[0] : String(e);
    }
    operators.push(op);
  }
  return { dir: sp.dir, version: sp.version, operators };
}

// ---- operator IDs and restore errors in text -------------------------------------------------

export interface IdMatch {
  /** lowercase operator ID */
  id: string;
  /** offset of the ID in the searched text, and its length (always 32) */
  offset: number;
  length: number;
}

export interface RestoreError extends IdMatch {
  /** the whole message, from "Cannot map …" (or "There is no operator …") to its end */
  message: string;
  messageOffset: number;
  /** the savepoint path from "Failed to rollback to checkpoint/savepoint <path>", when present before the message */
  savepoint?: string;
}

const ID_RE = /(?<![0-9A-Za-z_-])[0-9a-fA-F]{32}(?![0-9A-Za-z_-])/g;

/** 32-hex-digit tokens (operator IDs, but also job IDs and the like: callers filter by what they know). */
export function findOperatorIds(text: string): IdMatch[] {
  const out: IdMatch[] = [];
  for (const m of text.matchAll(ID_RE)) out.push({ id: m[0].toLowerCase(), offset: m.index!, length: 32 });
  return out;
}

export function isOperatorId(s: string): boolean {
  return /^[0-9a-fA-F]{32}$/.test(s);
}

// Flink's messages when a savepoint holds state for an operator the new job graph does not have:
//   Flink ≥ 1.3: "Failed to rollback to checkpoint/savepoint <path>. Cannot map checkpoint/savepoint state for
//                 operator <id> to the new program, because the operator is not available in the new program. If
//                 you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI."
//   older:       "There is no operator for the state <id>"
const RESTORE_RE = /(Cannot map (?:checkpoint\/savepoint|savepoint|checkpoint) state for operator\s+([0-9a-fA-F]{32})\b[^\n]*|There is no operator for the state\s+([0-9a-fA-F]{32})\b[^\n]*)/g;
const ROLLBACK_RE = /Failed to rollback to (?:checkpoint\/savepoint|savepoint|checkpoint)\s+(\S+?)\.?(?=\s|$)/g;

export function findRestoreErrors(text: string): RestoreError[] {
  const out: RestoreError[] = [];
  const rollbacks = [...text.matchAll(ROLLBACK_RE)].map((m) => ({ at: m.index!, path: m[1] }));
  for (const m of text.matchAll(RESTORE_RE)) {
    const id = (m[2] ?? m[3]).toLowerCase();
    const messageOffset = m.index!;
    const offset = messageOffset + m[0].toLowerCase().indexOf(id);
    // the nearest "Failed to rollback …" before the message on the same line
    const lineStart = text.lastIndexOf('\n', messageOffset - 1) + 1;
    const rb = rollbacks.filter((r) => r.at >= lineStart && r.at < messageOffset).pop();
    const e: RestoreError = { id, offset, length: 32, message: m[0].trim(), messageOffset };
    if (rb) e.savepoint = rb.path;
    out.push(e);
  }
  return out;
}

/** What the user typed into "Explain Operator ID": an operator ID, or a uid (hashed to its ID). */
export function parseOperatorInput(input: string): { id: string; uid?: string } | { error: string } {
  const s = input.trim().replace(/^["'`]|["'`]$/g, '');
  if (!s) return { error: 'Enter an operator ID (32 hex digits) or a uid' };
  if (isOperatorId(s)) return { id: s.toLowerCase() };
  if (/^[0-9a-fA-F-]{32,40}$/.test(s) && s.replace(/-/g, '').length === 32) return { id: s.replace(/-/g, '').toLowerCase() };
  if (/^[0-9a-fA-F]+$/.test(s) && s.length > 16) return { error: `An operator ID has 32 hex digits (this has ${s.length})` };
  return { id: operatorIdFromUid(s), uid: s };
}

// ---- formatting --------------------------------------------------------------------------------

export function formatSize(n: number | bigint | undefined): string {
  return formatBytes(n, '');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 states, 1.3 MB", "no state", or "1.3 MB" when the states could not be listed. */
export function holdingText(op: SavepointOp): string {
  if (op.states === undefined) return op.size ? formatSize(op.size) : 'no state';
  if (!op.states.length) return op.size ? `no named state, ${formatSize(op.size)}` : 'no state';
  return `${plural(op.states.length, 'state')}, ${formatSize(op.size)}`;
}

/** The code lens above a `.uid("…")`: its operator ID and what the selected savepoint holds for it. */
export function lensTitle(id: string, op: SavepointOp | undefined, savepointLabel: string): string {
  if (!op) return `${id} · not in savepoint: new operator`;
  return `${id} · ${savepointLabel}: ${holdingText(op)}`;
}

export function lensTooltip(uid: string, id: string, op: SavepointOp | undefined, savepointDir: string): string {
  const lines = [`uid "${uid}" → operator ID ${id} (murmur3 of the uid)`, `savepoint: ${savepointDir}`];
  if (!op) {
    lines.push('The savepoint has no state for this operator: it starts empty (a new or stateless operator).', 'Click to copy the operator ID.');
  } else {
    if (op.states?.length) lines.push(...op.states.map((s) => `  ${s.name} (${s.kind}${s.size !== undefined ? `, ${formatSize(s.size)}` : ''})`));
    lines.push('Click to reveal the operator in the Savepoints view (and copy its ID).');
  }
  return lines.join('\n');
}

export function savepointLabel(dir: string): string {
  const base = path.basename(dir);
  // corpus layout <case>/savepoint, and chk-N folders: the parent says more
  return base === 'savepoint' || /^chk-\d+$/.test(base) ? `${path.basename(path.dirname(dir))}/${base}` : base;
}

/** `flinkSavepoints.lint.savepoint`: absolute, `~/…` or relative to the workspace folder; a folder or its `_metadata`. */
export function resolveSavepointSetting(value: string | undefined, base: string | undefined, home = process.env.HOME ?? ''): string | undefined {
  let p = (value ?? '').trim();
  if (!p) return undefined;
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = path.join(home, p.slice(1));
  if (!path.isAbsolute(p) && base) p = path.join(base, p);
  p = path.normalize(p);
  if (path.basename(p) === '_metadata') p = path.dirname(p);
  return p;
}

// ---- Markdown helpers --------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`);
}
function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}
/** a link to a place in a file (1-based line in the text, `#L` fragment for the target) */
export function locationLink(u: CodeUid, root?: string): string {
  const rel = root && u.file.startsWith(root) ? path.relative(root, u.file) : u.file;
  const uri = `${pathToFileURL(u.file).href}#L${u.line + 1}`;
  return `[${esc(rel.split(path.sep).join('/'))}:${u.line + 1}](${uri})`;
}

function statesCell(op: SavepointOp): string {
  if (op.statesError) return `(${esc(op.statesError)})`;
  if (!op.states) return '';
  if (!op.states.length) return 'none';
  return op.states.map((s) => `${code(s.name)} ${s.kind}`).join(', ');
}

// ---- Check Against Savepoint -------------------------------------------------------------------

export interface CheckResult {
  savepoint: SavepointSummary;
  /** savepoint operators a uid in code maps to */
  matched: { op: SavepointOp; uid: string; sites: CodeUid[] }[];
  /** uids in code with no operator in the savepoint (they start without state) */
  newInCode: { uid: string; id: string; sites: CodeUid[] }[];
  /** savepoint operators no uid in code maps to: what `--allowNonRestoredState` drops */
  dropped: SavepointOp[];
  /** the dropped operators that hold state */
  droppedWithState: SavepointOp[];
}

function hasState(op: SavepointOp): boolean {
  return op.states ? op.states.length > 0 || op.size > 0 : op.size > 0;
}

/** Cross-checks the workspace's uids against a savepoint (language/crosscheck.ts does the matching). */
export function checkAgainstSavepoint(uids: CodeUid[], sp: SavepointSummary): CheckResult {
  const sites: UidSite[] = uids.map((u, i) => ({
    uid: u.uid, operator: i, method: u.method ?? 'uid', file: u.file, operatorId: u.operatorId,
    range: { start: { line: u.line, character: u.character }, end: { line: u.line, character: u.character } },
  }));
  const r = crossCheck(sites, sp.operators.map((o) => ({ id: o.id, uid: o.uid, name: o.name, ref: o })), operatorIdFromUid);
  const byIndex = (s: UidSite) => uids[s.operator];
  const matched = new Map<string, CheckResult['matched'][number]>();
  for (const m of r.matched) {
    const op = (m.operator as unknown as { ref: SavepointOp }).ref;
    const e = matched.get(op.id) ?? { op, uid: m.site.uid, sites: [] };
    e.sites.push(byIndex(m.site));
    matched.set(op.id, e);
  }
  const fresh = new Map<string, CheckResult['newInCode'][number]>();
  for (const s of r.newInCode) {
    const e = fresh.get(s.uid) ?? { uid: s.uid, id: operatorIdOf(s), sites: [] };
    e.sites.push(byIndex(s));
    fresh.set(s.uid, e);
  }
  const dropped = r.unmatchedInSavepoint.map((o) => (o as unknown as { ref: SavepointOp }).ref);
  return {
    savepoint: sp,
    matched: [...matched.values()].sort((a, b) => a.uid.localeCompare(b.uid)),
    newInCode: [...fresh.values()].sort((a, b) => a.uid.localeCompare(b.uid)),
    dropped,
    droppedWithState: dropped.filter(hasState),
  };
}

export function renderCheckReport(r: CheckResult, opts: { root?: string; files?: number } = {}): string {
  const sp = r.savepoint;
  const out: string[] = [];
  out.push(`# Check against savepoint ${esc(savepointLabel(sp.dir))}`, '');
  out.push(`Savepoint: ${code(sp.dir)}${sp.version !== undefined ? ` (metadata V${sp.version})` : ''} · ${plural(sp.operators.length, 'operator')}`);
  out.push(`Workspace code: ${plural(r.matched.length + r.newInCode.length, 'uid')}${opts.files !== undefined ? ` in ${plural(opts.files, 'job file')}` : ''}`, '');
  const verdict = r.droppedWithState.length
    ? `**${plural(r.droppedWithState.length, 'operator')} with state would be dropped** by \`--allowNonRestoredState\`; without that option the restore fails.`
    : r.dropped.length
      ? `No state is lost: the ${plural(r.dropped.length, 'unmatched operator')} hold no state (\`--allowNonRestoredState\` is still needed to restore).`
      : 'Every operator of the savepoint is matched by a uid in the workspace code: the restore maps all state.';
  out.push(verdict, '');

  out.push(`## Dropped by --allowNonRestoredState (${r.dropped.length})`, '');
  if (!r.dropped.length) out.push('None.', '');
  else {
    out.push('No `.uid(…)` in the workspace code hashes to these operator IDs.', '');
    out.push('| Operator ID | uid (savepoint) | name | states | size |', '|---|---|---|---|---|');
    for (const o of r.dropped) {
      out.push(`| ${code(o.id)} | ${o.uid ? code(o.uid) : 'unknown'} | ${o.name ? esc(o.name) : ''} | ${statesCell(o)} | ${formatSize(o.size)} |`);
    }
    out.push('');
  }

  out.push(`## Matched (${r.matched.length})`, '');
  if (!r.matched.length) out.push('None.', '');
  else {
    out.push('| uid | Operator ID | code | states | size |', '|---|---|---|---|---|');
    for (const m of r.matched) {
      out.push(`| ${code(m.uid)} | ${code(m.op.id)} | ${m.sites.map((s) => locationLink(s, opts.root)).join(', ')} | ${statesCell(m.op)} | ${formatSize(m.op.size)} |`);
    }
    out.push('');
  }

  out.push(`## New in code (${r.newInCode.length})`, '');
  if (!r.newInCode.length) out.push('None.', '');
  else {
    out.push('These operators have no state in the savepoint and start empty.', '');
    out.push('| uid | Operator ID | code |', '|---|---|---|');
    for (const n of r.newInCode) out.push(`| ${code(n.uid)} | ${code(n.id)} | ${n.sites.map((s) => locationLink(s, opts.root)).join(', ')} |`);
    out.push('');
  }
  if (r.dropped.some((o) => !o.uid)) {
    out.push('---', '', '_Operators without `.uid(…)` get an ID hashed from the job graph; the code cannot be matched to those, so they are listed as dropped even if an unchanged job graph would still map them._', '');
  }
  return out.join('\n');
}

// ---- Explain Operator ID -----------------------------------------------------------------------

export interface Explanation {
  id: string;
  /** the uid the user typed, when the input was a uid */
  typedUid?: string;
  /** `.uid(…)` calls in workspace code whose uid hashes to the ID */
  code: CodeUid[];
  /** savepoints holding the operator */
  savepoints: { dir: string; op: SavepointOp; selected: boolean }[];
  /** savepoints that were searched */
  searched: number;
}

/** uids the explanation found (code first, then metadata), deduplicated. */
export function explanationUids(e: Explanation): string[] {
  const set = new Set<string>();
  if (e.typedUid) set.add(e.typedUid);
  for (const c of e.code) set.add(c.uid);
  for (const s of e.savepoints) if (s.op.uid) set.add(s.op.uid);
  return [...set];
}

export function renderExplanation(e: Explanation, opts: { root?: string; restoreError?: string; commandLinks?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`# Operator ${e.id}`, '');
  if (opts.restoreError) {
    out.push('> Flink could not map this savepoint state to the new job: no operator of the new job graph has this ID.',
      '> Give the operator its old uid again, or restore with `--allowNonRestoredState` (which drops this state).', '');
  }
  const uids = explanationUids(e);
  out.push(`**uid:** ${uids.length ? uids.map(code).join(', ') : 'unknown (no uid in the workspace code or savepoint metadata hashes to this ID)'}`, '');

  out.push('## In code', '');
  if (!e.code.length) out.push('No `.uid(…)` in the workspace code hashes to this operator ID.', '');
  else for (const c of e.code) out.push(`- ${code(c.uid)}${c.method ? ` on \`.${c.method}(…)\`` : ''} — ${locationLink(c, opts.root)}`);
  if (e.code.length) out.push('');

  out.push('## In savepoints', '');
  if (!e.savepoints.length) out.push(`Not in ${e.searched === 1 ? 'the savepoint' : `any of ${plural(e.searched, 'savepoint')}`} searched.`, '');
  for (const s of e.savepoints) {
    const op = s.op;
    out.push(`### ${esc(savepointLabel(s.dir))}${s.selected ? ' (selected)' : ''}`, '');
    out.push(`- path: ${code(s.dir)}`);
    if (op.uid) out.push(`- uid in metadata: ${code(op.uid)}`);
    if (op.name) out.push(`- name: ${esc(op.name)}`);
    out.push(`- holds: ${holdingText(op)}`);
    if (op.statesError) out.push(`- states: (${esc(op.statesError)})`);
    for (const st of op.states ?? []) out.push(`  - ${code(st.name)} ${st.kind}${st.backend ? ` (${st.backend})` : ''}${st.size !== undefined ? `, ${formatSize(st.size)}` : ''}`);
    out.push('');
  }
  return out.join('\n');
}

/** Short one-line summary (notifications, terminal link tooltips). */
export function explanationSummary(e: Explanation): string {
  const uids = explanationUids(e);
  const parts = [`operator ${e.id}`];
  parts.push(uids.length ? `uid ${uids.map((u) => `"${u}"`).join(', ')}` : 'uid unknown');
  if (e.code.length) parts.push(`${path.basename(e.code[0].file)}:${e.code[0].line + 1}`);
  const sp = e.savepoints.find((s) => s.selected) ?? e.savepoints[0];
  if (sp) parts.push(`${savepointLabel(sp.dir)}: ${holdingText(sp.op)}`);
  else parts.push('in no savepoint');
  return parts.join(' · ');
}
