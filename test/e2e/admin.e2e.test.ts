// The admin tool in a real browser: the seeded admin signs in, enrolls, and lands on the admin
// page; moves the deadline into the future (a standard user then sees the dismissible notice and
// enrolls early), moves it back, resets that user's MFA with the "I have verified" tick, and the
// user must enroll again at the next sign-in. Screenshots under test-results/e2e/admin/.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createAuthenticator, nextCode } from "./authenticator";
import { launchBrowser, startStack, type Stack } from "./harness";
import {
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  pathOnGateway,
  readRecoveryCode,
  screenshots,
  submitPassword,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

const ADMIN = "admin@demo.test";
const USER = "user@demo.test";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function saveSettings(page: Page, deadline: string, timeZone: string): Promise<void> {
  await page.getByLabel("Enforcement deadline").fill(deadline);
  await page.getByLabel("Your time zone").fill(timeZone);
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("status").filter({ hasText: "Settings saved" }).waitFor();
}

test("admin changes the policy; a user sees the notice, enrolls early, is reset and must enroll again", async () => {
  const shot = screenshots("admin");
  const adminContext = await browser.newContext();
  const userContext = await browser.newContext();
  try {
    const adminPage = await adminContext.newPage();
    const userPage = await userContext.newPage();
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
    await saveSettings(adminPage, "2099-06-01", "Europe/London");
    await shot(adminPage, "settings-future-deadline");
    await userPage.goto(url("/"));
    await submitPassword(userPage, USER, shot);
    await waitForHeading(userPage, "Two-factor authentication is coming");
    expect(await userPage.getByRole("status").textContent()).toContain("2099-06-01");
    await shot(userPage, "deadline-notice");
    await userPage.getByRole("link", { name: "Set up now" }).click();
    await waitForHeading(userPage, "Select an Authentication Method");
    await userPage.getByRole("button", { name: "Use an authenticator app" }).click();
    await waitForHeading(userPage, "Set up your authenticator app");
    await userPage.getByText("Trouble scanning? Enter the key by hand").click();
    const app = createAuthenticator(((await userPage.locator("#manual-key").textContent()) ?? "").trim());
    await userPage.locator("#code").fill(await nextCode(app));
    await userPage.getByRole("button", { name: "Verify and continue" }).click();
    await readRecoveryCode(userPage);
    await confirmRecoveryCodeSaved(userPage);
    await waitForDemoPage(userPage, USER);

    // Deadline back in the past (enforcing again), then reset the user's MFA.
    await adminPage.reload();
    await saveSettings(adminPage, "2026-01-01", "Europe/London");
    expect(await adminPage.getByText(/Enforced since 00:00 on 2026-01-01 in Europe\/London/).count()).toBe(1);
    const directory = adminPage.getByRole("table", { name: "Directory" });
    const audit = adminPage.getByRole("table", { name: "Audit log" });
    expect(await directory.getByRole("row").filter({ hasText: USER }).textContent()).toContain("Enrolled: totp, recovery");
    await adminPage.getByLabel("Email, exactly as in the directory").fill(USER);
    await adminPage.getByLabel("I have verified the user's request").check();
    await shot(adminPage, "reset-form");
    await adminPage.getByRole("button", { name: "Reset MFA" }).click();
    await adminPage.getByRole("status").filter({ hasText: `Two-factor authentication for ${USER} was reset` }).waitFor();
    expect(await directory.getByRole("row").filter({ hasText: USER }).textContent()).toContain("Not enrolled");
    expect(await audit.getByRole("row").filter({ hasText: "mfa_reset" }).first().textContent()).toContain(`reset by ${ADMIN}`);
    await shot(adminPage, "after-reset");

    // The payments refusal points to payments support.
    await adminPage.getByLabel("Email, exactly as in the directory").fill("payor@demo.test");
    await adminPage.getByLabel("I have verified the user's request").check();
    await adminPage.getByRole("button", { name: "Reset MFA" }).click();
    await adminPage.getByRole("alert").filter({ hasText: "payments support" }).waitFor();
    await shot(adminPage, "reset-refused-payments");

    // The user signs in again (a fresh browser): enrollment is required.
    const again = await browser.newContext();
    const againPage = await again.newPage();
    await againPage.goto(url("/"));
    await submitPassword(againPage, USER, shot);
    await waitForHeading(againPage, "Two-Factor Authentication Required");
    await shot(againPage, "user-must-enroll-again");
    await again.close();
    expect(problems).toEqual([]);
  } finally {
    await adminContext.close();
    await userContext.close();
  }
});
