import { describe, expect, it } from 'vitest';
import { formatReplayProgress, ReplayProgress, type ReplayProgressState } from '../../src/cli/replayProgress';

const state = (records: number, filesDone: number, bytesRead: number): ReplayProgressState => ({ records, filesDone, files: 4, bytesRead, bytesTotal: 1000 });

describe('formatReplayProgress', () => {
  it('says records, records/s, files done, the share read and the time left', () => {
    expect(formatReplayProgress(state(250_000, 1, 250), 88_000)).toBe('replay: 250,000 records (2,841/s), files 1 of 4, 25.0 %, ETA 0:04:24');
    expect(formatReplayProgress(state(0, 0, 0), 3_000)).toBe('replay: 0 records (0/s), files 0 of 4, 0.0 %, ETA unknown');
  });

  it('without a known size (standard input), the time so far instead of an ETA', () => {
    expect(formatReplayProgress({ ...state(9_000, 0, 500), bytesTotal: undefined }, 3_600_000 + 61_000)).toBe('replay: 9,000 records (2/s), files 0 of 4, 1:01:01 elapsed');
  });
});

describe('ReplayProgress', () => {
  function run(isTTY: boolean): { progress: ReplayProgress; written: string[]; tick: (ms: number) => void } {
    let now = 0;
    const written: string[] = [];
    const progress = new ReplayProgress({ isTTY, write: (text: string) => written.push(text) }, () => now);
    return { progress, written, tick: (ms) => (now += ms) };
  }

  it('on a terminal: silent for 2 s, then one line rewritten at most every 250 ms, cleared for a warning and at the end', () => {
    const { progress, written, tick } = run(true);
    tick(1_999);
    progress.update(state(10, 0, 10));
    expect(written).toEqual([]);
    tick(1);
    progress.update(state(20, 0, 20));
    tick(100);
    progress.update(state(30, 0, 30));
    expect(written).toEqual(['\r\x1b[Kreplay: 20 records (10/s), files 0 of 4, 2.0 %, ETA 0:01:38']);
    tick(150);
    progress.update(state(40, 1, 40));
    expect(written).toHaveLength(2);
    progress.log('warning: something');
    expect(written.slice(2)).toEqual(['\r\x1b[K', 'warning: something\n']);
    progress.finish();
    progress.finish();
    // The warning cleared the line: nothing left to clear.
    expect(written).toHaveLength(4);
    progress.update(state(50, 1, 50));
    progress.finish();
    expect(written.slice(4)).toEqual([expect.stringMatching(/^\r\x1b\[Kreplay: 50 records/), '\r\x1b[K']);
  });

  it('elsewhere: a plain line every 10 s, the first after 10 s, and nothing to clear', () => {
    const { progress, written, tick } = run(false);
    tick(9_999);
    progress.update(state(10, 0, 10));
    tick(1);
    progress.update(state(20, 0, 20));
    tick(5_000);
    progress.update(state(30, 0, 30));
    tick(5_000);
    progress.update(state(40, 0, 40));
    progress.finish();
    expect(written).toEqual([expect.stringMatching(/^replay: 20 records .*\n$/), expect.stringMatching(/^replay: 40 records .*\n$/)]);
  });
});
