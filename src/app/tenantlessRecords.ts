import { rememberBounded } from '../core/boundedMemo';

/**
 * The tenant of a token use or issuance whose record names none. Key Vault's `AuditEvent` logs a
 * handful of the caller's claims (oid, appid, appidacr, xms_mirid): no `tid`, no issuer; rows of
 * the older AADManagedIdentitySignInLogs column list have no `AADTenantId`. A Managed Identity
 * can only get tokens from its own tenant, and a vault's diagnostic settings stream to the
 * deployment that reads them, so such a record is judged in the deployment's tenant
 * (TOKENWATCH_HOME_TENANT_ID, which Bicep sets to the tenant it deploys into).
 *
 * A replay without `--tenant` infers it instead, from the Managed Identities' own records read
 * before it (sign-ins and workload uses that name their tenant; a user's record, such as an
 * Azure Lighthouse administrator's from the managing tenant, says nothing of them): the tenant
 * that issued the identity's tokens when the replay has seen it, else the one tenant those
 * records named while they named one only. The inference follows record order, not batches, so a
 * replay gives the same alerts at any batch size. A record whose tenant is neither configured
 * nor inferred is a counted reject (`activity.no-tenant`, `signin.no-tenant`).
 */
export class TenantlessRecords {
  private seen = '';
  private several = false;
  /** The tenant of each identity (object id) the replay has seen named with its tenant. */
  private readonly tenantOfIdentity = new Map<string, string>();
  /** Records judged in `seen` without their identity known there (see guesses). */
  private guessed = 0;

  /** `homeTenantId`: the configured tenant ('' when none); `inferFromRecords`: a replay's inference. */
  constructor(
    private readonly homeTenantId: string,
    private readonly inferFromRecords = false,
  ) {}

  /** Notes a Managed Identity record that names its tenant (records in the order they are read). */
  saw(tenantId: string, objectId: string): void {
    if (!this.inferFromRecords || tenantId === '') return;
    if (objectId !== '' && this.tenantOfIdentity.get(objectId) !== tenantId) rememberBounded(this.tenantOfIdentity, objectId, tenantId, IDENTITIES_MAX);
    if (this.several || tenantId === this.seen) return;
    if (this.seen === '') this.seen = tenantId;
    else this.several = true;
  }

  /** The tenant to judge a record of `objectId` that names none in; undefined when there is none to take. */
  tenant(objectId = ''): string | undefined {
    if (this.homeTenantId !== '') return this.homeTenantId;
    if (!this.inferFromRecords) return undefined;
    const known = objectId === '' ? undefined : this.tenantOfIdentity.get(objectId);
    if (known !== undefined) return known;
    if (this.several || this.seen === '') return undefined;
    this.guessed++;
    return this.seen;
  }

  /**
   * Records judged in the one tenant seen, their identity never seen in it: right for a tenant's
   * own export, wrong when another tenant's records arrive first. A replay says how many.
   */
  get guesses(): { readonly records: number; readonly tenant: string } {
    return { records: this.guessed, tenant: this.seen };
  }
}

/** Identities remembered with their tenant: a replay of a large estate, not unbounded. */
const IDENTITIES_MAX = 200_000;
