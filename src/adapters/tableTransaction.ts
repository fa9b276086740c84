import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, RestError, type HttpClient } from '@azure/core-rest-pipeline';
import type { RowData } from '../core/state/partition';
import { isLoopbackUrl } from './tableClient';

/**
 * One entity-group transaction (`$batch`) of a partition, serialised here and sent through the
 * TableClient's own pipeline (its credential, retry and request-counting policies).
 *
 * `TableClient.submitTransaction` runs every operation of a transaction through the full
 * operation pipeline (span, URL template, serializer, header policies) only to capture the
 * sub-request it would have sent: 14.6–16.4 ms of CPU per 100-row transaction on the benchmark
 * machine, against 4.2–4.4 ms this way (docs/performance-log.md, the first 2 December revision).
 * This writes the same wire format the SDK writes (the same sub-request lines and headers, numbers
 * as Edm.Double) directly. Table Storage and Azurite only: the Cosmos DB Table API's variant of the
 * format is not produced.
 */
export type EntityOperation =
  | { readonly op: 'create'; readonly rowKey: string; readonly data: RowData }
  /** Insert or replace (PUT, no condition). */
  | { readonly op: 'upsert'; readonly rowKey: string; readonly data: RowData }
  /** Replace only if the stored entity still has this ETag (PUT, If-Match). */
  | { readonly op: 'replace'; readonly rowKey: string; readonly data: RowData; readonly ifMatch: string }
  /** Delete whatever version is stored (If-Match: *). */
  | { readonly op: 'delete'; readonly rowKey: string };

/** Entity-group transaction limit of the Table service: the most operations one `$batch` may carry. */
export const MAX_TX_OPERATIONS = 100;

export interface TransactionResult {
  /** One per operation, in their order: the status and, for writes, the new ETag. */
  readonly subResponses: readonly { readonly status: number; readonly etag?: string }[];
}

const CRLF = '\r\n';
let sharedHttpClient: HttpClient | undefined;

/**
 * Submits `operations` (at most MAX_TX_OPERATIONS, one partition) as one transaction. Throws RestError with the
 * failing operation's status and code when the service rejects the transaction (nothing of it is
 * applied), as `TableClient.submitTransaction` does.
 */
