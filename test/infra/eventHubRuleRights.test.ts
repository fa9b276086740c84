import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, allResources, declarations, property, readBicep, stringValue, type Resource } from './bicep';

/**
 * The rights of the diagnostic settings' authorization rule, as the Bicep grants them and as
 * docs/deploy.md states them. The Bicep grants Send only, less than the Manage, Send and Listen
 * Microsoft documents; the deploy guide says so and gives a fallback rule with the documented rights.
 * The fallback only works if a redeployment cannot undo it and the tenant templates take it.
 */

const deployGuide = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
const TENANT_TEMPLATES = ['infra/tenant/entra-diagnostics.bicep', 'infra/tenant/activity-log-diagnostics.bicep'];

function rights(rule: Resource): string[] {
  return (property(property(rule.body, 'properties'), 'rights')?.namedChildren ?? []).map((node) => stringValue(node) ?? node.text);
}

const namespaceRules = allResources().filter((resource) => resource.type === 'Microsoft.EventHub/namespaces/authorizationRules' && !resource.existing);

describe('the diagnostic settings\' authorization rule', () => {
  it('is one namespace rule with Send only, and the deploy guide names it with those rights', () => {
    expect(namespaceRules.map((rule) => ({ name: stringValue(property(rule.body, 'name')), rights: rights(rule) }))).toEqual([{ name: 'tokenwatch-diagnostics-send', rights: ['Send'] }]);
    expect(deployGuide).toMatch(/`tokenwatch-diagnostics-send`/);
    expect(deployGuide).toMatch(/Send only, where Microsoft documents Manage \+ Send \+ Listen/);
  });

  it('has a documented fallback with Manage, Send and Listen that no Bicep declares, so a redeployment leaves it alone', () => {
    const fallback = /authorization-rule create [^\n]*\\\n\s*-n (\S+) --rights ([A-Za-z ]+?) --query/.exec(deployGuide);
    expect(fallback).not.toBeNull();
    const [, name, fallbackRights] = fallback as RegExpExecArray;
    expect(fallbackRights?.split(' ').sort()).toEqual(['Listen', 'Manage', 'Send']);
    const declaredNames = allResources()
      .filter((resource) => /authorizationRules$/i.test(resource.type))
      .map((resource) => stringValue(property(resource.body, 'name')));
    expect(declaredNames).not.toContain(name);
  });

  it.each(TENANT_TEMPLATES)('%s takes the rule as a parameter and uses it, so the fallback can be passed', (path) => {
    const file = readBicep(path);
    expect(declarations(file).find((d) => d.kind === 'param' && d.name === 'eventHubAuthorizationRuleId')?.hasDefault).toBe(false);
    const settings = allResources().filter((resource) => resource.file.path === path && /diagnosticSettings$/i.test(resource.type));
    expect(settings.length).toBeGreaterThan(0);
    for (const setting of settings) expect(property(property(setting.body, 'properties'), 'eventHubAuthorizationRuleId')?.text).toBe('eventHubAuthorizationRuleId');
  });
});
