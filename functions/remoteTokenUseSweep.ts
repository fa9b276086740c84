import { app } from '@azure/functions';
import { handleRemoteUseSweepTimer } from '../src/app/remoteUseSweep';
import { dependencies } from './dependencies';

/**
 * For tenants that will not add Event Hubs: sweep the remote-use tables of the Log Analytics
 * workspace on a schedule through the same detector (src/app/remoteUseSweep.ts). Registered only
 * when enabled, because the identity holds Log Analytics Reader on the workspace only then.
 */
if (/^(true|1|yes)$/i.test(process.env['TOKENWATCH_REMOTE_USE_SWEEP_ENABLED'] ?? '')) {
  app.timer('remoteTokenUseSweep', {
    schedule: '%TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE%',
    // The watermark moves only after a window's alerts were sent: a failed run is read again.
    retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: { seconds: 10 }, maximumInterval: { minutes: 2 } },
    handler: async (_timer, context) => {
      await handleRemoteUseSweepTimer(context, dependencies().remoteUseSweep());
    },
  });
}
