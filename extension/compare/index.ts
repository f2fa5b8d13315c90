/**
 * "Compare with Another Savepoint…" (flinkSavepoints.compareWith): compares the savepoint of a
 * Savepoints view node (or a folder / _metadata URI) with another one picked from the view's list or
 * browsed for, entries included, and opens the Markdown report as a read-only virtual document.
 *
 *   executeCommand('flinkSavepoints.compareWith', nodeOrUri?, otherUri?) → {uri, text, identical} | undefined
 *
 * The comparison itself is engine/savepoint/compare.ts (loaded on first use).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { logError } from '../log';
import { MarkdownReports } from '../reports';
import type { Node, SavepointNode, SavepointTreeProvider } from '../savepointTree';

export const COMPARE_COMMAND = 'flinkSavepoints.compareWith';
const SCHEME = 'flink-savepoints-compare';

export interface CompareDeps {
  tree: SavepointTreeProvider;
  view?: vscode.TreeView<Node>;
}

export interface CompareResult {
  uri: vscode.Uri;
  text: string;
  identical: boolean;
}

/** The savepoint folder a command argument names (tree node, folder or _metadata URI, path string). */
export function savepointDirOf(arg: unknown): string | undefined {
  if (!arg) return undefined;
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? dirOfPath(arg.fsPath) : undefined;
  if (typeof arg === 'string') return dirOfPath(arg.startsWith('file:') ? vscode.Uri.parse(arg).fsPath : arg);
  if (typeof arg === 'object') {
    let cur = arg as { kind?: string; parent?: unknown; dir?: string };
    while (cur && cur.kind && cur.kind !== 'savepoint') cur = cur.parent as typeof cur;
    if (cur && cur.kind === 'savepoint' && typeof cur.dir === 'string') return cur.dir;
  }
  return undefined;
}

function dirOfPath(p: string): string {
  if (path.basename(p) === '_metadata') return path.dirname(p);
  try {
    if (fs.statSync(p).isFile()) return path.dirname(p);
  } catch {
    // let the reader report it
  }
  return p;
}

function label(dir: string): string {
  return path.basename(dir) === 'savepoint' ? `${path.basename(path.dirname(dir))}/savepoint` : path.basename(dir);
}

class CompareFeature {
  readonly reports = new MarkdownReports(SCHEME);

  constructor(private readonly deps: CompareDeps) {}

  private async pick(title: string, exclude?: string): Promise<string | undefined> {
    const roots = (await this.deps.tree.savepoints()).filter((n: SavepointNode) => n.sp && n.dir !== exclude);
    const items: (vscode.QuickPickItem & { dir?: string; browse?: boolean })[] = roots.map((n) => ({
      label: `$(database) ${label(n.dir)}`,
      description: n.dir,
      detail: `${n.sp!.operators.length} operators${n.sp!.format ? ` · ${n.sp!.format}` : ''}`,
      dir: n.dir,
    }));
    items.push({ label: '$(folder-opened) Browse…', description: 'a savepoint folder or _metadata file', browse: true });
    const pick = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
    if (!pick) return undefined;
    if (!pick.browse) return pick.dir;
    const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, canSelectMany: false, openLabel: 'Compare', title });
    return uris?.[0] ? dirOfPath(uris[0].fsPath) : undefined;
  }

  async compare(arg?: unknown, otherArg?: unknown): Promise<CompareResult | undefined> {
    let a = savepointDirOf(arg);
    if (!a && this.deps.view) a = savepointDirOf(this.deps.view.selection[0]);
    if (!a) a = await this.pick('Savepoint to compare (A)');
    if (!a) return undefined;
    let b = savepointDirOf(otherArg);
    if (!b) b = await this.pick(`Compare ${label(a)} with… (B)`, a);
    if (!b) return undefined;
    const dirA = a;
    const dirB = b;
    try {
      const text = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Comparing ${label(dirA)} with ${label(dirB)}`, cancellable: true },
        async (progress, token) => {
          const [index, cmp] = await Promise.all([import('../../engine/savepoint/index'), import('../../engine/savepoint/compare')]);
          progress.report({ message: 'reading _metadata' });
          const [spA, spB] = await Promise.all([index.openSavepoint(dirA), index.openSavepoint(dirB)]);
          const uids = await this.deps.tree.uidsByOperatorId().catch(() => new Map<string, string>());
          progress.report({ message: 'comparing operators, states and entries' });
          const diff = await cmp.compareSavepoints(spA, spB, { entries: true, uids, isCancelled: () => token.isCancellationRequested });
          return { md: cmp.formatComparisonMarkdown(diff), identical: diff.identical };
        },
      );
      const uri = await this.reports.show(`${label(dirA).replace(/\//g, '-')} vs ${label(dirB).replace(/\//g, '-')}`, text.md);
      return { uri, text: text.md, identical: text.identical };
    } catch (e) {
      if (e instanceof Error && e.name === 'ComparisonCancelled') {
        vscode.window.setStatusBarMessage('Savepoint comparison cancelled', 3000);
        return undefined;
      }
      logError(`cannot compare ${dirA} with ${dirB}`, e);
      void vscode.window.showErrorMessage(`Cannot compare the savepoints: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}

export function registerCompareFeatures(deps: CompareDeps): vscode.Disposable {
  const f = new CompareFeature(deps);
  const subs = [f.reports, vscode.commands.registerCommand(COMPARE_COMMAND, (arg?: unknown, other?: unknown) => f.compare(arg, other))];
  return { dispose: () => subs.forEach((s) => s.dispose()) };
}
