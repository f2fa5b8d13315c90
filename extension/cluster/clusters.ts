/**
 * The Flink clusters the extension talks to: the bundled engine (engine.jar `serve`, started on
 * demand with the user's Java, logs in the "Flink Engine" output channel, stopped with the
 * extension) and remote clusters from `flinkSavepoints.clusters` with a token in SecretStorage.
 * Nothing runs in an untrusted workspace: no Java is started, no request is sent.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { FlinkRestClient } from '../../engine/rest/client';
import { JavaNotFoundError, findJava, startEngine, type JavaInfo, type RunningEngine } from '../../engine/rest/engine-process';
import {
  BUNDLED_CLUSTER_ID,
  authOption,
  bundledEngineArgs,
  findEngineJar,
  engineJarCandidates,
  parseClusterSettings,
  tokenSecretKey,
  type ClusterEntry,
} from './cluster-config';

export const JAVA_SETTING = 'flinkSavepoints.java.home';
const ACTIVE_KEY = 'flinkSavepoints.activeCluster';

export type EngineState = 'stopped' | 'starting' | 'running' | 'failed';

export interface EngineInfo {
  state: EngineState;
  url?: string;
  flinkVersion?: string;
  pid?: number;
  java?: string;
  jar?: string;
  error?: string;
}

/** Thrown (and already shown to the user) when a feature is used in an untrusted workspace. */
export class UntrustedWorkspaceError extends Error {
  constructor(what: string) {
    super(`${what} needs a trusted workspace: it runs Java and sends job jars to a Flink cluster.`);
    this.name = 'UntrustedWorkspaceError';
  }
}

