import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real loopback servers and child processes: keep them off each other's CPU.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
