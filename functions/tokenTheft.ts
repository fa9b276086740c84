import { app } from '@azure/functions';
import { handleTokenTheft } from '../src/app/theftHandler';
import { dependencies } from './dependencies';
import { eventHubBatchOptions } from './eventHubTrigger';

/** Endpoint telemetry (Defender for Endpoint streaming API, Sysmon, Windows Security, ECS) → token theft. */
app.eventHub('tokenTheft', {
  ...eventHubBatchOptions('%TOKENWATCH_ENDPOINT_HUB%', '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%'),
  handler: async (messages, context) => {
    await handleTokenTheft(messages, context, dependencies().theft);
  },
});
