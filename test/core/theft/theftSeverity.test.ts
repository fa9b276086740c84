import { describe, expect, it } from 'vitest';
import { theftSeverity } from '../../../src/core/theft/theftSeverity';

describe('theftSeverity', () => {
  it.each([
    ['token-path', 'suspicious', 'High'],
    ['endpoint-only', 'suspicious', 'Medium'],
    ['token-path', 'first-time', 'Medium'],
    ['endpoint-only', 'first-time', 'Low'],
    ['token-path', 'name-only', 'Low'],
    ['endpoint-only', 'name-only', 'Low'],
  ] as const)('%s by a %s caller is %s', (strength, standing, severity) => {
    expect(theftSeverity(strength, standing)).toBe(severity);
  });
});
