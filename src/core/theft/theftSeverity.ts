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
 *   allowlisted by name only, or by a      Low          Low
 *     path in a home folder, first time
 *
 *   Azure Arc key file read (strength `identity-key`, a token path): suspicious High, any other
 *   first-time caller Medium, and a name-only allowlist match Medium too (not lowered).
 *
 * High needs a token path: a bare connection never proves a token was requested. A known caller
 * (an "other" program after its first request on the host) raises nothing. An interpreter whose
 * telemetry does not say what it runs (`unidentified-interpreter`: no executable, as in Elastic
 * Defend's macOS `open` events, or, for a token file, no command line, as in its modification
 * events) is judged as a first-time caller every time, never known: every python on a Mac is one
 * image (Homebrew's `Python.app`), and one seen once says nothing of the script the next one runs.
 */
export type CallerStanding = 'suspicious' | 'first-time' | 'unidentified-interpreter' | 'name-only' | 'user-writable';

export function theftSeverity(strength: MatchStrength, standing: CallerStanding): Severity {
  const tokenSeen = strength !== 'endpoint-only';
  // The Arc key file unlocks the machine's own identity: a name without a path proves nothing, so
  // an allowlisted name with no path is judged like any other first-time caller (Medium).
  if (standing === 'name-only' || standing === 'user-writable') return strength === 'identity-key' ? 'Medium' : 'Low';
  if (standing === 'suspicious') return tokenSeen ? 'High' : 'Medium';
  return tokenSeen ? 'Medium' : 'Low';
}
