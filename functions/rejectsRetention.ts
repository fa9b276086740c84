import { app } from '@azure/functions';
import { runRejectsRetention } from '../src/app/rejectsRetention';
import { dependencies } from './dependencies';

/**
 * Daily: delete the dead letters older than TOKENWATCH_REJECTS_RETENTION_DAYS (default 30) from
 * the rejects table (src/app/rejectsRetention.ts). Always registered: rejects keep samples of
 * records, and none is kept forever. No retry policy: the next day's run deletes what a failed one left.
 */
app.timer('rejectsRetention', {
  // 04:41 UTC daily: away from the sweeps' whole minutes and the service-tags refresh (03:17).
  schedule: '0 41 4 * * *',
  handler: async (_timer, context) => {
    await runRejectsRetention(context, dependencies().rejectsRetention());
  },
});
