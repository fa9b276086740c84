import { decodeMessages, type SourcedRecord } from '../app/decodeMessages';
import type { BenchBody } from './invocations';
import { nowMs } from './measure';

/**
 * Feeds every record of `bodies` to `run` as an invocation of its own (the naive reference's
 * unit of work), until the bodies end or the monotonic clock passes `deadlineMs`.
 */
export async function runPerRecord(
  bodies: readonly BenchBody[],
  run: (records: SourcedRecord[], batchId: string) => Promise<unknown>,
  deadlineMs = Infinity,
): Promise<{ records: number }> {
  let records = 0;
  for (const [b, body] of bodies.entries()) {
    const decoded = decodeMessages([body.text], () => `body ${b}`);
    for (const [r, record] of decoded.records.entries()) {
      if (nowMs() >= deadlineMs) return { records };
      await run([record], `naive-${b}-${r}`);
      records++;
    }
  }
  return { records };
}
