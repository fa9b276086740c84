/**
 * A complete, valid production configuration for loadConfig tests (contoso names; nothing is
 * contacted), and a file reader that finds no file.
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = {
  TOKENWATCH_EVENTHUB__fullyQualifiedNamespace: 'contoso-tw.servicebus.windows.net',
  TOKENWATCH_AUDIT_HUB: 'tokenwatch-audit',
  TOKENWATCH_ENDPOINT_HUB: 'tokenwatch-endpoint',
  TOKENWATCH_TABLE_ENDPOINT: 'https://contosotw.table.core.windows.net/',
  TOKENWATCH_DCR_ENDPOINT: 'https://dcr-contoso.westeurope-1.ingest.monitor.azure.com',
  TOKENWATCH_DCR_IMMUTABLE_ID: 'dcr-00112233445566778899aabbccddeeff',
};

export const noFiles = (p: string): string => {
  throw new Error(`ENOENT: ${p}`);
};
