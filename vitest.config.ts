import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start servers and databases; two cores, so keep parallelism modest.
    maxWorkers: 2,
    // Collects every captured log line and every secret the tests handle; fails the run when
    // a secret shows up in a log (test/global-setup/leak-check.ts).
    // card-schema-note.ts: says once per run when the cards' JSON-schema check was skipped.
    globalSetup: ['test/global-setup/leak-check.ts', 'test/global-setup/card-schema-note.ts'],
  },
});
