/**
 * Commands of the cluster features. Each accepts an options object so that tests (and other
 * extensions) can run it without any picker; called from the UI without options, it asks.
 * Programmatic calls (an options object) get errors thrown back; the user always sees them too.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { SavepointFailedError, type ClaimMode, type JobState, type SavepointFormatType } from '../../engine/rest/client';
import { JavaNotFoundError } from '../../engine/rest/engine-process';
import { language, savepointEngine } from '../engine';
import { workspaceUidSites, workspaceUids } from '../lint';
import { BOOTSTRAP_TYPES, defaultBootstrapOut, previewData, runBootstrap, writeSpecFor, type BootstrapAnswers, type BootstrapStateKind, type BootstrapType } from './bootstrap-plan';
import type { ClusterEntry } from './cluster-config';
import { ClusterManager, UntrustedWorkspaceError } from './clusters';
import { JobsTreeProvider, type JobNode } from './jobsView';
import {
  CLAIM_MODES,
  JarUploadCache,
  RestoreMemory,
  RestoreNotConfirmedError,
  describePlan,
  dropReport,
  entryClassOf,
  findJarCandidates,
  joinArgs,
  operatorLabel,
  savepointPathFromArg,
  splitArgs,
  submitPlan,
  takeSavepoint,
  validatePlan,
  type DropReport,
  type RestorePlan,
  type SavepointResult,
  type SubmitResult,
} from './restore-plan';

export const COMMANDS = {
  selectCluster: 'flinkSavepoints.selectCluster',
  setClusterToken: 'flinkSavepoints.setClusterToken',
  startEngine: 'flinkSavepoints.startEngine',
  stopEngine: 'flinkSavepoints.stopEngine',
  showEngineLog: 'flinkSavepoints.showEngineLog',
  openWebUi: 'flinkSavepoints.openWebUi',
  refreshJobs: 'flinkSavepoints.refreshJobs',
  runJob: 'flinkSavepoints.runJob',
  triggerSavepoint: 'flinkSavepoints.triggerSavepoint',
  stopWithSavepoint: 'flinkSavepoints.stopWithSavepoint',
  cancelJob: 'flinkSavepoints.cancelJob',
  copyJobId: 'flinkSavepoints.copyJobId',
  restore: 'flinkSavepoints.restoreFromSavepoint',
  restoreAgain: 'flinkSavepoints.restoreAgain',
  bootstrap: 'flinkSavepoints.bootstrapSavepoint',
} as const;

class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** Options objects are plain objects that are not tree nodes or Uris. */
function isOptions(arg: unknown): arg is Record<string, unknown> {
  return !!arg && typeof arg === 'object' && !Array.isArray(arg) && !(arg instanceof vscode.Uri) && !('kind' in (arg as object)) && !('scheme' in (arg as object));
}

export interface ClusterCommandDeps {
  context: vscode.ExtensionContext;
  clusters: ClusterManager;
  jobs: JobsTreeProvider;
  log?: vscode.OutputChannel;
}

export interface SavepointOptions {
  jobId?: string;
  clusterId?: string;
  formatType?: SavepointFormatType;
  /** a folder; `''` = the cluster's default savepoint directory */
  targetDirectory?: string;
  drain?: boolean;
  timeoutMs?: number;
}

export interface RestoreOptions {
  savepointPath?: string;
  clusterId?: string;
  jar?: string;
  entryClass?: string;
  args?: string[] | string;
  parallelism?: number;
  claimMode?: ClaimMode;
  allowNonRestoredState?: boolean;
  /** skip the uid cross-check */
  skipCrossCheck?: boolean;
  confirmTimeoutMs?: number;
}

export interface RestoreResult extends SubmitResult {
  plan: RestorePlan;
  cluster: string;
  dropReport?: DropReport;
}

export interface BootstrapOptions extends Partial<BootstrapAnswers> {
  outDir?: string;
  writer?: 'java' | 'typescript';
}

export class ClusterCommands {
  readonly memory: RestoreMemory;
  readonly jarCache = new JarUploadCache();
  private readonly clusters: ClusterManager;
  private readonly jobs: JobsTreeProvider;

  constructor(private readonly deps: ClusterCommandDeps) {
    this.clusters = deps.clusters;
    this.jobs = deps.jobs;
    this.memory = new RestoreMemory(deps.context.workspaceState);
  }

