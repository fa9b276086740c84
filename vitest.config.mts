import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Azurite table service for the whole run: the Table Storage adapter and the handlers are tested against it.
    globalSetup: ['test/support/azuriteGlobalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
