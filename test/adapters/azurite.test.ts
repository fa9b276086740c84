import { describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

describe('azurite (global setup)', () => {
  it('serves a table we can write to and read back', async () => {
    const client = TableClient.fromConnectionString(azuriteConnectionString(), uniqueTableName('probe'), { allowInsecureConnection: true });
    await client.createTable();
    await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    const entity = await client.getEntity<{ value: number }>('p', 'r');
    expect(entity.value).toBe(42);
  });
});
