// The accessibility check run at every page a browser test screenshots: axe-core in the page,
// failing on any violation of impact "serious" or "critical" (moderate and minor ones are logged).
//
// axe is put into the page with Playwright's evaluate, not a <script> tag: the gateway's pages
// allow only scripts carrying the response's nonce (an injected inline script would be refused
// and reported as a CSP violation), and extension pages allow only their own files. Evaluation
// through the DevTools protocol is not subject to the page's CSP, and the page stays untouched.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import type { AxeResults, ImpactValue } from "axe-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const FAILING: ReadonlySet<ImpactValue> = new Set(["serious", "critical"]);

export interface AxeFinding {
  rule: string;
  impact: ImpactValue | null;
  help: string;
  /** CSS selectors of the offending elements (at most five). */
  targets: string[];
}

export interface AxeReport {
  url: string;
  step: string;
  failing: AxeFinding[];
  other: AxeFinding[];
  /** How long the check took. */
  ms: number;
}

/** Runs axe-core on the page as it is now (WCAG 2.x A/AA and best practices). */
export async function checkAccessibility(page: Page, step: string): Promise<AxeReport> {
  const started = performance.now();
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    }),
  )) as AxeResults;
  const findings = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact ?? null,
    help: violation.help,
    targets: violation.nodes.slice(0, 5).map((node) => node.target.map(String).join(" ")),
  }));
  return {
    url: page.url(),
    step,
    failing: findings.filter((finding) => finding.impact !== null && FAILING.has(finding.impact)),
    other: findings.filter((finding) => finding.impact === null || !FAILING.has(finding.impact)),
    ms: Math.round(performance.now() - started),
  };
}

/** One line per failing rule: "<impact> <rule>: <help> — <targets> (<step> at <url>)". */
export function describeFailures(report: AxeReport): string {
  return report.failing
    .map((finding) => `${finding.impact} ${finding.rule}: ${finding.help} — ${finding.targets.join(", ")} (${report.step} at ${report.url})`)
    .join("\n");
}
