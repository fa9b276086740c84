import { app } from '@azure/functions';
import { handleRemoteTokenUse } from '../src/app/remoteUseHandler';
import { dependencies } from './dependencies';
import { EVENT_HUB_CONNECTION, EVENT_HUB_RETRY } from './eventHubTrigger';

/** Entra ID and Azure resource logs (diagnostic settings) → remote Managed Identity token use. */
app.eventHub('remoteTokenUse', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: '%TOKENWATCH_AUDIT_HUB%',
  consumerGroup: '%TOKENWATCH_AUDIT_CONSUMER_GROUP%',
  cardinality: 'many',
  retry: EVENT_HUB_RETRY,
  handler: async (messages, context) => {
    await handleRemoteTokenUse(messages, context, dependencies().remoteUse);
  },
});
