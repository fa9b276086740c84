import type { Severity } from '../alerts/alertRow';
import type { MatchStrength } from './theftRules';

/**
 * The severity ladder. Two questions: did we see a token path (a token URL, identity variable or
 * token file) or only the endpoint, and who asked?
 *
 *                                      token path   endpoint only
 *   suspicious caller (shell, LOLBin,      High         Medium
 *     interpreter + writable script, temp)
 *   other program, first time on host      Medium       Low
 *   allowlisted by name only, first time   Low          Low
 *
 * High needs a token path: a bare connection never proves a token was requested. A known caller
 * (an "other" program after its first request on the host) raises nothing.
 */
export type CallerStanding = 'suspicious' | 'first-time' | 'name-only';

export function theftSeverity(strength: MatchStrength, standing: CallerStanding): Severity {
  if (standing === 'name-only') return 'Low';
  if (standing === 'suspicious') return strength === 'token-path' ? 'High' : 'Medium';
  return strength === 'token-path' ? 'Medium' : 'Low';
}
