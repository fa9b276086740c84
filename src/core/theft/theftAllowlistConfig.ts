import type { TheftVector } from '../alerts/alertRow';
import { isTemporaryLocation } from './callerProfile';
import { normalisePath } from '../records/endpoint/normalisePath';
import { TOKEN_FILE_PATTERNS } from './tokenFiles';
import type { HostScopedApplication, TheftAllowlist } from './theftAllowlist';
import type { TrustedProcess } from './trustedProcess';

/**
 * The operator's allowlist overrides, read once at start (a file or an app setting holding JSON)
 * and validated; every error names the offending field. Example:
 *
 * {
 *   "disable": ["gcp-guest-agent-linux"],
 *   "add": [{ "id": "contoso-inventory", "description": "Contoso inventory agent", "platform": "linux",
 *             "names": ["contoso-inventory"], "pathPatterns": ["/opt/contoso/inventory/*\/bin/contoso-inventory"],
 *             "vectors": ["TokenEndpoint"], "source": "CHG-1234" },
 *           { "id": "venv-azure-cli", "description": "Azure CLI in the tools venv", "platform": "linux",
 *             "names": ["python3"], "pathPatterns": ["/opt/tools/venv/bin/python3"], "modules": ["azure.cli"],
 *             "vectors": ["TokenCache", "TokenEndpoint"] }],
 *   "applications": [{ "id": "billing-api", "description": "Billing API reads its MI token",
 *             "pathPatterns": ["/opt/contoso/billing/bin/billing-api"], "hostPatterns": ["app-*.contoso.com"],
 *             "vectors": ["TokenEndpoint"] }]
 * }
 *
 * (`*\/` above is `*` followed by `/`, escaped only inside this comment.)
 */
export interface TheftAllowlistConfig {
  /** Ids of default entries to switch off. */
  readonly disable: readonly string[];
  /** Entries trusted on every host, like the defaults. */
  readonly add: readonly TrustedProcess[];
  /** Applications trusted only on the named hosts. */
  readonly applications: readonly HostScopedApplication[];
}

export const EMPTY_THEFT_ALLOWLIST_CONFIG: TheftAllowlistConfig = { disable: [], add: [], applications: [] };

const VECTORS: readonly TheftVector[] = ['TokenEndpoint', 'ServiceAccountToken', 'TokenCache'];
const PLATFORMS = ['windows', 'linux', 'macos', 'any'] as const;
const CLOUDS = ['azure', 'aws', 'gcp'] as const;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A dotted python module name (`azure.cli`): what `python -m` takes. */
const PYTHON_MODULE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function parseTheftAllowlistConfig(json: unknown): { ok: true; value: TheftAllowlistConfig } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const err = (field: string, message: string): void => {
    errors.push(`theftAllowlist.${field}: ${message}`);
  };
  if (!isRecord(json)) return { ok: false, errors: ['theftAllowlist: must be a JSON object with "disable", "add" and/or "applications"'] };
  for (const key of Object.keys(json)) if (!['disable', 'add', 'applications'].includes(key)) err(key, 'unknown field (expected disable, add, applications)');

  const disable = stringList(json['disable'] ?? [], 'disable', err, (value, field) => {
    if (!ID.test(value)) err(field, `"${value}" is not an entry id (kebab-case)`);
  });

  const add: TrustedProcess[] = [];
  arrayOf(json['add'] ?? [], 'add', err).forEach((item, i) => {
    const at = `add[${i}]`;
    if (!isRecord(item)) return err(at, 'must be an object');
    for (const key of Object.keys(item)) {
      if (!['id', 'description', 'platform', 'cloud', 'names', 'pathPatterns', 'modules', 'vectors', 'tokenFiles', 'source'].includes(key)) err(`${at}.${key}`, 'unknown field');
    }
    const id = requiredId(item['id'], `${at}.id`, err);
    const description = requiredText(item['description'], `${at}.description`, err);
    const platform = item['platform'];
    if (!PLATFORMS.includes(platform as (typeof PLATFORMS)[number])) err(`${at}.platform`, 'must be "windows", "linux", "macos" or "any"');
    const names = stringList(item['names'], `${at}.names`, err, (value, field) => {
      if (/[\\/]/.test(value)) err(field, `"${value}" is a path; names are file names only`);
    }).map((n) => n.toLowerCase());
    const pathPatterns = patternList(item['pathPatterns'], `${at}.pathPatterns`, err);
    const vectors = vectorList(item['vectors'], `${at}.vectors`, err);
    const source = item['source'] === undefined ? 'operator configuration' : requiredText(item['source'], `${at}.source`, err);
    const tokenFiles =
      item['tokenFiles'] === undefined
        ? undefined
        : stringList(item['tokenFiles'], `${at}.tokenFiles`, err, (value, field) => {
            if (!TOKEN_FILE_PATTERNS.some((p) => p.id === value)) err(field, `"${value}" is not a token file pattern id (${TOKEN_FILE_PATTERNS.map((p) => p.id).join(', ')})`);
          });
    const modules =
      item['modules'] === undefined
        ? undefined
        : stringList(item['modules'], `${at}.modules`, err, (value, field) => {
            if (!PYTHON_MODULE.test(value)) err(field, `"${value}" is not a python module name (such as azure.cli)`);
          });
    const cloud = item['cloud'];
    if (cloud !== undefined && !CLOUDS.includes(cloud as (typeof CLOUDS)[number])) err(`${at}.cloud`, 'must be "azure", "aws" or "gcp" (or left out: any cloud)');
    add.push({
      id, description, platform: platform as TrustedProcess['platform'], ...(cloud === undefined ? {} : { cloud: cloud as NonNullable<TrustedProcess['cloud']> }),
      names, pathPatterns, ...(modules === undefined ? {} : { modules }), vectors, ...(tokenFiles === undefined ? {} : { tokenFiles }), source,
    });
  });

  const applications: HostScopedApplication[] = [];
  arrayOf(json['applications'] ?? [], 'applications', err).forEach((item, i) => {
    const at = `applications[${i}]`;
    if (!isRecord(item)) return err(at, 'must be an object');
    for (const key of Object.keys(item)) {
      if (!['id', 'description', 'pathPatterns', 'hostPatterns', 'vectors'].includes(key)) err(`${at}.${key}`, 'unknown field');
    }
    const id = requiredId(item['id'], `${at}.id`, err);
    const description = requiredText(item['description'], `${at}.description`, err);
    const pathPatterns = patternList(item['pathPatterns'], `${at}.pathPatterns`, err);
    const hostPatterns = stringList(item['hostPatterns'], `${at}.hostPatterns`, err, (value, field) => {
      if (!/^[a-z0-9*._-]+$/i.test(value)) err(field, `"${value}" is not a host name pattern (letters, digits, . - _ and *)`);
    });
    if (Array.isArray(item['hostPatterns']) && item['hostPatterns'].length === 0) err(`${at}.hostPatterns`, 'must name at least one host pattern');
    const vectors = item['vectors'] === undefined ? [...VECTORS] : vectorList(item['vectors'], `${at}.vectors`, err);
    applications.push({ id, description, pathPatterns, hostPatterns, vectors });
  });

  const ids = [...add.map((a) => a.id), ...applications.map((a) => a.id)];
  ids.forEach((id, i) => {
    if (id !== '' && ids.indexOf(id) !== i) err('add/applications', `id "${id}" is used twice`);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { disable, add, applications } };
}

