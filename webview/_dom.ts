/**
 * Small DOM helpers shared by the editors' webviews (browser code; not an entry point).
 */
import { RpcClient } from './protocol';

export interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
export function vscodeApi(): VsCodeApi {
  return (api ??= acquireVsCodeApi());
}

/** A typed RPC client wired to the webview's message channel. */
export function connect<R extends { [K in keyof R]: { params: unknown; result: unknown } }, E extends { [K in keyof E]: unknown }>(): RpcClient<R, E> {
  const vs = vscodeApi();
  const client = new RpcClient<R, E>((m) => vs.postMessage(m));
  window.addEventListener('message', (e: MessageEvent) => client.handle(e.data));
  return client;
}

type Child = Node | string | number | undefined | null | false;

export function el(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) e.append(typeof c === 'number' ? String(c) : c);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: (Node | undefined)[]): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) if (c) e.append(c);
  return e;
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** A value of a vscode-textfield / vscode-textarea / input. */
export function valueOf(e: Element | null): string {
  return e ? String((e as unknown as { value?: string }).value ?? '') : '';
}

export function setValue(e: Element | null, v: string): void {
  if (e) (e as unknown as { value: string }).value = v;
}
