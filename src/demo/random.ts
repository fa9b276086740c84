/**
 * A small seeded pseudo-random generator for the synthetic data sets.
 *
 * Everything the demo tenant, the endpoint telemetry and the benchmark stream contain is derived from
 * one integer seed, so the same seed always yields byte-identical output (tests compare it, and a
 * benchmark run can be repeated exactly). mulberry32: 32-bit state, period 2^32, fast and good enough
 * for test data; it is NOT a cryptographic generator.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `count` distinct elements of `items` (all of them when count ≥ length), in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** Lower-case hexadecimal digits. */
  hex(length: number): string;
  /** A version-4-shaped GUID (lower case, dashed). */
  guid(): string;
  /** Random bytes. */
  bytes(length: number): Uint8Array;
}

/** '0000' … 'ffff'. */
const HEX4: readonly string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    // mulberry32 (Tommy Ettinger): one 32-bit add, two multiply-xorshift rounds.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (length: number): string => {
    // Four hex digits per table lookup, two lookups per 32-bit draw: hot in the benchmark stream.
    let out = '';
    while (out.length < length) {
      const word = Math.floor(next() * 4294967296);
      out += (HEX4[word >>> 16] as string) + (HEX4[word & 0xffff] as string);
    }
    return out.length === length ? out : out.slice(0, length);
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('random.pick: the list is empty.');
      return items[Math.floor(next() * items.length)] as T;
    },
    sample<T>(items: readonly T[], count: number): T[] {
      const copy = items.slice();
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy.slice(0, Math.max(0, count));
    },
    hex,
    guid() {
      const h = hex(32);
      // Version nibble 4 and variant bits 10xx, as a real random GUID has.
      const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}

/**
 * A seed for an independent sub-stream, so adding records to one part of a data set does not shift
 * every value generated after it. FNV-1a over the label, mixed with the parent seed.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
