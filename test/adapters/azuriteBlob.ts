import { startAzurite, type RunningAzurite } from '../../src/adapters/azurite';

/**
 * Azurite's blob service for the tests that need it (the suite's global setup starts only the
 * table service): in memory, on a free loopback port. About a second to start; stop it in afterAll.
 */
export type RunningAzuriteBlob = Pick<RunningAzurite, 'connectionString' | 'stop'>;

export function startAzuriteBlob(): Promise<RunningAzuriteBlob> {
  return startAzurite({ service: 'blob' });
}
