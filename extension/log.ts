import * as vscode from 'vscode';

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

export function formatBytes(n: number | bigint | undefined): string {
  if (n === undefined || n === null) return '';
  let v = Number(n);
  if (!Number.isFinite(v)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
