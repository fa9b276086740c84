import type { InvocationContext } from '@azure/functions';
import { appendAll } from '../core/arrays';
import { redactedJson } from '../core/redact/redactSecrets';

/**
 * The Event Hub trigger's input (cardinality 'many': an array of bodies, each an object, string or
 * Buffer) as a list, with origins that point back to each event (`partition 3 seq 1200`, to which
 * the decoders add `record 7`) and the batch's name; and the slices an invocation is judged in.
 */
export function messagesOfInvocation(messages: unknown, context: InvocationContext): { list: readonly unknown[]; originOf: (index: number) => string; batchId: string } {
  const list = Array.isArray(messages) ? messages : [messages];
  const meta = context.triggerMetadata ?? {};
  const partition = readPartitionId(meta['partitionContext']);
  const sequenceNumbers = Array.isArray(meta['sequenceNumberArray']) ? (meta['sequenceNumberArray'] as unknown[]) : [];
  // The first sequence number names the batch: a redelivery carries the same one.
  const batchId = `${partition}-${String(sequenceNumbers[0] ?? context.invocationId)}`;
  return { list, originOf: (i) => `partition ${partition} seq ${String(sequenceNumbers[i] ?? `#${i}`)}`, batchId };
}

function readPartitionId(partitionContext: unknown): string {
  if (typeof partitionContext === 'object' && partitionContext !== null && 'partitionId' in partitionContext) {
    return String((partitionContext as { partitionId: unknown }).partitionId);
  }
  return '?';
}

/**
 * 8 MiB of bodies per slice. An invocation is judged slice by slice (decode, parse, load, detect,
 * commit, send, then the next slice), so what it builds from its bodies (events, loaded partitions,
 * changes, alerts) is bounded by a slice, not by the batch: the largest batch the host delivers
 * (host.json maxEventBatchSize 100 × Event Hubs' 1 MB body limit) is about 12 slices. A batch of
 * ordinary bodies (the bench's 100 × 20 records) is one slice, judged as before.
 */
export const SLICE_BODY_BYTES = 8 * 1024 * 1024;

/**
 * What a body the host hands over already parsed (the Node library parses every JSON body) counts
 * per record towards a slice: 2 KB, the size of an average diagnostic-setting record (the demo
 * tenant's 21,001 records are 42 MB of JSON). Text and binary bodies count their length.
 */
export const PARSED_RECORD_BYTES = 2_048;

export interface InvocationSlice {
  /** 0, 1, …: the order the slices are judged in. */
  readonly index: number;
  /** The messages of the slice: `list.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  /** The slice's bodies as SLICE_BODY_BYTES counts them. */
  readonly bytes: number;
}

export interface InvocationSlicing {
  /** Bytes of bodies per slice (default SLICE_BODY_BYTES); a slice always takes at least one message. */
  readonly maxSliceBytes?: number;
  /** Called as each slice is about to be judged (tests count the slices). */
  readonly onSlice?: (slice: InvocationSlice) => void;
}

/**
 * Cuts an invocation's messages into consecutive slices of whole messages, each at most
 * `maxBytes` of bodies unless one message alone is more. Message order is kept, so records are
 * judged in the order they were delivered. No messages: one empty slice (the batch still runs and logs).
 */
export function invocationSlices(list: readonly unknown[], maxBytes: number = SLICE_BODY_BYTES): InvocationSlice[] {
  const slices: InvocationSlice[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < list.length; i++) {
    const size = bodyBytes(list[i]);
    if (i > start && bytes + size > maxBytes) {
      slices.push({ index: slices.length, start, end: i, bytes });
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  slices.push({ index: slices.length, start, end: list.length, bytes });
  return slices;
}

/** A body's size as a slice counts it: text and binary by their length, a parsed body by its records. */
export function bodyBytes(body: unknown): number {
  if (typeof body === 'string') return body.length;
  if (body instanceof Uint8Array) return body.byteLength;
  if (Array.isArray(body)) return body.length * PARSED_RECORD_BYTES;
  if (typeof body === 'object' && body !== null && 'records' in body && Array.isArray(body.records)) return body.records.length * PARSED_RECORD_BYTES;
  return PARSED_RECORD_BYTES;
}

/**
 * Judges an invocation slice by slice (invocationSlices), each slice read, judged, committed and
 * sent before the next, and adds their reports. A failure in any slice is logged as
 * `<event>.failed` (batch id, retry count, records read so far, the error, redacted) and thrown,
 * so the retry policy redelivers the batch.
 */
export async function judgeInSlices<R extends object>(
  list: readonly unknown[],
  context: InvocationContext,
  batch: { readonly batchId: string; readonly event: string; readonly slicing?: InvocationSlicing | undefined },
  judgeSlice: (messages: readonly unknown[], firstIndex: number, sliceBatchId: string) => Promise<{ readonly records: number; readonly report: R }>,
): Promise<{ readonly report: R; readonly slices: number }> {
  const slices = invocationSlices(list, batch.slicing?.maxSliceBytes);
  let report: R | undefined;
  let records = 0;
  try {
    for (const slice of slices) {
      batch.slicing?.onSlice?.(slice);
      const judged = await judgeSlice(list.slice(slice.start, slice.end), slice.start, sliceBatchId(batch.batchId, slice));
      records += judged.records;
      report = report === undefined ? judged.report : addSliceReports(report, judged.report);
    }
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    context.error(redactedJson({ event: `${batch.event}.failed`, batchId: batch.batchId, retry: context.retryContext?.retryCount ?? 0, records, slices: slices.length, error: detail }));
    throw error;
  }
  // invocationSlices always gives at least one slice.
  if (report === undefined) throw new Error(`${batch.event}: no slice was judged`);
  return { report, slices: slices.length };
}

/**
 * The name a slice's dead letters are stored under: the batch's own for the first slice (a batch
 * of one slice is named as before), `<batch>.<slice>` after it, so one slice's reject rows never
 * overwrite another's and a redelivery (cut into the same slices) overwrites its own.
 */
export function sliceBatchId(batchId: string, slice: InvocationSlice): string {
  return slice.index === 0 ? batchId : `${batchId}.${slice.index}`;
}

/**
 * Two slices' reports as one: counts (numbers, at any depth of nested count objects) added, lists
 * (the alerts) joined in slice order. Every field of a batch report is one or the other, so a count
 * added to a report needs no change here. Anything else (none today) takes the later slice's value:
 * the slices are committed by then, and a report must never fail the invocation.
 */
export function addSliceReports<T extends object>(total: T, slice: T): T {
  return addCounts(total, slice) as T;
}

function addCounts(total: unknown, more: unknown): unknown {
  if (typeof total === 'number' && typeof more === 'number') return total + more;
  if (Array.isArray(total) && Array.isArray(more)) return appendAll(appendAll([], total), more);
  if (isCountObject(total) && isCountObject(more)) {
    const out: Record<string, unknown> = { ...total };
    for (const [key, value] of Object.entries(more)) out[key] = key in out ? addCounts(out[key], value) : value;
    return out;
  }
  return more;
}

function isCountObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
