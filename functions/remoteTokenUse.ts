import { app } from '@azure/functions';
import { handleRemoteTokenUse } from '../src/app/remoteUseHandler';
import { dependencies } from './dependencies';
import { EVENT_HUB_RETRY, eventHubBatchTrigger } from './eventHubTrigger';

/** Entra ID and Azure resource logs (diagnostic settings) → remote Managed Identity token use. */
app.generic('remoteTokenUse', {
  trigger: eventHubBatchTrigger('%TOKENWATCH_AUDIT_HUB%', '%TOKENWATCH_AUDIT_CONSUMER_GROUP%'),
  retry: EVENT_HUB_RETRY,
  handler: async (messages, context) => {
    await handleRemoteTokenUse(messages, context, dependencies().remoteUse);
  },
});
