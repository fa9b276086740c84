import { app } from '@azure/functions';
import { runStateRetention } from '../src/app/stateRetention';
import { dependencies } from './dependencies';

/**
 * Daily: delete the remote-use detector's expired write-once partitions from the state table
 * (token buckets and first uses after TOKENWATCH_TOKEN_RETENTION_DAYS, default 8; the suppression
 * ledger after TOKENWATCH_LEDGER_RETENTION_DAYS, default 30; src/app/stateRetention.ts). Always
 * registered: Table Storage has no time-to-live, and every token a tenant is issued adds rows. No
 * retry policy: the next day's run deletes what a failed one left.
 */
app.timer('stateRetention', {
  // 04:53 UTC daily: after the rejects' retention (04:41), away from whole minutes and the service-tags refresh (03:17).
  schedule: '0 53 4 * * *',
  handler: async (_timer, context) => {
    await runStateRetention(context, dependencies().stateRetention());
  },
});
