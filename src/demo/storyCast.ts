import type { DemoIdentity, IdentityKind } from './identities';
import { AZURE_BLOCKS, AZURE_IPV6_BLOCKS, ipv4InBlock, ipv6InPrefix } from './networks';
import type { Random } from './random';

/**
 * Who plays which part in the demo tenant's stories, chosen once from the catalog so the daily
 * traffic (blob reads, Key Vault reads, the App Service pool, the dual-stack VM) and the planted
 * stories agree. The classic stories keep their identities by position (see buildDemoIdentities);
 * each later part takes the first identity of its kind with no outside-Azure footprint and no
 * part yet. A catalog too small for that (the 12-identity minimum) lends an identity a second
 * part: every story then uses its own network (hosting ASN, Tor, Azure region), so the parts of
 * one identity never share a dedup key or a replayed network.
 */
export interface StoryCast {
  /** H1 and its repeat: VM #1. */
  readonly h1: DemoIdentity;
  /** H2: AKS cluster #1 (a Graph token). */
  readonly h2: DemoIdentity;
  /** H3: user-assigned identity #1 (IPv6). */
  readonly h3: DemoIdentity;
  /** H4: function app #0. */
  readonly h4: DemoIdentity;
  /** M1: user-assigned identity #0, federated to the CI runner (outside-Azure footprint). */
  readonly m1: DemoIdentity;
  /** M2: VM #0, behind the partner's egress (outside-Azure footprint). */
  readonly m2: DemoIdentity;
  /** ARC1: Arc machine #0. */
  readonly arc: DemoIdentity | undefined;
  /** RPL1: a VM whose token is replayed during the learning period. */
  readonly learningReplay: DemoIdentity;
  /** RPL2: an identity (in westeurope when one is free) whose token is replayed from another Azure region. */
  readonly regionReplay: DemoIdentity;
  /** REG1: a user-assigned identity attached to an attacker's VM in a region it never used. */
  readonly newRegion: DemoIdentity;
  /** STOR1: a VM (in westeurope when one is free) that reads blobs over OAuth every day. */
  readonly blobReader: DemoIdentity;
  /** KV1: a function app that reads a Key Vault secret every day. */
  readonly vaultReader: DemoIdentity;
  /** POOL1: an App Service (function app) calling from the three outbound addresses of its pool. */
  readonly appServicePool: DemoIdentity;
  /** DUAL1: a dual-stack VM: an IPv4 and an IPv6 address of its region. */
  readonly dualStack: DemoIdentity;
}

/** 3: the outbound addresses the App Service pool calls from. */
const POOL_ADDRESSES = 3;

/**
 * Picks the cast, and returns the catalog with the parts' addresses in place: the App Service pool
 * gets three outbound addresses of its region, the dual-stack VM an IPv6 address of its region.
 */
export function castStories(catalog: readonly DemoIdentity[], random: Random): { cast: StoryCast; identities: DemoIdentity[] } {
  const nth = (kind: IdentityKind, ordinal: number): DemoIdentity => {
    const found = catalog.filter((i) => i.kind === kind)[ordinal];
    if (found === undefined) throw new Error(`generateDemoTenant: the catalog has no ${kind} #${ordinal}.`);
    return found;
  };
  const classic = {
    h1: nth('virtualMachine', 1),
    h2: nth('aksCluster', 1),
    h3: nth('userAssignedIdentity', 1),
    h4: nth('functionApp', 0),
    m1: nth('userAssignedIdentity', 0),
    m2: nth('virtualMachine', 0),
    arc: catalog.find((i) => i.kind === 'arcMachine'),
  };
  const classicParts = new Set<DemoIdentity>(Object.values(classic).filter((i): i is DemoIdentity => i !== undefined));
  const newParts = new Set<DemoIdentity>();
  const take = (kinds: readonly IdentityKind[], prefer: (i: DemoIdentity) => boolean = () => true): DemoIdentity => {
    const ofKind = catalog.filter((i) => kinds.includes(i.kind));
    const free = ofKind.filter((i) => i.onPremises === null && !classicParts.has(i) && !newParts.has(i));
    const lent = ofKind.filter((i) => !newParts.has(i));
    const chosen = free.find(prefer) ?? free[0] ?? lent.find(prefer) ?? lent[0] ?? ofKind[0];
    if (chosen === undefined) throw new Error(`generateDemoTenant: the catalog has no ${kinds.join(' or ')}.`);
    newParts.add(chosen);
    return chosen;
  };
  const inWestEurope = (i: DemoIdentity) => i.region === 'westeurope';
  const picked = {
    blobReader: take(['virtualMachine'], inWestEurope),
    learningReplay: take(['virtualMachine']),
    dualStack: take(['virtualMachine']),
    newRegion: take(['userAssignedIdentity']),
    vaultReader: take(['functionApp']),
    appServicePool: take(['functionApp']),
    regionReplay: take(['virtualMachine', 'userAssignedIdentity', 'aksCluster', 'functionApp'], inWestEurope),
  };

  const adjusted = new Map<DemoIdentity, DemoIdentity>();
  const pool = picked.appServicePool;
  adjusted.set(pool, { ...pool, azureIps: poolAddresses(pool, random) });
  const dual = adjusted.get(picked.dualStack) ?? picked.dualStack;
  const ipv6 = ipv6InPrefix(AZURE_IPV6_BLOCKS[dual.region].cidr, BigInt(random.int(1, 0xffff)) * 0x1_0000_0000n + BigInt(random.int(1, 0xffff_ffff)));
  adjusted.set(picked.dualStack, { ...dual, azureIps: [...dual.azureIps, ipv6] });

  const final = (i: DemoIdentity): DemoIdentity => adjusted.get(i) ?? i;
  const cast: StoryCast = {
    h1: final(classic.h1),
    h2: final(classic.h2),
    h3: final(classic.h3),
    h4: final(classic.h4),
    m1: final(classic.m1),
    m2: final(classic.m2),
    arc: classic.arc === undefined ? undefined : final(classic.arc),
    learningReplay: final(picked.learningReplay),
    regionReplay: final(picked.regionReplay),
    newRegion: final(picked.newRegion),
    blobReader: final(picked.blobReader),
    vaultReader: final(picked.vaultReader),
    appServicePool: final(picked.appServicePool),
    dualStack: final(picked.dualStack),
  };
  return { cast, identities: catalog.map(final) };
}

/**
 * The pool's outbound addresses: the identity's own, completed to three from its region's blocks
 * (one from each block first, as an App Service scale unit spreads over the region's ranges).
 */
function poolAddresses(identity: DemoIdentity, random: Random): string[] {
  const addresses = new Set(identity.azureIps.filter((ip) => !ip.includes(':')));
  const blocks = AZURE_BLOCKS[identity.region];
  for (let n = 0; addresses.size < POOL_ADDRESSES; n++) {
    const block = blocks[n % blocks.length]!;
    addresses.add(ipv4InBlock(block.cidr, random.int(0, 2_000_000)));
  }
  return [...addresses].slice(0, POOL_ADDRESSES);
}
