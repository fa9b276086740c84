/**
 * Which Managed Identity a token use belongs to: by its `xms_mirid` claim, its object or app id in
 * the tenant catalog, or the token id of a sign-in in the same batch. Uses of no Managed Identity
 * are not judged.
 */
import type { TokenUse } from '../records/auditEvent';
import type { CatalogEntry, TenantCatalog } from './catalog';
import type { TokenRegistry } from './tokenRegistry';

/**
 * Decides whether a token use is a Managed Identity's: the `xms_mirid` claim (only MI tokens carry
 * it), or the caller's object id / app id in the MI catalog, or the token id issued to an MI in
 * this batch.
 */
export function resolveManagedIdentity(e: TokenUse, catalog: TenantCatalog, tokens: TokenRegistry, planned: CatalogEntry | undefined): CatalogEntry | undefined {
  if (e.principalType === 'user') return undefined;
  const byObject = e.objectId ? catalog.byObject(e.objectId, planned) : undefined;
  const known = byObject ?? catalog.byApp(e.appId);
  if (e.miResourceId) {
    // The usual case, a use that tells the catalog nothing new: what learn would conclude, without
    // building its candidate.
    if (byObject && byObject.name !== '' && byObject.resourceId === e.miResourceId && (e.appId === '' || e.appId === byObject.appId)) return byObject;
    if (!e.objectId && !known) return undefined;
    const objectId = e.objectId || known?.objectId || '';
    // Found by the use's own object id, the entry is what learn would look up again; found by app
    // id it may be an older entry of its object id, which learn then looks up itself.
    return catalog.learn({ objectId, appId: e.appId, name: known?.name || lastSegment(e.miResourceId), resourceId: e.miResourceId }, byObject);
  }
  if (known) return known;
  const token = tokens.find(e.tenantId, e.tokenId, e.issuedAtMs);
  if (token) return catalog.learn({ objectId: token.objectId, appId: token.appId, name: token.name, resourceId: '' });
  return undefined;
}

function lastSegment(resourceId: string): string {
  const parts = resourceId.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}
