// The browser extension in Debian's Chromium against the real gateway: the options page adds the
// gateway, the recovery-code reminder appears after enrollment, and a sign-in challenge shows on
// the badge and is completed from the popup page with the person's own session (the background's
// fetch carries the HttpOnly cookie it never sees), after which the waiting tab goes through.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { nextCode, wrongCode } from "./authenticator";
import { launchBrowserWithExtension, startStack, type Stack } from "./harness";
import { click, fill, useInput } from "./input";
import {
  answerChallenge,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  screenshots,
  signOut,
  submitPassword,
  textedCode,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
  type Enrollment,
} from "./steps";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Fixed by manifest.key in wxt.config.ts. */
const EXTENSION_ID = "emiiabilgjclnhgapgnbficagfjjgdlc";
const PAYOR = "payor@demo.test";
const WAIT_MS = 15_000;

let stack: Stack;
let context: BrowserContext;
let extensionId: string;
let workDir: string;
let enrollment: Enrollment | undefined;
const shot = screenshots("extension");

/**
 * The built Chrome extension, copied with one change: host access to 127.0.0.1 is granted up
 * front, standing in for the person accepting the browser's permission prompt (a prompt headless
 * Chromium cannot show). Everything else is the build as shipped.
 */
function prepareExtension(dir: string): string {
  execFileSync(join(ROOT, "node_modules/.bin/wxt"), ["build"], { cwd: ROOT, stdio: "pipe" });
  const extensionDir = join(dir, "chrome-mv3");
  cpSync(join(ROOT, ".output/chrome-mv3"), extensionDir, { recursive: true });
  const manifestPath = join(extensionDir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  expect(manifest.host_permissions).toEqual([]);
  manifest.host_permissions = ["http://127.0.0.1/*"];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return extensionDir;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "stepgate-ext-"));
  const extensionDir = prepareExtension(workDir);
  stack = await startStack({ vars: { TRUSTED_ORIGINS: `chrome-extension://${EXTENSION_ID}` } });
  ({ context, extensionId } = await launchBrowserWithExtension(extensionDir, join(workDir, "profile")));
}, 90_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const extensionPage = (path: string) => `chrome-extension://${extensionId}/${path}`;

/** The toolbar badge's text, read in the extension's service worker. */
async function badgeText(): Promise<string> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
  return worker.evaluate(() => (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string> } } }).chrome.action.getBadgeText({}));
}

async function waitForBadge(expected: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let text = await badgeText();
  while (text !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    text = await badgeText();
  }
  expect(text).toBe(expected);
}

async function openPopup(): Promise<Page> {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 420, height: 640 });
  await popup.goto(extensionPage("popup.html"));
  await waitForHeading(popup, "Pending approvals");
  return popup;
}

test("has the fixed id, and the options page adds the gateway", async () => {
  expect(extensionId).toBe(EXTENSION_ID);
  const options = await context.newPage();
  const problems = watchForPageErrors(options);
  await options.goto(extensionPage("options.html"));
  await waitForHeading(options, "Stepgate gateways");
  await options.getByLabel("Gateway address").fill(`${stack.gatewayUrl}/`);
  await options.getByRole("button", { name: "Add gateway" }).click();
  await options.getByText(`Added ${new URL(stack.gatewayUrl).host}.`).waitFor({ timeout: WAIT_MS });
  expect(await options.getByRole("listitem").first().textContent()).toContain(stack.gatewayUrl);
  await shot(options, "options");
  expect(problems).toEqual([]);
  await options.close();
});

test("after enrollment the recovery-code reminder shows until confirmed", async () => {
  const page = await context.newPage();
  await page.goto(`${stack.gatewayUrl}/`);
  await submitPassword(page, PAYOR, shot);
  enrollment = await enrollAuthenticatorApp(page, shot);
  // The content script saw "Save your recovery code": the badge asks for attention.
  await waitForBadge("!");
  await confirmRecoveryCodeSaved(page);
  await waitForDemoPage(page, PAYOR);

  const popup = await openPopup();
  const reminder = popup.getByRole("region", { name: "Keep your recovery code safe" });
  await reminder.waitFor({ timeout: WAIT_MS });
  expect(await reminder.textContent()).toContain("password manager or vault");
  // The extension never holds the code: not on the popup, not in its storage.
  const digits = enrollment.recoveryCode.replaceAll("-", "");
  expect(await popup.content()).not.toContain(digits);
  const stored = await popup.evaluate(async () => {
    const api = (globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<object> }; session: { get(k: null): Promise<object> } } } }).chrome;
    return JSON.stringify([await api.storage.local.get(null), await api.storage.session.get(null)]);
  });
  expect(stored).not.toContain(digits);
  expect(stored).not.toContain(enrollment.recoveryCode);
  await shot(popup, "popup-reminder");

  await popup.getByRole("button", { name: "I have saved it" }).click();
  await reminder.waitFor({ state: "hidden", timeout: WAIT_MS });
  await waitForBadge("");
  await popup.close();
  await page.close();
});

