import { canonicalHost } from './metadataAddress';

/**
 * The token endpoints of vector 1 and how a request to one is recognised. Every comparison is
 * case-insensitive; hosts are compared after canonicalHost (so obfuscated addresses match).
 */
export type TokenService =
  | 'azure-imds'
  | 'azure-arc'
  | 'azure-app-service'
  | 'azure-service-fabric'
  | 'aws-imds'
  | 'aws-ecs'
  | 'aws-eks-pod-identity'
  | 'gcp-metadata'
  | 'alibaba-metadata'
  | 'oracle-metadata'
  | 'link-local-metadata';

export interface TokenEndpointHit {
  readonly service: TokenService;
  /** Canonical URL without the query (`http://169.254.169.254/metadata/identity/oauth2/token`), `address:port`, or `$IDENTITY_ENDPOINT`. */
  readonly target: string;
  /** True when a token path was seen (URL path, environment variable); false for a bare connection or a non-token metadata path. */
  readonly tokenPath: boolean;
  /** What the path is, in words, for Reason: "managed identity token", "instance metadata". */
  readonly what: string;
}

/** 169.254.169.254: the link-local metadata address shared by Azure, AWS, GCP and Oracle Cloud. */
export const LINK_LOCAL_METADATA = '169.254.169.254';
/** AWS IMDS over IPv6 (Nitro instances). */
const AWS_IMDS_IPV6 = 'fd00:ec2::254';
/**
 * AWS's DNS names for the metadata service (`http://instance-data/latest/meta-data/…` in scripts
 * since EC2's early days; `instance-data.ec2.internal` in us-east-1, `instance-data.<region>.compute.internal`
 * elsewhere): the Amazon-provided resolver answers 169.254.169.254.
 */
const AWS_IMDS_NAME = /^instance-data(?:\.ec2|\.[a-z0-9-]+\.compute)?(?:\.internal)?$/;
/** The GCE metadata server's IPv6 address (IPv6-only instances). */
const GCP_METADATA_IPV6 = 'fd20:ce::254';
/** ECS task role credentials endpoint. */
const AWS_ECS_CREDENTIALS = '169.254.170.2';
/** EKS Pod Identity agent, IPv4 and IPv6. */
const AWS_EKS_POD_IDENTITY = ['169.254.170.23', 'fd00:ec2::23'];
/** Alibaba Cloud ECS metadata. */
const ALIBABA_METADATA = '100.100.100.200';
/** Azure Arc's local identity endpoint (himds) listens on localhost:40342. */
const ARC_PORT = 40342;
/**
 * Service Fabric's managed identity token service listens on every node at this port (the cluster
 * setting's default), and its applications find it in IDENTITY_ENDPOINT:
 * `https://10.0.0.4:2377/metadata/identity/oauth2/token`.
 */
const SERVICE_FABRIC_PORT = 2377;
/** The retired Managed Identity VM extension's local token endpoint (`localhost:50342/oauth2/token`). */
const VM_EXTENSION_PORT = 50342;
/** App Service and Container Apps on Linux serve IDENTITY_ENDPOINT on a link-local address at this port. */
const APP_SERVICE_LINUX_PORT = 8081;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);
const GCP_HOSTS = new Set(['metadata.google.internal', 'metadata.goog']);

export const METADATA_ADDRESSES: readonly string[] = [LINK_LOCAL_METADATA, AWS_IMDS_IPV6, GCP_METADATA_IPV6, AWS_ECS_CREDENTIALS, ...AWS_EKS_POD_IDENTITY, ALIBABA_METADATA];

/** A host that is the GCE metadata server: its names and its IPv6 address. */
function isGcpMetadataHost(host: string): boolean {
  return GCP_HOSTS.has(host) || host === GCP_METADATA_IPV6;
}

/** A host that is AWS's metadata service: its IPv6 address and its DNS names. */
function isAwsImdsHost(host: string): boolean {
  return host === AWS_IMDS_IPV6 || (host.startsWith('instance-data') && AWS_IMDS_NAME.test(host));
}

/** 169.254.0.0/16 (canonical dotted form): only the host itself, or its platform, answers there. */
function isLinkLocalV4(host: string): boolean {
  return host.startsWith('169.254.') && /^169\.254\.\d{1,3}\.\d{1,3}$/.test(host);
}

interface PathRule {
  readonly service: TokenService;
  readonly path: RegExp;
  readonly tokenPath: boolean;
  readonly what: string;
}

