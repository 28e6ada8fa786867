// Steps a person takes through the gateway's pages, shared by the end-to-end tests. Each step
// waits for the page it expects by its visible heading or control, and fails with that name.
// Controls are worked through ./input (pointer or keyboard alone, as set for the page), and every
// screenshot is also an accessibility check (./a11y).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { checkAccessibility, describeFailures, type AxeReport } from "./a11y";
import { createAuthenticator, nextCode, type Authenticator } from "./authenticator";
import { check, click, fill, useInput, type InputMode } from "./input";

export const DEMO_PASSWORD = "stepgate-demo-password";
export const SESSION_COOKIE = "__Host-stepgate";
const SCREENSHOT_ROOT = fileURLToPath(new URL("../../test-results/e2e/", import.meta.url));
const WAIT_MS = 15_000;

/**
 * Saves `<nn>-<step>.png` under test-results/e2e/<testDir>/ (emptied first), numbered in order,
 * and checks the page with axe-core: a serious or critical violation fails the step with the
 * rule, the elements and the page. Every check's findings go to `axe.json` beside the screenshots
 * (STEPGATE_E2E_AXE=report logs failing findings there without failing, to survey a change).
 */
export function screenshots(testDir: string) {
  const dir = `${SCREENSHOT_ROOT}${testDir}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let count = 0;
  const reports: AxeReport[] = [];
  return async (page: Page, step: string): Promise<void> => {
    count += 1;
    const name = `${String(count).padStart(2, "0")}-${step}`;
    await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true }).catch(async (error: unknown) => {
      // Chromium now and then has no frame to capture right after a navigation, on a busy machine.
      if (!String(error).includes("Unable to capture screenshot")) throw error;
      await page.waitForTimeout(250);
      await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
    });
    const report = await checkAccessibility(page, name);
    reports.push(report);
    writeFileSync(`${dir}/axe.json`, JSON.stringify(reports, null, 2));
    if (report.failing.length && process.env.STEPGATE_E2E_AXE !== "report") {
      throw new Error(`accessibility (axe-core), ${report.failing.length} serious or critical:\n${describeFailures(report)}`);
    }
  };
}
export type Shot = ReturnType<typeof screenshots>;

/** Uncaught page errors and CSP violations, collected for an "expect none" at the end of a test. */
export function watchForPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) problems.push(`csp: ${message.text()}`);
  });
  return problems;
}

export async function waitForHeading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name }).waitFor({ timeout: WAIT_MS });
}

/** The path (with query) of the current page, asserting it is on the gateway's origin. */
export function pathOnGateway(page: Page, gatewayUrl: string): string {
  const url = new URL(page.url());
  expect(url.origin).toBe(new URL(gatewayUrl).origin);
  return `${url.pathname}${url.search}`;
}

/** Fills and submits the sign-in form (the page must be the gateway's "Sign in"). */
export async function submitPassword(page: Page, email: string, shot: Shot): Promise<void> {
  await waitForHeading(page, "Sign in");
  await fill(page.locator("#email"), email);
  await fill(page.locator("#password"), DEMO_PASSWORD);
  await shot(page, "sign-in");
  await click(page.getByRole("button", { name: "Continue" }));
}

export interface Enrollment {
  app: Authenticator;
  /** As shown: 32 digits in groups of four joined by "-". */
  recoveryCode: string;
}

/**
 * From "Two-Factor Authentication Required" through authenticator-app set-up (manual key) to the
 * "Save your recovery code" page, where it stops.
 */
export async function enrollAuthenticatorApp(page: Page, shot: Shot, nowMs: () => number = Date.now): Promise<Enrollment> {
  await waitForHeading(page, "Two-Factor Authentication Required");
  await shot(page, "mfa-required");
  await click(page.getByRole("link", { name: "Set Up Now" }));
  await chooseAuthenticatorApp(page, shot);
  return setUpAuthenticatorApp(page, shot, nowMs);
}

/** On "Select an Authentication Method": picks the authenticator app. */
export async function chooseAuthenticatorApp(page: Page, shot: Shot): Promise<void> {
  await waitForHeading(page, "Select an Authentication Method");
  await shot(page, "select-method");
  await click(page.getByRole("button", { name: "Use an authenticator app" }));
}

/**
 * On "Set up your authenticator app": opens the manual key, sets up a new app with it, enters its
 * code and stops on "Save your recovery code". `nowMs`: the gateway's clock (see devClock).
 */
export async function setUpAuthenticatorApp(page: Page, shot: Shot, nowMs: () => number = Date.now): Promise<Enrollment> {
  await waitForHeading(page, "Set up your authenticator app");
  const qr = page.getByRole("img", { name: /QR code/ });
  await qr.locator("svg").waitFor({ timeout: WAIT_MS });
  const manualKey = page.locator("#manual-key");
  expect(await manualKey.isVisible()).toBe(false); // folded away until asked for
  await click(page.getByText("Trouble scanning? Enter the key by hand"));
  await manualKey.waitFor({ state: "visible", timeout: WAIT_MS });
  const key = (await manualKey.textContent())?.trim() ?? "";
  expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
  const app = createAuthenticator(key);
  await fill(page.locator("#code"), await nextCode(app, nowMs));
  await shot(page, "authenticator-setup");
  await click(page.getByRole("button", { name: "Verify and continue" }));

  const recoveryCode = await readRecoveryCode(page);
  await shot(page, "recovery-code");
  return { app, recoveryCode };
}

/** On "Save your recovery code": the code as shown, checked against its data-code digits. */
export async function readRecoveryCode(page: Page): Promise<string> {
  await waitForHeading(page, "Save your recovery code");
  const shown = page.locator("#recovery");
  await shown.waitFor({ timeout: WAIT_MS });
  const grouped = (await shown.textContent())?.trim() ?? "";
  expect(grouped).toMatch(/^\d{4}(-\d{4}){7}$/);
  expect(await shown.getAttribute("data-code")).toBe(grouped.replaceAll("-", ""));
  return grouped;
}

/** Ticks "I have securely saved this code" and continues. */
export async function confirmRecoveryCodeSaved(page: Page): Promise<void> {
  await check(page.getByLabel("I have securely saved this code"));
  await click(page.locator("#continue"));
}

/** On "How do you want to verify your identity?": picks a method, enters the code, submits. */
export async function answerChallenge(page: Page, method: "authenticator" | "recovery", code: string, shot: Shot, step: string): Promise<void> {
  await waitForHeading(page, "How do you want to verify your identity?");
  const link = page.getByRole("link", { name: method === "authenticator" ? "Use your authenticator app" : "Use your recovery code" });
  if ((await link.getAttribute("aria-current")) !== "true") {
    await click(link);
    await page.locator('[aria-current="true"]', { hasText: method === "authenticator" ? "authenticator" : "recovery" }).waitFor({ timeout: WAIT_MS });
  }
  await fill(page.getByLabel(method === "authenticator" ? /6-digit code/ : /Recovery code/), code);
  await shot(page, step);
  await click(page.getByRole("button", { name: "Verify" }));
}

/** On the admin page: saves the enforcement deadline and time zone (Require MFA stays ticked). */
export async function saveAdminSettings(page: Page, deadline: string, timeZone: string, shot?: Shot): Promise<void> {
  await fill(page.getByLabel("Enforcement deadline"), deadline);
  await fill(page.getByLabel("Your time zone"), timeZone);
  await shot?.(page, "settings-form");
  await click(page.getByRole("button", { name: "Save settings" }));
  await page.getByRole("status").filter({ hasText: "Settings saved" }).waitFor({ timeout: WAIT_MS });
}

/** Header link "Sign out" on a demo page → the gateway's sign-out page → "Sign out" button. */
export async function signOut(page: Page, shot: Shot): Promise<void> {
  await click(page.getByRole("link", { name: "Sign out" }));
  await waitForHeading(page, "Sign out");
  await shot(page, "sign-out");
  await click(page.getByRole("button", { name: "Sign out" }));
  await waitForHeading(page, "You are signed out");
  await shot(page, "signed-out");
}

/** Waits for a demo-origin page (brand "Demo Builders") showing `email` as the person signed in. */
export async function waitForDemoPage(page: Page, email: string): Promise<void> {
  await page.getByRole("banner").getByText("Demo Builders", { exact: true }).waitFor({ timeout: WAIT_MS });
  expect((await page.getByTestId("signed-in-as").textContent())?.trim()).toBe(email);
}

/** The dashboard's "Signed in" list as term → description. */
export async function readDashboard(page: Page): Promise<Record<string, string>> {
  await waitForHeading(page, /^Welcome/);
  return page.locator("section dl").evaluate((dl) => {
    const entries: Record<string, string> = {};
    for (const term of dl.querySelectorAll("dt")) entries[term.textContent ?? ""] = term.nextElementSibling?.textContent ?? "";
    return entries;
  });
}

/** A new tab in `context`, worked with the pointer or the keyboard alone (./input). */
export async function openPage(context: BrowserContext, mode: InputMode): Promise<Page> {
  return useInput(await context.newPage(), mode);
}

/**
 * Moves the gateway's development clock forward (`POST /_stepgate/dev/clock`, forward only) and
 * returns the gateway's clock as a function, for an authenticator app that must follow it.
 */
export async function advanceGatewayClock(page: Page, gatewayUrl: string, seconds: number): Promise<() => number> {
  const moved = await page.request.post(`${gatewayUrl}/_stepgate/dev/clock`, { data: { advanceSeconds: seconds }, headers: { origin: gatewayUrl } });
  expect(moved.status()).toBe(200);
  const { offsetMs } = (await moved.json()) as { offsetMs: number };
  return () => Date.now() + offsetMs;
}

/**
 * The code in the newest text to `to` sent after `notBefore` (ISO time), from the development
 * outbox. The text must end with the domain-bound line `@<gateway host> #<code>` (WebOTP).
 */
export async function textedCode(gatewayUrl: string, to: string, notBefore = ""): Promise<string> {
  const boundLine = new RegExp(`\\n@${new URL(gatewayUrl).hostname.replaceAll(".", "\\.")} #(\\d{6})$`);
  for (let tries = 0; tries < 50; tries++) {
    const messages = (await (await fetch(`${gatewayUrl}/_stepgate/dev/outbox`)).json()) as Array<{ to: string; channel: string; text: string; sentAt: string }>;
    const message = messages.find((m) => m.channel === "sms" && m.to === to && m.sentAt > notBefore);
    const code = message ? boundLine.exec(message.text)?.[1] : undefined;
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no text message to ${to}`);
}
