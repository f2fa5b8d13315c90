/**
 * Savepoint overview (custom editor for `_metadata`): operators with parallelism and sizes, and the
 * states of the selected operator. Browser code; talks to the extension only through protocol.ts.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { FromWebview, OperatorView, SavepointView, StateView, ToWebview, formatBytes } from './protocol';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);
const root = document.getElementById('root')!;

let current: SavepointView | undefined;
let selected: string | undefined = (vscode.getState() as { selected?: string } | undefined)?.selected;

function el<K extends keyof HTMLElementTagNameMap>(tag: K | string, attrs: Record<string, string> = {}, ...children: (Node | string | undefined)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== undefined) e.append(c);
  return e;
}

function table(id: string, columns: [string, string][], rows: HTMLElement[]): HTMLElement {
  const header = el('vscode-table-header', { slot: 'header' },
    ...columns.map(([label]) => el('vscode-table-header-cell', {}, label)));
  const body = el('vscode-table-body', { slot: 'body' }, ...rows);
  return el('vscode-table', { id, zebra: '', 'bordered-rows': '', resizable: '', columns: JSON.stringify(columns.map(([, w]) => w)) }, header, body);
}

function operatorLabel(op: OperatorView): string {
  return op.uid ?? op.name ?? op.id;
}

function renderSavepoint(sp: SavepointView): void {
  current = sp;
  root.replaceChildren();
  const badges = el('div', { class: 'badges' },
    sp.format ? el('vscode-badge', { variant: 'counter' }, sp.format) : undefined,
    el('span', {}, `${sp.snapshotType ?? 'savepoint'} · metadata v${sp.version} · checkpoint ${sp.checkpointId} · ${sp.operators.length} operators · ${formatBytes(sp.totalSize)}`),
  );
  const refresh = el('vscode-button', { secondary: '', icon: 'refresh', id: 'refresh' }, 'Refresh');
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  const reveal = el('vscode-button', { secondary: '', icon: 'go-to-file', id: 'reveal' }, 'Reveal');
  reveal.addEventListener('click', () => post({ type: 'revealInExplorer' }));
  root.append(
    el('header', {}, el('h1', { id: 'title' }, sp.name), el('div', { class: 'actions' }, refresh, reveal)),
    badges,
    el('div', { class: 'path' }, sp.dir),
  );
  if (sp.restricted) root.append(el('p', { class: 'note' }, 'Restricted mode: read-only browsing.'));

  const rows = sp.operators.map((op) => {
    const row = el('vscode-table-row', { 'data-id': op.id, class: op.id === selected ? 'selected' : '', tabindex: '0' },
      el('vscode-table-cell', { title: op.uid ? `uid ${op.uid}${op.uidSource === 'workspace' ? ' (matched from workspace code)' : ''}` : 'uid unknown' },
        operatorLabel(op), op.uid ? undefined : el('span', { class: 'muted' }, op.name ? '' : ' (uid unknown)')),
      el('vscode-table-cell', { class: 'mono' }, op.id),
      el('vscode-table-cell', {}, String(op.parallelism)),
      el('vscode-table-cell', {}, String(op.maxParallelism)),
      el('vscode-table-cell', {}, formatBytes(op.size)),
      el('vscode-table-cell', {}, op.finished ? 'finished' : ''),
    );
    const pick = () => select(op.id);
    row.addEventListener('click', pick);
    row.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') pick(); });
    return row;
  });
  root.append(
    el('h2', {}, 'Operators'),
    table('operators', [['Operator', '24%'], ['Operator ID', '30%'], ['Parallelism', '10%'], ['Max', '10%'], ['State size', '13%'], ['', '13%']], rows),
    el('section', { id: 'states' }),
  );
  if (selected && sp.operators.some((o) => o.id === selected)) select(selected);
  else if (sp.operators.length) select(sp.operators[0].id);
}

function select(opId: string): void {
  selected = opId;
  vscode.setState({ selected });
  for (const r of Array.from(document.querySelectorAll('#operators vscode-table-row'))) {
    r.classList.toggle('selected', r.getAttribute('data-id') === opId);
  }
  const op = current?.operators.find((o) => o.id === opId);
  const section = document.getElementById('states')!;
  section.replaceChildren(el('h2', {}, `States of ${op ? operatorLabel(op) : opId}`), el('vscode-progress-ring', {}));
  post({ type: 'loadStates', operatorId: opId });
}

function types(s: StateView): string {
  if (s.userKeyType) return `${s.keyType ?? '?'} → ${s.userKeyType} → ${s.valueType ?? '?'}`;
  if (s.keyType) return `${s.keyType} → ${s.valueType ?? '?'}`;
  return s.valueType ?? '';
}

function renderStates(opId: string, states: StateView[]): void {
  if (opId !== selected) return;
  const op = current?.operators.find((o) => o.id === opId);
  const section = document.getElementById('states')!;
  const title = el('h2', {}, `States of ${op ? operatorLabel(op) : opId}`);
  if (!states.length) {
    section.replaceChildren(title, el('p', { class: 'muted' }, 'This operator has no state.'));
    return;
  }
  const rows = states.map((s) => el('vscode-table-row', {},
    el('vscode-table-cell', {}, s.name),
    el('vscode-table-cell', {}, s.kind),
    el('vscode-table-cell', {}, s.backend),
    el('vscode-table-cell', { class: 'mono' }, types(s)),
    el('vscode-table-cell', {}, s.namespaceType ?? ''),
    el('vscode-table-cell', {}, s.size === undefined ? '' : formatBytes(s.size)),
  ));
  section.replaceChildren(title, table('state-table', [['State', '20%'], ['Kind', '12%'], ['Backend', '12%'], ['Key → value', '32%'], ['Namespace', '14%'], ['Size', '10%']], rows));
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'savepoint': renderSavepoint(m.savepoint); break;
    case 'states': renderStates(m.operatorId, m.states); break;
    case 'error':
      if (m.operatorId) {
        document.getElementById('states')?.replaceChildren(el('p', { class: 'error' }, m.message));
      } else {
        root.replaceChildren(el('h1', { id: 'title' }, 'Cannot read savepoint'), el('p', { class: 'error', id: 'error' }, m.message));
      }
      break;
  }
});

post({ type: 'ready' });
