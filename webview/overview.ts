/**
 * Savepoint overview webview (custom editor `flinkSavepoints.overview`): header facts, operators
 * table, and SVG charts of state size by operator and by state; bars open the entries editor.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import { OverviewApi, OverviewEvents, OverviewModel, OverviewOperator, OverviewState, formatBytes } from './protocol';
import { connect, el, fmtInt, svg } from './_dom';

const rpc = connect<OverviewApi, OverviewEvents>();
const root = document.getElementById('root')!;
let model: OverviewModel | undefined;

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red'];
const stateColor = new Map<string, string>();
/** The theme's six chart colours, then the same six blended halfway into the background: 12 distinct colours before any repeats. */
function colorOf(state: string): string {
  let c = stateColor.get(state);
  if (!c) {
    const i = stateColor.size % (PALETTE.length * 2);
    const base = `var(${PALETTE[i % PALETTE.length]})`;
    c = i < PALETTE.length ? base : `color-mix(in srgb, ${base} 50%, var(--vscode-editor-background))`;
    stateColor.set(state, c);
  }
  return c;
}

function opLabel(o: OverviewOperator): string {
  return o.uid ?? o.name ?? o.id;
}

/** uid, name, or a short ID (the full ID is in the table and the bar's tooltip) */
function chartLabel(o: OverviewOperator): string {
  return o.uid ?? o.name ?? `${o.id.slice(0, 10)}…`;
}

function openEntries(o: OverviewOperator, s: OverviewState): void {
  void rpc.request('openEntries', { operator: o.id, state: s.name });
}

function fact(k: string, v: string, id?: string): HTMLElement {
  return el('span', { class: 'fact' }, el('span', { class: 'k' }, k), el('span', { class: 'v', id }, v));
}

function render(): void {
  const m = model!;
  const parts = m.dir.split(/[\\/]/).filter(Boolean);
  // corpus / Flink layouts name the folder generically (savepoint, chk-42): show its parent too
  const name = parts.length > 1 && /^(savepoint|checkpoint|chk-\d+|savepoint-[0-9a-f-]+)$/i.test(parts[parts.length - 1]) ? parts.slice(-2).join('/') : parts.pop() ?? m.dir;
  root.replaceChildren(
    el('h1', { id: 'title' }, name, ' ', el('vscode-badge', { variant: 'counter', id: 'type-badge' }, m.type)),
    el(
      'div',
      { class: 'facts', id: 'facts' },
      fact('Checkpoint ID', m.checkpointId, 'checkpoint-id'),
      fact('Metadata version', String(m.version), 'metadata-version'),
      fact('Format', m.format ?? 'unknown (metadata before V4)', 'format'),
      fact('Type', m.snapshotType ? `${m.type} (${m.snapshotType})` : m.type, 'snapshot-type'),
      fact('Total size', formatBytes(m.totalSize), 'total-size'),
      fact('Operators', String(m.operators.length)),
    ),
    el('div', { class: 'path' }, m.path),
    el('h2', {}, 'Operators'),
    operatorsTable(m),
    el('h2', {}, 'State size by operator'),
    el('div', { id: 'chart-operators' }),
    el('h2', {}, 'State size by state'),
    el('div', { id: 'chart-states' }),
  );
  renderCharts();
}

function statesCell(o: OverviewOperator): HTMLElement {
  const cell = el('vscode-table-cell', { 'data-states': o.id });
  if (o.statesError && !o.states?.length) {
    cell.append(el('span', { class: 'warn', title: o.statesError }, 'not readable'));
    return cell;
  }
  if (!o.states) {
    cell.append(el('span', { class: 'muted' }, '…'));
    return cell;
  }
  if (!o.states.length) {
    cell.append(el('span', { class: 'muted' }, 'none'));
    return cell;
  }
  o.states.forEach((s, i) => {
    if (i) cell.append(', ');
    const a = el('a', { tabindex: '0', title: `${s.kind} · ${s.backend}${s.size !== undefined ? ` · ${formatBytes(s.size)}` : ''} — open entries`, 'data-state': s.name }, s.name);
    a.addEventListener('click', () => openEntries(o, s));
    a.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') openEntries(o, s);
    });
    cell.append(a);
  });
  if (o.statesError) cell.append(el('span', { class: 'warn', title: o.statesError }, ' (partly unreadable)'));
  return cell;
}

