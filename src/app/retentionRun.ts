import type { InvocationContext } from '@azure/functions';

/**
 * A retention timer's run and its one log line: `<event>.run` with the settings and what was
 * deleted, or `<event>.failed` with the settings, the cut-off and the error, which is thrown on.
 * The next daily run deletes what a failed one left, since expiry is decided from the keys, not
 * from the last run.
 */
export async function runLoggedRetention<T extends object>(
  context: InvocationContext,
  event: string,
  settings: Readonly<Record<string, unknown>>,
  cutOff: Readonly<Record<string, unknown>>,
  deleteExpired: () => Promise<T>,
): Promise<T> {
  try {
    const deleted = await deleteExpired();
    context.log(JSON.stringify({ event: `${event}.run`, ...settings, ...deleted }));
    return deleted;
  } catch (error) {
    context.error(JSON.stringify({ event: `${event}.failed`, ...settings, ...cutOff, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
