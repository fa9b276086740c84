import type { MemoryStateBackend } from '../../src/adapters/memoryStateStore';
import { activityUse, at, ATTACKER_IP, AZURE_IP, graphUse, identity, miSignIn, ONPREM_IP, tokenId } from '../support/auditFixtures';

/**
 * Three weeks of one tenant, for the backfill and sweep tests: a VM's identity signs in daily and
 * uses its token from Azure (ARM and Graph); on day 3, during the learning period, a use from the
 * office (a Low, learned); on day 16 the VM's token is replayed from a hosting network (a High).
 * Sorted by time, as the workspace would return them.
 */
export const vm = identity(41);

export function threeWeeks(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let day = 0; day <= 20; day++) {
    const issued = at(day, 0);
    records.push(miSignIn(vm, issued));
    records.push(activityUse(vm, at(day, 5), AZURE_IP, { token: tokenId(vm, issued), iatMs: issued }));
    records.push(graphUse(vm, at(day, 7), AZURE_IP, { token: tokenId(vm, issued), issuedAtMs: issued }));
  }
  records.push(activityUse(vm, at(3, 10), ONPREM_IP, { token: 'own-onprem-token' }));
  records.push(activityUse(vm, at(16, 30), ATTACKER_IP, { token: tokenId(vm, at(16, 0)), iatMs: at(16, 0) }));
  return records.sort((a, b) => String(a['time']).localeCompare(String(b['time'])));
}

/** The attacker, back on day 22 with a token of its own. */
export function attackerReturns(): Record<string, unknown> {
  return activityUse(vm, at(22, 0), ATTACKER_IP, { token: 'thief-own-token', iatMs: at(21, 23 * 60) });
}

/** The detector's rows by partition and row key, without the partitions whose key starts with one of `skip` (watermarks). */
export function stateRows(backend: MemoryStateBackend, skip: readonly string[] = ['backfill|', 'remoteUseSweep|']): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...backend.partitions]
      .filter(([key]) => !skip.some((prefix) => key.startsWith(prefix)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, partition]) => [key, Object.fromEntries([...partition.rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))]),
  );
}
