import { app } from '@azure/functions';
import { handleTokenTheft } from '../src/app/theftHandler';
import { dependencies } from './dependencies';
import { EVENT_HUB_RETRY, eventHubBatchTrigger } from './eventHubTrigger';

/** Endpoint telemetry (Defender for Endpoint streaming API, Sysmon, Windows Security, ECS) → token theft. */
app.generic('tokenTheft', {
  trigger: eventHubBatchTrigger('%TOKENWATCH_ENDPOINT_HUB%', '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%'),
  retry: EVENT_HUB_RETRY,
  handler: async (messages, context) => {
    await handleTokenTheft(messages, context, dependencies().theft);
  },
});
