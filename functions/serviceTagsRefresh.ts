import { app } from '@azure/functions';
import { refreshServiceTags } from '../src/app/serviceTagsRefresh';
import { dependencies } from './dependencies';

/**
 * Daily: refresh the stored Azure service tags (src/app/serviceTagsRefresh.ts). Registered only when
 * TOKENWATCH_SUBSCRIPTION_ID is set, because the identity holds the reader role only then (infra:
 * serviceTagsRefreshEnabled).
 */
if (/\S/.test(process.env['TOKENWATCH_SUBSCRIPTION_ID'] ?? '')) {
  app.timer('serviceTagsRefresh', {
    schedule: '%TOKENWATCH_SERVICE_TAGS_SCHEDULE%',
    handler: async (_timer, context) => {
      await refreshServiceTags(context, dependencies().serviceTagsRefresh());
    },
  });
}
