// Forced enrollment once the company's deadline has passed, in a real browser. The admin moves
// the deadline two days ahead; a standard user signing in sees "Two-factor authentication is
// coming" and chooses "Remind me later", reaching the app without a second factor. Then the
// gateway's development clock moves three days on: past the deadline, and past the session's
// 12-hour lifetime. The next page is sign-in, and after the password the user must set up
// two-factor authentication: every other page leads back there, with no "later" any more. Once
// with the pointer, once with the keyboard alone, each on a stack of its own (the clock only
// moves forward). Screenshots under test-results/e2e/<mode>/deadline/.
import type { Browser } from "playwright-core";
import { describe, expect, test } from "vitest";
import { withStackAndBrowser, type Stack } from "./harness";
import { click, INPUT_MODES, type InputMode } from "./input";
import {
  advanceGatewayClock,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  openPage,
  pathOnGateway,
  readDashboard,
  saveAdminSettings,
  screenshots,
  submitPassword,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const ADMIN = "admin@demo.test";
const USER = "user@demo.test";
const DAY_SECONDS = 86_400;

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  withStackAndBrowser((started) => ({ stack, browser } = started));

  test("before the deadline the notice can be put off; after it, enrollment is forced with no way around", async () => {
    const shot = screenshots(`${mode}/deadline`);
    const adminContext = await browser.newContext();
    const userContext = await browser.newContext();
    try {
      const adminPage = await openPage(adminContext, mode);
      const page = await openPage(userContext, mode);
      const problems = [...watchForPageErrors(adminPage), ...watchForPageErrors(page)];
      const url = (path: string) => `${stack.gatewayUrl}${path}`;

      // The admin (who must enroll: the seeded company enforces MFA) moves the deadline two days ahead.
      const { now } = (await (await fetch(url("/_stepgate/dev/clock"))).json()) as { now: number };
      const deadline = new Date(now + 2 * DAY_SECONDS * 1000).toISOString().slice(0, 10);
      await adminPage.goto(url("/_stepgate/admin"));
      await submitPassword(adminPage, ADMIN, shot);
      await enrollAuthenticatorApp(adminPage, shot);
      await confirmRecoveryCodeSaved(adminPage);
      await waitForHeading(adminPage, "Company administration");
      await saveAdminSettings(adminPage, deadline, "UTC", shot);
      await adminPage.getByText(`Enforcement begins at 00:00 on ${deadline} in UTC`).waitFor();
      await shot(adminPage, "deadline-ahead");

      // Before the deadline: told, and free to put it off.
      await page.goto(url("/reports"));
      await submitPassword(page, USER, shot);
      await waitForHeading(page, "Two-factor authentication is coming");
      expect(await page.getByRole("status").textContent()).toContain(deadline);
      await shot(page, "notice");
      await click(page.getByRole("link", { name: "Remind me later" }));
      await waitForDemoPage(page, USER);
      expect(pathOnGateway(page, stack.gatewayUrl)).toBe("/reports");
      await click(page.getByRole("link", { name: "Dashboard" }));
      expect(await readDashboard(page)).toMatchObject({ Email: USER, "Signed in with": "password" });
      await shot(page, "dashboard-without-2fa");

      // Three days later: the deadline has passed and the session has ended.
      const gatewayNow = await advanceGatewayClock(page, stack.gatewayUrl, 3 * DAY_SECONDS);
      await page.reload();
      await waitForHeading(page, "Sign in");
      await shot(page, "session-ended");
      const originRequestsBefore = stack.origin.requests.length;
      await submitPassword(page, USER, shot);
      await waitForHeading(page, "Two-Factor Authentication Required");
      expect(await page.getByRole("link", { name: /later/i }).count()).toBe(0);
      await shot(page, "enrollment-required");

      // No way around: the app, the notice, settings and sign-in again all lead back here.
      for (const path of ["/", "/reports", "/payments/", `/_stepgate/mfa-notice?next=%2F`, "/_stepgate/settings", "/_stepgate/login"]) {
        await page.goto(url(path));
        await waitForHeading(page, "Two-Factor Authentication Required");
        expect(pathOnGateway(page, stack.gatewayUrl)).toMatch(/^\/_stepgate\/enroll\?next=/);
      }
      expect(stack.origin.requests.slice(originRequestsBefore)).toEqual([]); // nothing reached the app

      await enrollAuthenticatorApp(page, shot, gatewayNow);
      await confirmRecoveryCodeSaved(page);
      await waitForDemoPage(page, USER);
      expect(await readDashboard(page)).toMatchObject({ Email: USER, "Signed in with": "password, authenticator app" });
      await shot(page, "enrolled");
      expect(problems).toEqual([]);
    } finally {
      await adminContext.close();
      await userContext.close();
    }
  });
});
