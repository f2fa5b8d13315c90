/**
 * Cluster features: the bundled engine and remote clusters, the Flink Jobs view, and the commands
 * to trigger/stop with a savepoint, run/restore a job and bootstrap a savepoint.
 * Wired into activation with one call: `registerClusterFeatures(context, { log: output() })`.
 */
import * as vscode from 'vscode';
import type { FlinkRestClient } from '../../engine/rest/client';
import { ClusterManager, type EngineInfo } from './clusters';
import { ClusterCommands, COMMANDS, type BootstrapOptions, type RestoreOptions, type RestoreResult, type SavepointOptions } from './commands';
import { JOBS_VIEW_ID, JobsTreeProvider, type JobNode, type JobsNode } from './jobsView';
import type { RestorePlan, SavepointResult } from './restore-plan';
import type { ClusterEntry } from './cluster-config';

export { COMMANDS as CLUSTER_COMMANDS, JOBS_VIEW_ID };

/** For tests and other extensions. */
export interface ClusterApi {
  clusters(): ClusterEntry[];
  activeCluster(): ClusterEntry;
  selectCluster(id: string): Promise<ClusterEntry>;
  /** REST client of the active cluster (starts the bundled engine when it is active). */
  activeClient(): Promise<FlinkRestClient>;
  startBundledEngine(o?: { jar?: string; java?: string; slots?: number }): Promise<EngineInfo>;
  stopBundledEngine(): Promise<void>;
  engineInfo(): EngineInfo;
  engineJar(): string | undefined;
  defaultSavepointDir(): string;
  jobs(): Promise<JobNode[]>;
  getChildren(n?: JobsNode): Promise<JobsNode[]>;
  getTreeItem(n: JobsNode): vscode.TreeItem;
  refreshJobs(): void;
  lastRestorePlan(): RestorePlan | undefined;
  triggerSavepoint(o: SavepointOptions): Promise<SavepointResult | undefined>;
  restore(o: RestoreOptions): Promise<RestoreResult | undefined>;
  bootstrap(o: BootstrapOptions): Promise<{ path: string; writer: string; specFile: string } | undefined>;
}

export function registerClusterFeatures(
  context: vscode.ExtensionContext,
  deps: { log?: vscode.OutputChannel } = {},
): { dispose(): void; api: ClusterApi } {
  const clusters = new ClusterManager(context, deps.log);
  const jobs = new JobsTreeProvider(clusters);
  const view = vscode.window.createTreeView(JOBS_VIEW_ID, { treeDataProvider: jobs, showCollapseAll: true });
  const commands = new ClusterCommands({ context, clusters, jobs, log: deps.log });
  const updateTitle = () => {
    const c = clusters.active();
    view.description = c.kind === 'bundled' ? `local${clusters.engineInfo().state === 'running' ? '' : ` (${clusters.engineInfo().state})`}` : c.name;
  };
  updateTitle();
  const disposables: vscode.Disposable[] = [
    jobs,
    view,
    view.onDidChangeVisibility((e) => jobs.setVisible(e.visible)),
    clusters.onDidChange(updateTitle),
    ...commands.register(),
    clusters, // last: stops the engine
  ];
  jobs.setVisible(view.visible);

  const api: ClusterApi = {
    clusters: () => clusters.clusters(),
    activeCluster: () => clusters.active(),
    selectCluster: (id) => clusters.setActive(id),
    activeClient: () => clusters.requireClient(),
    startBundledEngine: (o) => clusters.startBundledEngine(o),
    stopBundledEngine: () => clusters.stopBundledEngine(),
    engineInfo: () => clusters.engineInfo(),
    engineJar: () => clusters.engineJar(),
    defaultSavepointDir: () => clusters.defaultSavepointDir(),
    jobs: () => jobs.jobs(),
    getChildren: (n) => jobs.getChildren(n),
    getTreeItem: (n) => jobs.getTreeItem(n),
    refreshJobs: () => jobs.refresh(),
    lastRestorePlan: () => commands.memory.lastPlan(),
    triggerSavepoint: (o) => commands.savepoint(o, false),
    restore: (o) => commands.runOrRestore(o, true),
    bootstrap: (o) => commands.bootstrap(o),
  };
  let disposed = false;
  return {
    api,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const d of disposables) d.dispose();
    },
  };
}
