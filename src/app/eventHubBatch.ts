import type { InvocationContext } from '@azure/functions';

/**
 * The Event Hub trigger's input (cardinality 'many': an array of bodies, each an object, string or
 * Buffer) as a list, with origins that point back to each event (`partition 3 seq 1200`, to which
 * the decoders add `record 7`) and the batch's name.
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
