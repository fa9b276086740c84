import { isObject } from '../envelope';
import { text } from '../fields';
import { columnText, columnTime, dynamicObject, firstColumnText, hasValue, type LogAnalyticsRow, type LogAnalyticsTable } from './logAnalyticsTable';

/**
 * `AzureDiagnostics`: resource logs in Azure Diagnostics mode, one wide table for every service;
 * TokenWatch reads Key Vault's (`ResourceProvider == "MICROSOFT.KEYVAULT"`, `Category ==
 * "AuditEvent"`), whose Event Hub twin is the `AuditEvent` record parsed by parseResourceCall.
 * Nested fields are flattened into columns named by path with a type suffix (`_s` string, `_g`
 * GUID, `_d` number, `_b` bool, `_t` datetime): `identity.claim.<claim>` becomes
 * `identity_claim_<claim, every run of other characters than letters and digits as "_">_<t>`, so
 * `identity_claim_oid_g`, `identity_claim_appid_g`, `identity_claim_xms_mirid_s`,
 * `identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g`; past 500 columns
 * the rest go to the dynamic `AdditionalFields`. `callerIpAddress` is `CallerIPAddress`, `time`
 * `TimeGenerated`, `resourceId` `ResourceId` (upper case like the Event Hub field; `_ResourceId` is
 * lower case).
 *
 * Sources: a real-shaped Key Vault SecretGet row in Google SecOps' parser documentation
 * (docs.cloud.google.com/chronicle/docs/ingestion/default-parsers/azure-keyvault-audit, code index:
 * `TenantId`, `TimeGenerated` with 7 fractional digits, `ResourceId` upper case, `Category`
 * "AuditEvent", `ResourceProvider` "MICROSOFT.KEYVAULT", `OperationName` "SecretGet", `ResultType`
 * "Success", `CorrelationId`, `CallerIPAddress`, `identity_claim_appid_g`, `identity_claim_oid_g`,
 * `identity_claim_appidacr_s`, `identity_claim_idtyp_s`, `Type` "AzureDiagnostics", `_ResourceId`
 * lower case); public Key Vault queries reading
 * `identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g`,
 * `identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_name_s`, `identity_claim_upn_s`,
 * `requestUri_s`, `id_s`, `clientInfo_s`, `httpStatusCode_d` (code index); the 500-column limit
 * and the overflow column: docs.azure.cn `azure-monitor/reference/tables/azurediagnostics`.
 *
 * Rows of other services are read the same way (their Event Hub twins are "other" records).
 */
export const azureDiagnostics: LogAnalyticsTable = {
  name: 'AzureDiagnostics',
  recognises: (row) => hasValue(row, 'ResourceProvider') && hasValue(row, 'Category') && hasValue(row, 'OperationName') && (hasValue(row, 'ResourceId') || hasValue(row, '_ResourceId')),
  eventHubTwin(row) {
    const claim = claimsOfColumns(row);
    return {
      time: columnTime(row['TimeGenerated']),
      resourceId: firstColumnText(row, 'ResourceId', '_ResourceId'),
      operationName: columnText(row, 'OperationName'),
      operationVersion: columnText(row, 'OperationVersion'),
      category: columnText(row, 'Category'),
      resultType: columnText(row, 'ResultType'),
      resultSignature: columnText(row, 'ResultSignature'),
      callerIpAddress: firstColumnText(row, 'CallerIPAddress', 'CallerIpAddress'),
      correlationId: columnText(row, 'CorrelationId'),
      identity: claim === undefined ? undefined : { claim },
      properties: { id: columnText(row, 'id_s'), requestUri: columnText(row, 'requestUri_s'), clientInfo: columnText(row, 'clientInfo_s'), httpStatusCode: row['httpStatusCode_d'] },
    };
  },
};

const CLAIM_PREFIX = 'identity_claim_';

/** The claim URIs whose flattened names are read back (the claims the parsers read by URI). */
const CLAIM_URIS: readonly (readonly [string, string])[] = [
  ['http_schemas_microsoft_com_identity_claims_', 'http://schemas.microsoft.com/identity/claims/'],
  ['http_schemas_xmlsoap_org_ws_2005_05_identity_claims_', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/'],
  ['http_schemas_microsoft_com_claims_', 'http://schemas.microsoft.com/claims/'],
];

/** `identity.claim` rebuilt from the `identity_claim_*` columns (and their overflow); undefined when there are none. */
export function claimsOfColumns(row: LogAnalyticsRow): Record<string, unknown> | undefined {
  let claims: Record<string, unknown> | undefined;
  const take = (source: Readonly<Record<string, unknown>>): void => {
    for (const key in source) {
      if (!key.startsWith(CLAIM_PREFIX)) continue;
      const value = source[key];
      if (text(value) === undefined && typeof value !== 'boolean') continue;
      const name = claimName(key.slice(CLAIM_PREFIX.length));
      claims ??= {};
      // Two spellings of one claim (`_s` and `_g` after a type change): the first present wins.
      if (!(name in claims)) claims[name] = value;
    }
  };
  take(row);
  const overflow = dynamicObject(row['AdditionalFields']);
  if (isObject(overflow)) take(overflow);
  return claims;
}

/** `http_schemas_microsoft_com_identity_claims_objectidentifier_g` → the claim URI; `oid_g` → `oid`. */
function claimName(flattened: string): string {
  const name = /_[sgdbt]$/.test(flattened) ? flattened.slice(0, -2) : flattened;
  for (const [prefix, uri] of CLAIM_URIS) if (name.startsWith(prefix)) return uri + name.slice(prefix.length);
  return name;
}
