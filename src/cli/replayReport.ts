/**
 * A replay's summary as text (stderr of `tokenwatch replay`, the demo's output): what was read,
 * what the detectors ignored, what was rejected, what was raised; and whether anything was read
 * and understood.
 */
import { formatCounts } from './alertTable';
import type { ReplaySummary } from './replay';

export function formatReplaySummary(summary: ReplaySummary, rejectsFile?: string): string[] {
  const rejects = Object.values(summary.rejectsByReason).reduce((a, b) => a + b, 0);
  const lines = [
    `files ${summary.files}, records ${summary.records}, invocations ${summary.invocations}, ${Math.round(summary.elapsedMs)} ms`,
    `records by category: ${formatCounts(summary.byCategory)}`,
    `records ignored by kind: ${formatCounts(summary.ignoredByKind)}`,
    `rejects by reason: ${formatCounts(summary.rejectsByReason)}${rejectsFile && rejects > 0 ? ` (each in ${rejectsFile})` : ''}`,
    `alerts by severity: ${formatCounts(summary.alertsBySeverity)}; by detector: ${formatCounts(summary.alertsByDetector)}; suppressed by dedup: ${summary.suppressed}`,
  ];
  if (summary.tableRequests !== undefined) lines.push(`table storage requests: ${summary.tableRequests}, state rows changed: ${summary.stateChanges}`);
  if (summary.skipped.length > 0) lines.push(`skipped ${summary.skipped.length} ${summary.skipped.length === 1 ? 'input' : 'inputs'} that could not be read or were already read (warnings above)`);
  if (summary.lateUses > 0) {
    lines.push(
      `late uses: ${summary.lateUses} (older than their identity's newest use by more than the lateness allowance: judged on the state as it was, teaching nothing, and a token replay among them is not seen)`,
    );
  }
  const guessed = summary.guessedTenant;
  if (guessed.records > 0) {
    lines.push(
      `tenant inferred: ${guessed.records} ${guessed.records === 1 ? 'record' : 'records'} naming no tenant (Key Vault AuditEvent, sign-in rows without AADTenantId) judged in ${guessed.tenant}, the only tenant the replay had seen; give --tenant if they are another tenant's`,
    );
  }
  const backwards = new Set(summary.timeOrderWarnings.map((w) => w.file)).size;
  if (backwards > 0) lines.push(`warning: event time ran backwards in ${backwards} ${backwards === 1 ? 'file' : 'files'} (see above): alerts may be missing`);
  return lines;
}

/** Nothing came out of the inputs: no record and no reject but empty bodies (empty files, or files of blank lines). */
export function nothingRead(summary: ReplaySummary): boolean {
  return summary.records === 0 && Object.keys(summary.rejectsByReason).every((reason) => reason === 'body.empty');
}

/**
 * Records were read but every one was rejected: the inputs are not logs the detectors know (a
 * wrong export, another product's format), so nothing was judged. A script running the replay
 * must not take that for a clean run; the rejects are still counted and written first.
 */
export function nothingJudged(summary: ReplaySummary): boolean {
  const rejects = sumOf(summary.rejectsByReason);
  return rejects > 0 && sumOf(summary.byCategory) === 0 && sumOf(summary.ignoredByKind) === 0;
}

function sumOf(counts: Record<string, number>): number {
  let sum = 0;
  for (const key in counts) sum += counts[key]!;
  return sum;
}