/** Defaults minus `disable`, plus `add`, plus the host-scoped applications; errors name unknown or clashing ids. */
export function buildTheftAllowlist(
  defaults: readonly TrustedProcess[],
  config: TheftAllowlistConfig,
): { ok: true; value: TheftAllowlist } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const defaultIds = new Set(defaults.map((d) => d.id));
  for (const id of config.disable) if (!defaultIds.has(id)) errors.push(`theftAllowlist.disable: "${id}" is not a default entry id`);
  for (const entry of config.add) if (defaultIds.has(entry.id)) errors.push(`theftAllowlist.add: id "${entry.id}" is already a default entry (disable it and add a new id)`);
  if (errors.length > 0) return { ok: false, errors };
  const disabled = new Set(config.disable);
  return { ok: true, value: { processes: [...defaults.filter((d) => !disabled.has(d.id)), ...config.add], applications: config.applications } };
}

type Report = (field: string, message: string) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown, field: string, err: Report): unknown[] {
  if (!Array.isArray(value)) {
    err(field, 'must be an array');
    return [];
  }
  return value;
}

function stringList(value: unknown, field: string, err: Report, check: (value: string, field: string) => void): string[] {
  const out: string[] = [];
  arrayOf(value, field, err).forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') return err(`${field}[${i}]`, 'must be a non-empty string');
    check(item.trim(), `${field}[${i}]`);
    out.push(item.trim());
  });
  return out;
}

function patternList(value: unknown, field: string, err: Report): string[] {
  const patterns = stringList(value, field, err, (pattern, at) => {
    const key = normalisePath(pattern);
    if (!key.startsWith('/') && !key.startsWith('?:/')) err(at, `"${pattern}" must be an absolute path pattern (/… or ?:/… or C:\\…)`);
    else if (/^(?:\?:)?\/\**$/.test(key.replace(/\/\*\*$/, '/'))) err(at, `"${pattern}" would trust every program`);
    else if (isTemporaryLocation(key)) err(at, `"${pattern}" is in a temporary folder; programs there are never allowlisted`);
  });
  if (Array.isArray(value) && value.length === 0) err(field, 'must name at least one path pattern');
  return patterns;
}

function vectorList(value: unknown, field: string, err: Report): TheftVector[] {
  const vectors: TheftVector[] = [];
  arrayOf(value, field, err).forEach((item, i) => {
    if (!VECTORS.includes(item as TheftVector)) err(`${field}[${i}]`, `must be one of ${VECTORS.join(', ')}`);
    else vectors.push(item as TheftVector);
  });
  if (Array.isArray(value) && value.length === 0) err(field, 'must name at least one vector');
  return vectors;
}

function requiredText(value: unknown, field: string, err: Report): string {
  if (typeof value !== 'string' || value.trim() === '') {
    err(field, 'must be a non-empty string');
    return '';
  }
  return value.trim();
}

function requiredId(value: unknown, field: string, err: Report): string {
  const id = requiredText(value, field, err);
  if (id !== '' && !ID.test(id)) err(field, `"${id}" must be kebab-case (a-z, 0-9, -)`);
  return id;
}
