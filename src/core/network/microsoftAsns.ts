/**
 * Autonomous systems run by Microsoft. A managed-identity token used from one of them is used
 * from Microsoft's network (Azure, Microsoft 365, the Microsoft backbone), not from outside the cloud.
 *
 * Sources:
 * - Azure peering policy: "Microsoft manages AS8075 along with the following ASNs: AS8068, AS8069,
 *   AS12076" (AS12076 is ExpressRoute); later revisions refer to the AS-SET RADb:AS-MICROSOFT.
 *   MicrosoftDocs/azure-docs `articles/internet-peering/policy.md`, published at
 *   https://learn.microsoft.com/azure/internet-peering/policy
 * - MANRS participant entry for Microsoft: AS8075, AS8074. https://manrs.org/participant/138/
 * - Elastic detection rule `execution_azure_vm_extension_crud_unusual_source` treats
 *   3598, 8068–8075 and 12076 as Microsoft (elastic/detection-rules).
 * - Panther `azure_excessive_account_lockouts` treats 8075, 8068, 8069, 8070, 12076 as Microsoft
 *   (panther-labs/panther-analysis).
 * - AS3598 is the sign-in ASN of a Redmond address in Microsoft's Graph sign-in example.
 * The list is the union of these sources.
 */
export const MICROSOFT_ASNS: readonly number[] = Object.freeze([3598, 8068, 8069, 8070, 8071, 8072, 8073, 8074, 8075, 12076]);

const microsoftAsnSet: ReadonlySet<number> = new Set(MICROSOFT_ASNS);

export function isMicrosoftAsn(asn: number): boolean {
  return microsoftAsnSet.has(asn);
}
