/**
 * A timeout on every request an adapter sends (Table Storage, Logs Ingestion, blobs, the service
 * tags API): the Azure SDKs wait forever by default, and a hung request would hold the invocation
 * until the 10-minute function timeout. A timed-out request fails like a dropped connection, so the
 * SDK's retry policy tries it again and, past that, the invocation fails and Event Hubs redelivers.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** 30 seconds: Table and ingestion requests answer in well under a second; far below the function timeout. */
export const REQUEST_TIMEOUT_MS = 30_000;

export function requestTimeoutPolicy(timeoutMs: number = REQUEST_TIMEOUT_MS): PipelinePolicy {
  return {
    name: 'tokenwatchRequestTimeout',
    sendRequest: (request, next) => {
      // A caller's own, shorter timeout wins.
      if (request.timeout === 0 || request.timeout > timeoutMs) request.timeout = timeoutMs;
      return next(request);
    },
  };
}
