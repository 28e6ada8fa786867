// The payments tool in a real browser: entering it asks for a code even right after sign-in; a
// form's sensitive action shows what is being approved, asks for its own code, and is sent only
// when the person presses Continue; after 30 minutes idle (development clock) it asks again. Once
// with the pointer, once with the keyboard alone, each on a stack of its own. Screenshots under
// test-results/e2e/<mode>/<test>/.
import type { Browser } from "playwright-core";
import { describe, expect, test } from "vitest";
import { codeAhead, timeStepAt, totpForStep } from "./authenticator";
import { withStackAndBrowser, type Stack } from "./harness";
import { click, fill, INPUT_MODES, type InputMode } from "./input";
import {
  advanceGatewayClock,
  answerChallenge,
  confirmRecoveryCodeSaved,
  enrollAuthenticatorApp,
  openPage,
  screenshots,
  submitPassword,
  waitForHeading,
  watchForPageErrors,
} from "./steps";

describe.each(INPUT_MODES)("%s", (mode: InputMode) => {
  let stack: Stack;
  let browser: Browser;
  withStackAndBrowser((started) => ({ stack, browser } = started));

  test("payments entry and a form's sensitive action, approved with its own code", async () => {
    const context = await browser.newContext();
    const page = await openPage(context, mode);
    const problems = watchForPageErrors(page);
    const shot = screenshots(`${mode}/payments-01-entry-and-action`);
    const before = stack.origin.requests.length;

    await page.goto(`${stack.gatewayUrl}/payments/`);
    await submitPassword(page, "payor@demo.test", shot);
    const { app } = await enrollAuthenticatorApp(page, shot);
    await confirmRecoveryCodeSaved(page);

    // Right after sign-in, entering Payments asks again.
    await waitForHeading(page, "How do you want to verify your identity?");
    await expect(page.getByText("Payments needs a fresh verification every time you enter it.")).toBeTruthy();
    expect(stack.origin.requests.slice(before).filter((r) => r.path.startsWith("/payments"))).toEqual([]);
    await answerChallenge(page, "authenticator", await codeAhead(app), shot, "entry-code");
    await waitForHeading(page, "Payments");
    await shot(page, "payments-home");

    await fill(page.getByLabel("Amount (USD)"), "3150.75");
    await fill(page.getByLabel("Payee"), "Rivera Concrete");
    await shot(page, "new-disbursement");
    await click(page.getByRole("button", { name: "Create draft" }));
    await waitForHeading(page, "How do you want to verify your identity?");
    expect(await page.locator("#action-summary").textContent()).toContain("Create a disbursement of $3,150.75 to Rivera Concrete");
    await shot(page, "approve-action");
    const sentBefore = stack.origin.requests.filter((r) => r.method === "POST").length;
    await answerChallenge(page, "authenticator", await codeAhead(app), shot, "action-code");
    // A code typed right as the 30-second window moves on can be refused, as for a person: the page
    // says so and keeps the form, and the next code works.
    const verified = page.getByRole("heading", { level: 1, name: "Verified" });
    await Promise.race([verified.waitFor({ timeout: 20_000 }), page.getByRole("alert").waitFor({ timeout: 20_000 })]);
    if (!(await verified.isVisible())) await answerChallenge(page, "authenticator", await codeAhead(app), shot, "action-code-again");

    await waitForHeading(page, "Verified");
    expect(await page.getByText("Nothing has been sent yet").count()).toBe(1);
    expect(stack.origin.requests.filter((r) => r.method === "POST").length).toBe(sentBefore);
    await shot(page, "approved");
    const grant = await page.locator('input[name="grant"]').inputValue();
    await click(page.getByRole("button", { name: "Continue" }));
    await waitForHeading(page, "Payments");
    expect(await page.getByRole("cell", { name: "Rivera Concrete" }).count()).toBeGreaterThan(0);
    expect(stack.origin.requests.filter((r) => r.method === "POST").length).toBe(sentBefore + 1);
    await shot(page, "created");

    // Sending the same approval again (a re-sent form) does not send the action twice.
    const again = await page.request.post(`${stack.gatewayUrl}/_stepgate/actions/continue`, {
      form: { grant },
      headers: { origin: stack.gatewayUrl },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(410);
    expect(stack.origin.requests.filter((r) => r.method === "POST").length).toBe(sentBefore + 1);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("after more than 30 minutes idle in Payments, the next page asks again (development clock)", async () => {
    const context = await browser.newContext();
    const page = await openPage(context, mode);
    const problems = watchForPageErrors(page);
    const shot = screenshots(`${mode}/payments-02-idle`);
    await page.goto(`${stack.gatewayUrl}/payments/`);
    await submitPassword(page, "payee@demo.test", shot);
    const { app } = await enrollAuthenticatorApp(page, shot);
    await confirmRecoveryCodeSaved(page);
    await answerChallenge(page, "authenticator", await codeAhead(app), shot, "entry-code");
    await waitForHeading(page, "Payments");

    const gatewayNow = await advanceGatewayClock(page, stack.gatewayUrl, 30 * 60 + 1);
    const offsetMs = gatewayNow() - Date.now();
    await page.reload();
    await waitForHeading(page, "How do you want to verify your identity?");
    expect(await page.getByText(/inactive in Payments for more than 30 minutes/).count()).toBe(1);
    await shot(page, "idle-challenge");
    // The gateway's clock moved; the authenticator app follows real time shifted the same way.
    const shifted = { ...app, lastStep: Math.max(app.lastStep, timeStepAt(Date.now() + offsetMs) - 2) };
    const step = timeStepAt(Date.now() + offsetMs);
    await answerChallenge(page, "authenticator", totpForStep(shifted.secret, step), shot, "idle-code");
    await waitForHeading(page, "Payments");
    await shot(page, "back-in-payments");
    expect(problems).toEqual([]);
    await context.close();
  });
});
