import type { AlertRow, Evidence, EvidenceValue } from '../alerts/alertRow';
import { COMMAND_LINE_MAX_CHARS, TEXT_MAX_CHARS, boundText } from './textBounds';

/**
 * An alert row with every string that can come from a record bounded, so that a row built from a
 * record's fields stays far under the Logs Ingestion API's 1 MB per row (a refused row is
 * dead-lettered, never seen in Sentinel).
 *
 * Per column TEXT_MAX_CHARS (2,048), the command line COMMAND_LINE_MAX_CHARS (8,192), the reason
 * REASON_MAX_CHARS, every string in Evidence EVIDENCE_TEXT_MAX_CHARS. In the worst case (every
 * character a control character, six bytes as a JSON escape) a row is then about 560 KB; a real
 * row, whose values pass unchanged, is one to three kilobytes. The columns the detectors fill from
 * code alone (ids, times, names of rules, enumerations) are left as they are.
 */

/** 4,096 characters: a reason quotes a program, a host and a target, each at most TEXT_MAX_CHARS. */
export const REASON_MAX_CHARS = 4_096;

/** 1,024 characters per string in Evidence: supporting facts, the long ones shown in a column already. */
export const EVIDENCE_TEXT_MAX_CHARS = 1_024;

/** Evidence is built by code, a few levels deep; anything deeper is cut rather than walked. */
const EVIDENCE_MAX_DEPTH = 8;

export function boundAlertRow(row: AlertRow): AlertRow {
  return {
    ...row,
    AADTenantId: boundText(row.AADTenantId),
    IdentityObjectId: boundText(row.IdentityObjectId),
    IdentityAppId: boundText(row.IdentityAppId),
    IdentityName: boundText(row.IdentityName),
    IdentityResourceId: boundText(row.IdentityResourceId),
    IPAddress: boundText(row.IPAddress),
    ASOrganization: boundText(row.ASOrganization),
    TokenId: boundText(row.TokenId),
    SourceCategory: boundText(row.SourceCategory),
    Operation: boundText(row.Operation),
    HostName: boundText(row.HostName),
    HostId: boundText(row.HostId),
    ProcessName: boundText(row.ProcessName),
    ProcessPath: boundText(row.ProcessPath),
    ProcessCommandLine: boundText(row.ProcessCommandLine, COMMAND_LINE_MAX_CHARS),
    AccountName: boundText(row.AccountName),
    Target: boundText(row.Target),
    Reason: boundText(row.Reason, REASON_MAX_CHARS),
    Evidence: boundEvidence(row.Evidence),
  };
}

/** Evidence with every string bounded and nothing nested deeper than EVIDENCE_MAX_DEPTH. */
export function boundEvidence(evidence: Evidence): Evidence {
  const out: { [key: string]: EvidenceValue } = {};
  for (const [key, value] of Object.entries(evidence)) out[key] = boundEvidenceValue(value, EVIDENCE_MAX_DEPTH);
  return out;
}

function boundEvidenceValue(value: EvidenceValue, depth: number): EvidenceValue {
  if (typeof value === 'string') return boundText(value, EVIDENCE_TEXT_MAX_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (depth <= 0) return '…';
  if (Array.isArray(value)) return value.map((item: EvidenceValue) => boundEvidenceValue(item, depth - 1));
  const out: { [key: string]: EvidenceValue } = {};
  for (const [key, item] of Object.entries(value)) out[key] = boundEvidenceValue(item, depth - 1);
  return out;
}
