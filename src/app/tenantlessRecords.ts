/**
 * The tenant of a token use or issuance whose record names none. Key Vault's `AuditEvent` logs a
 * handful of the caller's claims (oid, appid, appidacr, xms_mirid): no `tid`, no issuer; rows of
 * the older AADManagedIdentitySignInLogs column list have no `AADTenantId`. A Managed Identity
 * can only get tokens from its own tenant, and a vault's diagnostic settings stream to the
 * deployment that reads them, so such a record is judged in the deployment's tenant
 * (TOKENWATCH_HOME_TENANT_ID, which Bicep sets to the tenant it deploys into).
 *
 * A replay without `--tenant` infers it instead: the tenant every earlier record of the replay
 * named, while they named one only. The inference follows record order, not batches, so a replay
 * gives the same alerts at any batch size. A record whose tenant is neither configured nor
 * inferred is a counted reject (`activity.no-tenant`, `signin.no-tenant`).
 */
export class TenantlessRecords {
  private seen = '';
  private several = false;

  /** `homeTenantId`: the configured tenant ('' when none); `inferFromRecords`: a replay's inference. */
  constructor(
    private readonly homeTenantId: string,
    private readonly inferFromRecords = false,
  ) {}

  /** Notes the tenant a record named (records in the order they are read). */
  saw(tenantId: string): void {
    if (!this.inferFromRecords || tenantId === '' || this.several || tenantId === this.seen) return;
    if (this.seen === '') this.seen = tenantId;
    else this.several = true;
  }

  /** The tenant to judge a use that names none in; undefined when there is none to take. */
  tenant(): string | undefined {
    if (this.homeTenantId !== '') return this.homeTenantId;
    return this.inferFromRecords && !this.several && this.seen !== '' ? this.seen : undefined;
  }
}
