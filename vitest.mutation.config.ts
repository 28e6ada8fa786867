import { defineConfig } from "vitest/config";

/**
 * The Node-side tests StrykerJS runs for each mutant (`npm run test:mutation`,
 * docs/decisions/0015-mutation-testing.md). Only pure code is mutated, so only the `unit` tests run:
 * the workerd pool (minutes per run) is never started for a mutant.
 */
export default defineConfig({
  test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
});
