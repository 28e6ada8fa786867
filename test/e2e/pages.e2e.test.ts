// The pages a person meets when something goes wrong or off the main path, each checked like the
// flows' pages (screenshot + axe-core): a wrong password, a refused phone number, a wrong set-up
// code, a page the person may not open (the admin page), the demo origin's agreement page, bank
// account editor and "Not found", and single sign-on that did not complete. Once with the pointer,
// once with the keyboard alone, each on a stack of its own. Screenshots under
// test-results/e2e/<mode>/pages-off-path/.
import type { Browser } from "playwright-core";
import { describe, expect, test } from "vitest";
import { codeAhead } from "./authenticator";
import { withStackAndBrowser, type Stack } from "./harness";
import { click, fill, INPUT_MODES, type InputMode } from "./input";
import {
  answerChallenge,
  chooseAuthenticatorApp,
  confirmRecoveryCodeSaved,
  DEMO_PASSWORD,
  openPage,
  screenshots,
  setUpAuthenticatorApp,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const PAYEE = "payee@demo.test";

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  withStackAndBrowser((started) => ({ stack, browser } = started));

  test("refusals and off-path pages are as usable as the main path", async () => {
    const context = await browser.newContext();
    try {
      const page = await openPage(context, mode);
      const problems = watchForPageErrors(page);
      const shot = screenshots(`${mode}/pages-off-path`);
      const url = (path: string) => `${stack.gatewayUrl}${path}`;

      // A wrong password: the form again with the reason, the email kept.
      await page.goto(url("/payments/"));
      await waitForHeading(page, "Sign in");
      await fill(page.locator("#email"), PAYEE);
      await fill(page.locator("#password"), "not-the-password");
      await click(page.getByRole("button", { name: "Continue" }));
      await page.getByRole("alert").waitFor();
      expect(await page.locator("#email").inputValue()).toBe(PAYEE);
      await shot(page, "wrong-password");
      await fill(page.locator("#password"), DEMO_PASSWORD);
      await click(page.getByRole("button", { name: "Continue" }));

      // A phone number that is not a US mobile (payee administrators: US numbers only).
      await waitForHeading(page, "Two-Factor Authentication Required");
      await click(page.getByRole("link", { name: "Set Up Now" }));
      await waitForHeading(page, "Select an Authentication Method");
      await click(page.getByRole("link", { name: "Use a phone number" }));
      await waitForHeading(page, "Set up text messages");
      await fill(page.getByLabel("Mobile number"), "12");
      await click(page.getByRole("button", { name: "Send code" }));
      await page.getByRole("alert").waitFor();
      await shot(page, "phone-refused");
      await click(page.getByRole("link", { name: "Use an authenticator app" }));

      // A wrong set-up code: the same key stays, the error is said, the next code works.
      await chooseAuthenticatorApp(page, shot);
      await waitForHeading(page, "Set up your authenticator app");
      await fill(page.locator("#code"), "000000");
      await click(page.getByRole("button", { name: "Verify and continue" }));
      await page.getByRole("alert").waitFor();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("code"); // ready to type again
      await shot(page, "setup-code-refused");
      const { app } = await setUpAuthenticatorApp(page, shot);
      await confirmRecoveryCodeSaved(page);
      await answerChallenge(page, "authenticator", await codeAhead(app), shot, "payments-entry");
      await waitForHeading(page, "Payments");
      await waitForDemoPage(page, PAYEE);

      // The demo origin's other pages: an agreement (opening one asks for a code), a bank
      // account's editor, "Not found".
      await click(page.getByRole("region", { name: "Agreements" }).getByRole("link").first());
      await answerChallenge(page, "authenticator", await codeAhead(app), shot, "agreement-code");
      await page.getByRole("region", { name: "Terms" }).waitFor();
      await shot(page, "agreement");
      await click(page.getByRole("link", { name: "← Payments" }));
      await waitForHeading(page, "Payments");
      await click(page.getByRole("region", { name: "Bank accounts" }).getByText("Edit").first());
      await page.getByRole("region", { name: "Bank accounts" }).getByLabel("Account number").first().waitFor();
      await shot(page, "bank-account-editor");
      await page.goto(url("/payments/no-such-page"));
      await waitForHeading(page, "Not found");
      await shot(page, "origin-not-found");

      // A gateway page this person may not open.
      await page.goto(url("/_stepgate/admin"));
      await waitForHeading(page, "Company administration");
      await page.getByRole("alert").waitFor();
      await shot(page, "admin-denied");

      // Single sign-on that did not complete (an IdP answer this browser never asked for).
      await page.goto(url("/_stepgate/sso/callback?state=demo-idp.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=x"));
      await waitForHeading(page, /.+/);
      await shot(page, "sso-not-completed");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