export async function submitEntityTransaction(client: TableClient, partitionKey: string, operations: readonly EntityOperation[], httpClient?: HttpClient): Promise<TransactionResult> {
  const [accountUrl, sas] = splitSas(client.url);
  const tableUrl = `${accountUrl}/${client.tableName}`;
  const batchId = randomUUID();
  const changesetId = randomUUID();
  const parts: string[] = [`--batch_${batchId}${CRLF}content-type: multipart/mixed; boundary=changeset_${changesetId}${CRLF}${CRLF}`];
  const partPrefix = `--changeset_${changesetId}${CRLF}content-type: application/http${CRLF}content-transfer-encoding: binary${CRLF}${CRLF}`;
  const keyPath = `PartitionKey='${keyLiteral(partitionKey)}'`;
  for (const operation of operations) parts.push(partPrefix + subRequest(tableUrl, keyPath, partitionKey, operation));
  const body = `${parts.join(CRLF)}${CRLF}--changeset_${changesetId}--${CRLF}--batch_${batchId}--${CRLF}`;
  const request = createPipelineRequest({
    url: `${accountUrl}/$batch${sas}`,
    method: 'POST',
    body,
    headers: createHttpHeaders({
      accept: 'application/json',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=batch_${batchId}`,
      'Accept-Charset': 'UTF-8',
      Connection: 'Keep-Alive',
    }),
    // As createTableClient decides for the client: plain HTTP only to a loopback emulator.
    allowInsecureConnection: isLoopbackUrl(accountUrl),
  });
  const response = await client.pipeline.sendRequest(httpClient ?? (sharedHttpClient ??= createDefaultHttpClient()), request);
  return parseTransactionResponse(response.status, response.bodyAsText ?? '', operations.length);
}

function subRequest(tableUrl: string, keyPath: string, partitionKey: string, operation: EntityOperation): string {
  const entityUrl = `${tableUrl}(${keyPath},RowKey='${keyLiteral(operation.rowKey)}')`;
  switch (operation.op) {
    case 'create':
      return `POST ${tableUrl} HTTP/1.1${CRLF}Content-Type: application/json;odata=nometadata${CRLF}Accept: application/json;odata=minimalmetadata${CRLF}DataServiceVersion: 3.0${CRLF}Prefer: return-no-content${CRLF}${CRLF}${CRLF}${entityJson(partitionKey, operation.rowKey, operation.data)}`;
    case 'upsert':
      return `PUT ${entityUrl} HTTP/1.1${CRLF}Content-Type: application/json${CRLF}DataServiceVersion: 3.0${CRLF}Accept: application/json${CRLF}${CRLF}${CRLF}${entityJson(partitionKey, operation.rowKey, operation.data)}`;
    case 'replace':
      return `PUT ${entityUrl} HTTP/1.1${CRLF}Content-Type: application/json${CRLF}DataServiceVersion: 3.0${CRLF}Accept: application/json${CRLF}If-Match: ${operation.ifMatch}${CRLF}${CRLF}${CRLF}${entityJson(partitionKey, operation.rowKey, operation.data)}`;
    case 'delete':
      return `DELETE ${entityUrl} HTTP/1.1${CRLF}Accept: application/json;odata=minimalmetadata${CRLF}DataServiceVersion: 3.0${CRLF}If-Match: *${CRLF}${CRLF}`;
  }
}

/** A key inside `(PartitionKey='…')`: quotes doubled (OData), then percent-encoded, as the SDK does. */
function keyLiteral(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

/**
 * The entity's JSON: numbers as Edm.Double (epoch milliseconds exceed Int32, and Int64 would read
 * back as bigint), strings and booleans as themselves. U+2028 and U+2029 are escaped: JSON allows
 * them raw, but Azurite's batch parser splits lines on them (a raw one fails the transaction).
 */
export function entityJson(partitionKey: string, rowKey: string, data: RowData): string {
  let json = `{"PartitionKey":${JSON.stringify(partitionKey)},"RowKey":${JSON.stringify(rowKey)}`;
  for (const name in data) {
    const value = data[name];
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`table state: ${name} = ${value} cannot be stored (Edm.Double has no NaN or infinities in JSON)`);
      json += `,${JSON.stringify(name)}:${value},${JSON.stringify(`${name}@odata.type`)}:"Edm.Double"`;
    } else json += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
  }
  json += '}';
  return /[\u2028\u2029]/.test(json) ? json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : json;
}

/**
 * Table Storage's size limits. A string property holds 64 KiB of UTF-16 (32,768 characters, as
 * Azurite's and the service's PropertyValueTooLarge message say); an entity 1 MiB by the service's
 * formula (4 bytes + 2 per key character + per property 8 bytes, 2 per name character and the
 * value: 4 + 2 per character for a string, 8 for a Double, 1 for a Boolean); a `$batch` request
 * body 4 MiB. Entities are kept 4 KiB under the limit and bodies 512 KiB under it: the formula
 * is the documented one, not the service's code.
 */
export const MAX_PROPERTY_CHARS = 32_768;
export const MAX_ENTITY_BYTES = 1_048_576 - 4_096;
export const MAX_TX_BODY_BYTES = 4_194_304 - 524_288;

/** Why an operation cannot be stored, as a reject reason and a sentence. */
export interface StorageProblem {
  readonly reason: 'state.value-too-large' | 'state.value-not-storable';
  readonly detail: string;
}

/** What an operation weighs against the limits: its problem, if any, and its share of a request body. */
export interface OperationSize {
  readonly problem: StorageProblem | undefined;
  /**
   * An upper bound on the bytes the operation adds to a `$batch` body: six bytes per character
   * of every value and name (the longest JSON escape), nine per key character (percent-encoded in
   * the URL) on top, and the sub-request's lines. Real rows are far under the body limit, so
   * overestimating costs nothing; underestimating would send a body the service refuses.
   */
  readonly bodyBytes: number;
}

/** 600 bytes: a sub-request's boundary, request line with the table URL, and headers. */
const SUB_REQUEST_BYTES = 600;

/** Checks an operation against Table Storage's limits without serialising it: one pass over its fields. */
export function operationSize(partitionKey: string, operation: EntityOperation): OperationSize {
  const keyChars = partitionKey.length + operation.rowKey.length;
  let bodyBytes = SUB_REQUEST_BYTES + 15 * keyChars;
  if (operation.op === 'delete') return { problem: undefined, bodyBytes };
  let entityBytes = 4 + 2 * keyChars;
  let problem: StorageProblem | undefined;
  const data = operation.data;
  for (const name in data) {
    const value = data[name];
    entityBytes += 8 + 2 * name.length;
    bodyBytes += 6 * name.length + 4;
    if (typeof value === 'string') {
      entityBytes += 4 + 2 * value.length;
      bodyBytes += 6 * value.length + 2;
      if (value.length > MAX_PROPERTY_CHARS) {
        problem ??= { reason: 'state.value-too-large', detail: `Property ${name} of row ${operation.rowKey} holds ${value.length} characters; Table Storage takes ${MAX_PROPERTY_CHARS}.` };
      }
    } else if (typeof value === 'number') {
      entityBytes += 8;
      bodyBytes += 6 * name.length + 60;
      if (!Number.isFinite(value)) problem ??= { reason: 'state.value-not-storable', detail: `Property ${name} of row ${operation.rowKey} is ${value}: Edm.Double has no NaN or infinities in JSON.` };
    } else {
      entityBytes += 1;
      bodyBytes += 5;
    }
  }
  if (entityBytes > MAX_ENTITY_BYTES) {
    problem ??= { reason: 'state.value-too-large', detail: `Row ${operation.rowKey} is ${entityBytes} bytes; Table Storage takes an entity of at most 1 MiB.` };
  }
  return { problem, bodyBytes };
}

/**
 * The operations in transactions the service takes: at most MAX_TX_OPERATIONS each and at most
 * MAX_TX_BODY_BYTES of body (by operationSize's upper bound), in their order.
 */
export function transactionChunks(partitionKey: string, operations: readonly EntityOperation[]): EntityOperation[][] {
  const chunks: EntityOperation[][] = [];
  let chunk: EntityOperation[] = [];
  let bytes = 0;
  for (const operation of operations) {
    const size = operationSize(partitionKey, operation).bodyBytes;
    if (chunk.length > 0 && (chunk.length >= MAX_TX_OPERATIONS || bytes + size > MAX_TX_BODY_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(operation);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * True when the service refused a transaction for the size of what it carries: 413 (the body), or
 * PropertyValueTooLarge / EntityTooLarge / RequestBodyTooLarge. A data error: sending the same
 * transaction again fails the same way, so it is never retried as it is (see submitStorable).
 */
export function isTooLargeError(error: unknown): error is RestError {
  if (!(error instanceof RestError)) return false;
  return error.statusCode === 413 || (error.code !== undefined && TOO_LARGE_CODES.has(error.code));
}

const TOO_LARGE_CODES = new Set(['PropertyValueTooLarge', 'EntityTooLarge', 'RequestBodyTooLarge']);

/**
 * True when the service refused what a transaction carries rather than the request: a size error
 * (isTooLargeError), or a 400 (InvalidInput, OutOfRangeInput, …: a value or key the service will
 * not take). Every other failure (the network, 5xx, 408, 429, 401/403 while a role propagates, 404
 * for a table not yet deployed, 409/412 conflicts) is the caller's to classify and throw or retry.
 */
export function isDataError(error: unknown): error is RestError {
  return isTooLargeError(error) || (error instanceof RestError && error.statusCode === 400);
}

/**
 * The operation a transaction error names: the service (and Azurite) start the message of a
 * failed changeset with the failing operation's index (`2:The entity is larger than …`).
 */
export function refusedOperationIndex(error: RestError, operations: number): number | undefined {
  const match = /^(\d+):/.exec(error.message);
  const index = match ? Number(match[1]) : Number.NaN;
  return Number.isInteger(index) && index >= 0 && index < operations ? index : undefined;
}

/** An operation left out of a transaction because the service would not (or did not) store it. */
export interface RefusedOperation {
  readonly operation: EntityOperation;
  readonly problem: StorageProblem;
}

/**
 * Submits `operations` (one transaction's worth) and, when the service refuses what they carry
 * (isDataError: their size, or a 400), leaves out what it refused and sends the rest: the operation the error names,
 * or, when it names none (a 413 for the whole body), the two halves separately, down to single
 * operations. A refused transaction applies nothing, so nothing is written twice. `mayRefuse` says
 * which operations may be left out (a partition's guard may not: its refusal is thrown). Any other
 * error is thrown as it is. Returns the first transaction's result (its first sub-response is the
 * first operation's) and the refused operations; `first` is undefined when nothing was sent.
 */
export async function submitStorable(
  client: TableClient,
  partitionKey: string,
  operations: readonly EntityOperation[],
  mayRefuse: (operation: EntityOperation) => boolean = () => true,
  httpClient?: HttpClient,
): Promise<{ readonly first: TransactionResult | undefined; readonly refused: RefusedOperation[] }> {
  const refused: RefusedOperation[] = [];
  let first: TransactionResult | undefined;
  // A work list, in order: the halves of a refused transaction are sent first half first.
  const pending: (readonly EntityOperation[])[] = [operations];
  while (pending.length > 0) {
    const chunk = pending.shift()!;
    if (chunk.length === 0) continue;
    try {
      const result = await submitEntityTransaction(client, partitionKey, chunk, httpClient);
      first ??= result;
    } catch (error) {
      if (!isDataError(error)) throw error;
      const index = refusedOperationIndex(error, chunk.length);
      const named = index === undefined ? undefined : chunk[index];
      if (index !== undefined && named !== undefined && mayRefuse(named)) {
        refused.push({ operation: named, problem: refusal(error, named) });
        pending.unshift(chunk.filter((_, i) => i !== index));
      } else if (chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        pending.unshift(chunk.slice(0, half), chunk.slice(half));
      } else if (mayRefuse(chunk[0]!)) {
        refused.push({ operation: chunk[0]!, problem: refusal(error, chunk[0]!) });
      } else throw error;
    }
  }
  return { first, refused };
}

function refusal(error: RestError, operation: EntityOperation): StorageProblem {
  const said = `${error.code ?? error.statusCode ?? ''} ${error.message.split('\n')[0] ?? ''}`.trim();
  return { reason: isTooLargeError(error) ? 'state.value-too-large' : 'state.value-not-storable', detail: `Table Storage refused row ${operation.rowKey}: ${said}` };
}

/**
 * The batch response: one sub-response per operation when the changeset succeeded; a single
 * sub-response naming the failed operation otherwise (the service applies none of them).
 */
export function parseTransactionResponse(status: number, body: string, operations: number): TransactionResult {
  if (status < 200 || status >= 300) throw transactionError(body, status);
  const parts = body.split('--changesetresponse_');
  const subResponses = parts.slice(1, -1).map((part) => {
    const statusMatch = /HTTP\/1\.1 (\d+)/.exec(part);
    if (!statusMatch) throw new RestError(`table transaction: a sub-response has no status line: ${part.slice(0, 200)}`, { statusCode: status });
    const subStatus = Number(statusMatch[1]);
    const errorBody = /\{.*\}/.exec(part);
    if (subStatus >= 300 || errorBody) throw transactionError(errorBody?.[0] ?? '', subStatus);
    const etag = /ETag: (.*)/.exec(part)?.[1];
    return etag !== undefined ? { status: subStatus, etag } : { status: subStatus };
  });
  if (subResponses.length !== operations) throw new RestError(`table transaction: ${subResponses.length} sub-responses for ${operations} operations`, { statusCode: status });
  return { subResponses };
}

function transactionError(body: string, statusCode: number): RestError {
  let message = 'Transaction Failed';
  let code: string | undefined;
  try {
    const error = (JSON.parse(body) as { 'odata.error'?: { code?: string; message?: { value?: string } } })['odata.error'];
    if (error) {
      message = error.message?.value ?? message;
      code = error.code;
    }
  } catch {
    // Not JSON (a proxy's page, an empty body): the status is what is known.
  }
  return new RestError(message, { statusCode, ...(code !== undefined ? { code } : {}) });
}

function splitSas(url: string): [string, string] {
  const at = url.indexOf('?');
  const base = at < 0 ? url : url.slice(0, at);
  return [base.endsWith('/') ? base.slice(0, -1) : base, at < 0 ? '' : url.slice(at)];
}
