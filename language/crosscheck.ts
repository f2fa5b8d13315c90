/**
 * Cross-check uids found in code against the operators of a savepoint.
 * The uid → operator ID hash defaults to operatorIdFromUid of engine/savepoint/murmur.ts
 * (re-exported by ./uid-hash); tests may inject another.
 */
import type { UidSite } from './types';
import { operatorIdFromUid as defaultHash } from './uid-hash';

export interface SavepointOperator { id: string; uid?: string; name?: string; states?: unknown[] | number }
export interface CrossCheckResult {
  /** uid sites in code whose operator exists in the savepoint */
  matched: { site: UidSite; operator: SavepointOperator }[];
  /** uids in code with no state in the savepoint (new or stateless operators) */
  newInCode: UidSite[];
  /** savepoint operators no uid in code maps to: dropped by --allowNonRestoredState */
  unmatchedInSavepoint: SavepointOperator[];
  /** the subset of unmatchedInSavepoint that actually holds state */
  wouldDropState: SavepointOperator[];
}

function hasState(op: SavepointOperator): boolean {
  if (op.states === undefined) return true;
  return Array.isArray(op.states) ? op.states.length > 0 : op.states > 0;
}

export function crossCheck(uids: UidSite[], savepointOperators: SavepointOperator[], operatorIdFromUid: (uid: string) => string = defaultHash): CrossCheckResult {
  const byId = new Map<string, SavepointOperator>();
  for (const op of savepointOperators) byId.set(op.id.toLowerCase(), op);
  const matched: CrossCheckResult['matched'] = [];
  const newInCode: UidSite[] = [];
  const hit = new Set<string>();
  for (const site of uids) {
    // Flink restores under the user-defined ID (setUidHash) when there is one, else the uid's hash
    const id = (site.operatorId ?? operatorIdFromUid(site.uid)).toLowerCase();
    const op = byId.get(id);
    if (op) {
      matched.push({ site, operator: op });
      hit.add(id);
    } else newInCode.push(site);
  }
  const unmatchedInSavepoint = savepointOperators.filter((o) => !hit.has(o.id.toLowerCase()));
  return { matched, newInCode, unmatchedInSavepoint, wouldDropState: unmatchedInSavepoint.filter(hasState) };
}
