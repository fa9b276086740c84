import { describe, expect, it } from 'vitest';
import { formatTimeOrderWarning, TimeOrderWatch } from '../../src/cli/timeOrder';

const DAY = 86_400_000;
const WINDOW = 5 * DAY;

describe('TimeOrderWatch', () => {
  it('warns once for a file that starts further back than the window before the files read before it', () => {
    const watch = new TimeOrderWatch(WINDOW, 'endpoint telemetry', 'the dedup window is 5 days');
    expect(watch.observe('a.json', 10 * DAY, 20 * DAY)).toBeUndefined();
    expect(watch.observe('b.json', 21 * DAY, 22 * DAY)).toBeUndefined();
    // Back by 4 days: within the window, normal lateness.
    expect(watch.observe('c.json', 18 * DAY, 23 * DAY)).toBeUndefined();
    expect(watch.observe('d.json', 2 * DAY, 3 * DAY)).toEqual({ events: 'endpoint telemetry', file: 'd.json', startMs: 2 * DAY, latestFile: 'c.json', latestMs: 23 * DAY, consequence: 'the dedup window is 5 days' });
    // A later part of the same file (a file across invocations) is not warned about again.
    expect(watch.observe('d.json', 1 * DAY, 3 * DAY)).toBeUndefined();
  });

  it('compares with earlier files only: a file running backwards inside itself is no warning', () => {
    const watch = new TimeOrderWatch(WINDOW, 'endpoint telemetry', 'the dedup window is 5 days');
    expect(watch.observe('a.json', 20 * DAY, 21 * DAY)).toBeUndefined();
    expect(watch.observe('a.json', 1 * DAY, 2 * DAY)).toBeUndefined();
    expect(watch.observe('b.json', 14 * DAY, 30 * DAY)).toMatchObject({ file: 'b.json', latestFile: 'a.json', latestMs: 21 * DAY });
  });

  it('says by how much, which files, and what to do', () => {
    const text = formatTimeOrderWarning({ events: 'endpoint telemetry', file: 'logs/b.json', startMs: Date.UTC(2026, 2, 1), latestFile: 'logs/a.json', latestMs: Date.UTC(2026, 2, 11, 12), consequence: 'the dedup window is 5 days' });
    expect(text).toBe(
      'warning: event time runs backwards (endpoint telemetry): logs/b.json has events from 2026-03-01T00:00:00.000Z, 10.5 days before the latest event of logs/a.json (2026-03-11T12:00:00.000Z), read before it; ' +
        'files are read in name order and the dedup window is 5 days, so alerts in them can be lost: name the files in time order',
    );
  });
});
