// @ts-check
import { readFileSync } from "node:fs";

/**
 * StrykerJS over the pure code (`npm run test:mutation`, docs/decisions/0015-mutation-testing.md):
 * the shared core and the worker modules that decide without storage. Each mutant runs the Node-side
 * tests of vitest.mutation.config.ts that cover it, never the workerd pool. Not part of `.ci/run`.
 *
 * worker/proxy.ts is mutated only in a line range, found from the functions' declarations so that
 * it follows edits above them: those functions are pure, the rest of the file forwards requests.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // Two cores shared with other work: one test runner.
  concurrency: 1,
  mutate: [
    "shared/**/*.ts",
    "worker/domain/throttle.ts",
    "worker/domain/sms-throttle.ts",
    "worker/domain/admin.ts",
    "worker/lib/strict-json.ts",
    linesOf("worker/proxy.ts", "export function isCanonicalPath", "export function pathAndSearchOf"),
    "worker/payments/actions.ts",
  ],
  plugins: ["@stryker-mutator/*", "./scripts/stryker-ignorers.mjs"],
  ignorers: ["ErrorMessage"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // The 85 % floor is checked per file by scripts/mutation-score.mjs after the run.
  thresholds: { high: 95, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  ignorePatterns: [".output", ".wxt", ".wrangler", "test/e2e", "test/bench", "extension", "reports"],
};

/** `file:a-b`: from the line starting with `first` to the closing brace of the function starting with `last`. */
function linesOf(file, first, last) {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.findIndex((line) => line.startsWith(first));
  const lastStart = lines.findIndex((line) => line.startsWith(last));
  const end = lines.findIndex((line, index) => index > lastStart && line === "}");
  if (start < 0 || lastStart < start || end < 0) throw new Error(`stryker.config.mjs: ${first} .. ${last} not found in ${file}`);
  return `${file}:${start + 1}-${end + 1}`;
}
