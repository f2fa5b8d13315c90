/**
 * The one message protocol between the custom editors (extension side) and their webviews.
 *
 *   webview ──request {id, method, params}──▶ extension
 *   webview ◀──response {id, ok, result | error}── extension
 *   webview ◀──event {event, data}── extension          (pushes: edits, reloads, progress)
 *
 * Every request, response and event is typed by the maps below (`OverviewApi`, `EntriesApi`, …).
 * `RpcClient` is what a webview uses, `RpcServer` what a provider uses. No `vscode` and no DOM
 * import here: both sides import this file. Values cross as JSON (postMessage), so there are no
 * bigints: 64-bit numbers travel as decimal strings.
 */

// ---------------------------------------------------------------------------------------------
// wire format

export interface RequestMessage {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}

export type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string };

export interface EventMessage {
  kind: 'event';
  event: string;
  data: unknown;
}

export type Message = RequestMessage | ResponseMessage | EventMessage;

/** method → {params, result} */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;
/** event → payload */
export type EventMap = Record<string, unknown>;

export function isMessage(m: unknown): m is Message {
  if (!m || typeof m !== 'object') return false;
  const k = (m as { kind?: unknown }).kind;
  return k === 'request' || k === 'response' || k === 'event';
}

// ---------------------------------------------------------------------------------------------
// the overview editor (`_metadata`)

export interface OverviewOperator {
  id: string;
  uid?: string;
  name?: string;
  parallelism: number;
  maxParallelism: number;
  finished: boolean;
  size: number;
  /** absent while the state list is loading or when it could not be read */
  states?: OverviewState[];
  /** why the states could not be listed (native/incremental state, a bad file, …) */
  statesError?: string;
}

export interface OverviewState {
  name: string;
  kind: string;
  backend: string;
  keyType?: string;
  namespaceType?: string;
  userKeyType?: string;
  valueType?: string;
  /** bytes of keys + values of this state (absent when not computed) */
  size?: number;
  /** number of entries (keyed states, absent when not computed) */
  count?: number;
}

export interface OverviewModel {
  path: string;
  dir: string;
  checkpointId: string;
  version: number;
  /** CANONICAL, NATIVE, … (absent in old metadata versions) */
  format?: string;
  /** Savepoint, Checkpoint, … as stored */
  snapshotType?: string;
  /** 'savepoint' | 'checkpoint' derived from snapshotType */
  type: 'savepoint' | 'checkpoint';
  totalSize: number;
  operators: OverviewOperator[];
}

export type OverviewInit = { ok: true; model: OverviewModel } | { ok: false; error: string; path: string };

export interface OverviewApi {
  init: { params: void; result: OverviewInit };
  openEntries: { params: { operator: string; state: string }; result: void };
  copy: { params: { text: string }; result: void };
}

export interface OverviewEvents {
  /** state lists / sizes computed in the background */
  states: { operator: string; states?: OverviewState[]; error?: string };
  reload: OverviewInit;
}

// ---------------------------------------------------------------------------------------------
// the state entries editor

/** Where a page starts: key group `kg`, after skipping `skip` entries of the state in that key group. */
export interface Cursor {
  kg: number;
  skip: number;
}

export type RowStatus = 'clean' | 'edited' | 'deleted' | 'added';

export interface Row {
  /** stable id of the entry: `<subtask>/<keyGroup>/<composite key hex>` or `op/<subtask>/<index>` */
  id: string;
  keyGroup?: number;
  subtask: number;
  /** rendered JSON (dump-format §3) */
  key?: string;
  namespace?: string;
  userKey?: string;
  value?: string;
  timestamp?: string;
  status: RowStatus;
  /** why this row cannot be edited (Kryo / raw / timer …) */
  readOnly?: string;
}

export interface Column {
  id: 'keyGroup' | 'key' | 'namespace' | 'userKey' | 'value' | 'timestamp' | 'subtask' | 'index';
  label: string;
  type?: string;
}

export interface EntriesInfo {
  savepoint: string;
  operator: string;
  operatorLabel: string;
  state: string;
  kind: string;
  backend: string;
  keyType?: string;
  namespaceType?: string;
  userKeyType?: string;
  valueType?: string;
  columns: Column[];
  maxParallelism: number;
  /** non-empty key groups of the operator (all subtasks) */
  keyGroups: number;
  /** why edits are impossible for the whole state; absent when values can be edited */
  readOnly?: string;
  /** the type whose class explains `readOnly` (Kryo<…>, raw) */
  readOnlyType?: string;
  /** lookup by key is possible */
  canLookup: boolean;
  /** entries can be added (key group computable from the key) */
  canAdd: boolean;
  /** rows per page */
  pageSize: number;
  dirty: boolean;
  /** edits pending (count) */
  edits: number;
}

