/**
 * Which Flink clusters the extension talks to: the bundled local engine plus the remote clusters of
 * the `flinkSavepoints.clusters` setting. No VS Code dependency (tested in plain Node).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FlinkRestClientOptions } from '../../engine/rest/client';

export const BUNDLED_CLUSTER_ID = 'bundled';

export interface ClusterEntry {
  /** `bundled` or `remote:<url>` */
  id: string;
  name: string;
  kind: 'bundled' | 'remote';
  /** REST base URL (remote clusters; the bundled one gets its URL when started). */
  url?: string;
  /** Header that carries the token from the secret storage (default `Authorization`). */
  authHeader?: string;
}

export interface ParsedClusters {
  clusters: ClusterEntry[];
  /** Entries of the setting that were skipped, with the reason. */
  problems: string[];
}

export function bundledCluster(): ClusterEntry {
  return { id: BUNDLED_CLUSTER_ID, name: 'Local engine (bundled)', kind: 'bundled' };
}

/** Normalises a REST URL: http(s) only, no trailing slash. Returns undefined if it is not one. */
export function normalizeRestUrl(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.search || u.hash) return undefined;
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** The bundled engine followed by the valid entries of `flinkSavepoints.clusters`. */
export function parseClusterSettings(raw: unknown): ParsedClusters {
  const clusters: ClusterEntry[] = [bundledCluster()];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { clusters, problems };
  if (!Array.isArray(raw)) return { clusters, problems: ['flinkSavepoints.clusters must be an array of {name, url}'] };
  const seen = new Set<string>();
  raw.forEach((e, i) => {
    const where = `flinkSavepoints.clusters[${i}]`;
    if (!e || typeof e !== 'object') {
      problems.push(`${where}: expected an object {name, url}`);
      return;
    }
    const o = e as Record<string, unknown>;
    const url = typeof o.url === 'string' ? normalizeRestUrl(o.url) : undefined;
    if (!url) {
      problems.push(`${where}: "url" must be an http:// or https:// URL of the Flink REST API, got ${JSON.stringify(o.url)}`);
      return;
    }
    if (seen.has(url)) {
      problems.push(`${where}: ${url} is listed twice`);
      return;
    }
    seen.add(url);
    const name = typeof o.name === 'string' && o.name.trim() ? o.name.trim() : url;
    const authHeader = typeof o.authHeader === 'string' && o.authHeader.trim() ? o.authHeader.trim() : undefined;
    if (authHeader && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(authHeader)) {
      problems.push(`${where}: "authHeader" is not a valid HTTP header name: ${authHeader}`);
      return;
    }
    clusters.push({ id: `remote:${url}`, name, kind: 'remote', url, authHeader });
  });
  return { clusters, problems };
}

/** Key of a cluster's token in the secret storage. */
export function tokenSecretKey(c: ClusterEntry): string {
  return `flinkSavepoints.clusterToken:${c.url ?? c.id}`;
}

/**
 * The client's auth option for a stored token. For `Authorization`, a bare token becomes
 * `Bearer <token>`; a value that already has a scheme (`Basic …`, `Bearer …`) is sent as is.
 */
export function authOption(c: ClusterEntry, token: string | undefined): FlinkRestClientOptions['auth'] {
  const t = token?.trim();
  if (!t) return undefined;
  const header = c.authHeader ?? 'Authorization';
  if (header.toLowerCase() === 'authorization') {
    return /^[A-Za-z][A-Za-z0-9-]*\s+\S/.test(t) ? t : `Bearer ${t}`;
  }
  return { name: header, value: t };
}

// ---------------------------------------------------------------------------------------------
// The bundled engine

/**
 * Where engine.jar may be, in order: the packaged extension (`dist/engine/engine.jar`), a
 * development checkout (`engine/runtime/target/flink-1.20.3/engine.jar`), then `FSP_ENGINE_JAR`.
 */
export function engineJarCandidates(extensionPath: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out = [join(extensionPath, 'dist', 'engine', 'engine.jar'), join(extensionPath, 'engine', 'runtime', 'target', 'flink-1.20.3', 'engine.jar')];
  if (env.FSP_ENGINE_JAR) out.push(env.FSP_ENGINE_JAR);
  return out;
}

export function findEngineJar(extensionPath: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return engineJarCandidates(extensionPath, env).find((p) => existsSync(p));
}

/** Arguments of `engine.jar serve` for the bundled engine. */
export function bundledEngineArgs(o: { workDir: string; savepointDir?: string; slots?: number; port?: number }): string[] {
  const args = ['--port', String(o.port ?? 0), '--work-dir', o.workDir];
  if (o.savepointDir) args.push('--savepoint-dir', o.savepointDir);
  if (o.slots !== undefined) args.push('--slots', String(o.slots));
  return args;
}
