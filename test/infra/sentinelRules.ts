import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, properties, property, readBicep, resources, stringValue, type SyntaxNode } from './bicep';

/**
 * The Sentinel analytics rules as infra/modules/sentinel.bicep deploys them, read from the parsed
 * Bicep: each rule's properties (the shared `schedule` variable merged with the rule's own), and
 * the KQL file its `loadTextContent('…')` names. Shared by the content and the rule-YAML tests.
 */

export const SENTINEL = 'infra/modules/sentinel.bicep';

export interface Rule {
  readonly symbol: string;
  readonly query: string;
  readonly queryPath: string;
  /** Rule properties as Bicep syntax nodes: the shared `schedule` variable merged with the rule's own. */
  readonly props: Map<string, SyntaxNode>;
}

export function sentinelRules(): Rule[] {
  const file = readBicep(SENTINEL);
  const variables = new Map(
    file.root.namedChildren.filter((node) => node.type === 'variable_declaration').map((node) => [node.namedChildren[0]?.text ?? '', node.namedChildren[1]]),
  );
  return resources(file)
    .filter((resource) => resource.type === 'Microsoft.SecurityInsights/alertRules')
    .map((resource) => {
      const value = property(resource.body, 'properties');
      const parts = value?.type === 'object' ? [value] : (value?.childForFieldName('arguments')?.namedChildren ?? []);
      const props = new Map<string, SyntaxNode>();
      for (const part of parts) {
        const object = part.type === 'identifier' ? variables.get(part.text) : part;
        if (object?.type === 'object') for (const { key, value: v } of properties(object)) props.set(key, v);
      }
      const queryNode = props.get('query');
      const queryPath = queryNode?.text.match(/^loadTextContent\('([^']+)'\)$/)?.[1];
      if (queryPath === undefined) throw new Error(`${resource.symbol}: query is not loadTextContent('…')`);
      const fullPath = join(dirname(join(REPO_ROOT, SENTINEL)), queryPath);
      return { symbol: resource.symbol, query: readFileSync(fullPath, 'utf8'), queryPath, props };
    });
}

export type BicepValue = string | number | boolean | null | BicepValue[] | { [key: string]: BicepValue };

/**
 * A Bicep literal (object, array, string, number, boolean, null) as a plain value. Anything else
 * (a function call, a reference) is kept as its source text prefixed with `=`, so a comparison
 * with a literal fails visibly instead of passing.
 */
export function bicepValue(node: SyntaxNode | undefined): BicepValue {
  if (node === undefined) return null;
  switch (node.type) {
    case 'object':
      return Object.fromEntries(properties(node).map(({ key, value }) => [key, bicepValue(value)]));
    case 'array':
      return node.namedChildren.filter((child) => child.type !== 'comment').map((child) => bicepValue(child.type === 'array_item' ? child.namedChildren[0] : child));
    case 'string':
      return stringValue(node) ?? `=${node.text}`;
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    default:
      return `=${node.text}`;
  }
}

/**
 * The rule in the Azure-Sentinel community repository's detection YAML schema (Detections/*.yaml,
 * checked there by .script/tests/detectionTemplateSchemaValidation): `queryFrequency` and
 * `queryPeriod` as `<n>m|h|d`, `triggerOperator` as `gt|lt|eq|ne`, `relevantTechniques` for the
 * ATT&CK techniques, the incident and alert settings as the ARM properties, `kind` last. Built from
 * the Bicep and the KQL file it deploys, so the YAML cannot say anything the deployed rule does not.
 * `requiredDataConnectors` is empty: TokenWatchAlerts_CL is a custom table the TokenWatch function
 * app writes through the Logs Ingestion API, not a Sentinel data connector's.
 */
