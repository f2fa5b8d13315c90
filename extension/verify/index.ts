/**
 * "Verify Savepoint (Decode Every Entry)" (flinkSavepoints.verifySavepoint): reads every file of the
 * savepoint of a Savepoints view node (or a folder / _metadata URI) and decodes every entry, with
 * progress and cancellation, then opens the Markdown report (bad or missing files with file, offset
 * and expectation; what this reader cannot decode; entries, bytes and the fullest key group per
 * state) as a read-only virtual document.
 *
 *   executeCommand('flinkSavepoints.verifySavepoint', nodeOrUri?, {workers?}) → {uri, text, report} | undefined
 *
 * The work is engine/savepoint/index.ts `verify` (loaded on first use). Large savepoints (over 32 MB
 * of keyed state) are decoded on worker threads running the bundled CLI (dist/fsp.js), one per core
 * (at most 4), so the extension host stays responsive; `workers` sets the number (1: this thread).
 */
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { logError } from '../log';
import { MarkdownReports } from '../reports';
import type { Node, SavepointTreeProvider } from '../savepointTree';
import type { VerifyReport } from '../../engine/savepoint/index';
import { savepointDirOf } from '../compare/index';

export const VERIFY_COMMAND = 'flinkSavepoints.verifySavepoint';
const SCHEME = 'flink-savepoints-verify';

export interface VerifyDeps {
  tree: SavepointTreeProvider;
  view?: vscode.TreeView<Node>;
  /** the bundled CLI (dist/fsp.js), which runs the worker threads */
  workerScript: string;
}

/** Keyed state below this size is decoded on the extension host's thread. */
const WORKERS_MIN_BYTES = 32 * 1024 * 1024;

export interface VerifyResult {
  uri: vscode.Uri;
  text: string;
  report: VerifyReport;
}

class VerifyFeature {
  readonly reports = new MarkdownReports(SCHEME);

  constructor(private readonly deps: VerifyDeps) {}

  async verify(arg?: unknown, options?: { workers?: number }): Promise<VerifyResult | undefined> {
    let dir = savepointDirOf(arg) ?? (this.deps.view ? savepointDirOf(this.deps.view.selection[0]) : undefined);
    if (!dir) {
      const picks = (await this.deps.tree.savepoints()).filter((n) => n.sp).map((n) => ({ label: `$(database) ${path.basename(n.dir)}`, description: n.dir, dir: n.dir }));
      dir = (await vscode.window.showQuickPick(picks, { title: 'Savepoint to verify', matchOnDescription: true }))?.dir;
    }
    if (!dir) return undefined;
    const target = dir;
    const name = path.basename(target);
    try {
      const done = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Verifying ${name}`, cancellable: true },
        async (progress, token) => {
          const [index, report, parallel] = await Promise.all([
            import('../../engine/savepoint/index'),
            import('../../engine/savepoint/report'),
            import('../../engine/savepoint/parallel'),
          ]);
          const sp = await index.openSavepoint(target);
          const threads = options?.workers ?? (index.readableKeyedBytes(sp) >= WORKERS_MIN_BYTES ? Math.min(4, os.availableParallelism()) : 1);
          const pool = threads > 1 ? new parallel.KeyGroupPool(this.deps.workerScript, sp.metadataPath, threads) : undefined;
          let shown = 0;
          try {
            const r = await index.verify(sp, {
              verifier: pool,
              isCancelled: () => token.isCancellationRequested,
              progress: (bytes, total) => {
                const pct = total > 0 ? Math.floor((100 * bytes) / total) : 100;
                if (pct > shown) {
                  progress.report({ increment: pct - shown, message: `${pct}% of the keyed state` });
                  shown = pct;
                }
              },
            });
            return { r, text: report.formatVerifyMarkdown(sp, r) };
          } finally {
            await pool?.close();
          }
        },
      );
      const uri = await this.reports.show(`${name} verification`, done.text);
      if (done.r.errors.length) {
        void vscode.window.showWarningMessage(`${name}: ${done.r.errors.length} state handle${done.r.errors.length === 1 ? '' : 's'} cannot be read; a restore from it would fail. The report names the files and offsets.`);
      }
      return { uri, text: done.text, report: done.r };
    } catch (e) {
      if (e instanceof Error && e.name === 'VerifyCancelled') {
        vscode.window.setStatusBarMessage('Savepoint verification cancelled', 3000);
        return undefined;
      }
      logError(`cannot verify ${target}`, e);
      void vscode.window.showErrorMessage(`Cannot verify ${name}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}

export function registerVerifyFeatures(deps: VerifyDeps): vscode.Disposable {
  const f = new VerifyFeature(deps);
  const subs = [f.reports, vscode.commands.registerCommand(VERIFY_COMMAND, (arg?: unknown, options?: { workers?: number }) => f.verify(arg, options))];
  return { dispose: () => subs.forEach((s) => s.dispose()) };
}
