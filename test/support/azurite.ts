import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';

/** Connection string of the run's Azurite (started by the global setup). */
export function azuriteConnectionString(): string {
  return inject('azuriteConnectionString');
}

/** A table name no other test uses (Table names: alphanumeric, 3–63 chars, starting with a letter). */
export function uniqueTableName(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '')}`.slice(0, 63);
}
