// Changing the authenticator app from Settings → Password & Security in a real browser. The
// person enrolled an app at sign-in; later (the development clock moves past the 10-minute
// window of that sign-in) they open Password & Security, prove it is them with the current app,
// set up the new app, save the new recovery code, and from then on only the new app signs them
// in. Once with the pointer, once with the keyboard alone, each on a stack of its own.
// Screenshots under test-results/e2e/<mode>/settings-*/.
import type { Browser } from "playwright-core";
import { describe, expect, test } from "vitest";
import { nextCode, timeStepAt, totpForStep } from "./authenticator";
import { withStackAndBrowser, type Stack } from "./harness";
import { click, fill, INPUT_MODES, type InputMode } from "./input";
import {
  advanceGatewayClock,
  answerChallenge,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  openPage,
  readRecoveryCode,
  screenshots,
  setUpAuthenticatorApp,
  signOut,
  submitPassword,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const USER = "user@demo.test";

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  withStackAndBrowser((started) => ({ stack, browser } = started));

  test("changes the authenticator app after verifying with the current one; the old app stops working", async () => {
    const context = await browser.newContext();
    try {
      const page = await openPage(context, mode);
      const problems = watchForPageErrors(page);
      const shot = screenshots(`${mode}/settings-change-app`);
      const settings = `${stack.gatewayUrl}/_stepgate/settings`;

      await page.goto(settings);
      await submitPassword(page, USER, shot);
      const { app: oldApp, recoveryCode: oldRecoveryCode } = await enrollAuthenticatorApp(page, shot);
      await confirmRecoveryCodeSaved(page);
      await waitForHeading(page, "Password & Security");

      // Later: the fresh verification of the sign-in no longer covers a change.
      const gatewayNow = await advanceGatewayClock(page, stack.gatewayUrl, 11 * 60);
      await page.reload();
      await waitForHeading(page, "Password & Security");
      expect(await page.locator("#method-totp").getByText("Set up", { exact: true }).count()).toBe(1);
      await shot(page, "settings");
      await click(page.locator("#method-totp").getByRole("link", { name: "Change authenticator app" }));

      await waitForHeading(page, "Verify it's you");
      await page.getByText("To change your authenticator app, first verify it's you.").waitFor();
      await answerVerify(await nextCode(oldApp, gatewayNow));
      await page.getByText("Verified. You can change your authenticator app for the next 10 minutes.").waitFor();
      await shot(page, "settings-verified");
      await click(page.locator("#method-totp").getByRole("button", { name: "Change authenticator app" }));

      const { app: newApp, recoveryCode } = await setUpAuthenticatorApp(page, shot, gatewayNow);
      expect(newApp.secret.equals(oldApp.secret)).toBe(false);
      expect(recoveryCode).not.toBe(oldRecoveryCode);
      await confirmRecoveryCodeSaved(page);
      await waitForHeading(page, "Password & Security");
      await shot(page, "app-changed");

      // The change is told to the person by email (development outbox).
      const notices = (await (await fetch(`${stack.gatewayUrl}/_stepgate/dev/outbox`)).json()) as Array<{ channel: string; text: string }>;
      expect(notices.some((message) => message.channel === "email" && message.text.includes("method on your account was changed"))).toBe(true);

      // Only the new app signs in now.
      await page.goto(`${stack.gatewayUrl}/`);
      await waitForDemoPage(page, USER);
      await signOut(page, shot);
      await page.goto(`${stack.gatewayUrl}/`);
      await submitPassword(page, USER, shot);
      await answerChallenge(page, "authenticator", totpForStep(oldApp.secret, timeStepAt(gatewayNow())), shot, "old-app-code");
      await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
      await shot(page, "old-app-refused");
      await answerChallenge(page, "authenticator", await nextCode(newApp, gatewayNow), shot, "new-app-code");
      await waitForDemoPage(page, USER);
      await shot(page, "dashboard");
      // ...and so does the recovery code saved at the change, not the one from before it.
      await signOut(page, shot);
      await page.goto(`${stack.gatewayUrl}/`);
      await submitPassword(page, USER, shot);
      await answerChallenge(page, "recovery", oldRecoveryCode, shot, "old-recovery-code");
      await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
      await answerChallenge(page, "recovery", recoveryCode, shot, "new-recovery-code");
      await readRecoveryCode(page);
      await confirmRecoveryCodeSaved(page);
      await waitForDemoPage(page, USER);
      expect(problems).toEqual([]);

      /** On "Verify it's you" with the authenticator app offered: enters the code and submits. */
      async function answerVerify(code: string): Promise<void> {
        await fill(page.getByLabel("6-digit code from your authenticator app"), code);
        await shot(page, "verify-it-is-you");
        await click(page.getByRole("button", { name: "Verify", exact: true }));
      }
    } finally {
      await context.close();
    }
  });
});
