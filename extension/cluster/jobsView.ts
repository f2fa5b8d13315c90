/**
 * The "Flink Jobs" view: the active cluster's jobs with their state, start time and latest
 * savepoint (from /jobs/{id}/checkpoints).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { CheckpointStatistics, JobOverview, JobState } from '../../engine/rest/client';
import type { ClusterEntry } from './cluster-config';
import { ClusterManager } from './clusters';
import { localPathOf } from './restore-plan';

export const JOBS_VIEW_ID = 'flinkSavepoints.jobs';

export type JobNode = { kind: 'job'; cluster: ClusterEntry; job: JobOverview; stats?: CheckpointStatistics; statsError?: string };
export type JobDetailNode = {
  kind: 'jobDetail';
  parent: JobNode;
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  /** for "Restore from Savepoint" on a job's savepoint */
  savepointPath?: string;
  contextValue: string;
};
export type JobsInfoNode = { kind: 'info'; text: string; icon: string; command?: vscode.Command; tooltip?: string };
export type JobsNode = JobNode | JobDetailNode | JobsInfoNode;

const STATE_ICONS: Partial<Record<JobState, [string, string?]>> = {
  RUNNING: ['vm-running', 'testing.iconPassed'],
  FINISHED: ['pass', 'testing.iconPassed'],
  FAILED: ['error', 'testing.iconFailed'],
  FAILING: ['warning', 'testing.iconFailed'],
  CANCELED: ['circle-slash'],
  CANCELLING: ['loading~spin'],
  RESTARTING: ['sync~spin', 'testing.iconQueued'],
  INITIALIZING: ['loading~spin'],
  CREATED: ['loading~spin'],
  RECONCILING: ['loading~spin'],
  SUSPENDED: ['debug-pause'],
};

const ACTIVE_STATES: JobState[] = ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'CANCELLING', 'RESTARTING', 'RECONCILING'];

function time(ms: number): string {
  if (!ms || ms < 0) return '';
  const d = new Date(ms);
  const today = new Date();
  const hhmm = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return d.toDateString() === today.toDateString() ? hhmm : `${d.toLocaleDateString()} ${hhmm}`;
}

