import { trigger, type EventHubTriggerOptions, type ExponentialBackoffRetryOptions } from '@azure/functions';

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

/**
 * Registration options for a batching Event Hub function whose bodies arrive as text
 * (`dataType: 'string'`), to spread into `app.eventHub` next to the handler.
 *
 * Why text: with `cardinality: 'many'` and no data type, the host binds the batch as JSON objects
 * and fails the whole invocation when one body is not JSON (Azure/azure-webjobs-sdk#1830,
 * Azure/azure-functions-nodejs-library#187). Under the retry policy above that batch would be
 * redelivered forever and its partition would stop. As text, such a body reaches the decoder and
 * becomes one counted reject (`body.invalid-json`); the Node library still hands valid JSON bodies
 * over parsed. `dataType` is not among the typed Event Hub options, so it goes on an explicit
 * `trigger`, which the library registers in place of the one it would build from the options.
 */
export function eventHubBatchOptions(eventHubName: string, consumerGroup: string) {
  const options = { connection: EVENT_HUB_CONNECTION, eventHubName, consumerGroup, cardinality: 'many' } as const satisfies EventHubTriggerOptions;
  return { ...options, trigger: { ...trigger.eventHub(options), dataType: 'string' }, retry: EVENT_HUB_RETRY };
}