function operatorsTable(m: OverviewModel): HTMLElement {
  const header = el(
    'vscode-table-header',
    { slot: 'header' },
    ...['Operator', 'Operator ID', 'Parallelism', 'Max parallelism', 'States', 'Size'].map((h) => el('vscode-table-header-cell', {}, h)),
  );
  const rows = m.operators.map((o) => {
    const label = el('vscode-table-cell', { title: o.uid ? `uid ${o.uid}` : o.name ? `name ${o.name} (uid unknown)` : 'uid unknown' });
    if (o.uid) label.append(o.uid);
    else if (o.name) label.append(o.name, el('span', { class: 'muted' }, ' · uid unknown'));
    else label.append(el('span', { class: 'muted' }, 'uid unknown'));
    if (o.finished) label.append(el('span', { class: 'muted' }, ' · finished'));
    const idCell = el('vscode-table-cell', { class: 'mono', title: 'click to copy' }, o.id);
    idCell.addEventListener('click', () => void rpc.request('copy', { text: o.id }));
    return el(
      'vscode-table-row',
      { 'data-operator': o.id },
      label,
      idCell,
      el('vscode-table-cell', {}, String(o.parallelism)),
      el('vscode-table-cell', {}, String(o.maxParallelism)),
      statesCell(o),
      el('vscode-table-cell', {}, formatBytes(o.size)),
    );
  });
  return el('vscode-table', { id: 'operators', zebra: true, 'bordered-rows': true, resizable: true, columns: JSON.stringify(['22%', '26%', '9%', '10%', '23%', '10%']) }, header, el('vscode-table-body', { slot: 'body' }, ...rows));
}

const BAR_H = 20;
const GAP = 6;
const LABEL_W = 250;
const LABEL_CHARS = 32;
const VALUE_W = 90;

function chartWidth(): number {
  return Math.max(360, Math.min(1100, (document.body.clientWidth || 800) - 40));
}

function clipped(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function bar(x: number, y: number, w: number, fill: string, title: string, onOpen?: () => void, id?: string): SVGElement {
  const r = svg('rect', { x, y, width: Math.max(1, w), height: BAR_H, class: onOpen ? 'bar' : 'bar-static', rx: 2, id });
  (r as SVGElement & { style: CSSStyleDeclaration }).style.fill = fill;
  r.append(svg('title', {}, document.createTextNode(title)));
  if (onOpen) {
    r.setAttribute('tabindex', '0');
    r.setAttribute('role', 'link');
    r.setAttribute('aria-label', title);
    r.addEventListener('click', onOpen);
    r.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') onOpen();
    });
  }
  return r;
}

function text(x: number, y: number, s: string, cls: string, anchor = 'start'): SVGElement {
  return svg('text', { x, y: y + BAR_H / 2 + 4, class: cls, 'text-anchor': anchor }, document.createTextNode(s));
}

