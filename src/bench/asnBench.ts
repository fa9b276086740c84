import { loadAsnData } from '../adapters/asnData';
import type { AsnLookup } from '../core/network/asnLookup';
import { formatIpv6, ipv4FromValue, parseIp, type ParsedIp } from '../core/network/ip';
import { createRandom } from '../demo/random';
import { median, nowMs, perSecond } from './measure';

export interface AsnFigures {
  /** Median of `loadRuns` loads of the data file (read + views), in ms. */
  readonly loadMs: number;
  /** The first load of the process (the file may not be in the page cache yet). */
  readonly firstLoadMs: number;
  readonly lookupsPerSec: number;
  readonly lookups: number;
  /** Share of sampled addresses an announced range holds (sanity: the lookups found something). */
  readonly hitRatio: number;
  readonly ipv4Ranges: number;
  readonly ipv6Ranges: number;
}

/**
 * Addresses to look up, spread over the whole public space so the binary search is not helped by
 * locality: 90 % IPv4 (`1.0.0.0`–`223.255.255.255`), 10 % IPv6 in `2000::/3`, the global unicast
 * block. Parsed up front: the figure is the lookup, parsing is measured with the pipeline.
 */
export function sampleAddresses(count: number, seed: number): ParsedIp[] {
  const random = createRandom(seed);
  const out: ParsedIp[] = [];
  for (let i = 0; i < count; i++) {
    if (random.next() < 0.9) out.push(ipv4FromValue(random.int(0x01000000, 0xdfffffff)));
    else {
      const words = [0x20000000 + random.int(0, 0x1fffffff), random.int(0, 0xffffffff), random.int(0, 0xffffffff), random.int(0, 0xffffffff)] as const;
      const parsed = parseIp(formatIpv6(words));
      if (parsed) out.push(parsed);
    }
  }
  return out;
}

/** Runs `rounds` passes over `addresses` and returns the hits of the last pass (so nothing is optimised away). */
export function lookupAll(table: AsnLookup, addresses: readonly ParsedIp[], rounds: number): number {
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    hits = 0;
    for (let i = 0; i < addresses.length; i++) if (table.lookup(addresses[i]!) !== undefined) hits++;
  }
  return hits;
}

export function measureAsn(options: { readonly loadRuns?: number; readonly addresses?: number; readonly rounds?: number; readonly seed?: number } = {}): AsnFigures {
  const loadRuns = options.loadRuns ?? 5;
  const loads: number[] = [];
  let table = undefined as ReturnType<typeof loadAsnData> | undefined;
  for (let i = 0; i < loadRuns; i++) {
    const started = nowMs();
    table = loadAsnData();
    loads.push(nowMs() - started);
  }
  if (!table) throw new RangeError('measureAsn: loadRuns must be at least 1');
  const addresses = sampleAddresses(options.addresses ?? 200_000, options.seed ?? 1);
  // Warm-up pass: JIT and the per-entry result objects, as in a long-running worker.
  lookupAll(table, addresses, 1);
  const rounds = options.rounds ?? 20;
  const started = nowMs();
  const hits = lookupAll(table, addresses, rounds);
  const ms = nowMs() - started;
  return {
    loadMs: median(loads),
    firstLoadMs: loads[0]!,
    lookupsPerSec: perSecond(addresses.length * rounds, ms),
    lookups: addresses.length * rounds,
    hitRatio: hits / addresses.length,
    ipv4Ranges: table.ipv4RangeCount,
    ipv6Ranges: table.ipv6RangeCount,
  };
}
