import { app } from '@azure/functions';
import { handleTokenTheft } from '../src/app/theftHandler';
import { dependencies } from './dependencies';

/** Endpoint telemetry (Defender for Endpoint streaming API, Sysmon, Windows Security, ECS) → token theft. */
app.eventHub('tokenTheft', {
  connection: 'TOKENWATCH_EVENTHUB', // identity-based: TOKENWATCH_EVENTHUB__fullyQualifiedNamespace, __credential, __clientId
  eventHubName: '%TOKENWATCH_ENDPOINT_HUB%',
  consumerGroup: '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%',
  cardinality: 'many',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: { seconds: 5 }, maximumInterval: { minutes: 5 } },
  handler: async (messages, context) => {
    await handleTokenTheft(messages, context, dependencies().theft);
  },
});
