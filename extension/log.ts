import * as vscode from 'vscode';
import { formatBytes as formatSharedBytes } from '../webview/protocol';

let channel: vscode.LogOutputChannel | undefined;

/** The "Flink Savepoints" output channel (created on first use). */
export function output(): vscode.LogOutputChannel {
  if (!channel) channel = vscode.window.createOutputChannel('Flink Savepoints', { log: true });
  return channel;
}

export function logError(what: string, e: unknown): void {
  const msg = e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
  output().error(`${what}: ${msg}`);
}

export function disposeOutput(): void {
  channel?.dispose();
  channel = undefined;
}

/** Sizes in the tree: the shared formatter, with nothing shown for an unknown size. */
export function formatBytes(n: number | bigint | undefined): string {
  return formatSharedBytes(n, '');
}
