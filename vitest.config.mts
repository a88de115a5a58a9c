import { defineConfig } from 'vitest/config';

// Unit tests (*.spec.ts) sit next to the code they test and need no services.
// Integration (*.int-spec.ts) and end-to-end (*.e2e-spec.ts) tests run against the
// real stack that tools/test.mjs starts once for the whole run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Unit tests first (fast feedback), then the integration project with its own pool size.
          sequence: { groupOrder: 0 },
          include: ['libs/**/src/**/*.spec.ts', 'apps/**/src/**/*.spec.ts', 'tools/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.int-spec.ts', 'test/**/*.e2e-spec.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
