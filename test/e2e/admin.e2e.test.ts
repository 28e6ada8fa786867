// The admin tool in a real browser: the seeded admin signs in, enrolls, and lands on the admin
// page; moves the deadline into the future (a standard user then sees the dismissible notice and
// enrolls early), moves it back, resets that user's MFA with the "I have verified" tick, and the
// user must enroll again at the next sign-in. Once with the pointer, once with the keyboard alone,
// each on a stack of its own. Screenshots under test-results/e2e/<mode>/admin/.
import type { Browser } from "playwright-core";
import { describe, expect, test } from "vitest";
import { withStackAndBrowser, type Stack } from "./harness";
import { check, click, fill, INPUT_MODES, type InputMode } from "./input";
import {
  chooseAuthenticatorApp,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  openPage,
  pathOnGateway,
  saveAdminSettings,
  screenshots,
  setUpAuthenticatorApp,
  submitPassword,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const ADMIN = "admin@demo.test";
const USER = "user@demo.test";

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  withStackAndBrowser((started) => ({ stack, browser } = started));

  test("admin changes the policy; a user sees the notice, enrolls early, is reset and must enroll again", async () => {
    const shot = screenshots(`${mode}/admin`);
    const adminContext = await browser.newContext();
    const userContext = await browser.newContext();
    try {
      const adminPage = await openPage(adminContext, mode);
      const userPage = await openPage(userContext, mode);
      const problems = [...watchForPageErrors(adminPage), ...watchForPageErrors(userPage)];
      const url = (path: string) => `${stack.gatewayUrl}${path}`;

      // The admin opens the admin page: sign-in, forced enrollment (the demo company enforces MFA), back to it.
      await adminPage.goto(url("/_stepgate/admin"));
      expect(pathOnGateway(adminPage, stack.gatewayUrl)).toBe("/_stepgate/login?next=%2F_stepgate%2Fadmin");
      await submitPassword(adminPage, ADMIN, shot);
      await enrollAuthenticatorApp(adminPage, shot);
      await confirmRecoveryCodeSaved(adminPage);
      await waitForHeading(adminPage, "Company administration");
      expect(await adminPage.locator("#enrollment-count").textContent()).toMatch(/^1 of 4 active people/);
      await shot(adminPage, "admin-page");

      // Deadline in the future: saving forces nobody; the user is told and may enroll early.
      await saveAdminSettings(adminPage, "2099-06-01", "Europe/London", shot);
      await shot(adminPage, "settings-future-deadline");
      await userPage.goto(url("/"));
      await submitPassword(userPage, USER, shot);
      await waitForHeading(userPage, "Two-factor authentication is coming");
      expect(await userPage.getByRole("status").textContent()).toContain("2099-06-01");
      await shot(userPage, "deadline-notice");
      await click(userPage.getByRole("link", { name: "Set up now" }));
      await chooseAuthenticatorApp(userPage, shot);
      await setUpAuthenticatorApp(userPage, shot);
      await confirmRecoveryCodeSaved(userPage);
      await waitForDemoPage(userPage, USER);

      // Deadline back in the past (enforcing again), then reset the user's MFA.
      await adminPage.reload();
      await saveAdminSettings(adminPage, "2026-01-01", "Europe/London");
      expect(await adminPage.getByText(/Enforced since 00:00 on 2026-01-01 in Europe\/London/).count()).toBe(1);
      const directory = adminPage.getByRole("table", { name: "Directory" });
      const audit = adminPage.getByRole("table", { name: "Audit log" });
      expect(await directory.getByRole("row").filter({ hasText: USER }).textContent()).toContain("Enrolled: totp, recovery");
      await fill(adminPage.getByLabel("Email, exactly as in the directory"), USER);
      await check(adminPage.getByLabel("I have verified the user's request"));
      await shot(adminPage, "reset-form");
      await click(adminPage.getByRole("button", { name: "Reset MFA" }));
      await adminPage.getByRole("status").filter({ hasText: `Two-factor authentication for ${USER} was reset` }).waitFor();
      expect(await directory.getByRole("row").filter({ hasText: USER }).textContent()).toContain("Not enrolled");
      expect(await audit.getByRole("row").filter({ hasText: "mfa_reset" }).first().textContent()).toContain(`reset by ${ADMIN}`);
      await shot(adminPage, "after-reset");

      // The payments refusal points to payments support.
      await fill(adminPage.getByLabel("Email, exactly as in the directory"), "payor@demo.test");
      await check(adminPage.getByLabel("I have verified the user's request"));
      await click(adminPage.getByRole("button", { name: "Reset MFA" }));
      await adminPage.getByRole("alert").filter({ hasText: "payments support" }).waitFor();
      await shot(adminPage, "reset-refused-payments");

      // The user signs in again (a fresh browser): enrollment is required, and they enroll again.
      const again = await browser.newContext();
      const againPage = await openPage(again, mode);
      problems.push(...watchForPageErrors(againPage));
      await againPage.goto(url("/"));
      await submitPassword(againPage, USER, shot);
      await waitForHeading(againPage, "Two-Factor Authentication Required");
      await shot(againPage, "user-must-enroll-again");
      await enrollAuthenticatorApp(againPage, shot);
      await confirmRecoveryCodeSaved(againPage);
      await waitForDemoPage(againPage, USER);
      await shot(againPage, "user-enrolled-again");
      await again.close();
      expect(problems).toEqual([]);
    } finally {
      await adminContext.close();
      await userContext.close();
    }
  });
});
