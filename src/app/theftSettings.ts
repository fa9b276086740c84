import { buildTheftAllowlist, parseTheftAllowlistConfig } from '../core/theft/theftAllowlistConfig';
import { DEFAULT_TRUSTED_PROCESSES } from '../core/theft/defaultTrustedProcesses';
import type { TheftDetectorConfig } from '../core/theft/detectTheft';

/**
 * The theft detector's configuration: the shipped allowlists, extended or overridden by the
 * operator's JSON (TOKENWATCH_THEFT_ALLOWLIST or a --theft-allowlist file). Throws with every
 * problem named when the operator's JSON is invalid.
 */
export function loadTheftSettings(operatorJson: unknown, dedupWindowMs?: number): TheftDetectorConfig {
  const config = parseTheftAllowlistConfig(operatorJson ?? {});
  if (!config.ok) throw new Error(`theft allowlist: ${config.errors.join('; ')}`);
  const allowlist = buildTheftAllowlist(DEFAULT_TRUSTED_PROCESSES, config.value);
  if (!allowlist.ok) throw new Error(`theft allowlist: ${allowlist.errors.join('; ')}`);
  return { allowlist: allowlist.value, ...(dedupWindowMs !== undefined ? { dedupWindowMs } : {}) };
}
