import { describe, expect, it } from 'vitest';
import { SERVICE_TAGS_STALE_MS, serviceTagsAge } from '../../../src/core/network/serviceTagsAge';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 11, 1, 12);

describe('serviceTagsAge', () => {
  it.each([
    ['retrieved just now', NOW, { ageDays: 0, stale: false }],
    ['29 days 23 hours ago', NOW - 30 * DAY + 3_600_000, { ageDays: 29, stale: false }],
    ['exactly 30 days ago (not yet stale)', NOW - SERVICE_TAGS_STALE_MS, { ageDays: 30, stale: false }],
    ['30 days and a second ago', NOW - SERVICE_TAGS_STALE_MS - 1000, { ageDays: 30, stale: true }],
    ['a year ago', NOW - 365 * DAY, { ageDays: 365, stale: true }],
    ['in the future (clock skew)', NOW + DAY, { ageDays: 0, stale: false }],
  ])('%s', (_, retrievedAtMs, expected) => {
    expect(serviceTagsAge(retrievedAtMs, NOW)).toEqual(expected);
  });

  it('judges nothing when the retrieval time is unknown', () => {
    expect(serviceTagsAge(null, NOW)).toBeUndefined();
  });
});
