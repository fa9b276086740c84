import { app } from '@azure/functions';
import { handleRemoteTokenUse } from '../src/app/remoteUseHandler';
import { dependencies } from './dependencies';

/** Entra ID and Azure resource logs (diagnostic settings) → remote Managed Identity token use. */
app.eventHub('remoteTokenUse', {
  connection: 'TOKENWATCH_EVENTHUB', // identity-based: TOKENWATCH_EVENTHUB__fullyQualifiedNamespace, __credential, __clientId
  eventHubName: '%TOKENWATCH_AUDIT_HUB%',
  consumerGroup: '%TOKENWATCH_AUDIT_CONSUMER_GROUP%',
  cardinality: 'many',
  // Infrastructure failures throw; the batch is redelivered and the checkpoint held until it succeeds.
  retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: { seconds: 5 }, maximumInterval: { minutes: 5 } },
  handler: async (messages, context) => {
    await handleRemoteTokenUse(messages, context, dependencies().remoteUse);
  },
});
