import Module from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';

/**
 * What the Functions host is told, read where the host reads it: `@azure/functions` hands each
 * registration's metadata to the worker's core API (`@azure/functions-core`, which only exists
 * inside the host's Node worker). A stand-in core API records that metadata, so the real library
 * turns our options into bindings here, unmocked. The registration test checks our options; this
 * one checks that the library really sends `dataType: 'string'` (it is not a typed option).
 */
interface FunctionMetadata {
  readonly name: string;
  readonly bindings: Record<string, Record<string, unknown>>;
  readonly retryOptions?: Record<string, unknown>;
}

const CORE_MODULE = '@azure/functions-core';
const registered: FunctionMetadata[] = [];
const coreApi = {
  registerFunction: (metadata: FunctionMetadata) => {
    registered.push(metadata);
    return { dispose: () => undefined };
  },
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => undefined,
  registerHook: () => ({ dispose: () => undefined }),
};

type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: Resolve; _cache: Record<string, unknown> };
const originalResolve = moduleInternals._resolveFilename;

beforeAll(async () => {
  moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? CORE_MODULE : originalResolve.call(this, request, ...rest);
  };
  moduleInternals._cache[CORE_MODULE] = { id: CORE_MODULE, filename: CORE_MODULE, loaded: true, exports: coreApi };
  for (const [k, v] of Object.entries(COLD_IMPORT_ENV)) vi.stubEnv(k, v);
  await import('../../functions/index.js');
});

afterAll(() => {
  moduleInternals._resolveFilename = originalResolve;
  delete moduleInternals._cache[CORE_MODULE];
  vi.unstubAllEnvs();
});

function triggerOf(name: string): Record<string, unknown> | undefined {
  const metadata = registered.find((m) => m.name === name);
  return Object.values(metadata?.bindings ?? {}).find((b) => b['direction'] === 'in' && String(b['type']).endsWith('Trigger'));
}

describe('what the host is told about the Event Hub functions', () => {
  it.each([
    ['remoteTokenUse', '%TOKENWATCH_AUDIT_HUB%', '%TOKENWATCH_AUDIT_CONSUMER_GROUP%'],
    ['tokenTheft', '%TOKENWATCH_ENDPOINT_HUB%', '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%'],
  ])('%s: a batching Event Hub trigger with text bodies and an unlimited exponential retry', (name, eventHubName, consumerGroup) => {
    expect(triggerOf(name)).toMatchObject({ type: 'eventHubTrigger', connection: 'TOKENWATCH_EVENTHUB', eventHubName, consumerGroup, cardinality: 'many', dataType: 'string' });
    expect(registered.find((m) => m.name === name)?.retryOptions).toMatchObject({ strategy: 'exponentialBackoff', maxRetryCount: -1 });
  });
});
