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
    // The Arc key file: High for suspicious callers, Medium for any other first-time caller, name-only included.
    ['identity-key', 'suspicious', 'High'],
    ['identity-key', 'first-time', 'Medium'],
    ['identity-key', 'name-only', 'Medium'],
    // An allowlisted path in a home folder is judged as a name-only match.
    ['token-path', 'user-writable', 'Low'],
    ['endpoint-only', 'user-writable', 'Low'],
    ['identity-key', 'user-writable', 'Medium'],
  ] as const)('%s by a %s caller is %s', (strength, standing, severity) => {
    expect(theftSeverity(strength, standing)).toBe(severity);
  });
});
