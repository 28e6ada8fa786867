import { defineConfig } from "vitest/config";

/**
 * The Node-side tests StrykerJS runs for each mutant (`npm run test:mutation`,
 * docs/decisions/0015-mutation-testing.md). Only pure code is mutated, so only the `unit` tests run:
 * the workerd pool (minutes per run) is never started for a mutant. Unit tests of modules that are
 * not mutated (SSO tokens, messaging providers, the demo origin's verifier) are left out: a static
 * mutant runs every test here, so each file costs its start-up time a few hundred times.
 */
export default defineConfig({
  test: {
    name: "unit",
    include: ["test/unit/**/*.test.ts"],
    exclude: ["test/unit/sso-*.test.ts", "test/unit/sms-providers.test.ts", "test/unit/messaging-config.test.ts", "test/unit/origin-token.security.test.ts"],
    environment: "node",
  },
});