  register(): vscode.Disposable[] {
    const wrap = <A extends unknown[]>(id: string, fn: (...args: A) => Promise<unknown>) =>
      vscode.commands.registerCommand(id, async (...args: A) => {
        const programmatic = isOptions(args[args.length - 1]) || isOptions(args[0]);
        try {
          return await fn(...args);
        } catch (e) {
          if (e instanceof Cancelled) return undefined;
          if (!(e instanceof UntrustedWorkspaceError) && !(e instanceof JavaNotFoundError)) this.showError(e);
          this.deps.log?.appendLine(`[cluster] ${id} failed: ${e instanceof Error ? e.stack ?? e.message : e}`);
          if (programmatic) throw e;
          return undefined;
        }
      });
    return [
      wrap(COMMANDS.selectCluster, (o?: { id?: string } | string) => this.selectCluster(o)),
      wrap(COMMANDS.setClusterToken, (o?: { clusterId?: string; token?: string }) => this.setToken(o)),
      wrap(COMMANDS.startEngine, async () => {
        this.clusters.requireTrust('Starting the local Flink engine');
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Starting the local Flink engine…' }, () => this.clusters.startBundledEngine());
      }),
      wrap(COMMANDS.stopEngine, () => this.clusters.stopBundledEngine()),
      wrap(COMMANDS.showEngineLog, async () => this.clusters.showEngineLog()),
      wrap(COMMANDS.openWebUi, () => this.openWebUi()),
      wrap(COMMANDS.refreshJobs, async () => this.jobs.refresh()),
      wrap(COMMANDS.runJob, (o?: RestoreOptions) => this.runOrRestore(isOptions(o) ? o : {}, false)),
      wrap(COMMANDS.triggerSavepoint, (a?: unknown) => this.savepoint(a, false)),
      wrap(COMMANDS.stopWithSavepoint, (a?: unknown) => this.savepoint(a, true)),
      wrap(COMMANDS.cancelJob, (a?: unknown) => this.cancelJob(a)),
      wrap(COMMANDS.copyJobId, async (a?: unknown) => {
        const id = jobIdOf(a);
        if (id) await vscode.env.clipboard.writeText(id);
      }),
      wrap(COMMANDS.restore, (a?: unknown, b?: unknown) => {
        // from a menu: (node) or (uri, [uris]); programmatic: (options) or (node, options)
        const o: RestoreOptions = isOptions(a) ? (a as RestoreOptions) : isOptions(b) ? (b as RestoreOptions) : {};
        const sp = savepointPathFromArg(isOptions(a) ? a.savepointPath : a) ?? o.savepointPath;
        if (isOptions(a) && !sp) throw new Error('restoreFromSavepoint: options.savepointPath is required');
        return this.runOrRestore({ ...o, savepointPath: sp }, true);
      }),
      wrap(COMMANDS.restoreAgain, (o?: { confirmTimeoutMs?: number }) => this.restoreAgain(isOptions(o) ? o : {})),
      wrap(COMMANDS.bootstrap, (a?: unknown) => this.bootstrap(isOptions(a) ? (a as BootstrapOptions) : {})),
    ];
  }

  private showError(e: unknown): void {
    let msg = e instanceof Error ? e.message : String(e);
    if (e instanceof SavepointFailedError) msg = `The savepoint failed. Flink says: ${e.flinkCause}`;
    const bundled = this.clusters.active().kind === 'bundled';
    const buttons = bundled ? ['Show Engine Log'] : [];
    void vscode.window.showErrorMessage(msg.length > 600 ? `${msg.slice(0, 600)}…` : msg, ...buttons).then((b) => {
      if (b === 'Show Engine Log') this.clusters.showEngineLog();
    });
  }

  // ----- clusters -----------------------------------------------------------------------------

