/**
 * Compares two savepoints (no vscode import): operators matched by operator ID, their parallelism,
 * max parallelism and size, the declared states of each matched operator (kind and serializer types),
 * and, on request, the entries of every state both sides declare with the same types.
 *
 *   compareSavepoints(a, b, {entries?, maxEntriesPerState?, uids?, isCancelled?}) → SavepointComparison
 *   formatComparisonMarkdown(diff)                                                → Markdown for people
 *
 * Entries are matched by their identity: keyed entries by the rendered key, namespace, user key (and
 * timer timestamp); operator-state elements by the user key (broadcast state) or subtask and index
 * (list state). Values are compared as rendered JSON text (dump format, docs/dump-format.md).
 */
import { entries, Entry, findOperator, listStates, OperatorInfo, Savepoint, StateInfo } from './index';
import { mdBytes as bytes, mdCode as code, mdOperator as opLabel } from './report';

export interface CompareOptions {
  /** also compare the entries of states both savepoints declare with the same types */
  entries?: boolean;
  /** at most this many entries per state and side are held for the comparison (default 100,000) */
  maxEntriesPerState?: number;
  /** examples kept per state and kind of change (default 5) */
  maxExamples?: number;
  /** uids by operator ID (lower case) known from elsewhere (workspace code), for naming V4 operators */
  uids?: Map<string, string>;
  /** polled between states and every 1024 entries; when it returns true the comparison throws ComparisonCancelled */
  isCancelled?: () => boolean;
}

export class ComparisonCancelled extends Error {
  override name = 'ComparisonCancelled';
  constructor() {
    super('the comparison was cancelled');
  }
}

export interface SavepointSummary {
  path: string;
  version: number;
  checkpointId: string;
  format?: string;
  snapshotType?: string;
  operators: number;
  totalSize: number;
}

export interface OperatorRef {
  id: string;
  uid?: string;
  name?: string;
  parallelism: number;
  maxParallelism: number;
  size: number;
}

export interface FieldChange<T> {
  field: string;
  a: T;
  b: T;
}

export interface StateDeclChange {
  name: string;
  changes: FieldChange<string | undefined>[];
  /** a change of a type (key/namespace/user key/value) or kind: a restore fails with a state migration error */
  breaksRestore: boolean;
}

export interface EntryExample {
  key: string;
  a?: string;
  b?: string;
}

export interface StateEntryDiff {
  name: string;
  /** false when at least one side holds more entries than maxEntriesPerState, or could not be read */
  compared: boolean;
  reason?: string;
  countA: number;
  countB: number;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  addedExamples: EntryExample[];
  removedExamples: EntryExample[];
  changedExamples: EntryExample[];
}

export interface OperatorDiff {
  id: string;
  uid?: string;
  name?: string;
  /** parallelism, maxParallelism, size (bytes) */
  changes: FieldChange<number>[];
  statesOnlyInA: StateInfo[];
  statesOnlyInB: StateInfo[];
  changedStates: StateDeclChange[];
  /** states declared on both sides with identical declarations */
  sameStates: string[];
  /** per state, when entries were compared (states with equal declarations only) */
  entries?: StateEntryDiff[];
  /** why the states of one side could not be listed */
  errors?: string[];
}