export function ruleYaml(rule: Rule, id: string): string {
  const value = (key: string): BicepValue => bicepValue(rule.props.get(key));
  const text = (key: string): string => {
    const v = value(key);
    if (typeof v !== 'string' || v.startsWith('=')) throw new Error(`${rule.symbol}: ${key} is not a string literal`);
    return v;
  };
  const document: [string, BicepValue][] = [
    ['id', id],
    ['name', text('displayName')],
    ['description', text('description')],
    ['severity', text('severity')],
    ['status', 'Available'],
    ['requiredDataConnectors', []],
    ['queryFrequency', shortDuration(text('queryFrequency'))],
    ['queryPeriod', shortDuration(text('queryPeriod'))],
    ['triggerOperator', TRIGGER_OPERATORS[text('triggerOperator')] ?? `=${text('triggerOperator')}`],
    ['triggerThreshold', value('triggerThreshold')],
    ['tactics', value('tactics')],
    ['relevantTechniques', value('techniques')],
  ];
  const rest: [string, BicepValue][] = [
    ['entityMappings', value('entityMappings')],
    ['customDetails', value('customDetails')],
    ['eventGroupingSettings', value('eventGroupingSettings')],
    ['alertDetailsOverride', value('alertDetailsOverride')],
    ['incidentConfiguration', value('incidentConfiguration')],
    ['version', '1.0.0'],
    ['kind', 'Scheduled'],
  ];
  const lines = [
    '# Generated from infra/modules/sentinel.bicep and the KQL file it deploys (test/infra/sentinelRuleYaml.test.ts);',
    '# regenerate with TOKENWATCH_WRITE_SENTINEL_YAML=1 npx vitest run test/infra/sentinelRuleYaml.test.ts',
    ...document.flatMap(([key, v]) => yamlEntry(key, v, 0)),
    'query: |',
    ...rule.query.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `  ${line}`)),
    ...rest.flatMap(([key, v]) => yamlEntry(key, v, 0)),
  ];
  return `${lines.join('\n')}\n`;
}

export const TRIGGER_OPERATORS: Readonly<Record<string, string>> = { GreaterThan: 'gt', LessThan: 'lt', Equal: 'eq', NotEqual: 'ne' };

/** Minutes of an ISO-8601 duration of hours and minutes (`PT5M`, `PT1H`, `PT48H`). */
export function isoMinutes(iso: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(iso);
  if (match === null) throw new Error(`unsupported duration ${iso}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** Minutes of the community schema's `<n>m`, `<n>h` or `<n>d`. */
export function shortMinutes(short: string): number {
  const match = /^(\d+)([mhd])$/.exec(short);
  if (match === null) throw new Error(`not <n>m|h|d: ${short}`);
  return Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'];
}

function shortDuration(iso: string): string {
  const minutes = isoMinutes(iso);
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function yamlScalar(v: BicepValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new Error('not a scalar');
  // Plain when YAML reads it back as the same string; JSON's double-quoted form otherwise (a YAML subset).
  const plain =
    /^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/.test(v) &&
    !/^(?:true|false|null|yes|no|on|off|y|n|~)$/i.test(v) &&
    !/^(?:[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|0[xo][0-9a-f]+)$/i.test(v) &&
    !v.endsWith(' ');
  return plain ? v : JSON.stringify(v);
}

function yamlEntry(key: string, v: BicepValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}${key}: []`];
    return [`${pad}${key}:`, ...v.flatMap((item) => yamlItem(item, indent + 2))];
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return [`${pad}${key}: {}`];
    return [`${pad}${key}:`, ...entries.flatMap(([k, child]) => yamlEntry(k, child, indent + 2))];
  }
  return [`${pad}${key}: ${yamlScalar(v)}`];
}

function yamlItem(v: BicepValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const [first, ...others] = Object.entries(v).flatMap(([k, child]) => yamlEntry(k, child, indent + 2));
    return first === undefined ? [`${pad}- {}`] : [`${pad}- ${first.trimStart()}`, ...others];
  }
  if (Array.isArray(v)) throw new Error('nested arrays are not written');
  return [`${pad}- ${yamlScalar(v)}`];
}
