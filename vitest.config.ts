import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'pipeline/**/*.test.ts', 'fixtures/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Both cores: the real-model files (all_models, accuracy, crosscheck) are minutes of CPU each.
    maxWorkers: 2,
  },
});
