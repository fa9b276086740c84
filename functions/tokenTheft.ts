import { app } from '@azure/functions';
import { handleTokenTheft } from '../src/app/theftHandler';
import { dependencies } from './dependencies';
import { EVENT_HUB_CONNECTION, EVENT_HUB_RETRY } from './eventHubTrigger';

/** Endpoint telemetry (Defender for Endpoint streaming API, Sysmon, Windows Security, ECS) → token theft. */
app.eventHub('tokenTheft', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: '%TOKENWATCH_ENDPOINT_HUB%',
  consumerGroup: '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%',
  cardinality: 'many',
  retry: EVENT_HUB_RETRY,
  handler: async (messages, context) => {
    await handleTokenTheft(messages, context, dependencies().theft);
  },
});
