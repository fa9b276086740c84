/**
 * How `tokenwatch` fails: a usage error (exit 2: the command line is wrong, the command's help
 * says what it takes), a command failure (exit 1: the message already says what to do), and any
 * other error turned into one line a person can act on. A stack trace only with `--debug`.
 */

/** The command line is wrong: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command could not do its work, for a reason its message states in full: exit 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** The longest first line a failure prints. */
const MAX_LINE_CHARS = 500;

/** A message line cut to MAX_LINE_CHARS: an argument echoed back may be any length (a 100 KB --store). */
export function boundedLine(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The lines printed for a failed command (the first without the `tokenwatch <command>:` prefix):
 * the first line of the message, then a hint for the failures whose own message does not say
 * what to do; with `debug`, the stack and every cause.
 */
export function describeFailure(error: unknown, debug: boolean): string[] {
  const hint = hintFor(error);
  const expected = error instanceof CommandFailure || error instanceof UsageError || hint !== undefined;
  const lines = [`${firstLine(error)}${expected || debug ? '' : ' (--debug shows the stack trace)'}`];
  if (hint !== undefined) lines.push(`  ${hint}`);
  if (debug) {
    for (let e: unknown = error; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
      lines.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
      if (!(e instanceof Error)) break;
    }
  }
  return lines;
}

function firstLine(error: unknown): string {
  if (isSignInMissing(error)) return `no Azure sign-in could get a token${signInTargetOf(error) === 'workspace' ? ' for the Log Analytics workspace' : signInTargetOf(error) === 'table' ? ' for the state table' : ''}`;
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n', 1)[0]!.trim();
  // A service's raw answer (a JSON or XML error body) says less than its status and code.
  const status = error instanceof Error ? statusOf(error) : undefined;
  if (status !== undefined && /^[{<]/.test(line)) {
    const code = codeOf(error as Error);
    return `the service answered ${status}${code !== undefined ? ` (${code})` : ''}`;
  }
  return boundedLine(line) || (error instanceof Error ? error.name : 'failed');
}

function hintFor(error: unknown): string | undefined {
  if (isSignInMissing(error)) {
    const role = signInTargetOf(error) === 'workspace' ? 'Log Analytics Reader on the workspace' : 'Storage Table Data Contributor on the state table\'s account';
    return `run \`az login\` (or sign in with Azure PowerShell or azd, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET), then try again; the identity needs ${role} (--debug: what each credential answered)`;
  }
  if (causes(error).some((e) => e.name === 'AbortError' || /operation was aborted/i.test(e.message))) {
    return 'no answer in time: check that the endpoint (--store, or the workspace) is the right one and reachable from here';
  }
  if (causes(error).some((e) => statusOf(e) === 403)) {
    return 'the signed-in identity is not allowed to use the table: give it the Storage Table Data Contributor role on the storage account (role assignments take a few minutes to apply)';
  }
  if (causes(error).some((e) => statusOf(e) === 404)) return 'not found: check --table (default TokenWatchState) and that --store is the account the app writes';
  const refused = causes(error).find((e) => codeOf(e) === 'ECONNREFUSED' || codeOf(e) === 'ENOTFOUND');
  if (refused !== undefined) return 'nothing answered at the state table endpoint: check --store (for a local run, `--store azurite` starts one)';
  return undefined;
}

/** Which service asked for the token that no sign-in could give: a Log Analytics query, the state table, or not known. */
function signInTargetOf(error: unknown): 'workspace' | 'table' | undefined {
  const chain = causes(error);
  if (chain.some((e) => e.name === 'LogQueryError' || e.message.startsWith('logAnalyticsQuery:'))) return 'workspace';
  if (chain.some((e) => e.name === 'StateStoreError' || e.message.startsWith('table state:'))) return 'table';
  return undefined;
}

/** @azure/identity's credential chain found no usable sign-in (its message lists every credential it tried, one per line). */
function isSignInMissing(error: unknown): boolean {
  return causes(error).some(
    (e) => ['AggregateAuthenticationError', 'CredentialUnavailableError', 'AuthenticationRequiredError'].includes(e.name) || /ChainedTokenCredential authentication failed/.test(e.message),
  );
}

function causes(error: unknown): Error[] {
  const out: Error[] = [];
  for (let e: unknown = error; e instanceof Error && out.length < 10; e = e.cause) out.push(e);
  return out;
}

function statusOf(error: Error): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
