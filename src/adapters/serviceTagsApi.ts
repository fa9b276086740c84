import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { isObject } from '../core/network/serviceTags';
import { appendAll } from '../core/arrays';

/**
 * The Service Tag Discovery API ("Service Tags – List", Microsoft.Network), called with the app's
 * managed identity:
 *
 *   GET https://management.azure.com/subscriptions/{subscriptionId}/providers/Microsoft.Network/
 *       locations/{location}/serviceTags?api-version=2025-05-01
 *
 * - api-version 2025-05-01: the newest stable version on the REST reference page
 *   (https://learn.microsoft.com/rest/api/virtualnetwork/service-tags/list) and the newest
 *   stable Microsoft.Network version in the template reference ("Latest: 2025-05-01",
 *   https://learn.microsoft.com/azure/templates/microsoft.network/networkmanagers).
 * - Response (ServiceTagsListResult): `name`, `id`, `type` (`Microsoft.Network/serviceTags`),
 *   `changeNumber` as a STRING (`"63"`), `cloud`, `values` (name, id, properties.changeNumber
 *   (string), region, systemService, addressPrefixes), and `nextLink`, "the URL to get next page
 *   of service tag information resources" (@azure/arm-network ServiceTagsListResult,
 *   https://learn.microsoft.com/javascript/api/@azure/arm-network/servicetagslistresult). The
 *   public cloud answers in one page today; later pages are followed and their values appended.
 * - `location` is "used as a reference for version (not as a filter based on location)": every
 *   region's tags come back, limited to the cloud of the subscription (Get-AzNetworkServiceTag,
 *   https://learn.microsoft.com/powershell/module/az.network/get-aznetworkservicetag).
 * - Permission: `Microsoft.Network/locations/serviceTags/read` ("Get Service Tags", Azure resource
 *   provider operations, MicrosoftDocs/azure-docs articles/role-based-access-control/
 *   resource-provider-operations.md) on the subscription; infra grants it through a custom role
 *   holding only that action (infra/modules/serviceTagsReader.bicep).
 */
export interface ServiceTagsSource {
  /** The whole response (pages merged). Throws ServiceTagsApiError. */
  fetch(): Promise<unknown>;
}

export const SERVICE_TAGS_API_VERSION = '2025-05-01';
/** Azure Resource Manager in the public cloud; sovereign clouds pass their own (e.g. management.usgovcloudapi.net). */
export const ARM_ENDPOINT = 'https://management.azure.com';
/** 20 pages: far more than the one page the public cloud returns; a loop of nextLinks stops here. */
const MAX_PAGES = 20;

export class ServiceTagsApiError extends Error {
  override readonly name = 'ServiceTagsApiError';
  constructor(
    message: string,
    /** HTTP status, undefined when no response came back. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ArmServiceTagsOptions {
  readonly subscriptionId: string;
  readonly location: string;
  readonly credential: TokenCredential;
  readonly endpoint?: string;
  /** Tests pass a fake transport; production uses the default Node HTTP client. */
  readonly httpClient?: HttpClient;
  /** Retries of throttled (429), failed (5xx) and dropped requests; tests shorten the delay. */
  readonly retry?: { readonly maxRetries: number; readonly retryDelayInMs: number };
}

/** 3 retries from 1 s, doubling: rides out a throttling burst; a longer outage fails the run, which the next day's run repeats. */
const DEFAULT_RETRY = { maxRetries: 3, retryDelayInMs: 1000 };

export class ArmServiceTagsSource implements ServiceTagsSource {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly endpoint: string;

  constructor(private readonly options: ArmServiceTagsOptions) {
    this.endpoint = (options.endpoint ?? ARM_ENDPOINT).replace(/\/+$/, '');
    // The default pipeline retries throttling (429 with the Retry-After ARM sends), 5xx and dropped connections, with backoff.
    this.pipeline = createPipelineFromOptions({ retryOptions: options.retry ?? DEFAULT_RETRY });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: `${this.endpoint}/.default` }));
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
  }

  /** The first page's URL. */
  get url(): string {
    const { subscriptionId, location } = this.options;
    return `${this.endpoint}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Network/locations/${encodeURIComponent(location)}/serviceTags?api-version=${SERVICE_TAGS_API_VERSION}`;
  }

  async fetch(): Promise<unknown> {
    const first = await this.page(this.url);
    const values: unknown[] = [...valuesOf(first)];
    let next = nextLinkOf(first);
    for (let pages = 1; next !== undefined; pages++) {
      if (pages >= MAX_PAGES) throw new ServiceTagsApiError(`service tags: more than ${MAX_PAGES} pages (nextLink ${next})`);
      // The bearer token goes to ARM only: a nextLink elsewhere is refused, not followed.
      if (new URL(next).origin !== new URL(this.endpoint).origin) throw new ServiceTagsApiError(`service tags: nextLink ${next} leaves ${this.endpoint}`);
      const page = await this.page(next);
      appendAll(values, valuesOf(page));
      next = nextLinkOf(page);
    }
    const { nextLink: _ignored, ...wrapper } = first;
    return { ...wrapper, values };
  }

  private async page(url: string): Promise<Record<string, unknown>> {
    let status: number;
    let body: string;
    try {
      const response = await this.pipeline.sendRequest(this.httpClient, createPipelineRequest({ url, method: 'GET', timeout: 120_000 }));
      status = response.status;
      body = response.bodyAsText ?? '';
    } catch (error) {
      throw new ServiceTagsApiError(`service tags: GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (status !== 200) throw new ServiceTagsApiError(`service tags: GET ${url} answered ${status}${armError(body)}${status === 403 ? hint(this.options.subscriptionId) : ''}`, status);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ServiceTagsApiError(`service tags: GET ${url} answered 200 with a body that is not JSON`, status);
    }
    if (!isObject(json) || !Array.isArray(json.values)) throw new ServiceTagsApiError(`service tags: GET ${url} answered 200 without a "values" array`, status);
    return json;
  }
}

/** In-memory twin: answers with the given document, or throws it when it is an Error. */
export class MemoryServiceTagsSource implements ServiceTagsSource {
  calls = 0;
  constructor(private readonly answer: unknown) {}

  async fetch(): Promise<unknown> {
    this.calls++;
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

function valuesOf(page: Record<string, unknown>): unknown[] {
  return Array.isArray(page.values) ? page.values : [];
}

function nextLinkOf(page: Record<string, unknown>): string | undefined {
  return typeof page.nextLink === 'string' && page.nextLink !== '' ? page.nextLink : undefined;
}

/** ` (AuthorizationFailed: The client … does not have authorization …)` from an ARM CloudError body. */
function armError(body: string): string {
  try {
    const json: unknown = JSON.parse(body);
    const error = isObject(json) && isObject(json.error) ? json.error : undefined;
    if (error !== undefined) return ` (${String(error.code ?? 'error')}: ${String(error.message ?? '').slice(0, 500)})`;
  } catch {
    // Not JSON: the status says enough.
  }
  return '';
}

function hint(subscriptionId: string): string {
  return `; the identity needs Microsoft.Network/locations/serviceTags/read on /subscriptions/${subscriptionId} (the TokenWatch Service Tag Reader role from infra/modules/serviceTagsReader.bicep)`;
}
