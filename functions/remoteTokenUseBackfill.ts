import { app } from '@azure/functions';
import { handleRemoteUseBackfillTimer } from '../src/app/remoteUseBackfill';
import { dependencies } from './dependencies';

/**
 * The one-off backfill in Azure (src/app/remoteUseBackfill.ts): every 10 minutes, up to 5 minutes
 * of replaying the last TOKENWATCH_BACKFILL_DAYS days of the workspace in history mode, on the
 * same watermark row as `tokenwatch backfill`, until it reaches the start of live processing;
 * after that each run reads the watermark and does nothing. Registered only when the setting is
 * above 0. No retry policy: the next run continues from the watermark.
 */
if (Number(process.env['TOKENWATCH_BACKFILL_DAYS'] ?? '0') > 0) {
  app.timer('remoteTokenUseBackfill', {
    // Every 10 minutes (at second 30, away from the sweeps' whole minutes): a run takes at most about 5.
    schedule: '30 */10 * * * *',
    handler: async (_timer, context) => {
      const deps = dependencies();
      await handleRemoteUseBackfillTimer(context, deps.remoteUseBackfill(), deps.config.backfill.days);
    },
  });
}
