import type { ExponentialBackoffRetryOptions } from '@azure/functions';

/** Identity-based connection: TOKENWATCH_EVENTHUB__fullyQualifiedNamespace, __credential, __clientId. */
export const EVENT_HUB_CONNECTION = 'TOKENWATCH_EVENTHUB';

/**
 * Infrastructure failures throw; with a retry policy the host holds the checkpoint and redelivers
 * the batch, forever (-1), backing off from 5 s to 5 min, until the store or the sink is back.
 */
export const EVENT_HUB_RETRY: ExponentialBackoffRetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: -1,
  minimumInterval: { seconds: 5 },
  maximumInterval: { minutes: 5 },
};
