import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Azurite table service for the whole run: the Table Storage adapter and the handlers are tested against it.
    globalSetup: ['test/support/azuriteGlobalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // @azure/functions says so whenever it is loaded outside the Functions host (every handler test
    // here): not a finding, and it buried the output that is.
    onConsoleLog: (log) => !/^WARNING: (Failed to detect the Azure Functions runtime|Skipping call to register function)/.test(log),
  },
});
