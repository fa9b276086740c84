import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { RequestCounter } from '../adapters/tableClient';

export type RequestKind = 'query' | 'read' | 'transaction' | 'write';

/**
 * The adapters' RequestCounter (every HTTP request counted: each is a billed transaction), also
 * split by kind so the report can say where the calls go: `query` (GET: partition reads), `read`
 * (GET of one entity by its keys: point reads), `transaction` (POST $batch: entity-group
 * transactions), `write` (single-entity insert, update, delete, table creation).
 */
export class ClassifyingRequestCounter extends RequestCounter {
  readonly byKind: Record<RequestKind, number> = { query: 0, read: 0, transaction: 0, write: 0 };
  /** Requests by kind and the first segment of the partition key they touch (`query tok`, `transaction mi`). */
  readonly byTarget: Record<string, number> = {};
  override readonly policy: PipelinePolicy = {
    name: 'tokenwatchClassifyingRequestCounter',
    sendRequest: (request, next) => {
      this.requests++;
      const kind = requestKind(request.method, request.url);
      this.byKind[kind]++;
      const target = `${kind} ${partitionFamily(request.url, typeof request.body === 'string' ? request.body : '')}`;
      this.byTarget[target] = (this.byTarget[target] ?? 0) + 1;
      return next(request);
    },
  };

  reset(): void {
    this.requests = 0;
    this.byKind.query = 0;
    this.byKind.read = 0;
    this.byKind.transaction = 0;
    this.byKind.write = 0;
    for (const key of Object.keys(this.byTarget)) delete this.byTarget[key];
  }
}

export function requestKind(method: string, url: string): RequestKind {
  if (method === 'GET') return /\(PartitionKey=/.test(url) ? 'read' : 'query';
  if (method === 'POST' && url.includes('$batch')) return 'transaction';
  return 'write';
}

/**
 * The first `|`-separated segment of the partition key a request touches (`mi`, `tok`, `tenant`,
 * `host`): from the query filter of a read, from the first entity of a transaction body.
 */
export function partitionFamily(url: string, body: string): string {
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // Keep the raw URL: a malformed escape only costs the breakdown, not the count.
  }
  const inFilter = /PartitionKey eq '([^|']*)/.exec(decoded) ?? /\(PartitionKey='([^|']*)/.exec(decoded);
  if (inFilter) return inFilter[1]!;
  const inBody = /"PartitionKey":\s*"([^|"]*)/.exec(body) ?? /PartitionKey='([^|']*)/.exec(body);
  return inBody ? inBody[1]! : 'other';
}
