import type { AlertRow, Evidence, EvidenceValue } from '../alerts/alertRow';
import { redactSecrets } from './redactSecrets';

/**
 * An alert row with every string redacted (redactSecrets): each column and every string inside
 * Evidence, however deep. The builders already redact the columns known to carry record text
 * (command line, target, URL); this pass is the guarantee for the rest (Reason quotes the target,
 * Operation and IdentityResourceId come from records, and a column added later is covered without
 * anyone remembering to). Applied where alerts leave the detectors (the runners), before the
 * theft-and-use join stores their halves and before any sink. A row with nothing to redact is
 * returned as it is.
 */
export function redactAlertRow(row: AlertRow): AlertRow {
  let changed: Record<string, unknown> | undefined;
  for (const [column, value] of Object.entries(row)) {
    const redacted = column === 'Evidence' ? redactEvidence(value as Evidence) : typeof value === 'string' ? redactSecrets(value) : value;
    if (redacted === value) continue;
    changed ??= { ...row };
    changed[column] = redacted;
  }
  return (changed as AlertRow | undefined) ?? row;
}

export function redactAlertRows(rows: readonly AlertRow[]): AlertRow[] {
  return rows.map(redactAlertRow);
}

function redactEvidence(evidence: Evidence): Evidence {
  return redactValue(evidence) as Evidence;
}

/** The value with its strings redacted; the same object when none changed. */
function redactValue(value: EvidenceValue): EvidenceValue {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value as readonly EvidenceValue[];
    let out: EvidenceValue[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const redacted = redactValue(items[i]!);
      if (redacted === items[i]) continue;
      out ??= items.slice();
      out[i] = redacted;
    }
    return out ?? items;
  }
  const record = value as { readonly [key: string]: EvidenceValue };
  let out: Record<string, EvidenceValue> | undefined;
  for (const [key, child] of Object.entries(record)) {
    const redacted = redactValue(child);
    if (redacted === child) continue;
    out ??= { ...record };
    out[key] = redacted;
  }
  return out ?? record;
}
