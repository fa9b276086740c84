import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertColumnsDocument } from '../../src/core/alerts/sentinelSchema';
import { REPO_ROOT, allResources, readBicep, withoutComments } from './bicep';

/**
 * The Bicep creates the alert table and the DCR stream from infra/modules/alertColumns.json
 * (loadJsonContent). This test keeps that file byte-for-byte equal to what the code derives from the
 * alert-row type, so the table, the stream and the rows the sink sends cannot drift apart.
 * After changing ALERT_COLUMNS, regenerate it with:
 *   TOKENWATCH_WRITE_ALERT_COLUMNS=1 npx vitest run test/infra/alertColumns.test.ts
 */

const JSON_PATH = join(REPO_ROOT, 'infra/modules/alertColumns.json');
const expected = `${JSON.stringify(alertColumnsDocument(), null, 2)}\n`;

if (process.env['TOKENWATCH_WRITE_ALERT_COLUMNS'] === '1') writeFileSync(JSON_PATH, expected);

describe('alertColumns.json', () => {
  it('equals the table and stream schema derived from ALERT_COLUMNS', () => {
    expect(readFileSync(JSON_PATH, 'utf8')).toBe(expected);
  });

  it('names no column that Log Analytics adds to every table itself', () => {
    // Standard columns (learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns): a custom
    // table cannot declare them (TenantId is refused; MicrosoftDocs/azure-docs#113825), and in every
    // table TenantId is the workspace, so the Entra tenant is AADTenantId as in Microsoft's own tables.
    const standard = ['TenantId', 'Type', 'SourceSystem', '_ResourceId', '_SubscriptionId', '_ItemId', '_BilledSize', '_IsBillable', '_TimeReceived'];
    const names = alertColumnsDocument().tableColumns.map((c) => c.name);
    expect(names.filter((name) => standard.some((s) => s.toLowerCase() === name.toLowerCase()))).toEqual([]);
    expect(names).toContain('AADTenantId');
  });

  it('is what the alert feed module builds the table and the DCR stream from', () => {
    const feed = withoutComments(readBicep('infra/modules/alertFeed.bicep'));
    expect(feed).toContain("loadJsonContent('alertColumns.json')");
    expect(feed).toMatch(/name: alertColumns\.tableName/);
    expect(feed).toMatch(/columns: alertColumns\.tableColumns/);
    expect(feed).toMatch(/'\$\{alertColumns\.streamName\}': \{\s*columns: alertColumns\.streamColumns/);
    expect(feed).toMatch(/outputStream: alertColumns\.outputStream/);
  });

  it('is the only place a Log Analytics table or a DCR is declared', () => {
    const declaredAt = allResources()
      .filter((resource) => !resource.existing && ['Microsoft.OperationalInsights/workspaces/tables', 'Microsoft.Insights/dataCollectionRules'].includes(resource.type))
      .map((resource) => `${resource.file.path} ${resource.type}`);
    expect(declaredAt.sort()).toEqual(['infra/modules/alertFeed.bicep Microsoft.Insights/dataCollectionRules', 'infra/modules/alertFeed.bicep Microsoft.OperationalInsights/workspaces/tables']);
  });
});