function duration(ms: number): string {
  if (!ms || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobsNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<JobsNode[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private visible = false;
  private readonly sub: vscode.Disposable;

  constructor(private readonly clusters: ClusterManager) {
    this.sub = clusters.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.roots = undefined;
    this.changed.fire();
  }

  /** Polls every few seconds while the view is visible and a job is active. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && !this.timer) {
      this.timer = setInterval(() => void this.tick(), 5_000);
    } else if (!visible && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async tick(): Promise<void> {
    if (!this.visible || !this.roots) return;
    const nodes = await this.roots.catch(() => []);
    if (nodes.some((n) => n.kind === 'job' && ACTIVE_STATES.includes(n.job.state))) this.refresh();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.sub.dispose();
    this.changed.dispose();
  }

  /** The jobs of the active cluster (for tests and commands). */
  async jobs(): Promise<JobNode[]> {
    return (await this.getChildren()).filter((n): n is JobNode => n.kind === 'job');
  }

  async getChildren(element?: JobsNode): Promise<JobsNode[]> {
    if (!element) {
      if (!this.roots) this.roots = this.load();
      return this.roots;
    }
    if (element.kind === 'job') return this.details(element);
    return [];
  }

  getParent(element: JobsNode): JobsNode | undefined {
    return element.kind === 'jobDetail' ? element.parent : undefined;
  }

  private async load(): Promise<JobsNode[]> {
    if (!this.clusters.trusted) {
      return [{ kind: 'info', text: 'Trust this workspace to connect to Flink clusters', icon: 'shield', command: { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' } }];
    }
    const c = this.clusters.active();
    if (c.kind === 'bundled') {
      const info = this.clusters.engineInfo();
      if (info.state === 'starting') return [{ kind: 'info', text: 'Starting the local Flink engine…', icon: 'loading~spin' }];
      if (info.state !== 'running') {
        const nodes: JobsNode[] = [];
        if (info.state === 'failed') nodes.push({ kind: 'info', text: `Local engine failed: ${info.error?.split('\n')[0] ?? ''}`, icon: 'error', tooltip: info.error, command: { command: 'flinkSavepoints.showEngineLog', title: 'Show Engine Log' } });
        nodes.push({ kind: 'info', text: 'Start the local Flink engine', icon: 'play', command: { command: 'flinkSavepoints.startEngine', title: 'Start Local Flink Engine' } });
        nodes.push({ kind: 'info', text: 'Run a job…', icon: 'rocket', command: { command: 'flinkSavepoints.runJob', title: 'Run Job' } });
        return nodes;
      }
    }
    try {
      const client = await this.clusters.client(c, { start: false });
      if (!client) return [];
      const jobs = (await client.jobs()).sort((a, b) => {
        const act = Number(ACTIVE_STATES.includes(b.state)) - Number(ACTIVE_STATES.includes(a.state));
        return act || b['start-time'] - a['start-time'];
      }).slice(0, 100);
      if (jobs.length === 0) {
        return [{ kind: 'info', text: `No jobs on ${c.name}. Run a job…`, icon: 'rocket', command: { command: 'flinkSavepoints.runJob', title: 'Run Job' } }];
      }
      // checkpoint statistics of the 30 most relevant jobs
      const nodes = jobs.map((job): JobNode => ({ kind: 'job', cluster: c, job }));
      await Promise.all(nodes.slice(0, 30).map(async (n) => {
        try {
          n.stats = await client.checkpoints(n.job.jid);
        } catch (e) {
          n.statsError = e instanceof Error ? e.message : String(e);
        }
      }));
      return nodes;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return [
        { kind: 'info', text: `Cannot list jobs of ${c.name}`, icon: 'error', tooltip: msg },
        { kind: 'info', text: msg.split('\n')[0], icon: 'blank', tooltip: msg },
        { kind: 'info', text: 'Pick another cluster…', icon: 'server-environment', command: { command: 'flinkSavepoints.selectCluster', title: 'Select Flink Cluster' } },
      ];
    }
  }

  private details(n: JobNode): JobsNode[] {
    const out: JobDetailNode[] = [];
    const s = n.stats;
    const sp = s?.latest.savepoint;
    if (sp?.external_path) {
      out.push({
        kind: 'jobDetail', parent: n, icon: 'save', label: 'Latest savepoint',
        description: `${path.basename(localPathOf(sp.external_path) ?? sp.external_path)} · ${time(sp.latest_ack_timestamp ?? sp.trigger_timestamp ?? 0)}`,
        tooltip: sp.external_path, savepointPath: localPathOf(sp.external_path) ?? sp.external_path, contextValue: 'jobSavepoint',
      });
    }
    const restored = s?.latest.restored;
    if (restored) {
      out.push({
        kind: 'jobDetail', parent: n, icon: 'history', label: 'Restored from',
        description: restored.external_path ? path.basename(localPathOf(restored.external_path) ?? restored.external_path) : `checkpoint ${restored.id}`,
        tooltip: restored.external_path, savepointPath: restored.external_path ? localPathOf(restored.external_path) ?? restored.external_path : undefined,
        contextValue: restored.external_path ? 'jobSavepoint' : 'jobDetail',
      });
    }
    const cp = s?.latest.completed;
    if (cp) {
      out.push({ kind: 'jobDetail', parent: n, icon: 'check', label: 'Latest checkpoint', description: `#${cp.id} · ${time(cp.latest_ack_timestamp ?? 0)}`, tooltip: cp.external_path, contextValue: 'jobDetail' });
    }
    if (s) {
      out.push({ kind: 'jobDetail', parent: n, icon: 'graph', label: 'Checkpoints', description: `${s.counts.completed} completed · ${s.counts.failed} failed · ${s.counts.in_progress} in progress`, contextValue: 'jobDetail' });
    } else if (n.statsError) {
      out.push({ kind: 'jobDetail', parent: n, icon: 'warning', label: 'Checkpoint statistics unavailable', tooltip: n.statsError, contextValue: 'jobDetail' });
    }
    out.push({ kind: 'jobDetail', parent: n, icon: 'key', label: 'Job ID', description: n.job.jid, contextValue: 'jobId' });
    return out;
  }

  getTreeItem(n: JobsNode): vscode.TreeItem {
    if (n.kind === 'info') {
      const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(n.icon);
      item.command = n.command;
      item.tooltip = n.tooltip ?? n.text;
      item.contextValue = 'info';
      return item;
    }
    if (n.kind === 'jobDetail') {
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
      item.description = n.description;
      item.tooltip = n.tooltip ?? (n.description ? `${n.label}: ${n.description}` : n.label);
      item.iconPath = new vscode.ThemeIcon(n.icon);
      item.contextValue = n.contextValue;
      return item;
    }
    const j = n.job;
    const item = new vscode.TreeItem(j.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${n.cluster.id}/${j.jid}`;
    const started = time(j['start-time']);
    item.description = `${j.state}${started ? ` · started ${started}` : ''}`;
    const [icon, color] = STATE_ICONS[j.state] ?? ['circle-outline'];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${j.name}**\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n| state | ${j.state} |\n| job ID | \`${j.jid}\` |\n| started | ${started} |\n| duration | ${duration(j.duration)} |\n`);
    const sp = n.stats?.latest.savepoint?.external_path;
    if (sp) md.appendMarkdown(`| latest savepoint | \`${sp}\` |\n`);
    const restored = n.stats?.latest.restored?.external_path;
    if (restored) md.appendMarkdown(`| restored from | \`${restored}\` |\n`);
    md.appendMarkdown(`| cluster | ${n.cluster.name} |\n`);
    item.tooltip = md;
    item.contextValue = `job.${j.state}`;
    return item;
  }
}