export interface SavepointComparison {
  a: SavepointSummary;
  b: SavepointSummary;
  onlyInA: OperatorRef[];
  onlyInB: OperatorRef[];
  /** every operator present on both sides, in operator-ID order */
  matched: OperatorDiff[];
  entriesCompared: boolean;
  /** true when nothing that the comparison looked at differs */
  identical: boolean;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_EXAMPLES = 5;

function summary(sp: Savepoint): SavepointSummary {
  const s: SavepointSummary = {
    path: sp.dir,
    version: sp.version,
    checkpointId: String(sp.checkpointId),
    operators: sp.operators.length,
    totalSize: sp.totalSize,
  };
  if (sp.format) s.format = sp.format;
  if (sp.snapshotType) s.snapshotType = sp.snapshotType;
  return s;
}

function ref(o: OperatorInfo, uids?: Map<string, string>): OperatorRef {
  const r: OperatorRef = { id: o.id, parallelism: o.parallelism, maxParallelism: o.maxParallelism, size: o.size };
  const uid = o.uid ?? uids?.get(o.id.toLowerCase());
  if (uid) r.uid = uid;
  if (o.name) r.name = o.name;
  return r;
}

const DECL_FIELDS: [keyof StateInfo, string][] = [
  ['backend', 'backend'],
  ['kind', 'kind'],
  ['keyType', 'key type'],
  ['namespaceType', 'namespace type'],
  ['userKeyType', 'user key type'],
  ['valueType', 'value type'],
];

function declChanges(a: StateInfo, b: StateInfo): FieldChange<string | undefined>[] {
  const out: FieldChange<string | undefined>[] = [];
  for (const [k, field] of DECL_FIELDS) {
    const va = a[k] as string | undefined;
    const vb = b[k] as string | undefined;
    if (va !== vb) out.push({ field, a: va, b: vb });
  }
  return out;
}

/**
 * Why the keyed state of an operator cannot be listed/read state by state (NATIVE savepoints hold
 * backend-specific files, incremental/changelog handles), or undefined.
 */
function keyedUnreadable(sp: Savepoint, opId: string): string | undefined {
  const op = findOperator(sp, opId);
  const keyed = op?.subtasks.filter((s) => s.managedKeyed) ?? [];
  if (!keyed.length) return undefined;
  if (sp.format?.toUpperCase() === 'NATIVE') return 'the savepoint is in NATIVE format (backend-specific keyed state)';
  const other = keyed.find((s) => s.managedKeyed!.type !== 7 && s.managedKeyed!.type !== 3 && s.managedKeyed!.type !== 12);
  return other ? `subtask ${other.index} holds keyed handle type ${other.managedKeyed!.type} (not canonical)` : undefined;
}

const isKeyed = (s: StateInfo) => s.backend !== 'OPERATOR' && s.backend !== 'BROADCAST';

/** The identity of an entry within its state (rendered JSON parts joined into one JSON array). */
export function entryIdentity(e: Entry): string {
  if (e.type === 'element') {
    if (e.userKey !== undefined) return `[${e.userKey}]`;
    return `[${e.subtask},${e.index ?? 0}]`;
  }
  const parts = [e.key ?? 'null'];
  if (e.namespace !== undefined || e.userKey !== undefined || e.timestamp !== undefined) parts.push(e.namespace ?? 'null');
  if (e.userKey !== undefined || e.timestamp !== undefined) parts.push(e.userKey ?? 'null');
  if (e.timestamp !== undefined) parts.push(e.timestamp);
  return `[${parts.join(',')}]`;
}

/** The compared payload of an entry: its rendered value (timers: none). */
function entryValue(e: Entry): string {
  return e.value ?? '';
}

async function readState(sp: Savepoint, opId: string, state: string, max: number, isCancelled?: () => boolean): Promise<{ map: Map<string, string>; count: number; tooLarge: boolean }> {
  const map = new Map<string, string>();
  let count = 0;
  for await (const e of entries(sp, opId, { state })) {
    if (e.state !== state) continue;
    count++;
    if (count > max) return { map, count, tooLarge: true };
    if ((count & 1023) === 0 && isCancelled?.()) throw new ComparisonCancelled();
    map.set(entryIdentity(e), entryValue(e));
  }
  return { map, count, tooLarge: false };
}

async function compareStateEntries(a: Savepoint, b: Savepoint, opId: string, state: string, max: number, maxEx: number, isCancelled?: () => boolean): Promise<StateEntryDiff> {
  const d: StateEntryDiff = {
    name: state, compared: true, countA: 0, countB: 0, added: 0, removed: 0, changed: 0, unchanged: 0,
    addedExamples: [], removedExamples: [], changedExamples: [],
  };
  let ra, rb;
  try {
    ra = await readState(a, opId, state, max, isCancelled);
    rb = await readState(b, opId, state, max, isCancelled);
  } catch (e) {
    if (e instanceof ComparisonCancelled) throw e;
    d.compared = false;
    d.reason = `not compared: ${e instanceof Error ? e.message : String(e)}`;
    return d;
  }
  d.countA = ra.count;
  d.countB = rb.count;
  if (ra.tooLarge || rb.tooLarge) {
    d.compared = false;
    d.reason = `not compared: too large (more than ${max} entries)`;
    return d;
  }
  for (const [k, va] of ra.map) {
    if (!rb.map.has(k)) {
      d.removed++;
      if (d.removedExamples.length < maxEx) d.removedExamples.push({ key: k, a: va });
    } else {
      const vb = rb.map.get(k)!;
      if (vb === va) d.unchanged++;
      else {
        d.changed++;
        if (d.changedExamples.length < maxEx) d.changedExamples.push({ key: k, a: va, b: vb });
      }
    }
  }
  for (const [k, vb] of rb.map) {
    if (ra.map.has(k)) continue;
    d.added++;
    if (d.addedExamples.length < maxEx) d.addedExamples.push({ key: k, b: vb });
  }
  return d;
}

export async function compareSavepoints(a: Savepoint, b: Savepoint, opts: CompareOptions = {}): Promise<SavepointComparison> {
  const max = opts.maxEntriesPerState ?? DEFAULT_MAX_ENTRIES;
  const maxEx = opts.maxExamples ?? DEFAULT_EXAMPLES;
  const cancelled = () => {
    if (opts.isCancelled?.()) throw new ComparisonCancelled();
  };
  const byIdB = new Map(b.operators.map((o) => [o.id, o]));
  const idsA = new Set(a.operators.map((o) => o.id));
  const out: SavepointComparison = {
    a: summary(a), b: summary(b),
    onlyInA: a.operators.filter((o) => !byIdB.has(o.id)).map((o) => ref(o, opts.uids)),
    onlyInB: b.operators.filter((o) => !idsA.has(o.id)).map((o) => ref(o, opts.uids)),
    matched: [],
    entriesCompared: !!opts.entries,
    identical: false,
  };
  for (const oa of a.operators) {
    const ob = byIdB.get(oa.id);
    if (!ob) continue;
    cancelled();
    const r = ref(oa, opts.uids);
    const od: OperatorDiff = { id: oa.id, changes: [], statesOnlyInA: [], statesOnlyInB: [], changedStates: [], sameStates: [] };
    const uid = r.uid ?? ob.uid ?? opts.uids?.get(oa.id);
    if (uid) od.uid = uid;
    const name = oa.name ?? ob.name;
    if (name) od.name = name;
    if (oa.parallelism !== ob.parallelism) od.changes.push({ field: 'parallelism', a: oa.parallelism, b: ob.parallelism });
    if (oa.maxParallelism !== ob.maxParallelism) od.changes.push({ field: 'max parallelism', a: oa.maxParallelism, b: ob.maxParallelism });
    if (oa.size !== ob.size) od.changes.push({ field: 'size', a: oa.size, b: ob.size });

    const errors: string[] = [];
    const list = async (sp: Savepoint, side: string): Promise<StateInfo[] | undefined> => {
      try {
        return await listStates(sp, oa.id);
      } catch (e) {
        errors.push(`${side}: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    };
    let sa = await list(a, 'A');
    let sb = await list(b, 'B');
    const ua = keyedUnreadable(a, oa.id);
    const ub = keyedUnreadable(b, oa.id);
    if (ua || ub) {
      // keyed states of one side are not known: compare operator states only
      if (ua) errors.push(`A: keyed state not compared: ${ua}`);
      if (ub) errors.push(`B: keyed state not compared: ${ub}`);
      sa = sa?.filter((s) => !isKeyed(s));
      sb = sb?.filter((s) => !isKeyed(s));
    }
    if (errors.length) od.errors = errors;
    if (sa && sb) {
      const mb = new Map(sb.map((s) => [s.name, s]));
      const na = new Set(sa.map((s) => s.name));
      od.statesOnlyInA = sa.filter((s) => !mb.has(s.name));
      od.statesOnlyInB = sb.filter((s) => !na.has(s.name));
      for (const s of sa) {
        const t = mb.get(s.name);
        if (!t) continue;
        const changes = declChanges(s, t);
        if (changes.length) od.changedStates.push({ name: s.name, changes, breaksRestore: changes.some((c) => c.field !== 'backend') });
        else od.sameStates.push(s.name);
      }
      if (opts.entries) {
        od.entries = [];
        for (const name of od.sameStates) {
          cancelled();
          od.entries.push(await compareStateEntries(a, b, oa.id, name, max, maxEx, opts.isCancelled));
        }
      }
    }
    out.matched.push(od);
  }
  out.identical = !out.onlyInA.length && !out.onlyInB.length && out.matched.every((o) =>
    !o.changes.length && !o.statesOnlyInA.length && !o.statesOnlyInB.length && !o.changedStates.length && !o.errors?.length &&
    (o.entries ?? []).every((e) => e.compared && !e.added && !e.removed && !e.changed));
  return out;
}

/** Whether an operator of the comparison shows any difference. */
export function operatorDiffers(o: OperatorDiff): boolean {
  return !!(o.changes.length || o.statesOnlyInA.length || o.statesOnlyInB.length || o.changedStates.length || o.errors?.length ||
    (o.entries ?? []).some((e) => !e.compared || e.added || e.removed || e.changed));
}

// ---------------------------------------------------------------------------------------------
// Markdown

function stateDecl(s: StateInfo): string {
  const types = [s.keyType && `key ${s.keyType}`, s.namespaceType && s.namespaceType !== 'VoidNamespace' && `namespace ${s.namespaceType}`,
    s.userKeyType && `user key ${s.userKeyType}`, s.valueType && `value ${s.valueType}`].filter(Boolean).join(', ');
  return `\`${s.name}\` (${s.backend} ${s.kind}${types ? `; ${types}` : ''})`;
}

export function formatComparisonMarkdown(d: SavepointComparison): string {
  const L: string[] = [];
  L.push('# Savepoint comparison', '');
  L.push('| | A | B |', '|---|---|---|');
  L.push(`| path | ${code(d.a.path)} | ${code(d.b.path)} |`);
  L.push(`| metadata version | ${d.a.version} | ${d.b.version} |`);
  L.push(`| checkpoint id | ${d.a.checkpointId} | ${d.b.checkpointId} |`);
  L.push(`| format | ${d.a.format ?? '—'} | ${d.b.format ?? '—'} |`);
  L.push(`| type | ${d.a.snapshotType ?? '—'} | ${d.b.snapshotType ?? '—'} |`);
  L.push(`| operators | ${d.a.operators} | ${d.b.operators} |`);
  L.push(`| total size | ${bytes(d.a.totalSize)} | ${bytes(d.b.totalSize)} |`, '');

  const differing = d.matched.filter(operatorDiffers);
  L.push('## Summary', '');
  if (d.identical) {
    L.push(`**Identical**: the same operators and state declarations${d.entriesCompared ? ' and the same entries' : ''}${d.entriesCompared ? '' : ' (entries not compared; use --entries)'}.`, '');
  } else {
    L.push(`- operators only in A: ${d.onlyInA.length}`);
    L.push(`- operators only in B: ${d.onlyInB.length}`);
    L.push(`- operators in both: ${d.matched.length} (${differing.length} with differences)`);
    const breaking = d.matched.flatMap((o) => o.changedStates.filter((s) => s.breaksRestore));
    if (breaking.length) L.push(`- **${breaking.length} state declaration change(s)**: restoring B's job from A (or the other way round) fails with a state migration error unless the serializers are compatible`);
    if (!d.entriesCompared) L.push('- entries not compared (use --entries)');
    L.push('');
  }

  L.push('## Operators only in A', '');
  if (!d.onlyInA.length) L.push('None.', '');
  else {
    L.push('Restoring a job without these operators from A needs `--allowNonRestoredState` (their state is dropped).', '');
    for (const o of d.onlyInA) L.push(`- ${opLabel(o)} · p=${o.parallelism} max=${o.maxParallelism} · ${bytes(o.size)}`);
    L.push('');
  }
  L.push('## Operators only in B', '');
  if (!d.onlyInB.length) L.push('None.', '');
  else {
    for (const o of d.onlyInB) L.push(`- ${opLabel(o)} · p=${o.parallelism} max=${o.maxParallelism} · ${bytes(o.size)}`);
    L.push('');
  }

  L.push('## Operators in both', '');
  if (!d.matched.length) L.push('None.', '');
  for (const o of d.matched) {
    const differs = operatorDiffers(o);
    L.push(`### ${o.uid ?? o.name ?? o.id}${differs ? '' : ' — no differences'}`, '');
    L.push(opLabel(o), '');
    if (o.changes.length) {
      L.push('| | A | B |', '|---|---|---|');
      for (const c of o.changes) {
        const fmt = (v: number) => (c.field === 'size' ? bytes(v) : String(v));
        L.push(`| ${c.field} changed | ${fmt(c.a)} | ${fmt(c.b)} |`);
      }
      if (o.changes.some((c) => c.field === 'max parallelism')) L.push('', '**The max parallelism differs**: Flink cannot restore keyed state with a different max parallelism (key groups do not match).');
      L.push('');
    }
    for (const e of o.errors ?? []) L.push(`- ⚠ ${/^[AB]: keyed state not compared/.test(e) ? e : `cannot list states of ${e}`}`);
    for (const s of o.statesOnlyInA) L.push(`- state only in A: ${stateDecl(s)}`);
    for (const s of o.statesOnlyInB) L.push(`- state only in B: ${stateDecl(s)}`);
    for (const s of o.changedStates) {
      L.push(`- state \`${s.name}\` declaration changed${s.breaksRestore ? ' — **a restore fails with a state migration error** (StateMigrationException) unless the new serializer can read the old state' : ''}:`);
      for (const c of s.changes) L.push(`  - ${c.field}: ${code(c.a)} → ${code(c.b)}`);
    }
    if (o.errors?.length || o.statesOnlyInA.length || o.statesOnlyInB.length || o.changedStates.length) L.push('');
    if (o.entries?.length) {
      L.push('| state | entries A | entries B | added | removed | changed |', '|---|---:|---:|---:|---:|---:|');
      for (const e of o.entries) {
        if (!e.compared) L.push(`| \`${e.name}\` | ${e.countA || '—'} | ${e.countB || '—'} | ${e.reason ?? 'not compared'} | | |`);
        else L.push(`| \`${e.name}\` | ${e.countA} | ${e.countB} | ${e.added} | ${e.removed} | ${e.changed} |`);
      }
      L.push('');
      for (const e of o.entries) {
        if (!e.addedExamples.length && !e.removedExamples.length && !e.changedExamples.length) continue;
        L.push(`#### \`${e.name}\`: examples`, '');
        L.push('| | key | A | B |', '|---|---|---|---|');
        for (const x of e.addedExamples) L.push(`| added | ${code(x.key)} | — | ${code(x.b)} |`);
        for (const x of e.removedExamples) L.push(`| removed | ${code(x.key)} | ${code(x.a)} | — |`);
        for (const x of e.changedExamples) L.push(`| changed | ${code(x.key)} | ${code(x.a)} | ${code(x.b)} |`);
        L.push('');
      }
    } else if (o.sameStates.length && !differs) {
      L.push(`States: ${o.sameStates.map((s) => `\`${s}\``).join(', ')}`, '');
    }
  }
  return L.join('\n');
}