function renderCharts(): void {
  const m = model!;
  const W = chartWidth();
  const plot = W - LABEL_W - 6 - VALUE_W;
  // by operator: one bar per operator, split into its measured states
  const ops = [...m.operators].filter((o) => o.size > 0).sort((a, b) => b.size - a.size);
  const host = document.getElementById('chart-operators');
  if (host) {
    if (!ops.length) host.replaceChildren(el('p', { class: 'muted' }, 'No operator holds state.'));
    else {
      const max = ops[0].size;
      const g = svg('svg', { width: W, height: ops.length * (BAR_H + GAP) + 4, role: 'img', 'aria-label': 'State size by operator', id: 'svg-operators' });
      ops.forEach((o, i) => {
        const y = i * (BAR_H + GAP);
        g.append(text(0, y, clipped(chartLabel(o), LABEL_CHARS), 'label'));
        let x = LABEL_W + 6;
        let measured = 0;
        const scale = plot / max;
        for (const s of (o.states ?? []).filter((s) => s.size)) {
          const w = s.size! * scale;
          g.append(bar(x, y, w, colorOf(s.name), `${opLabel(o)} · ${s.name}: ${formatBytes(s.size)}${s.count !== undefined ? `, ${fmtInt(s.count)} entries` : ''} — open entries`, () => openEntries(o, s), undefined));
          x += w;
          measured += s.size!;
        }
        const rest = Math.max(0, o.size - measured);
        if (rest > 0) g.append(bar(x, y, rest * scale, 'var(--vscode-disabledForeground, gray)', `${opLabel(o)}: ${formatBytes(rest)} ${o.states ? 'not attributed to a state (headers, metadata, unmeasured state)' : '(states loading…)'}`));
        g.append(text(W - 4, y, formatBytes(o.size), 'value', 'end'));
      });
      const names = [...new Set(ops.flatMap((o) => (o.states ?? []).filter((s) => s.size).map((s) => s.name)))];
      const legend = el('div', { class: 'legend' }, ...names.map((n) => {
        const sw = el('span', { class: 'sw' });
        sw.style.background = colorOf(n);
        return el('span', {}, sw, n);
      }));
      host.replaceChildren(g, legend);
    }
  }
  // by state: every measured state, largest first
  const all: { o: OverviewOperator; s: OverviewState }[] = [];
  for (const o of m.operators) for (const s of o.states ?? []) if (s.size) all.push({ o, s });
  all.sort((a, b) => b.s.size! - a.s.size!);
  const top = all.slice(0, 40);
  const host2 = document.getElementById('chart-states');
  if (!host2) return;
  if (!top.length) {
    const loading = m.operators.some((o) => !o.states && !o.statesError);
    host2.replaceChildren(el('p', { class: 'muted' }, loading ? 'Measuring states…' : 'No state could be measured (native / incremental state is not measured).'));
    return;
  }
  const max = top[0].s.size!;
  const g = svg('svg', { width: W, height: top.length * (BAR_H + GAP) + 4, role: 'img', 'aria-label': 'State size by state', id: 'svg-states' });
  top.forEach(({ o, s }, i) => {
    const y = i * (BAR_H + GAP);
    g.append(text(0, y, clipped(`${s.name} · ${chartLabel(o)}`, LABEL_CHARS), 'label'));
    g.append(bar(LABEL_W + 6, y, (s.size! / max) * plot, colorOf(s.name), `${s.name} (${s.kind}) in ${opLabel(o)}: ${formatBytes(s.size)}${s.count !== undefined ? `, ${fmtInt(s.count)} entries` : ''} — open entries`, () => openEntries(o, s), `bar-${o.id}-${s.name}`));
    g.append(text(W - 4, y, formatBytes(s.size), 'value', 'end'));
  });
  const more = all.length > top.length ? el('p', { class: 'muted' }, `${all.length - top.length} smaller states not shown.`) : undefined;
  host2.replaceChildren(g, ...(more ? [more] : []));
}

rpc.on('states', (d) => {
  const o = model?.operators.find((x) => x.id === d.operator);
  if (!o) return;
  o.states = d.states ?? o.states ?? [];
  o.statesError = d.error;
  const cell = document.querySelector(`[data-states="${o.id}"]`);
  if (cell) cell.replaceWith(statesCell(o));
  scheduleCharts();
});

let chartTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleCharts(): void {
  if (chartTimer) return;
  chartTimer = setTimeout(() => {
    chartTimer = undefined;
    renderCharts();
  }, 50);
}

window.addEventListener('resize', () => model && scheduleCharts());

function showError(error: string, path: string): void {
  root.replaceChildren(
    el('h1', { id: 'title' }, 'Cannot read this savepoint'),
    el('div', { class: 'error-box', id: 'error', role: 'alert' }, error),
    el('div', { class: 'path' }, path),
    el('p', { class: 'muted' }, 'The file is not a Flink checkpoint / savepoint _metadata file the reader understands. Nothing was changed.'),
  );
}

rpc.on('reload', (init) => {
  if (init.ok) {
    model = init.model;
    render();
  } else showError(init.error, init.path);
});

rpc
  .request('init')
  .then((init) => {
    if (init.ok) {
      model = init.model;
      render();
    } else showError(init.error, init.path);
  })
  .catch((e: Error) => showError(e.message, ''));
