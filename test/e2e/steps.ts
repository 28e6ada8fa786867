// Steps a person takes through the gateway's pages, shared by the end-to-end tests. Each step
// waits for the page it expects by its visible heading or control, and fails with that name.
import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { createAuthenticator, nextCode, type Authenticator } from "./authenticator";

export const DEMO_PASSWORD = "stepgate-demo-password";
export const SESSION_COOKIE = "__Host-stepgate";
const SCREENSHOT_ROOT = fileURLToPath(new URL("../../test-results/e2e/", import.meta.url));
const WAIT_MS = 15_000;

/** Saves `<nn>-<step>.png` under test-results/e2e/<testDir>/ (emptied first), numbered in order. */
export function screenshots(testDir: string) {
  const dir = `${SCREENSHOT_ROOT}${testDir}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let count = 0;
  return async (page: Page, step: string): Promise<void> => {
    count += 1;
    await page.screenshot({ path: `${dir}/${String(count).padStart(2, "0")}-${step}.png`, fullPage: true });
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
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await shot(page, "sign-in");
  await page.getByRole("button", { name: "Continue" }).click();
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
export async function enrollAuthenticatorApp(page: Page, shot: Shot): Promise<Enrollment> {
  await waitForHeading(page, "Two-Factor Authentication Required");
  await shot(page, "mfa-required");
  await page.getByRole("link", { name: "Set Up Now" }).click();
  await waitForHeading(page, "Select an Authentication Method");
  await shot(page, "select-method");
  await page.getByRole("button", { name: "Use an authenticator app" }).click();

  await waitForHeading(page, "Set up your authenticator app");
  const qr = page.getByRole("img", { name: /QR code/ });
  await qr.locator("svg").waitFor({ timeout: WAIT_MS });
  const manualKey = page.locator("#manual-key");
  expect(await manualKey.isVisible()).toBe(false); // folded away until asked for
  await page.getByText("Trouble scanning? Enter the key by hand").click();
  await manualKey.waitFor({ state: "visible", timeout: WAIT_MS });
  const key = (await manualKey.textContent())?.trim() ?? "";
  expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
  const app = createAuthenticator(key);
  await page.locator("#code").fill(await nextCode(app));
  await shot(page, "authenticator-setup");
  await page.getByRole("button", { name: "Verify and continue" }).click();

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
  await page.getByLabel("I have securely saved this code").check();
  await page.locator("#continue").click();
}

/** On "How do you want to verify your identity?": picks a method, enters the code, submits. */
export async function answerChallenge(page: Page, method: "authenticator" | "recovery", code: string, shot: Shot, step: string): Promise<void> {
  await waitForHeading(page, "How do you want to verify your identity?");
  const link = page.getByRole("link", { name: method === "authenticator" ? "Use your authenticator app" : "Use your recovery code" });
  if ((await link.getAttribute("aria-current")) !== "true") {
    await link.click();
    await page.locator('[aria-current="true"]', { hasText: method === "authenticator" ? "authenticator" : "recovery" }).waitFor({ timeout: WAIT_MS });
  }
  await page.getByLabel(method === "authenticator" ? /6-digit code/ : /Recovery code/).fill(code);
  await shot(page, step);
  await page.getByRole("button", { name: "Verify" }).click();
}

/** Header link "Sign out" on a demo page → the gateway's sign-out page → "Sign out" button. */
export async function signOut(page: Page, shot: Shot): Promise<void> {
  await page.getByRole("link", { name: "Sign out" }).click();
  await waitForHeading(page, "Sign out");
  await shot(page, "sign-out");
  await page.getByRole("button", { name: "Sign out" }).click();
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