export class ClusterManager implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private engine: RunningEngine | undefined;
  private starting: Promise<RunningEngine> | undefined;
  private info: EngineInfo = { state: 'stopped' };
  private javaInfo: Promise<JavaInfo> | undefined;
  private readonly clientCache = new Map<string, FlinkRestClient>();
  private engineChannel: vscode.OutputChannel | undefined;
  private reportedProblems = '';
  private disposed = false;
  readonly statusBar: vscode.StatusBarItem;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log?: vscode.OutputChannel) {
    this.statusBar = vscode.window.createStatusBarItem('flinkSavepoints.cluster', vscode.StatusBarAlignment.Left, 20);
    this.statusBar.name = 'Flink Cluster';
    this.statusBar.command = 'flinkSavepoints.selectCluster';
    this.disposables.push(
      this.statusBar,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(JAVA_SETTING)) this.javaInfo = undefined;
        if (e.affectsConfiguration('flinkSavepoints.clusters')) {
          this.clientCache.clear();
          this.fire();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.fire()),
    );
    this.updateStatusBar();
  }

  private fire(): void {
    if (this.disposed) return;
    this.updateStatusBar();
    this.changed.fire();
  }

  trace(msg: string): void {
    this.log?.appendLine(`[cluster] ${msg}`);
  }

  // ----- trust --------------------------------------------------------------------------------

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Throws (after telling the user) if the workspace is not trusted. */
  requireTrust(what: string): void {
    if (this.trusted) return;
    const e = new UntrustedWorkspaceError(what);
    void vscode.window.showWarningMessage(e.message, 'Manage Workspace Trust').then((b) => {
      if (b) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    throw e;
  }

  // ----- clusters -----------------------------------------------------------------------------

  clusters(): ClusterEntry[] {
    const raw = vscode.workspace.getConfiguration('flinkSavepoints').get<unknown>('clusters', []);
    const { clusters, problems } = parseClusterSettings(raw);
    const key = problems.join('\n');
    if (key && key !== this.reportedProblems) {
      this.reportedProblems = key;
      this.trace(`ignored entries of flinkSavepoints.clusters:\n  ${problems.join('\n  ')}`);
      void vscode.window.showWarningMessage(`Some Flink clusters in the settings were ignored: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`, 'Open Settings').then((b) => {
        if (b) void vscode.commands.executeCommand('workbench.action.openSettings', 'flinkSavepoints.clusters');
      });
    }
    return clusters;
  }

  find(idOrUrlOrName: string): ClusterEntry | undefined {
    const all = this.clusters();
    return all.find((c) => c.id === idOrUrlOrName) ?? all.find((c) => c.url === idOrUrlOrName.replace(/\/+$/, '')) ?? all.find((c) => c.name === idOrUrlOrName);
  }

  active(): ClusterEntry {
    const id = this.context.workspaceState.get<string>(ACTIVE_KEY);
    const all = this.clusters();
    return (id && all.find((c) => c.id === id)) || all[0];
  }

  async setActive(id: string): Promise<ClusterEntry> {
    const c = this.find(id);
    if (!c) throw new Error(`No Flink cluster "${id}" (known: ${this.clusters().map((x) => x.name).join(', ')})`);
    await this.context.workspaceState.update(ACTIVE_KEY, c.id);
    this.trace(`active cluster: ${c.name}${c.url ? ` (${c.url})` : ''}`);
    this.fire();
    return c;
  }

  async setToken(c: ClusterEntry, token: string | undefined): Promise<void> {
    if (c.kind !== 'remote') throw new Error('The bundled engine needs no token');
    if (token && token.trim()) await this.context.secrets.store(tokenSecretKey(c), token.trim());
    else await this.context.secrets.delete(tokenSecretKey(c));
    this.clientCache.delete(c.id);
    this.fire();
  }

  async hasToken(c: ClusterEntry): Promise<boolean> {
    return c.kind === 'remote' && !!(await this.context.secrets.get(tokenSecretKey(c)));
  }

  /**
   * A REST client for the cluster (default: the active one). The bundled engine is started unless
   * `start` is false, in which case undefined is returned while it is not running.
   */
  async client(c: ClusterEntry = this.active(), o: { start?: boolean } = {}): Promise<FlinkRestClient | undefined> {
    this.requireTrust('Talking to a Flink cluster');
    if (c.kind === 'bundled') {
      if (!this.engine) {
        if (o.start === false) return undefined;
        await this.startBundledEngine();
      }
      const url = this.engine!.url;
      let cl = this.clientCache.get(`${c.id}\0${url}`);
      if (!cl) {
        cl = new FlinkRestClient({ baseUrl: url });
        this.clientCache.set(`${c.id}\0${url}`, cl);
      }
      return cl;
    }
    let cl = this.clientCache.get(c.id);
    if (!cl) {
      const token = await this.context.secrets.get(tokenSecretKey(c));
      cl = new FlinkRestClient({ baseUrl: c.url!, auth: authOption(c, token) });
      this.clientCache.set(c.id, cl);
    }
    return cl;
  }

  /** Like {@link client} but never undefined (starts the bundled engine). */
  async requireClient(c: ClusterEntry = this.active()): Promise<FlinkRestClient> {
    return (await this.client(c, { start: true }))!;
  }

  /** The URL of a cluster's web UI / REST API, if known. */
  urlOf(c: ClusterEntry = this.active()): string | undefined {
    return c.kind === 'bundled' ? this.engine?.url : c.url;
  }

  // ----- the bundled engine -------------------------------------------------------------------

  engineInfo(): EngineInfo {
    return { ...this.info };
  }

  engineJar(): string | undefined {
    return findEngineJar(this.context.extensionPath);
  }

  /** `<first workspace folder>/savepoints`, else a folder in the extension's global storage. */
  defaultSavepointDir(): string {
    const ws = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return ws ? path.join(ws.uri.fsPath, 'savepoints') : path.join(this.context.globalStorageUri.fsPath, 'savepoints');
  }

  private channel(): vscode.OutputChannel {
    if (!this.engineChannel) {
      this.engineChannel = vscode.window.createOutputChannel('Flink Engine');
      this.disposables.push(this.engineChannel);
    }
    return this.engineChannel;
  }

  showEngineLog(): void {
    this.channel().show(true);
  }

  /** Finds Java (setting, JAVA_HOME, PATH); tells the user what to do if there is none. */
  async java(o: { quiet?: boolean } = {}): Promise<JavaInfo> {
    this.requireTrust('Running Java');
    if (!this.javaInfo) {
      const setting = vscode.workspace.getConfiguration('flinkSavepoints').get<string>('java.home', '');
      this.javaInfo = findJava({ setting, settingName: `the setting ${JAVA_SETTING}` });
      this.javaInfo.then(
        (j) => this.trace(`Java ${j.version} from ${j.source}: ${j.path}`),
        () => (this.javaInfo = undefined),
      );
    }
    try {
      return await this.javaInfo;
    } catch (e) {
      if (!o.quiet) this.showJavaProblem(e);
      throw e;
    }
  }

  private showJavaProblem(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    const buttons = e instanceof JavaNotFoundError ? ['Open Java Setting', 'Get a JDK'] : ['Open Java Setting'];
    void vscode.window.showErrorMessage(msg, ...buttons).then((b) => {
      if (b === 'Open Java Setting') void vscode.commands.executeCommand('workbench.action.openSettings', JAVA_SETTING);
      if (b === 'Get a JDK') void vscode.env.openExternal(vscode.Uri.parse('https://adoptium.net/temurin/releases/?version=17'));
    });
  }

  /** Starts the bundled engine (once; concurrent callers share the start). */
  async startBundledEngine(o: { jar?: string; java?: string; slots?: number } = {}): Promise<EngineInfo> {
    this.requireTrust('Starting the local Flink engine');
    if (this.engine) return this.engineInfo();
    if (!this.starting) {
      this.starting = this.doStart(o).finally(() => (this.starting = undefined));
    }
    await this.starting;
    return this.engineInfo();
  }

  private async doStart(o: { jar?: string; java?: string; slots?: number }): Promise<RunningEngine> {
    const jar = o.jar ?? this.engineJar();
    if (!jar) {
      const msg = `The Flink engine (engine.jar) is not part of this installation. Looked in: ${engineJarCandidates(this.context.extensionPath).join(', ')}. In a development checkout run "npm run engine".`;
      this.info = { state: 'failed', error: msg };
      this.fire();
      void vscode.window.showErrorMessage(msg);
      throw new Error(msg);
    }
    this.info = { state: 'starting', jar };
    this.fire();
    try {
      const java = o.java ?? (await this.java()).path;
      const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
      const workDir = path.join(this.context.globalStorageUri.fsPath, 'engine-work');
      const savepointDir = this.defaultSavepointDir();
      fs.mkdirSync(workDir, { recursive: true });
      const args = bundledEngineArgs({ workDir, savepointDir, slots: o.slots ?? cfg.get<number>('engine.slots', 4) });
      const ch = this.channel();
      ch.appendLine(`$ ${java} -jar ${jar} serve ${args.join(' ')}`);
      const t0 = Date.now();
      const engine = await startEngine({
        java,
        jar,
        args,
        jvmArgs: cfg.get<string[]>('engine.jvmArgs', []),
        onLog: (line) => ch.appendLine(line),
      });
      if (this.disposed) {
        void engine.stop({ graceMs: 5_000, termGraceMs: 3_000 });
        throw new Error('the extension was deactivated while the engine started');
      }
      this.engine = engine;
      this.info = { state: 'running', url: engine.url, flinkVersion: engine.flinkVersion, pid: engine.pid, java, jar };
      ch.appendLine(`[engine ready in ${Date.now() - t0} ms: Flink ${engine.flinkVersion} at ${engine.url}, savepoints in ${savepointDir}]`);
      this.trace(`local engine ready: Flink ${engine.flinkVersion} at ${engine.url}`);
      void engine.exited.then((x) => {
        if (this.engine !== engine) return;
        this.engine = undefined;
        const unexpected = !this.disposed && this.info.state === 'running';
        this.info = unexpected ? { state: 'failed', error: `the engine exited (${x.signal ?? `code ${x.code}`})` } : { state: 'stopped' };
        ch.appendLine(`[engine exited: ${x.signal ?? `code ${x.code}`}]`);
        if (unexpected) {
          void vscode.window.showWarningMessage(`The local Flink engine stopped unexpectedly (${x.signal ?? `exit code ${x.code}`}).`, 'Show Engine Log').then((b) => {
            if (b) this.showEngineLog();
          });
        }
        this.fire();
      });
      this.fire();
      return engine;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.info = { state: 'failed', jar, error: msg };
      this.channel().appendLine(`[engine failed to start] ${msg}`);
      this.fire();
      if (!(e instanceof JavaNotFoundError) && !(e instanceof UntrustedWorkspaceError)) {
        void vscode.window.showErrorMessage(`The local Flink engine did not start: ${msg.split('\n')[0]}`, 'Show Engine Log').then((b) => {
          if (b) this.showEngineLog();
        });
      }
      throw e;
    }
  }

  async stopBundledEngine(): Promise<void> {
    const e = this.engine ?? (await this.starting?.catch(() => undefined));
    if (!e) return;
    this.info = { state: 'stopped' };
    this.engine = undefined;
    this.fire();
    await e.stop({ graceMs: 15_000, termGraceMs: 5_000 });
  }

  // ----- status bar ---------------------------------------------------------------------------

  private updateStatusBar(): void {
    if (this.disposed) return;
    if (!this.trusted) {
      this.statusBar.hide();
      return;
    }
    const c = this.active();
    let text = `$(server-environment) ${c.name}`;
    let tip = `Flink cluster: ${c.name}${c.url ? `\n${c.url}` : ''}`;
    if (c.kind === 'bundled') {
      const i = this.info;
      text = i.state === 'starting' ? '$(sync~spin) Flink: starting…'
        : i.state === 'running' ? `$(vm-running) Flink ${i.flinkVersion ?? ''} (local)`
        : i.state === 'failed' ? '$(warning) Flink: local engine failed'
        : '$(vm-outline) Flink: local (stopped)';
      tip = i.state === 'running' ? `Local Flink engine at ${i.url}` : i.state === 'failed' ? `Local Flink engine failed: ${i.error}` : `Local Flink engine: ${i.state}; starts when needed`;
    } else {
      text = `$(cloud) Flink: ${c.name}`;
    }
    this.statusBar.text = text;
    this.statusBar.tooltip = `${tip}\nClick to pick the Flink cluster`;
    this.statusBar.show();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const e = this.engine;
    this.engine = undefined;
    // stdin closes at once, so the engine exits even if the host does not wait for this promise
    if (e) void e.stop({ graceMs: 10_000, termGraceMs: 5_000 });
    else void this.starting?.then((x) => x.stop({ graceMs: 5_000, termGraceMs: 3_000 }), () => undefined);
    for (const d of this.disposables) d.dispose();
  }
}

export function isBundled(c: ClusterEntry): boolean {
  return c.id === BUNDLED_CLUSTER_ID;
}
