import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { ArmServiceTagsSource, MemoryServiceTagsSource, SERVICE_TAGS_API_VERSION, ServiceTagsApiError } from '../../src/adapters/serviceTagsApi';

const SUBSCRIPTION = '6a7b0000-0000-4000-8000-00000000c0de';
const FIRST_URL = `https://management.azure.com/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Network/locations/westeurope/serviceTags?api-version=2025-05-01`;

/** The ARM answer's shape (Service Tags – List sample response, shortened). */
const page1 = {
  name: 'public',
  id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Network/serviceTags/public`,
  type: 'Microsoft.Network/serviceTags',
  changeNumber: '412',
  cloud: 'Public',
  values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { changeNumber: '300', region: '', systemService: '', addressPrefixes: ['192.0.2.0/24'] } }],
};

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** A transport that answers from a script by URL and records what was sent. */
function fakeArm(answers: Record<string, Answer[]>): HttpClient & { readonly requests: PipelineRequest[] } {
  const requests: PipelineRequest[] = [];
  return {
    requests,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      requests.push(request);
      const answer = answers[request.url]?.shift();
      if (answer === undefined) throw new Error(`unexpected request ${request.url}`);
      return { request, status: answer.status, headers: createHttpHeaders({ 'content-type': 'application/json', ...answer.headers }), bodyAsText: answer.body };
    },
  };
}

const scopes: string[] = [];
const credential: TokenCredential = {
  async getToken(scope): Promise<AccessToken> {
    scopes.push(...(Array.isArray(scope) ? scope : [scope]));
    return { token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

function source(httpClient: HttpClient): ArmServiceTagsSource {
  return new ArmServiceTagsSource({ subscriptionId: SUBSCRIPTION, location: 'westeurope', credential, httpClient, retry: { maxRetries: 2, retryDelayInMs: 1 } });
}

describe('ArmServiceTagsSource', () => {
  it('GETs the Service Tags – List URL of api-version 2025-05-01 with the identity\'s ARM token', async () => {
    const arm = fakeArm({ [FIRST_URL]: [{ status: 200, body: JSON.stringify(page1) }] });
    const answer = await source(arm).fetch();
    expect(SERVICE_TAGS_API_VERSION).toBe('2025-05-01');
    expect(arm.requests.map((r) => [r.method, r.url])).toEqual([['GET', FIRST_URL]]);
    expect(arm.requests[0]?.headers.get('authorization')).toBe('Bearer test-token');
    expect(scopes).toContain('https://management.azure.com/.default');
    expect(answer).toEqual(page1);
  });

  it('follows nextLink and appends the values of every page, dropping the link', async () => {
    const next = `https://management.azure.com/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Network/locations/westeurope/serviceTags?api-version=2025-05-01&$skipToken=2`;
    const page2 = { ...page1, values: [{ name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { region: 'westeurope', addressPrefixes: ['192.0.2.0/25'] } }] };
    const arm = fakeArm({ [FIRST_URL]: [{ status: 200, body: JSON.stringify({ ...page1, nextLink: next }) }], [next]: [{ status: 200, body: JSON.stringify(page2) }] });
    const answer = await source(arm).fetch();
    expect(answer).toEqual({ ...page1, values: [...page1.values, ...page2.values] });
    expect(arm.requests).toHaveLength(2);
  });

  it('does not send the token to a nextLink outside Azure Resource Manager', async () => {
    const arm = fakeArm({ [FIRST_URL]: [{ status: 200, body: JSON.stringify({ ...page1, nextLink: 'https://evil.example/next' }) }] });
    await expect(source(arm).fetch()).rejects.toThrow(/nextLink https:\/\/evil\.example\/next leaves https:\/\/management\.azure\.com/);
    expect(arm.requests).toHaveLength(1);
  });

  it('retries a throttled request (429 with Retry-After) and a failed one (503)', async () => {
    const arm = fakeArm({
      [FIRST_URL]: [{ status: 429, body: '', headers: { 'retry-after': '0' } }, { status: 503, body: '' }, { status: 200, body: JSON.stringify(page1) }],
    });
    expect(await source(arm).fetch()).toEqual(page1);
    expect(arm.requests).toHaveLength(3);
  });

  it.each([
    [
      '403 without the role: names the permission and the role',
      { status: 403, body: JSON.stringify({ error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action Microsoft.Network/locations/serviceTags/read' } }) },
      /answered 403 \(AuthorizationFailed: .*\); the identity needs Microsoft\.Network\/locations\/serviceTags\/read on \/subscriptions\/6a7b0000-0000-4000-8000-00000000c0de/,
    ],
    ['404 for an unknown location', { status: 404, body: JSON.stringify({ error: { code: 'LocationNotAvailableForResourceType', message: 'nowhere' } }) }, /answered 404 \(LocationNotAvailableForResourceType: nowhere\)/],
    ['a body that is not JSON', { status: 200, body: '<html>' }, /answered 200 with a body that is not JSON/],
    ['JSON without values', { status: 200, body: '{"name":"public"}' }, /answered 200 without a "values" array/],
  ])('fails with ServiceTagsApiError on %s', async (_, answer, message) => {
    const arm = fakeArm({ [FIRST_URL]: [answer] });
    const failure = source(arm).fetch();
    await expect(failure).rejects.toThrow(ServiceTagsApiError);
    await expect(failure).rejects.toThrow(message);
  });

  it('fails with ServiceTagsApiError when no answer comes back', async () => {
    const broken: HttpClient = {
      sendRequest: async () => {
        throw new Error('getaddrinfo ENOTFOUND management.azure.com');
      },
    };
    await expect(source(broken).fetch()).rejects.toThrow(/GET .* failed: getaddrinfo ENOTFOUND/);
  });
});

describe('MemoryServiceTagsSource (the in-memory twin)', () => {
  it('answers with its document, or throws its error', async () => {
    const ok = new MemoryServiceTagsSource(page1);
    expect(await ok.fetch()).toBe(page1);
    const failing = new MemoryServiceTagsSource(new ServiceTagsApiError('service tags: GET … answered 403', 403));
    await expect(failing.fetch()).rejects.toThrow('answered 403');
    expect([ok.calls, failing.calls]).toEqual([1, 1]);
  });
});