export type EntriesInit = { ok: true; info: EntriesInfo; lookup?: string } | { ok: false; error: string };

/** One stored timer of a key, from the operator's `_timer_state/<event|processing>_<service>` states. */
export interface KeyTimer {
  domain: 'event' | 'processing';
  service: string;
  /** the timer state's name */
  state: string;
  keyGroup: number;
  subtask: number;
  /** epoch milliseconds (decimal text) */
  timestamp: string;
  /** the timestamp as ISO-8601 UTC (absent when out of Date's range) */
  iso?: string;
  /** rendered JSON of the namespace; absent for VoidNamespace */
  namespace?: string;
  /** pending edits of the timer state's own editor (when open): 'added' / 'deleted'; else 'clean' */
  status: Row['status'];
}

/** The timers of one key beside a keyed state's entry (read by a key-group lookup, never a scan). */
export interface KeyTimers {
  /** canonical JSON of the key */
  key: string;
  keyGroup: number;
  /** the operator's timer states (name, domain, service), sorted by name */
  states: { state: string; domain: 'event' | 'processing'; service: string }[];
  /** the key's stored timers, sorted by domain, service, timestamp */
  timers: KeyTimer[];
}

export interface Page {
  rows: Row[];
  start: Cursor;
  /** where the next page starts; absent at the end */
  next?: Cursor;
  /** entries decoded to build this page (== rows.length unless a filter is active) */
  decoded: number;
  /** a filtered scan stopped at its budget before filling the page */
  partial?: boolean;
  /** key group the scan reached (for the status line) */
  reachedKeyGroup?: number;
}

export interface LookupResult {
  keyGroup: number;
  /** canonical JSON of the key looked up */
  key: string;
  rows: Row[];
}

export interface EditResult {
  ok: boolean;
  /** the validation / encoding message when !ok */
  error?: string;
  row?: Row;
}

export interface SaveAsResult {
  /** the folder of the new savepoint, absent when cancelled */
  dir?: string;
}

export interface EntriesApi {
  init: { params: void; result: EntriesInit };
  /** one page from a cursor, optionally filtered by a substring of key/user key/namespace/value */
  page: { params: { cursor: Cursor; filter?: string }; result: Page };
  /** the cursor of the first page at or after a key group */
  seek: { params: { keyGroup: number }; result: Cursor };
  /** the entries of one key (reads only its key group) */
  lookup: { params: { key: string }; result: LookupResult };
  /** set the value of an entry (JSON text, validated against the state's value type) */
  edit: { params: { id: string; value: string }; result: EditResult };
  delete: { params: { id: string }; result: EditResult };
  /**
   * add an entry (keyed VALUE/LIST/MAP states with computable key groups), or a timer (TIMER states:
   * `timestamp` = epoch ms or ISO-8601, `namespace` = JSON of a TimeWindow namespace; `value` is ignored)
   */
  add: { params: { key: string; userKey?: string; value: string; timestamp?: string; namespace?: string }; result: EditResult };
  /** revert a single entry to its stored value (as a new, undoable edit) */
  revert: { params: { id: string }; result: EditResult };
  /** pretty JSON of one row's members, for the detail view */
  detail: { params: { id: string }; result: { json: string } };
  saveAs: { params: void; result: SaveAsResult };
  count: { params: void; result: { count: number } };
  /**
   * the stored timers of the selected row's key (same operator), for keyed non-timer states; null
   * when the state is not keyed, the key cannot be looked up, or the operator has no timer states
   */
  keyTimers: { params: { id: string }; result: KeyTimers | null };
  /** open a timer state's own editor (same operator) positioned on a key (its lookup) */
  openTimers: { params: { state: string; key: string }; result: { ok: boolean; error?: string } };
  /**
   * add a timer for the selected row's key to a timer state of the same operator: the edit goes to
   * that timer state's own document (opened beside), with its undo / redo and Save As
   */
  addKeyTimer: { params: { id: string; state: string; timestamp: string; namespace?: string }; result: EditResult };
  /** delete one of the key's timers (same routing as addKeyTimer) */
  deleteKeyTimer: { params: { id: string; state: string; timestamp: string; namespace?: string }; result: EditResult };
}

