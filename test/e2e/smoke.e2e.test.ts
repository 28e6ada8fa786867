// Smoke test for the end-to-end harness: the stack starts, the demo origin refuses a request that
// did not come through the gateway, the accessibility check finds what it should, also on a page
// under the gateway's strict Content-Security-Policy, and the keyboard driver refuses a control
// that Tab cannot reach or that shows no focus.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { checkAccessibility } from "./a11y";
import { launchBrowser, startStack, type Stack } from "./harness";
import { tabTo, useInput } from "./input";
import { waitForHeading, watchForPageErrors } from "./steps";

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

test("the demo origin refuses a request without a Stepgate assertion", async () => {
  const response = await fetch(`${stack.origin.url}/whoami`);
  expect(response.status).toBe(401);
  expect(await response.text()).toContain("Not through Stepgate");
  expect(stack.origin.requests).toContainEqual({ method: "GET", path: "/whoami", sub: null });
});

test("the demo origin refuses a forged assertion", async () => {
  const response = await fetch(`${stack.origin.url}/whoami`, {
    headers: { "Stepgate-Assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." },
  });
  expect(response.status).toBe(401);
});

test("the accessibility check runs under the gateway's CSP and reports serious violations", async () => {
  const page = await browser.newPage();
  try {
    const problems = watchForPageErrors(page);
    await page.goto(`${stack.gatewayUrl}/_stepgate/login`);
    await waitForHeading(page, "Sign in");
    expect((await checkAccessibility(page, "login")).failing).toEqual([]);
    // Break the page the way a careless change would: an unnamed field, an image without text,
    // pale text. axe must name each one, with the element.
    await page.evaluate(() => {
      const form = document.querySelector("form")!;
      form.insertAdjacentHTML("beforeend", '<input id="unnamed" type="text"><img id="pic" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">');
      form.insertAdjacentHTML("beforeend", '<p id="pale">hard to read</p>');
      document.getElementById("pale")!.style.color = "#c8c8c8"; // (a style attribute would be refused by the CSP)
    });
    const report = await checkAccessibility(page, "broken");
    const failing = Object.fromEntries(report.failing.map((finding) => [finding.rule, finding.targets]));
    expect(failing).toMatchObject({ label: ["#unnamed"], "image-alt": ["#pic"], "color-contrast": ["#pale"] });
    expect(report.url).toBe(`${stack.gatewayUrl}/_stepgate/login`);
    expect(problems).toEqual([]); // axe went in without tripping the page's CSP
  } finally {
    await page.close();
  }
});

test("the keyboard driver fails on a control Tab never reaches, and on a focus nobody can see", async () => {
  const page = useInput(await browser.newPage(), "keyboard");
  try {
    await page.goto(`${stack.gatewayUrl}/_stepgate/login`);
    await waitForHeading(page, "Sign in");
    await tabTo(page.getByRole("button", { name: "Continue" }));
    await tabTo(page.locator("#email")); // back up, with Shift+Tab
    await page.evaluate(() => {
      document.getElementById("password")!.tabIndex = -1;
      document.getElementById("email")!.style.outline = "none";
    });
    await expect(tabTo(page.locator("#password"))).rejects.toThrow(/never reached/);
    await page.locator("#email").blur();
    await expect(tabTo(page.locator("#email"))).rejects.toThrow(/shows no focus indication/);
  } finally {
    await page.close();
  }
});
