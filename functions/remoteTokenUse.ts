import { app } from '@azure/functions';
import { handleRemoteTokenUse } from '../src/app/remoteUseHandler';
import { dependencies } from './dependencies';
import { eventHubBatchOptions } from './eventHubTrigger';

/** Entra ID and Azure resource logs (diagnostic settings) → remote Managed Identity token use. */
app.eventHub('remoteTokenUse', {
  ...eventHubBatchOptions('%TOKENWATCH_AUDIT_HUB%', '%TOKENWATCH_AUDIT_CONSUMER_GROUP%'),
  handler: async (messages, context) => {
    await handleRemoteTokenUse(messages, context, dependencies().remoteUse);
  },
});