  async selectCluster(o?: { id?: string } | string): Promise<ClusterEntry | undefined> {
    const wanted = typeof o === 'string' ? o : o?.id;
    if (wanted) return this.clusters.setActive(wanted);
    const active = this.clusters.active();
    type Item = vscode.QuickPickItem & { cluster?: ClusterEntry; action?: 'add' | 'token' };
    const items: Item[] = [];
    for (const c of this.clusters.clusters()) {
      const info = c.kind === 'bundled' ? this.clusters.engineInfo() : undefined;
      items.push({
        label: `${c.kind === 'bundled' ? '$(vm)' : '$(cloud)'} ${c.name}`,
        description: c.kind === 'bundled' ? (info?.state === 'running' ? `running · ${info.url}` : info?.state) : c.url,
        detail: c.id === active.id ? '$(check) active' : undefined,
        cluster: c,
      });
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: '$(add) Add a Cluster…', description: 'flinkSavepoints.clusters setting', action: 'add' });
    items.push({ label: '$(key) Set Cluster Token…', action: 'token' });
    const pick = await vscode.window.showQuickPick(items, { title: 'Flink cluster', placeHolder: 'The cluster that the Flink Jobs view and the savepoint commands use' });
    if (!pick) return undefined;
    if (pick.action === 'add') {
      await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'flinkSavepoints.clusters', edit: true } });
      return undefined;
    }
    if (pick.action === 'token') {
      await this.setToken();
      return undefined;
    }
    return pick.cluster ? this.clusters.setActive(pick.cluster.id) : undefined;
  }

  async setToken(o?: { clusterId?: string; token?: string }): Promise<void> {
    const remotes = this.clusters.clusters().filter((c) => c.kind === 'remote');
    let c = o?.clusterId ? this.clusters.find(o.clusterId) : undefined;
    if (!c) {
      if (remotes.length === 0) {
        const b = await vscode.window.showInformationMessage('No remote Flink cluster is configured. Add one ({name, url}) to the setting flinkSavepoints.clusters first.', 'Open Settings');
        if (b) await vscode.commands.executeCommand('workbench.action.openSettings', 'flinkSavepoints.clusters');
        return;
      }
      const active = this.clusters.active();
      const pick = await vscode.window.showQuickPick(
        remotes.map((r) => ({ label: r.name, description: r.url, detail: `header: ${r.authHeader ?? 'Authorization'}`, r, picked: r.id === active.id })),
        { title: 'Set the token of a Flink cluster' },
      );
      if (!pick) throw new Cancelled();
      c = pick.r;
    }
    if (!c || c.kind !== 'remote') throw new Error(`Not a remote cluster: ${o?.clusterId}`);
    let token = o?.token;
    if (token === undefined) {
      token = await vscode.window.showInputBox({
        title: `Token for ${c.name}`,
        prompt: `Sent as the ${c.authHeader ?? 'Authorization'} header (${c.authHeader ? 'as is' : 'a bare token becomes "Bearer <token>"'}). Stored in VS Code's secret storage. Leave empty to remove it.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) throw new Cancelled();
    }
    await this.clusters.setToken(c, token);
    vscode.window.setStatusBarMessage(token ? `Token for ${c.name} saved` : `Token for ${c.name} removed`, 3000);
  }

  private async openWebUi(): Promise<void> {
    const c = this.clusters.active();
    if (c.kind === 'bundled') await this.clusters.startBundledEngine();
    const url = this.clusters.urlOf(c);
    if (!url) return;
    const ext = await vscode.env.asExternalUri(vscode.Uri.parse(url));
    await vscode.env.openExternal(ext);
  }

  // ----- jobs ---------------------------------------------------------------------------------

  private clusterFor(id?: string): ClusterEntry {
    if (!id) return this.clusters.active();
    const c = this.clusters.find(id);
    if (!c) throw new Error(`No Flink cluster "${id}"`);
    return c;
  }

  /** A job id from an argument or a pick among the jobs in `states`. */
  private async pickJob(arg: unknown, c: ClusterEntry, states: JobState[], what: string): Promise<{ jobId: string; name?: string }> {
    const id = jobIdOf(arg);
    if (id) return { jobId: id, name: (arg as JobNode)?.job?.name };
    const client = await this.clusters.client(c, { start: false });
    const jobs = client ? (await client.jobs()).filter((j) => states.includes(j.state)) : [];
    if (jobs.length === 0) throw new Error(`No running job on ${c.name} to ${what}.`);
    if (jobs.length === 1) return { jobId: jobs[0].jid, name: jobs[0].name };
    const pick = await vscode.window.showQuickPick(
      jobs.map((j) => ({ label: j.name, description: j.state, detail: j.jid, j })),
      { title: `Which job to ${what}?` },
    );
    if (!pick) throw new Cancelled();
    return { jobId: pick.j.jid, name: pick.j.name };
  }

  async savepoint(arg: unknown, stop: boolean): Promise<SavepointResult | undefined> {
    const what = stop ? 'stop with a savepoint' : 'take a savepoint of';
    this.clusters.requireTrust(stop ? 'Stopping a job' : 'Triggering a savepoint');
    const o: SavepointOptions = isOptions(arg) ? (arg as SavepointOptions) : {};
    const programmatic = isOptions(arg);
    const c = this.clusterFor(o.clusterId ?? clusterIdOf(arg));
    const { jobId, name } = await this.pickJob(o.jobId ?? arg, c, ['RUNNING'], what);
    const client = await this.clusters.requireClient(c);

    let formatType = o.formatType;
    if (!formatType && !programmatic) {
      const pick = await vscode.window.showQuickPick([
        { label: 'Canonical', description: 'default', detail: 'Portable between state backends; can be read and edited here', f: 'CANONICAL' as const },
        { label: 'Native', detail: 'The state backend\'s own format: faster to take and restore, bound to that backend', f: 'NATIVE' as const },
      ], { title: `Savepoint format (${name ?? jobId})` });
      if (!pick) throw new Cancelled();
      formatType = pick.f;
    }
    let drain = o.drain;
    if (stop && drain === undefined && !programmatic) {
      const pick = await vscode.window.showQuickPick([
        { label: 'Stop', description: 'default', detail: 'Keep timers and windows in the savepoint, to resume the job later', d: false },
        { label: 'Stop and drain', detail: 'Emit MAX_WATERMARK first: fires all event-time timers and windows. For a final shutdown', d: true },
      ], { title: `Stop ${name ?? jobId} with a savepoint` });
      if (!pick) throw new Cancelled();
      drain = pick.d;
    }
    let target: string | undefined = o.targetDirectory;
    if (target === undefined) {
      if (programmatic) target = c.kind === 'bundled' ? this.clusters.defaultSavepointDir() : '';
      else target = await this.pickTarget(c);
    }
    const t0 = Date.now();
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: stop ? `Stopping ${name ?? jobId} with a savepoint` : `Savepoint of ${name ?? jobId}`, cancellable: true },
      (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort(new Cancelled()));
        progress.report({ message: 'waiting for Flink…' });
        return takeSavepoint(client, { jobId, stop, drain, formatType, targetDirectory: target || undefined, timeoutMs: o.timeoutMs, signal: ac.signal });
      },
    );
    this.deps.log?.appendLine(`[cluster] savepoint of ${jobId} in ${Date.now() - t0} ms: ${r.location}`);
    if (stop) await client.awaitJobState(jobId, ['FINISHED', 'CANCELED'], 30_000).catch(() => undefined);
    this.jobs.refresh();
    await this.savepointWritten(r.dir, r.location, `${stop ? 'Stopped with savepoint' : 'Savepoint'} ${path.basename(r.dir ?? r.location)}`);
    return r;
  }

  private async pickTarget(c: ClusterEntry): Promise<string> {
    const def = this.clusters.defaultSavepointDir();
    type Item = vscode.QuickPickItem & { v?: string; browse?: boolean; enter?: boolean };
    const items: Item[] = [
      { label: `$(folder) ${vscode.workspace.asRelativePath(def)}`, description: c.kind === 'bundled' ? 'default' : 'a folder on this machine', v: def },
    ];
    if (c.kind === 'remote') items.unshift({ label: '$(cloud) The cluster\'s default savepoint directory', description: 'default (execution.checkpointing.savepoint-dir)', v: '' });
    items.push({ label: '$(folder-opened) Choose a folder…', browse: true });
    items.push({ label: '$(edit) Enter a path or URI…', description: 's3://…, hdfs://…, or a path on the cluster', enter: true });
    const pick = await vscode.window.showQuickPick(items, { title: 'Where should Flink write the savepoint?' });
    if (!pick) throw new Cancelled();
    if (pick.browse) {
      const u = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Write savepoint here', defaultUri: vscode.Uri.file(def) });
      if (!u?.length) throw new Cancelled();
      return u[0].fsPath;
    }
    if (pick.enter) {
      const v = await vscode.window.showInputBox({ title: 'Savepoint target directory', prompt: 'As the cluster sees it', value: def });
      if (!v) throw new Cancelled();
      return v;
    }
    return pick.v ?? '';
  }

  /** Refreshes the Savepoints view and offers to restore, reveal or copy the new savepoint. */
  private async savepointWritten(dir: string | undefined, location: string, title: string): Promise<void> {
    if (dir) {
      const cmds = await vscode.commands.getCommands(true);
      if (cmds.includes('flinkSavepoints.refresh')) await vscode.commands.executeCommand('flinkSavepoints.refresh');
    }
    const buttons = dir ? ['Restore…', 'Show in Savepoints View', 'Copy Path'] : ['Copy Path'];
    void vscode.window.showInformationMessage(`${title} written to ${dir ?? location}`, ...buttons).then(async (b) => {
      if (b === 'Copy Path') await vscode.env.clipboard.writeText(dir ?? location);
      if (b === 'Restore…' && dir) await vscode.commands.executeCommand(COMMANDS.restore, vscode.Uri.file(dir));
      if (b === 'Show in Savepoints View' && dir) await this.showInSavepointsView(dir);
    });
  }

  private async showInSavepointsView(dir: string): Promise<void> {
    const inWorkspace = !!vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
    if (!inWorkspace) {
      const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
      const list = cfg.get<string[]>('savepointFolders', []);
      const parent = path.dirname(dir);
      if (!list.some((f) => parent === f || parent.startsWith(f + path.sep))) {
        await cfg.update('savepointFolders', [...list, parent], vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      }
    }
    const cmds = await vscode.commands.getCommands(true);
    if (cmds.includes('flinkSavepoints.refresh')) await vscode.commands.executeCommand('flinkSavepoints.refresh');
    await vscode.commands.executeCommand('flinkSavepoints.savepoints.focus');
  }

  async cancelJob(arg: unknown): Promise<string | undefined> {
    this.clusters.requireTrust('Cancelling a job');
    const o = isOptions(arg) ? (arg as { jobId?: string; clusterId?: string }) : {};
    const c = this.clusterFor(o.clusterId ?? clusterIdOf(arg));
    const { jobId, name } = await this.pickJob(o.jobId ?? arg, c, ['RUNNING', 'RESTARTING', 'CREATED', 'INITIALIZING', 'FAILING'], 'cancel');
    if (!isOptions(arg)) {
      const b = await vscode.window.showWarningMessage(`Cancel ${name ?? jobId} without a savepoint? Its state since the last checkpoint is lost.`, { modal: true }, 'Cancel Job');
      if (b !== 'Cancel Job') throw new Cancelled();
    }
    const client = await this.clusters.requireClient(c);
    await client.cancel(jobId);
    await client.awaitJobState(jobId, 'CANCELED', 60_000).catch(() => undefined);
    this.jobs.refresh();
    return jobId;
  }

  // ----- run / restore ------------------------------------------------------------------------

  private workspaceRoots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  private async pickJar(): Promise<string> {
    const candidates = this.memory.orderCandidates(findJarCandidates(this.workspaceRoots()));
    type Item = vscode.QuickPickItem & { jar?: string };
    const last = this.memory.lastJar();
    const items: Item[] = candidates.map((c) => ({
      label: `$(package) ${path.basename(c.path)}`,
      description: path.dirname(c.rel) === '.' ? undefined : path.dirname(c.rel),
      detail: `${c.path === last ? 'last used · ' : ''}built ${new Date(c.mtimeMs).toLocaleString()} · ${(c.size / 1024 / 1024).toFixed(1)} MB`,
      jar: c.path,
    }));
    items.push({ label: '$(folder-opened) Browse…' });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Job jar',
      placeHolder: candidates.length ? 'The fat jar of your Flink job (target/*.jar, build/libs/*.jar)' : 'No job jar found under target/ or build/libs/ — build the job or browse',
    });
    if (!pick) throw new Cancelled();
    if (pick.jar) return pick.jar;
    const u = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectMany: false, filters: { 'Java archive': ['jar'] }, openLabel: 'Use this job jar' });
    if (!u?.length) throw new Cancelled();
    return u[0].fsPath;
  }

  /** Operators of the savepoint that no uid in the workspace maps to; undefined if that cannot be told. */
  async crossCheck(savepointDir: string): Promise<DropReport | undefined> {
    try {
      if (!fs.existsSync(path.join(savepointDir, '_metadata'))) return undefined;
      const [reader, lang, uids] = await Promise.all([savepointEngine(), language(), workspaceUidSites()]);
      const sp = await reader.openSavepoint(savepointDir);
      if (typeof lang.crossCheck !== 'function') return undefined;
      const report = dropReport(uids, sp.operators, lang.crossCheck);
      this.deps.log?.appendLine(`[cluster] uid cross-check of ${savepointDir}: ${report.matched} of ${sp.operators.length} operators matched by ${uids.length} uids in code; would drop ${report.wouldDrop.length}`);
      return report;
    } catch (e) {
      this.deps.log?.appendLine(`[cluster] uid cross-check unavailable: ${e instanceof Error ? e.message : e}`);
      return undefined;
    }
  }

  async runOrRestore(o: RestoreOptions, restore: boolean): Promise<RestoreResult | undefined> {
    this.clusters.requireTrust(restore ? 'Restoring a job' : 'Running a job');
    const interactive = !o.jar;
    let savepointPath = o.savepointPath;
    if (restore && !savepointPath) {
      const u = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Restore from this savepoint', title: 'Savepoint folder (holds _metadata)', defaultUri: vscode.Uri.file(this.clusters.defaultSavepointDir()) });
      if (!u?.length) throw new Cancelled();
      savepointPath = savepointPathFromArg(u[0]);
    }
    const localSavepoint = savepointPath && !/^[a-z][a-z0-9+.-]+:\/\//i.test(savepointPath);
    if (savepointPath && localSavepoint && !fs.existsSync(path.join(savepointPath, '_metadata'))) {
      throw new Error(`${savepointPath} is not a savepoint: it has no _metadata file`);
    }
    const c = this.clusterFor(o.clusterId);

    const jar = o.jar ?? (await this.pickJar());
    const remembered = this.memory.jarSettings(jar);
    let entryClass = o.entryClass ?? remembered.entryClass ?? entryClassOf(jar);
    let args: string[] = typeof o.args === 'string' ? splitArgs(o.args) : o.args ?? remembered.args ?? [];
    let parallelism = o.parallelism ?? remembered.parallelism;
    let claimMode: ClaimMode = o.claimMode ?? 'NO_CLAIM';
    if (interactive) {
      const manifest = entryClassOf(jar);
      const ec = await vscode.window.showInputBox({
        title: `Entry class (${path.basename(jar)})`,
        value: entryClass ?? '',
        prompt: manifest ? `Empty = the jar's Main-Class ${manifest}` : 'The class with main(); the jar has no Main-Class',
        validateInput: (v) => (v === '' || /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u.test(v) ? undefined : 'Not a Java class name'),
        ignoreFocusOut: true,
      });
      if (ec === undefined) throw new Cancelled();
      entryClass = ec || manifest;
      const a = await vscode.window.showInputBox({
        title: 'Program arguments',
        value: joinArgs(args),
        prompt: 'As on a command line; quote values with spaces',
        validateInput: (v) => {
          try {
            splitArgs(v);
            return undefined;
          } catch (e) {
            return e instanceof Error ? e.message : String(e);
          }
        },
        ignoreFocusOut: true,
      });
      if (a === undefined) throw new Cancelled();
      args = splitArgs(a);
      const p = await vscode.window.showInputBox({
        title: 'Parallelism',
        value: parallelism ? String(parallelism) : '',
        prompt: 'Empty = the job\'s or the cluster\'s default',
        validateInput: (v) => (v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 32768) ? undefined : 'A whole number 1…32768, or empty'),
        ignoreFocusOut: true,
      });
      if (p === undefined) throw new Cancelled();
      parallelism = p ? Number(p) : undefined;
      if (restore && !o.claimMode) {
        const pick = await vscode.window.showQuickPick(CLAIM_MODES.map((m) => ({ label: m.mode, detail: m.detail, description: m.mode === 'NO_CLAIM' ? 'default' : undefined, m: m.mode })), { title: 'Claim mode: who owns the savepoint after the restore?' });
        if (!pick) throw new Cancelled();
        claimMode = pick.m;
      }
    }

    let allowNonRestoredState = o.allowNonRestoredState ?? false;
    let report: DropReport | undefined;
    if (restore && savepointPath && localSavepoint && !o.skipCrossCheck) {
      report = await this.crossCheck(savepointPath);
      if (report && report.wouldDrop.length > 0 && o.allowNonRestoredState === undefined && interactive) {
        const list = report.wouldDrop.slice(0, 12).map((op) => `• ${operatorLabel(op)}`).join('\n');
        const more = report.wouldDrop.length > 12 ? `\n… and ${report.wouldDrop.length - 12} more` : '';
        const b = await vscode.window.showWarningMessage(
          `${report.wouldDrop.length} operator(s) of ${path.basename(savepointPath)} hold state that no .uid(…) in this workspace's code maps to:\n${list}${more}\n\n` +
            'With allowNonRestoredState, Flink drops that state. Without it, Flink refuses the restore unless those operators still exist (e.g. operators without uid in an unchanged job).',
          { modal: true },
          'Restore and Drop This State',
          'Restore Without Dropping',
        );
        if (!b) throw new Cancelled();
        allowNonRestoredState = b === 'Restore and Drop This State';
      }
    }

    const plan: RestorePlan = { clusterId: c.id, jar, entryClass, args, parallelism, savepointPath, claimMode, allowNonRestoredState };
    const problem = validatePlan(plan);
    if (problem) throw new Error(`Cannot ${restore ? 'restore' : 'run'} the job: ${problem}`);
    return this.execute(plan, c, report, o.confirmTimeoutMs);
  }

  private async execute(plan: RestorePlan, c: ClusterEntry, report: DropReport | undefined, confirmTimeoutMs?: number): Promise<RestoreResult> {
    const client = await this.clusters.requireClient(c);
    const title = plan.savepointPath ? `Restoring from ${path.basename(plan.savepointPath)} on ${c.name}` : `Running ${path.basename(plan.jar)} on ${c.name}`;
    this.deps.log?.appendLine(`[cluster] ${title}: ${describePlan(plan)}`);
    let submitted: string | undefined;
    let r: SubmitResult;
    try {
      r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort(new Cancelled()));
        return submitPlan(client, plan, {
          jarCache: this.jarCache,
          signal: ac.signal,
          confirmTimeoutMs,
          progress: (m) => progress.report({ message: m }),
          onSubmitted: (id) => {
            submitted = id;
            this.jobs.refresh();
          },
        });
      });
    } catch (e) {
      this.jobs.refresh();
      if (e instanceof Cancelled && submitted) {
        void vscode.window.showInformationMessage(`Stopped waiting. Job ${submitted} was submitted and keeps running; see the Flink Jobs view.`);
      }
      if (e instanceof RestoreNotConfirmedError) {
        throw new Error(`${e.message}. The job was submitted (${e.jobId}); check it in the Flink Jobs view.`);
      }
      throw e;
    }
    await this.memory.remember(plan);
    this.jobs.refresh();
    const msg = plan.savepointPath
      ? `Job ${r.jobId} restored from ${path.basename(plan.savepointPath)}: Flink confirms checkpoint ${r.restored?.id} ${r.restored?.external_path ?? ''}`
      : `Job ${r.jobId} is running on ${c.name}.`;
    this.deps.log?.appendLine(`[cluster] ${msg}`);
    void vscode.window.showInformationMessage(msg, 'Open Web UI').then((b) => {
      if (b) void vscode.commands.executeCommand(COMMANDS.openWebUi);
    });
    return { ...r, plan, cluster: c.id, dropReport: report };
  }

  async restoreAgain(o: { confirmTimeoutMs?: number }): Promise<RestoreResult | undefined> {
    this.clusters.requireTrust('Restoring a job');
    const plan = this.memory.lastPlan();
    if (!plan) {
      void vscode.window.showInformationMessage('Nothing to restore again yet: restore a job from a savepoint first (context menu of a savepoint).');
      return undefined;
    }
    const c = (plan.clusterId && this.clusters.find(plan.clusterId)) || this.clusters.active();
    const problem = validatePlan(plan);
    if (problem) throw new Error(`Cannot restore again: ${problem}`);
    if (plan.savepointPath && !/^[a-z][a-z0-9+.-]+:\/\//i.test(plan.savepointPath) && !fs.existsSync(path.join(plan.savepointPath, '_metadata'))) {
      throw new Error(`Cannot restore again: the savepoint ${plan.savepointPath} is gone`);
    }
    return this.execute(plan, c, undefined, o.confirmTimeoutMs);
  }

  // ----- bootstrap ----------------------------------------------------------------------------

  async bootstrap(o: BootstrapOptions): Promise<{ path: string; writer: string; specFile: string } | undefined> {
    this.clusters.requireTrust('Bootstrapping a savepoint');
    let dataFile = o.dataFile;
    if (!dataFile) {
      const u = await vscode.window.showOpenDialog({ canSelectFiles: true, filters: { 'Data (CSV with header, JSON lines)': ['csv', 'jsonl', 'ndjson'] }, openLabel: 'Bootstrap state from this file', title: 'Data file' });
      if (!u?.length) throw new Cancelled();
      dataFile = u[0].fsPath;
    }
    const preview = previewData(dataFile);
    const interactive = o.uid === undefined;
    const pickOne = async <T extends string>(title: string, options: readonly T[], first?: T, detail?: (t: T) => string | undefined): Promise<T> => {
      const ordered = first ? [first, ...options.filter((x) => x !== first)] : [...options];
      const p = await vscode.window.showQuickPick(ordered.map((x) => ({ label: x, description: detail?.(x) })), { title, ignoreFocusOut: true });
      if (!p) throw new Cancelled();
      return p.label as T;
    };
    const typeDetail = (f?: string) => (t: BootstrapType) => (f && preview.types[f] === t ? 'guessed from the data' : undefined);
    let uid = o.uid;
    if (!uid) {
      const known = await workspaceUids().catch(() => [] as string[]);
      const items: vscode.QuickPickItem[] = known.sort().map((u) => ({ label: u, description: 'uid in the workspace' }));
      items.push({ label: '$(edit) Another uid…' });
      const p = await vscode.window.showQuickPick(items, { title: 'Operator uid', placeHolder: 'The .uid(…) of the operator that will own this state', ignoreFocusOut: true });
      if (!p) throw new Cancelled();
      uid = p.label.startsWith('$(edit)') ? await vscode.window.showInputBox({ title: 'Operator uid', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Required') }) : p.label;
      if (!uid) throw new Cancelled();
    }
    const stateKind: BootstrapStateKind = o.stateKind ?? (interactive ? await pickOne('State kind', ['value', 'list', 'map'] as const, 'value', (k) => ({ value: 'ValueState: one value per key', list: 'ListState: one element per row', map: 'MapState: one entry per row' })[k]) : 'value');
    let stateName = o.stateName;
    if (!stateName) {
      stateName = await vscode.window.showInputBox({ title: 'State name', prompt: 'The name in the job\'s state descriptor, e.g. new ValueStateDescriptor<>("total-spent", …)', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Required') });
      if (!stateName) throw new Cancelled();
    }
    const field = async (title: string, given?: string, avoid: string[] = []): Promise<string> => {
      if (given) return given;
      if (!interactive) throw new Error(`${title} is required`);
      return pickOne(title, preview.fields, preview.fields.find((f) => !avoid.includes(f)));
    };
    const keyField = await field('Key field (the keyBy key)', o.keyField);
    const keyType = o.keyType ?? (interactive ? await pickOne('Key type', BOOTSTRAP_TYPES, preview.types[keyField], typeDetail(keyField)) : preview.types[keyField] ?? 'String');
    let userKeyField = o.userKeyField;
    let userKeyType = o.userKeyType;
    if (stateKind === 'map') {
      userKeyField = await field('Map key field', userKeyField, [keyField]);
      userKeyType = userKeyType ?? (interactive ? await pickOne('Map key type', BOOTSTRAP_TYPES, preview.types[userKeyField], typeDetail(userKeyField)) : preview.types[userKeyField] ?? 'String');
    }
    const valueField = await field('Value field', o.valueField, [keyField, userKeyField ?? '']);
    const valueType = o.valueType ?? (interactive ? await pickOne('Value type', BOOTSTRAP_TYPES, preview.types[valueField], typeDetail(valueField)) : preview.types[valueField] ?? 'String');
    let maxParallelism = o.maxParallelism;
    if (maxParallelism === undefined) {
      if (interactive) {
        const v = await vscode.window.showInputBox({ title: 'Max parallelism', value: '128', prompt: 'Number of key groups; the restoring job must use the same (Flink\'s default for small jobs is 128)', ignoreFocusOut: true, validateInput: (s) => (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 32768 ? undefined : '1…32768') });
        if (!v) throw new Cancelled();
        maxParallelism = Number(v);
      } else maxParallelism = 128;
    }
    const answers: BootstrapAnswers = { dataFile, uid, stateKind, stateName, keyField, keyType, valueField, valueType, userKeyField, userKeyType, maxParallelism };
    const outDir = o.outDir ?? defaultBootstrapOut(this.clusters.defaultSavepointDir(), uid);
    const { specFile } = writeSpecFor(answers, outDir);

    let writer = o.writer ?? (vscode.workspace.getConfiguration('flinkSavepoints').get<string>('bootstrap.writer', 'typescript') === 'engine' ? 'java' : 'typescript');
    let java: string | undefined;
    if (writer === 'java') {
      try {
        java = (await this.clusters.java({ quiet: true })).path;
      } catch (e) {
        if (!(e instanceof JavaNotFoundError)) throw e;
        this.deps.log?.appendLine(`[cluster] no Java for engine.jar bootstrap, using the TypeScript writer: ${e.message}`);
        writer = 'typescript';
      }
    }
    const engineJar = this.clusters.engineJar();
    if (writer === 'java' && !engineJar) writer = 'typescript';
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Bootstrapping ${path.basename(outDir)}`, cancellable: true }, (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort(new Cancelled()));
      progress.report({ message: writer === 'java' ? 'Flink State Processor API (engine.jar)…' : 'writing…' });
      const run = (w: 'java' | 'typescript') => runBootstrap({ specFile, outDir, writer: w, java, engineJar, signal: ac.signal, onLog: (l) => this.deps.log?.appendLine(`[bootstrap] ${l}`) });
      return run(writer as 'java' | 'typescript').catch((e: unknown) => {
        // an engine.jar built without the bootstrap command: the built-in writer does the same
        if (writer === 'java' && e instanceof Error && /not available in this build/.test(e.message)) {
          this.deps.log?.appendLine('[cluster] engine.jar has no bootstrap command; using the TypeScript writer');
          return run('typescript');
        }
        throw e;
      });
    });
    this.deps.log?.appendLine(`[cluster] bootstrapped ${r.path} with the ${r.writer} writer in ${r.ms} ms (spec ${specFile})`);
    await this.savepointWritten(r.path, r.path, `Bootstrapped savepoint ${path.basename(r.path)}`);
    return { path: r.path, writer: r.writer, specFile };
  }
}

function clusterIdOf(arg: unknown): string | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as { kind?: string; cluster?: ClusterEntry; parent?: JobNode };
  if (o.kind === 'job') return o.cluster?.id;
  if (o.kind === 'jobDetail') return o.parent?.cluster.id;
  return undefined;
}

/** The job id of a Jobs-view node, `{jobId}`, or a string. */
export function jobIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && /^[0-9a-f]{32}$/i.test(arg)) return arg;
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as Record<string, unknown>;
  if (o.kind === 'job') return (o as unknown as JobNode).job.jid;
  if (o.kind === 'jobDetail') return (o as unknown as { parent: JobNode }).parent.job.jid;
  return typeof o.jobId === 'string' ? o.jobId : undefined;
}
