import { text } from '../fields';
import { tenantFromResourceId } from '../signIn';
import { columnText, columnTime, dynamicObject, firstColumnText, type LogAnalyticsRow } from './logAnalyticsTable';

/**
 * The Event Hub sign-in record (`{time, category, tenantId, resultType, properties:{…}}`, see
 * parseSignIn) an Entra sign-in row was stored from. The sign-in tables share their columns
 * (AADManagedIdentitySignInLogs, AADServicePrincipalSignInLogs, SigninLogs,
 * AADNonInteractiveUserSignInLogs); `properties.<x>` is the column `<X>`, except
 * `properties.resourceId` (the audience's app id), stored as `ResourceIdentity`, and
 * `properties.location`, stored as `LocationDetails`.
 *
 * The Entra tenant: `AADTenantId` ("The AADTenantId GUID that's associated with the logs", in the
 * current revision of the sign-in tables), else the tenant of `_ResourceId`
 * (`/tenants/<tid>/providers/microsoft.aadiam`, the Event Hub `resourceId`), never `TenantId`
 * (the workspace). A Managed Identity row naming neither is rejected as its Event Hub twin would
 * be (`signin.no-tenant`): keyed by the workspace id, its token could never be linked to a use.
 */
export function signInTwin(row: LogAnalyticsRow, category: string): Record<string, unknown> {
  const resourceId = firstColumnText(row, '_ResourceId', 'ResourceId');
  return {
    time: columnTime(row['TimeGenerated']),
    category,
    resourceId,
    tenantId: firstColumnText(row, 'AADTenantId', 'AadTenantId') ?? tenantFromResourceId(resourceId),
    resultType: signInResult(row['ResultType']),
    resultDescription: columnText(row, 'ResultDescription'),
    correlationId: columnText(row, 'CorrelationId'),
    properties: {
      id: columnText(row, 'Id'),
      createdDateTime: columnTime(row['CreatedDateTime']),
      appId: columnText(row, 'AppId'),
      ipAddress: columnText(row, 'IPAddress'),
      resourceDisplayName: columnText(row, 'ResourceDisplayName'),
      resourceId: columnText(row, 'ResourceIdentity'),
      servicePrincipalName: columnText(row, 'ServicePrincipalName'),
      servicePrincipalId: columnText(row, 'ServicePrincipalId'),
      uniqueTokenIdentifier: columnText(row, 'UniqueTokenIdentifier'),
      // Not in the documented column lists (2024); read if a revision adds it under the Graph name.
      managedServiceIdentity: dynamicObject(row['ManagedServiceIdentity']),
    },
  };
}

/**
 * `ResultType`: the error code as text, "0" for success, as in the Event Hub `resultType` (and as
 * public SigninLogs queries compare it). The column's description says "can be Success or
 * Failure"; a row that says so is read as such rather than as an unknown error code.
 */
function signInResult(value: unknown): string | undefined {
  const result = text(value);
  if (result === undefined) return undefined;
  return result.toLowerCase() === 'success' ? '0' : result;
}
