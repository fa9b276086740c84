/**
 * One Event Hub message as the benchmark holds it: the body text the Functions host would hand
 * over, and how many log records it packs (counted once, when the stream is built, so timing
 * loops do not count).
 */
export interface BenchBody {
  readonly text: string;
  readonly records: number;
}

/** The bodies of one function invocation. */
export interface Invocation {
  readonly bodies: readonly BenchBody[];
  readonly records: number;
}

/**
 * 100 messages: the Event Hubs extension's default `maxEventBatchSize`, the most one invocation
 * receives. Diagnostic settings pack many records into a message, so an invocation carries
 * 100 × records-per-body records.
 */
export const MAX_MESSAGES_PER_INVOCATION = 100;

/**
 * Groups bodies into invocations the way the host delivers them: in stream order, at most
 * `maxMessages` bodies each, and (when given) closed as soon as `maxRecords` is reached.
 */
export function toInvocations(bodies: readonly BenchBody[], maxMessages = MAX_MESSAGES_PER_INVOCATION, maxRecords = Infinity): Invocation[] {
  if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new RangeError(`maxMessages: need a positive integer, got ${maxMessages}`);
  const invocations: Invocation[] = [];
  let current: BenchBody[] = [];
  let records = 0;
  for (const body of bodies) {
    current.push(body);
    records += body.records;
    if (current.length >= maxMessages || records >= maxRecords) {
      invocations.push({ bodies: current, records });
      current = [];
      records = 0;
    }
  }
  if (current.length > 0) invocations.push({ bodies: current, records });
  return invocations;
}

export function countRecords(items: readonly { readonly records: number }[]): number {
  let total = 0;
  for (const item of items) total += item.records;
  return total;
}