test("a sign-in challenge shows on the badge and is passed from the popup; the waiting tab goes through", async () => {
  const page = await context.newPage();
  const problems = watchForPageErrors(page);
  await page.goto(`${stack.gatewayUrl}/`);
  if (!enrollment) throw new Error("the enrollment test must run first");
  await waitForDemoPage(page, PAYOR);
  await signOut(page, shot);

  await page.goto(`${stack.gatewayUrl}/`);
  await submitPassword(page, PAYOR, shot);
  await waitForHeading(page, "How do you want to verify your identity?");
  await waitForBadge("1");
  await shot(page, "challenge-page");

  const popup = await openPopup();
  const popupProblems = watchForPageErrors(popup);
  const card = popup.getByRole("listitem").filter({ hasText: "Sign in" });
  await card.waitFor({ timeout: WAIT_MS });
  expect(await card.textContent()).toContain(`Site: ${new URL(stack.gatewayUrl).host}`);
  expect(await card.textContent()).toMatch(/Time left: \d+:\d\d/);
  expect(await card.textContent()).toMatch(/Current code changes in \d+ s/);
  const input = card.getByLabel("6-digit code from your authenticator app");

  // Typing keeps digits only; a wrong code is refused with a clear message and the field stays.
  await input.fill("12a-3");
  expect(await input.inputValue()).toBe("123");
  await input.fill(wrongCode(enrollment.app));
  await card.getByRole("button", { name: "Verify" }).click();
  const alert = card.getByRole("alert");
  await alert.waitFor({ timeout: WAIT_MS });
  expect(await alert.textContent()).toContain("That code is not valid");
  await shot(popup, "popup-wrong-code");

  // A pasted code with a space is accepted as its six digits.
  const code = await nextCode(enrollment.app);
  await input.focus();
  await popup.evaluate((text) => {
    const field = document.activeElement as HTMLInputElement;
    const data = new DataTransfer();
    data.setData("text/plain", text);
    field.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    if (!field.value) {
      field.value = text; // Chromium does not insert synthetic paste data; do what the browser would
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }, `${code.slice(0, 3)} ${code.slice(3)}`);
  expect(await input.inputValue()).toBe(code);
  await card.getByRole("button", { name: "Verify" }).click();
  await card.getByText("Approved. The site continues.").waitFor({ timeout: WAIT_MS });
  await shot(popup, "popup-approved");
  await waitForBadge("");

  // The background reloads the tab that waited on the challenge page: it goes through.
  await waitForDemoPage(page, PAYOR);
  await waitForHeading(page, /^Welcome/);
  await shot(page, "dashboard-after-popup");
  expect(new URL(page.url()).pathname).toBe("/");
  expect([...problems, ...popupProblems]).toEqual([]);
  await popup.close();
  await page.close();
});

test("a sensitive action shows on the badge, is approved from the popup, and is sent from its own tab with Continue", async () => {
  if (!enrollment) throw new Error("the enrollment test must run first");
  const page = await context.newPage();
  const problems = watchForPageErrors(page);
  await page.goto(`${stack.gatewayUrl}/payments/`);
  await answerChallenge(page, "authenticator", await nextCode(enrollment.app), shot, "payments-entry");
  await waitForHeading(page, "Payments");
  await waitForBadge("");

  const postsBefore = stack.origin.requests.filter((r) => r.method === "POST").length;
  await page.getByLabel("Amount (USD)").fill("512.40");
  await page.getByLabel("Payee").fill("Toolbar Tiling");
  await page.getByRole("button", { name: "Create draft" }).click();
  await waitForHeading(page, "How do you want to verify your identity?");
  await waitForBadge("1");
  await shot(page, "action-waiting");

  const popup = await openPopup();
  const popupProblems = watchForPageErrors(popup);
  const summary = "Create a disbursement of $512.40 to Toolbar Tiling";
  const card = popup.getByRole("listitem").filter({ hasText: summary });
  await card.waitFor({ timeout: WAIT_MS });
  expect(await card.textContent()).toContain(`Site: ${new URL(stack.gatewayUrl).host}`);
  await card.getByLabel("6-digit code from your authenticator app").fill(await nextCode(enrollment.app));
  await shot(popup, "popup-action");
  await card.getByRole("button", { name: "Verify" }).click();
  await card.getByText("Approved. Nothing has been sent yet: press Continue on the site's page to send it.").waitFor({ timeout: WAIT_MS });
  await shot(popup, "popup-action-approved");
  await waitForBadge("");

  // The background reloaded the waiting tab: it shows the approval, and nothing was sent yet.
  await waitForHeading(page, "Verified");
  expect(await page.locator("#action-summary").textContent()).toContain(summary);
  expect(await page.getByText("Nothing has been sent yet").count()).toBe(1);
  expect(stack.origin.requests.filter((r) => r.method === "POST").length).toBe(postsBefore);
  await shot(page, "action-approved-page");

  await page.getByRole("button", { name: "Continue" }).click();
  await waitForHeading(page, "Payments");
  expect(await page.getByRole("cell", { name: "Toolbar Tiling" }).count()).toBeGreaterThan(0);
  const posts = stack.origin.requests.filter((r) => r.method === "POST");
  expect(posts.length).toBe(postsBefore + 1);
  expect(posts.at(-1)?.path).toBe("/payments/disbursements");
  await shot(page, "action-sent");
  expect([...problems, ...popupProblems]).toEqual([]);
  await popup.close();
  await page.close();
});

test("a person with a phone only signs in from the popup with a texted code", async () => {
  const gateway = stack.gatewayUrl;
  const api = async (method: "POST" | "DELETE", path: string, data?: object) => {
    const response = await context.request.fetch(`${gateway}/_stepgate/api${path}`, { method, headers: { origin: gateway }, ...(data ? { data } : {}) });
    expect(response.status(), path).toBe(200);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const smsCode = (to: string, notBefore: string) => textedCode(gateway, to, notBefore);
  // user@demo.test enrolls a phone through the JSON API in this browser (its cookie jar), then signs out.
  const phone = "+12025550188";
  await api("POST", "/session", { email: "user@demo.test", password: "stepgate-demo-password" });
  let since = new Date().toISOString();
  await api("POST", "/enroll/sms", { phone });
  await api("POST", "/enroll/sms/confirm", { code: await smsCode(phone, since) });
  await api("POST", "/recovery-code/confirm", { saved: true });
  await api("DELETE", "/session");

  const page = await context.newPage();
  const problems = watchForPageErrors(page);
  await page.goto(`${gateway}/`);
  await submitPassword(page, "user@demo.test", shot);
  await waitForHeading(page, "How do you want to verify your identity?");
  await waitForBadge("1");

  const popup = await openPopup();
  const popupProblems = watchForPageErrors(popup);
  const card = popup.getByRole("listitem").filter({ hasText: "Sign in" });
  await card.waitFor({ timeout: WAIT_MS });
  since = new Date().toISOString();
  await card.getByRole("button", { name: "Text me a code" }).click();
  await card.getByText("We texted a code to").waitFor({ timeout: WAIT_MS });
  expect(await card.textContent()).not.toContain(phone); // masked
  await card.getByLabel("6-digit code from the text message").fill(await smsCode(phone, since));
  await shot(popup, "popup-sms");
  await card.getByRole("button", { name: "Verify" }).click();
  await card.getByText("Approved. The site continues.").waitFor({ timeout: WAIT_MS });
  await shot(popup, "popup-sms-approved");
  await waitForBadge("");
  await waitForDemoPage(page, "user@demo.test");
  expect([...problems, ...popupProblems]).toEqual([]);
  await popup.close();
  await page.close();
});

test("the options page and the popup work with the keyboard alone", async () => {
  if (!enrollment) throw new Error("the enrollment test must run first");
  const options = useInput(await context.newPage(), "keyboard");
  const problems = watchForPageErrors(options);
  await options.goto(extensionPage("options.html"));
  await waitForHeading(options, "Stepgate gateways");
  await fill(options.getByLabel("Gateway address"), "http://127.0.0.1:9/");
  await click(options.getByRole("button", { name: "Add gateway" }));
  await options.getByText("Added 127.0.0.1:9.").waitFor({ timeout: WAIT_MS });
  await shot(options, "options-keyboard");
  await click(options.getByRole("button", { name: "Remove 127.0.0.1:9" }));
  await options.getByRole("listitem").filter({ hasText: "127.0.0.1:9/" }).waitFor({ state: "detached", timeout: WAIT_MS });
  await options.close();

  const page = useInput(await context.newPage(), "keyboard");
  problems.push(...watchForPageErrors(page));
  await page.goto(`${stack.gatewayUrl}/`);
  await waitForDemoPage(page, "user@demo.test"); // the previous test's person, still signed in
  await signOut(page, shot);
  await page.goto(`${stack.gatewayUrl}/`);
  await submitPassword(page, PAYOR, shot);
  await waitForHeading(page, "How do you want to verify your identity?");
  await waitForBadge("1");

  const popup = useInput(await openPopup(), "keyboard");
  problems.push(...watchForPageErrors(popup));
  const card = popup.getByRole("listitem").filter({ hasText: "Sign in" });
  await card.waitFor({ timeout: WAIT_MS });
  await fill(card.getByLabel("6-digit code from your authenticator app"), await nextCode(enrollment.app));
  await shot(popup, "popup-keyboard");
  await click(card.getByRole("button", { name: "Verify" }));
  await card.getByText("Approved. The site continues.").waitFor({ timeout: WAIT_MS });
  await waitForDemoPage(page, PAYOR);
  expect(problems).toEqual([]);
  await popup.close();
  await page.close();
});