export interface EntriesEvents {
  /** the document changed (edit, undo, redo, revert): rows to patch in place, and the dirty state */
  changed: { rows: Row[]; removed: string[]; dirty: boolean; edits: number };
  /** everything changed (revert / reload): the webview re-requests its page */
  reload: { dirty: boolean; edits: number };
  /** the background entry count */
  count: { count: number; done: boolean };
  saved: { dir: string };
  /** look up this key (canonical JSON or text) in the open editor, e.g. after "Open Timers" */
  lookupKey: { key: string };
  /** a timer state of this operator changed (edit, undo, redo, save): re-read the key's timers */
  keyTimersChanged: { state: string };
}

// ---------------------------------------------------------------------------------------------
// RPC helpers

/** postMessage of either side; a returned promise-like is awaited by the server */
type Post = (m: Message) => unknown;

type Params<R extends RequestMap, K extends keyof R> = R[K]['params'];
type Result<R extends RequestMap, K extends keyof R> = R[K]['result'];

/** The webview side: typed requests with promises, typed event listeners. */
export class RpcClient<R extends { [K in keyof R]: { params: unknown; result: unknown } }, E extends { [K in keyof E]: unknown }> {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<keyof E, Set<(data: never) => void>>();

  constructor(private readonly post: Post) {}

  request<K extends keyof R & string>(method: K, ...params: Params<R, K> extends void ? [] : [Params<R, K>]): Promise<Result<R, K>> {
    const id = this.next++;
    return new Promise<Result<R, K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      void this.post({ kind: 'request', id, method, params: params[0] });
    });
  }

  on<K extends keyof E>(event: K, fn: (data: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as (data: never) => void);
    return () => set!.delete(fn as (data: never) => void);
  }

  /** Feed every incoming message here; returns true when it was ours. */
  handle(m: unknown): boolean {
    if (!isMessage(m)) return false;
    if (m.kind === 'response') {
      const p = this.pending.get(m.id);
      if (!p) return false;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      return true;
    }
    if (m.kind === 'event') {
      const set = this.listeners.get(m.event as keyof E);
      if (set) for (const fn of [...set]) (fn as (d: unknown) => void)(m.data);
      return true;
    }
    return false;
  }

  /** Rejects every pending request (the panel is going away). */
  dispose(): void {
    for (const p of this.pending.values()) p.reject(new Error('disposed'));
    this.pending.clear();
    this.listeners.clear();
  }
}

export type Handlers<R extends { [K in keyof R]: { params: unknown; result: unknown } }> = {
  [K in keyof R]: (params: R[K]['params']) => R[K]['result'] | Promise<R[K]['result']>;
};

/** The extension side: dispatches requests to handlers, sends typed events. */
export class RpcServer<R extends { [K in keyof R]: { params: unknown; result: unknown } }, E extends { [K in keyof E]: unknown }> {
  constructor(
    private readonly post: Post,
    private readonly handlers: Handlers<R>,
    /** turns a thrown error into the text the webview shows */
    private readonly describe: (e: unknown) => string = (e) => (e instanceof Error ? e.message : String(e)),
  ) {}

  emit<K extends keyof E & string>(event: K, data: E[K]): void {
    void this.post({ kind: 'event', event, data });
  }

  /** Feed every message from the webview here; resolves once the response was posted. */
  async handle(m: unknown): Promise<boolean> {
    if (!isMessage(m) || m.kind !== 'request') return false;
    const fn = (this.handlers as Record<string, ((p: unknown) => unknown) | undefined>)[m.method];
    if (!fn || !Object.prototype.hasOwnProperty.call(this.handlers, m.method)) {
      await this.post({ kind: 'response', id: m.id, ok: false, error: `unknown request ${m.method}` });
      return true;
    }
    try {
      const result = await fn.call(this.handlers, m.params);
      await this.post({ kind: 'response', id: m.id, ok: true, result });
    } catch (e) {
      await this.post({ kind: 'response', id: m.id, ok: false, error: this.describe(e) });
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// shared helpers

/**
 * A size for people, 1024-based with VS Code's own labels (B, KB, MB, GB, TB), e.g. `15 KB`, `1.3 MB`.
 * The one formatter for the tree, the editors and the uid lenses. `empty` is shown for an unknown size.
 */
export function formatBytes(n: number | bigint | undefined, empty = '—'): string {
  if (n === undefined || n === null) return empty;
  let v = Number(n);
  if (!Number.isFinite(v)) return empty;
  if (v < 1024) return `${v} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  v /= 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
