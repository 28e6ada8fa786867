import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { WxtVitest } from "wxt/testing/vitest-plugin";
import { generateSecrets } from "./scripts/secrets.mjs";

/**
 * Each part runs in its real runtime: the shared core in Node, the Worker inside workerd with real
 * KV and Durable Objects, browser flows in Debian's Chromium (`npm run test:e2e`, not `npm test`).
 */
export default defineConfig({
  test: {
    // `npm run test:coverage`: V8 coverage of the Node projects (unit, extension). workerd offers
    // no V8 coverage to the pool (docs/decisions/0016); the Worker's own tests are not counted here.
    coverage: {
      provider: "v8",
      include: ["shared/**/*.ts", "worker/**/*.{ts,tsx}", "extension/**/*.{ts,tsx}"],
      exclude: ["**/*.d.ts", "extension/.wxt/**"],
      reporter: ["json-summary", "html"],
      reportsDirectory: "coverage",
    },
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...generateSecrets(),
                PUBLIC_URL: "https://gateway.test",
                ISSUER: "https://gateway.test",
                ORIGIN_URL: "https://origin.test",
                // Fewer rounds keep the suite fast; production strength is measured by the bench.
                PASSWORD_PBKDF2_ROUNDS: "1",
              },
              outboundService: (request: Request) => import("./test/worker/origin-stub.mjs").then((m) => m.handleOrigin(request)),
            },
          }),
        ],
        test: { name: "worker", include: ["test/worker/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        // The extension's logic against WXT's in-memory fakeBrowser (storage, alarms, badge...).
        plugins: [WxtVitest()],
        test: { name: "extension", include: ["test/extension/**/*.test.ts"], setupFiles: ["test/extension/setup.ts"], environment: "node" },
      },
      {
        test: { name: "e2e", include: ["test/e2e/**/*.e2e.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
});
