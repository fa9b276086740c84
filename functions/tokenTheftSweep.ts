import { app } from '@azure/functions';
import { runTheftSweep } from '../src/app/theftSweep';
import { dependencies } from './dependencies';

/**
 * For estates whose endpoint telemetry already lands in Log Analytics: sweep the MDE and Windows
 * event tables on a schedule through the same theft rules. Registered only when enabled, because
 * the identity holds Log Analytics Reader only then (infra: sweepEnabled).
 */
if (/^(true|1|yes)$/i.test(process.env['TOKENWATCH_SWEEP_ENABLED'] ?? '')) {
  app.timer('tokenTheftSweep', {
    schedule: '%TOKENWATCH_SWEEP_SCHEDULE%',
    // Watermarks move only after a successful run: a failed run is repeated from the same place.
    retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: { seconds: 10 }, maximumInterval: { minutes: 2 } },
    handler: async (_timer, context) => {
      const report = await runTheftSweep(dependencies().sweep());
      context.log(JSON.stringify({ event: 'tokenTheftSweep.run', rows: report.rowsByTable, fresh: report.freshByTable, truncated: report.truncated, caughtUp: report.caughtUp, missingTables: report.missingTables, alerts: report.detection.summary.detection.alertsBySeverity, rejects: report.detection.rejectsByReason }));
    },
  });
}
