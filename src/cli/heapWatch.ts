/**
 * How much of the heap a replay's live objects take. A replay holds one invocation's records at a
 * time; an invocation too large for the heap (a multi-gigabyte file read as one, the default)
 * would otherwise end in V8's out-of-memory abort: a native stack trace and nothing written.
 *
 * The heap's used size counts garbage too, so it only says when to look: past `share` of the
 * limit, a full collection is run and what is left is what is live. V8 collects fully only when
 * it must, too late for the replay to stop on its own terms, so the collection is asked for here,
 * at most once per further tenth of the heap the replay fills.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export class HeapWatch {
  private readonly limit = getHeapStatistics().heap_size_limit;
  /** The used size past which the next reading collects first. */
  private collectAt: number;
  private collect: (() => void) | undefined;

  /** `share`: the share of the heap limit past which live objects are measured (and reported). */
  constructor(private readonly share: number) {
    this.collectAt = share * this.limit;
  }

  /** Whether live objects fill more than `share` of the heap limit. */
  overShare(): boolean {
    if (getHeapStatistics().used_heap_size <= this.collectAt) return false;
    this.fullCollection();
    const live = getHeapStatistics().used_heap_size;
    this.collectAt = Math.max(this.share * this.limit, live + this.limit / 10);
    return live > this.share * this.limit;
  }

  get limitMb(): number {
    return Math.round(this.limit / (1024 * 1024));
  }

  private fullCollection(): void {
    this.collect ??= fullCollector();
    this.collect();
  }
}

/**
 * The collector, reachable from script only with --expose-gc: the flag, set now, exposes it to a
 * new context, not to this one's global object. A runtime that does not (none known) collects
 * nothing here, and the used size, garbage included, is read as live: a replay may then stop early,
 * never late.
 */
function fullCollector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return gc as () => void;
  } catch {
    // fall through: no collector
  }
  return () => undefined;
}