/** Paths served on 169.254.169.254, which Azure, AWS and GCP share; the path says which cloud. */
const LINK_LOCAL_PATHS: readonly PathRule[] = [
  { service: 'azure-imds', path: /^\/metadata\/identity(?:\/|$)/i, tokenPath: true, what: 'Azure managed identity token' },
  { service: 'azure-imds', path: /^\/metadata\/instance(?:\/|$)/i, tokenPath: false, what: 'Azure instance metadata' },
  // `latest` or a dated version (`/2021-07-15/meta-data/…`): the service answers every one. The
  // instance's own identity role (`identity-credentials/ec2/security-credentials/ec2-instance`) is credentials too.
  { service: 'aws-imds', path: /^\/(?:latest|\d{4}-\d{2}-\d{2})\/meta-data\/(?:iam|identity-credentials\/ec2)\/security-credentials(?:\/|$)/i, tokenPath: true, what: 'AWS instance role credentials' },
  // IMDSv2: `PUT /latest/api/token` returns the session token every metadata read needs (cloud-init,
  // `ec2-metadata`, AWS's own retrieval examples send it first): a key to the service, not a
  // credential. A theft asks for the credentials path next, in the same command line as a rule.
  { service: 'aws-imds', path: /^\/latest\/api\/token\/?$/i, tokenPath: false, what: 'AWS IMDSv2 session token' },
  { service: 'aws-imds', path: /^\/(?:latest|\d{4}-\d{2}-\d{2})\/(?:meta-data|user-data|dynamic)(?:\/|$)/i, tokenPath: false, what: 'AWS instance metadata' },
  { service: 'gcp-metadata', path: /^\/computemetadata\/v1\/instance\/service-accounts(?:\/|$)/i, tokenPath: true, what: 'GCP service account token' },
  { service: 'gcp-metadata', path: /^\/computemetadata\//i, tokenPath: false, what: 'GCP instance metadata' },
  // Oracle Cloud: `/opc/v2/identity/` serves the instance principal's certificate and private key
  // (`key.pem`), from which the OCI SDKs sign their own token requests.
  { service: 'oracle-metadata', path: /^\/opc\/v\d+\/identity(?:\/|$)/i, tokenPath: true, what: 'OCI instance principal key' },
  { service: 'oracle-metadata', path: /^\/opc\/v\d+\//i, tokenPath: false, what: 'OCI instance metadata' },
];

/** Classifies a URL; undefined when it is not a token or metadata endpoint. */
export function tokenEndpointOfUrl(url: string): TokenEndpointHit | undefined {
  const parts = splitUrl(url);
  if (parts === undefined) return undefined;
  const { host, port, path } = parts;
  const canonical = `${parts.scheme}://${host.includes(':') ? `[${host}]` : host}${port !== null ? `:${port}` : ''}${path}`.toLowerCase();
  const hit = (service: TokenService, tokenPath: boolean, what: string): TokenEndpointHit => ({ service, target: canonical, tokenPath, what });

  if (host === LINK_LOCAL_METADATA || isGcpMetadataHost(host) || isAwsImdsHost(host) || (host === 'metadata' && /^\/computemetadata\//i.test(path))) {
    for (const rule of LINK_LOCAL_PATHS) {
      if (rule.path.test(path)) return hit(rule.service, rule.tokenPath, rule.what);
    }
    const service: TokenService = isGcpMetadataHost(host) || host === 'metadata' ? 'gcp-metadata' : isAwsImdsHost(host) ? 'aws-imds' : 'link-local-metadata';
    return hit(service, false, 'instance metadata');
  }
  if (host === AWS_ECS_CREDENTIALS) return hit('aws-ecs', /^\/v\d+\/credentials/i.test(path), 'ECS task role credentials');
  if (AWS_EKS_POD_IDENTITY.includes(host)) return hit('aws-eks-pod-identity', /^\/v\d+\/credentials/i.test(path), 'EKS Pod Identity credentials');
  if (host === ALIBABA_METADATA) {
    return hit('alibaba-metadata', /^\/latest\/meta-data\/ram\/security-credentials/i.test(path), 'Alibaba Cloud instance metadata');
  }
  if (port === SERVICE_FABRIC_PORT && /^\/metadata\/identity\/oauth2\/token\/?$/i.test(path)) return hit('azure-service-fabric', true, 'Service Fabric managed identity token');
  // App Service, Functions and Container Apps: IDENTITY_ENDPOINT / MSI_ENDPOINT is a URL ending in
  // /msi/token, on loopback (Windows plans, `http://127.0.0.1:41741/MSI/token/`) or on a link-local
  // address on Linux (`http://169.254.130.3:8081/msi/token`, `http://169.254.255.2:8081/msi/token`).
  if ((LOOPBACK.has(host) || isLinkLocalV4(host)) && /^\/msi\/token\/?$/i.test(path)) return hit('azure-app-service', true, 'App Service managed identity token');
  if (LOOPBACK.has(host)) {
    if (port === ARC_PORT && /^\/metadata\/identity(?:\/|$)/i.test(path)) return hit('azure-arc', true, 'Azure Arc managed identity token');
    // The retired Managed Identity VM extension (`http://localhost:50342/oauth2/token`): still what old scripts and SDKs ask.
    if (port === VM_EXTENSION_PORT && /^\/oauth2\/token\/?$/i.test(path)) return hit('azure-imds', true, 'Azure managed identity token (the retired VM extension endpoint)');
  }
  return undefined;
}

/** A connection without a URL: the address (any notation) and port are all there is. */
export function tokenEndpointOfConnection(address: string, port: number | null, hostName = ''): TokenEndpointHit | undefined {
  const ip = canonicalHost(address) ?? '';
  const name = canonicalHost(hostName) ?? '';
  const target = `${ip.includes(':') ? `[${ip}]` : ip || name}${port !== null ? `:${port}` : ''}`;
  const hit = (service: TokenService, what: string): TokenEndpointHit => ({ service, target, tokenPath: false, what });
  if (ip === LINK_LOCAL_METADATA || isAwsImdsHost(ip) || isGcpMetadataHost(ip) || isGcpMetadataHost(name) || isAwsImdsHost(name)) {
    const service: TokenService = isGcpMetadataHost(ip) || isGcpMetadataHost(name) ? 'gcp-metadata' : isAwsImdsHost(ip) || isAwsImdsHost(name) ? 'aws-imds' : 'link-local-metadata';
    return hit(service, 'instance metadata service');
  }
  if (ip === AWS_ECS_CREDENTIALS) return hit('aws-ecs', 'ECS task role credentials endpoint');
  if (AWS_EKS_POD_IDENTITY.includes(ip)) return hit('aws-eks-pod-identity', 'EKS Pod Identity agent');
  if (ip === ALIBABA_METADATA) return hit('alibaba-metadata', 'Alibaba Cloud metadata service');
  if ((LOOPBACK.has(ip) || ip === '') && port === ARC_PORT && (ip !== '' || LOOPBACK.has(name))) return hit('azure-arc', 'Azure Arc identity endpoint');
  if (isLinkLocalV4(ip) && port === APP_SERVICE_LINUX_PORT) return hit('azure-app-service', 'App Service identity endpoint');
  return undefined;
}

/**
 * Environment variables that hold a token endpoint (App Service / Functions `IDENTITY_ENDPOINT`,
 * legacy `MSI_ENDPOINT`; ECS `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`), referenced in
 * a command line as `$X`, `${X}`, `%X%` or `$env:X`.
 */
export function tokenEndpointVariables(commandLine: string): TokenEndpointHit[] {
  const hits: TokenEndpointHit[] = [];
  const pattern = /(?:\$\{?|%|\$env:)(IDENTITY_ENDPOINT|MSI_ENDPOINT|AWS_CONTAINER_CREDENTIALS_(?:RELATIVE|FULL)_URI)\b/gi;
  for (const match of commandLine.matchAll(pattern)) {
    const name = (match[1] ?? '').toUpperCase();
    const aws = name.startsWith('AWS_');
    const target = `$${name}`;
    if (hits.some((h) => h.target === target)) continue;
    hits.push({
      service: aws ? 'aws-ecs' : 'azure-app-service',
      target,
      tokenPath: true,
      what: aws ? 'ECS task role credentials (from the environment)' : 'App Service managed identity token (from the environment)',
    });
  }
  return hits;
}

interface UrlParts {
  readonly scheme: string;
  /** Canonical host (canonicalHost), without brackets. */
  readonly host: string;
  readonly port: number | null;
  /** Path without query or fragment, percent-decoded, `/` when empty. */
  readonly path: string;
}

/** A small URL splitter: WHATWG URL would reject or rewrite some of the notations we must see through. */
export function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d{0,5}))?([^?#]*)/i.exec(url.trim());
  if (!match) return undefined;
  const host = canonicalHost(match[2] ?? '');
  if (host === undefined) return undefined;
  const port = match[3] ? Number(match[3]) : null;
  let path = match[4] || '/';
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path: a malformed escape is still evidence
  }
  path = withoutDotSegments(path.replace(/\/{2,}/g, '/'));
  return { scheme: (match[1] ?? 'http').toLowerCase(), host, port, path };
}

/** The path a client asks for: curl, wget and the HTTP libraries resolve `.` and `..` segments first (RFC 3986, 5.2.4). */
function withoutDotSegments(path: string): string {
  if (!path.includes('/.')) return path;
  const out: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  const last = path.slice(path.lastIndexOf('/') + 1);
  return `/${out.join('/')}${last === '.' || last === '..' ? '/' : ''}`;
}
