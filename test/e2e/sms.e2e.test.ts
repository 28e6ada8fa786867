// SMS in a real browser against the real Worker: user@demo.test enrolls a phone by text message
// (codes read from the development outbox), signs in again with "Use a phone number", then uses
// settings → Password & Security to get a new recovery code and to change the phone (a code to
// the current number first). Each way of working the page (pointer, keyboard alone) has its own
// stack. Screenshots under test-results/e2e/<mode>/sms-*/.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, startStack, type Stack } from "./harness";
import { click, fill, INPUT_MODES, select, type InputMode } from "./input";
import {
  confirmRecoveryCodeSaved,
  openPage,
  readRecoveryCode,
  screenshots,
  signOut,
  submitPassword,
  textedCode,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const USER = "user@demo.test";
const FIRST_PHONE = { national: "202 555 0166", e164: "+12025550166" };
const SECOND_PHONE = { national: "(202) 555-0177", e164: "+12025550177" };

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    page = await openPage(await browser.newContext(), mode);
    problems = watchForPageErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** The code in the newest text to `to` (the message ends with its `@host #123456` line). */
  const smsCodeFor = (to: string, notBefore = "") => textedCode(stack.gatewayUrl, to, notBefore);

  /** Enters a code in the code field as a person pasting "123 456" would. */
  async function enterCode(code: string): Promise<void> {
    const input = page.locator("#code");
    expect(await input.getAttribute("autocomplete")).toBe("one-time-code");
    expect(await input.getAttribute("inputmode")).toBe("numeric");
    await fill(input, `${code.slice(0, 3)} ${code.slice(3)}`);
  }

  test("enrolls a phone by text message and signs in again with 'Use a phone number'", async () => {
    const shot = screenshots(`${mode}/sms-01-enroll-and-sign-in`);
    await page.goto(`${stack.gatewayUrl}/reports`);
    await submitPassword(page, USER, shot);
    await waitForHeading(page, "Two-Factor Authentication Required");
    await click(page.getByRole("link", { name: "Set Up Now" }));
    await waitForHeading(page, "Select an Authentication Method");
    await shot(page, "select-method");
    await click(page.getByRole("link", { name: "Use a phone number" }));

    await waitForHeading(page, "Set up text messages");
    await select(page.getByLabel("Country"), "CA");
    await select(page.getByLabel("Country"), "US");
    await fill(page.getByLabel("Mobile number"), FIRST_PHONE.national);
    await shot(page, "phone");
    await click(page.getByRole("button", { name: "Send code" }));
    await waitForHeading(page, "Enter the code we texted you");
    expect(await page.locator("#sms-phone").textContent()).toBe("•••• 0166");
    await enterCode(await smsCodeFor(FIRST_PHONE.e164));
    await shot(page, "code");
    await click(page.getByRole("button", { name: "Verify and continue" }));
    await readRecoveryCode(page);
    await shot(page, "recovery-code");
    await confirmRecoveryCodeSaved(page);
    await waitForDemoPage(page, USER);

    await signOut(page, shot);
    await page.goto(`${stack.gatewayUrl}/reports`);
    await submitPassword(page, USER, shot);
    await waitForHeading(page, "How do you want to verify your identity?");
    await click(page.getByRole("link", { name: "Use a phone number" }));
    await page.getByRole("button", { name: "Text me a code" }).waitFor();
    await shot(page, "challenge-phone");
    const sentAfter = new Date(Date.now() - 1000).toISOString();
    await click(page.getByRole("button", { name: "Text me a code" }));
    await page.getByText("We texted a 6-digit code to •••• 0166").waitFor();
    await shot(page, "challenge-sent");
    await enterCode(await smsCodeFor(FIRST_PHONE.e164, sentAfter));
    await click(page.getByRole("button", { name: "Verify", exact: true }));
    await waitForDemoPage(page, USER);
    expect(new URL(page.url()).pathname).toBe("/reports");
    await shot(page, "landed");
    expect(problems).toEqual([]);
  });

  test("settings: a new recovery code, then change the phone through the current number", async () => {
    const shot = screenshots(`${mode}/sms-02-settings`);
    await page.goto(`${stack.gatewayUrl}/_stepgate/settings`);
    await waitForHeading(page, "Password & Security");
    const always = page.getByLabel("Always require 2FA at sign-in");
    expect(await always.isChecked()).toBe(true);
    expect(await always.isDisabled()).toBe(true); // locked: the demo company enforces MFA
    await shot(page, "settings");

    await click(page.getByRole("button", { name: "Get a new recovery code" }));
    await readRecoveryCode(page);
    await shot(page, "new-recovery-code");
    await confirmRecoveryCodeSaved(page);
    await waitForHeading(page, "Password & Security");

    await click(page.getByRole("link", { name: "Change phone number" }));
    await waitForHeading(page, "Verify it's you");
    await page.getByText("first enter a code we text to your current number").waitFor();
    await shot(page, "verify-it-is-you");
    const sentAfter = new Date(Date.now() - 1000).toISOString();
    await click(page.getByRole("button", { name: "Text me a code" }));
    await page.getByText("We texted a 6-digit code to •••• 0166").waitFor();
    await enterCode(await smsCodeFor(FIRST_PHONE.e164, sentAfter));
    await shot(page, "verify-current-number");
    await click(page.getByRole("button", { name: "Verify", exact: true }));

    await waitForHeading(page, "Change your phone number");
    await fill(page.getByLabel("Mobile number"), SECOND_PHONE.national);
    await shot(page, "new-number");
    await click(page.getByRole("button", { name: "Send code" }));
    await waitForHeading(page, "Enter the code we texted you");
    await enterCode(await smsCodeFor(SECOND_PHONE.e164));
    await shot(page, "new-number-code");
    await click(page.getByRole("button", { name: "Verify and continue" }));
    await readRecoveryCode(page);
    await shot(page, "recovery-code-after-change");
    await confirmRecoveryCodeSaved(page);
    await waitForHeading(page, "Password & Security");
    await page.locator("#method-sms").getByText("•••• 0177").waitFor();
    await shot(page, "phone-changed");

    // The development outbox page shows the texts and the security notices (no codes in notices).
    await page.goto(`${stack.gatewayUrl}/_stepgate/dev/messages`);
    await waitForHeading(page, "Development outbox");
    await page.getByText("method on your account was changed").first().waitFor();
    await shot(page, "outbox");
    expect(problems).toEqual([]);
  });
});
