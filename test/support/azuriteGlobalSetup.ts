import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { startAzurite } from '../../src/adapters/azurite';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/** One in-memory Azurite table service for the whole run, on a free loopback port. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
