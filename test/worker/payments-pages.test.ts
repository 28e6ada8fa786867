/** The payments tool in page form: a held form is sent on only through its grant, once. */
import { describe, expect, it } from "vitest";
import { enrolledUser, originHits, totpCode, type Client } from "./helpers";

const nav = { "sec-fetch-mode": "navigate", "content-type": "application/x-www-form-urlencoded" };
let skew = 0;

async function passPage(c: Client, location: string, secret: string) {
  const page = await (await c.fetch(location)).text();
  const id = /name="challenge" value="([A-Za-z0-9_-]+)"/.exec(page)?.[1] ?? "";
  const next = new URL(location, "https://gateway.test").searchParams.get("next") ?? "/";
  const body = new URLSearchParams({ challenge: id, method: "totp", code: await totpCode(secret, Date.now() + 30_000 * skew++), next }).toString();
  return { page, response: await c.fetch("/_stepgate/verify", { method: "POST", headers: nav, body }) };
}

describe("payments pages", () => {
  it("entry, then a form action approved and sent on once with Continue", async () => {
    skew = 0;
    const { client: c, secret } = await enrolledUser("payor@demo.test");
    // The origin stub counts across test files: compare with the count before this test.
    const before = await originHits("/payments/disbursements");
    const entry = await c.fetch("/payments/", { headers: { "sec-fetch-mode": "navigate" } });
    const entered = await passPage(c, entry.headers.get("location")!, secret);
    expect(entered.response.status).toBe(303);
    expect(entered.response.headers.get("location")).toBe("/payments/");

    const form = await c.fetch("/payments/disbursements", { method: "POST", headers: nav, body: "amount=3150.75&payee=Rivera+Concrete" });
    expect(form.status).toBe(303);
    expect(await originHits("/payments/disbursements")).toBe(before);
    const { page, response } = await passPage(c, form.headers.get("location")!, secret);
    expect(page).toContain("You are approving:</strong> Create a disbursement of $3,150.75 to Rivera Concrete");
    const approved = await response.text();
    expect(approved).toContain("Nothing has been sent yet");
    expect(await originHits("/payments/disbursements")).toBe(before); // never silently
    const grant = /name="grant" value="([A-Za-z0-9_-]+)"/.exec(approved)?.[1] ?? "";

    const sent = await c.fetch("/_stepgate/actions/continue", { method: "POST", headers: nav, body: `grant=${grant}` });
    expect(sent.status).toBe(200);
    const echo = (await sent.json()) as { method: string; path: string; body: string };
    expect(echo).toMatchObject({ method: "POST", path: "/payments/disbursements", body: "amount=3150.75&payee=Rivera+Concrete" });
    const again = await c.fetch("/_stepgate/actions/continue", { method: "POST", headers: nav, body: `grant=${grant}` });
    expect(again.status).toBe(410);
    expect(await originHits("/payments/disbursements")).toBe(before + 1);
  });

  it("reviewing an agreement (a sensitive GET) asks for a code, then opens that page once", async () => {
    skew = 0;
    const { client: c, secret } = await enrolledUser("payee@demo.test");
    const entry = await c.fetch("/payments/", { headers: { "sec-fetch-mode": "navigate" } });
    await passPage(c, entry.headers.get("location")!, secret);
    const review = await c.fetch("/payments/agreements/a1", { headers: { "sec-fetch-mode": "navigate" } });
    expect(review.status).toBe(303);
    const { page, response } = await passPage(c, review.headers.get("location")!, secret);
    expect(page).toContain("Review payments agreement a1");
    expect(response.headers.get("location")).toBe("/payments/agreements/a1");
    expect((await c.fetch("/payments/agreements/a1", { headers: { "sec-fetch-mode": "navigate" } })).status).toBe(200);
    // The approval was for one view: the next review asks again.
    expect((await c.fetch("/payments/agreements/a1", { headers: { "sec-fetch-mode": "navigate" } })).status).toBe(303);
  });

  it("the idle state is readable for the extension's countdown", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    const outside = (await (await c.fetch("/_stepgate/api/payments")).json()) as { active: boolean; idleTimeoutSeconds: number };
    expect(outside).toEqual({ active: false, idleTimeoutSeconds: 1800 });
    const me = (await (await c.fetch("/_stepgate/api/me")).json()) as { payments: unknown };
    expect(me.payments).toEqual(outside);
  });
});
