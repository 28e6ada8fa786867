// The sign-in slice in a real browser: enrollment with an authenticator app from a protected URL,
// signing in again with a code, the recovery code's single use, wrong codes, and the
// recovery-code page's "I have securely saved this code" gate. Each flow runs twice, with the
// pointer and with the keyboard alone (./input), each way on a stack of its own; a fresh browser
// context per test; screenshots under test-results/e2e/<mode>/<test>/.
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { nextCode, wrongCode } from "./authenticator";
import { withStackAndBrowser, type Stack } from "./harness";
import { check, click, fill, INPUT_MODES, type InputMode } from "./input";
import {
  answerChallenge,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  openPage,
  pathOnGateway,
  readDashboard,
  readRecoveryCode,
  screenshots,
  SESSION_COOKIE,
  signOut,
  submitPassword,
  waitForDemoPage,
  waitForHeading,
  watchForPageErrors,
  type Enrollment,
  type Shot,
} from "./steps";

const USER = "user@demo.test";
const ADMIN = "admin@demo.test";
const PAYOR = "payor@demo.test";
const PAYEE = "payee@demo.test";

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

interface TestPage {
  page: Page;
  context: BrowserContext;
  shot: Shot;
  url(path: string): string;
}

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  withStackAndBrowser((started) => ({ stack, browser } = started));

  /** People a test enrolled in this stack, with the browser state they were left in. */
  const enrolled = new Map<string, Enrollment & { storageState: StorageState }>();

  /** Runs `body` in a fresh browser context, then checks no script error or CSP violation occurred. */
  async function inFreshContext(dir: string, body: (t: TestPage) => Promise<void>, storageState?: StorageState): Promise<void> {
    const context = await browser.newContext(storageState ? { storageState } : {});
    try {
      const page = await openPage(context, mode);
      const problems = watchForPageErrors(page);
      await body({ page, context, shot: screenshots(`${mode}/${dir}`), url: (path) => `${stack.gatewayUrl}${path}` });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }

  async function sessionCookie(context: BrowserContext) {
    return (await context.cookies(stack.gatewayUrl)).find((cookie) => cookie.name === SESSION_COOKIE);
  }

  /** Signs in a person who has no second factor yet, enrolls the app and saves the recovery code. */
  async function enrollFromScratch(t: TestPage, email: string, path: string): Promise<Enrollment> {
    await t.page.goto(t.url(path));
    await submitPassword(t.page, email, t.shot);
    const enrollment = await enrollAuthenticatorApp(t.page, t.shot);
    await confirmRecoveryCodeSaved(t.page);
    await waitForDemoPage(t.page, email);
    return enrollment;
  }

  test("enrolls an authenticator app from a protected URL and lands on it through the gateway", async () => {
    await inFreshContext("01-enroll-authenticator", async (t) => {
      const { page, context, shot } = t;
      const originRequestsBefore = stack.origin.requests.length;

      await page.goto(t.url("/?from=slice"));
      await waitForHeading(page, "Sign in");
      expect(pathOnGateway(page, stack.gatewayUrl)).toBe("/_stepgate/login?next=%2F%3Ffrom%3Dslice");
      await submitPassword(page, USER, shot);
      const enrollment = await enrollAuthenticatorApp(page, shot);
      await confirmRecoveryCodeSaved(page);

      await waitForDemoPage(page, USER);
      await waitForHeading(page, /^Welcome/);
      expect(pathOnGateway(page, stack.gatewayUrl)).toBe("/?from=slice");
      await shot(page, "dashboard-landing");
      // Nothing reached the origin before the second factor, and then only as this person.
      const reached = stack.origin.requests.slice(originRequestsBefore);
      expect(reached[0]).toEqual({ method: "GET", path: "/", sub: "demo-user" });
      expect(reached.filter((request) => request.sub !== "demo-user")).toEqual([]);

      const cookie = await sessionCookie(context);
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });

      await click(page.getByRole("link", { name: "Dashboard" }));
      expect(await readDashboard(page)).toMatchObject({
        Email: USER,
        Company: "Demo Builders",
        Role: "Standard user",
        "Signed in with": "password, authenticator app",
      });
      await shot(page, "dashboard");
      enrolled.set(USER, { ...enrollment, storageState: await context.storageState() });
    });
  });

  test("signs out, then signs in again with an authenticator code", async () => {
    // Continues the previous test's person where it left them (or enrolls them when run alone).
    const earlier = enrolled.get(USER);
    await inFreshContext(
      "02-sign-in-again",
      async (t) => {
        const { page, context, shot } = t;
        let app = earlier?.app;
        if (app) {
          await page.goto(t.url("/?from=slice"));
          await waitForDemoPage(page, USER);
        } else {
          app = (await enrollFromScratch(t, USER, "/?from=slice")).app;
        }
        await signOut(page, shot);
        expect(await sessionCookie(context)).toBeUndefined();

        await page.goto(t.url("/?from=slice"));
        await waitForHeading(page, "Sign in");
        expect(pathOnGateway(page, stack.gatewayUrl)).toBe("/_stepgate/login?next=%2F%3Ffrom%3Dslice");
        await submitPassword(page, USER, shot);
        await waitForHeading(page, "How do you want to verify your identity?");
        // The authenticator app is offered first; the recovery code is the other way in.
        const current = page.locator('.methods [aria-current="true"]');
        expect((await current.textContent())?.trim()).toBe("Use your authenticator app");
        expect(await page.getByRole("link", { name: "Use your recovery code" }).isVisible()).toBe(true);
        expect(await page.getByText("never share them").isVisible()).toBe(true);
        await answerChallenge(page, "authenticator", await nextCode(app), shot, "authenticator-code");

        await waitForDemoPage(page, USER);
        await waitForHeading(page, /^Welcome/);
        expect(pathOnGateway(page, stack.gatewayUrl)).toBe("/?from=slice");
        await shot(page, "dashboard-landing");
        expect(await sessionCookie(context)).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
      },
      earlier?.storageState,
    );
  });

  test("a recovery code signs in once, forces a new code, and only the new code works afterwards", async () => {
    await inFreshContext("03-recovery-code", async (t) => {
      const { page, shot } = t;
      const { recoveryCode: first } = await enrollFromScratch(t, PAYOR, "/");
      await signOut(page, shot);

      await page.goto(t.url("/"));
      await submitPassword(page, PAYOR, shot);
      await answerChallenge(page, "recovery", first, shot, "first-recovery-code");
      const second = await readRecoveryCode(page);
      expect(second).not.toBe(first);
      expect(await page.getByText("You signed in with your recovery code, so it no longer works").isVisible()).toBe(true);
      await shot(page, "new-recovery-code");
      expect(await page.locator("#continue").isDisabled()).toBe(true);
      await confirmRecoveryCodeSaved(page);
      await waitForDemoPage(page, PAYOR);
      expect(await readDashboard(page)).toMatchObject({ Role: "Payments payor", "Signed in with": "password, recovery code" });
      await shot(page, "dashboard-after-recovery");
      await signOut(page, shot);

      await page.goto(t.url("/"));
      await submitPassword(page, PAYOR, shot);
      await answerChallenge(page, "recovery", first, shot, "used-recovery-code");
      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/not valid/);
      await waitForHeading(page, "How do you want to verify your identity?");
      expect(await page.getByLabel(/Recovery code/).isVisible()).toBe(true);
      await shot(page, "used-code-refused");

      await answerChallenge(page, "recovery", second, shot, "second-recovery-code");
      const third = await readRecoveryCode(page);
      expect(new Set([first, second, third]).size).toBe(3);
      await confirmRecoveryCodeSaved(page);
      await waitForDemoPage(page, PAYOR);
      await shot(page, "dashboard-after-second-recovery");
    });
  });

  test("a wrong code shows a clear error, keeps the code input and puts the focus back in it", async () => {
    await inFreshContext("04-wrong-code", async (t) => {
      const { page, shot } = t;
      const { app } = await enrollFromScratch(t, PAYEE, "/");
      await signOut(page, shot);

      await page.goto(t.url("/"));
      await submitPassword(page, PAYEE, shot);
      await answerChallenge(page, "authenticator", wrongCode(app), shot, "wrong-code");

      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/That code is not valid/);
      await waitForHeading(page, "How do you want to verify your identity?");
      const code = page.getByLabel("6-digit code from your authenticator app");
      expect(await code.isVisible()).toBe(true);
      expect(await code.inputValue()).toBe("");
      // Ready to type again without reaching for the field.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("code");
      await shot(page, "wrong-code-error");

      await answerChallenge(page, "authenticator", await nextCode(app), shot, "right-code");
      await waitForDemoPage(page, PAYEE);
      expect(pathOnGateway(page, stack.gatewayUrl)).toBe("/");
      expect(await readDashboard(page)).toMatchObject({ Email: PAYEE, Role: "Payee administrator" });
      await shot(page, "dashboard");
    });
  });

  test("the recovery-code page's Continue stays disabled until the code is marked as saved", async () => {
    await inFreshContext("05-recovery-code-gate", async (t) => {
      const { page, context, shot } = t;
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.gatewayUrl });
      await page.goto(t.url("/"));
      await submitPassword(page, ADMIN, shot);
      const { recoveryCode } = await enrollAuthenticatorApp(page, shot);

      const agree = page.getByLabel("I have securely saved this code");
      const proceed = page.locator("#continue");
      expect(await agree.isChecked()).toBe(false);
      expect(await proceed.isDisabled()).toBe(true);
      const shownAt = page.url();
      await proceed.click({ force: true }); // a disabled button ignores the click (and takes no focus)
      await waitForHeading(page, "Save your recovery code");
      expect(page.url()).toBe(shownAt);
      expect(await page.locator("#recovery").textContent()).toBe(recoveryCode);

      await check(agree);
      expect(await proceed.isEnabled()).toBe(true);
      await shot(page, "ticked");
      await click(agree); // untick
      expect(await agree.isChecked()).toBe(false);
      expect(await proceed.isDisabled()).toBe(true);

      // Copy and Download hand over the same code that is shown.
      await click(page.getByRole("button", { name: "Copy" }));
      await page.getByRole("button", { name: "Copied" }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(recoveryCode.replaceAll("-", ""));
      const [download] = await Promise.all([page.waitForEvent("download"), click(page.getByRole("link", { name: "Download" }))]);
      expect(download.suggestedFilename()).toBe("stepgate-recovery-code.txt");
      expect(await readFile(await download.path(), "utf8")).toContain(recoveryCode);

      // The server holds the same line: a form sent without the tick does not sign the person in.
      await page.evaluate(() => {
        document.getElementById("continue")?.removeAttribute("disabled");
        document.getElementById("agree")?.removeAttribute("required");
      });
      await click(proceed);
      await waitForHeading(page, "Save your recovery code");
      await page.getByRole("button", { name: "Show a new recovery code" }).waitFor();
      await shot(page, "not-ticked-refused");
      await page.goto(t.url("/"));
      await waitForHeading(page, "Save your recovery code"); // still held at this step
      await click(page.getByRole("button", { name: "Show a new recovery code" }));
      const replacement = await readRecoveryCode(page);
      expect(replacement).not.toBe(recoveryCode);
      expect(await proceed.isDisabled()).toBe(true);

      await confirmRecoveryCodeSaved(page);
      await waitForDemoPage(page, ADMIN);
      expect(await readDashboard(page)).toMatchObject({ Company: "Demo Builders", Role: "Company administrator" });
      await shot(page, "dashboard");
    });
  });
});
