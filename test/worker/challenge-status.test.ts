/**
 * A sensitive action approved through the JSON API (as the extension's popup does) is handed back
 * to the person's own page: `GET /api/challenges/{id}` says it passed and gives the grant to that
 * session only, and `/_stepgate/verify?id=` shows the Continue page. Nothing reaches the origin
 * until the person presses Continue, once.
 */
import { describe, expect, it } from "vitest";
import { accountStub, client, enrolledUser, originHits, sessionClaimsOf, signIn, totpCode, verify, type Client } from "./helpers";

const nav = { "sec-fetch-mode": "navigate", "content-type": "application/x-www-form-urlencoded" };
const ID_IN_LOCATION = /[?&]id=([A-Za-z0-9_-]+)/;

/** Enters Payments through the page flow with the code of `step` (steps since now). */
async function enterPayments(c: Client, secret: string, step: number): Promise<void> {
  const entry = await c.fetch("/payments/", { headers: { "sec-fetch-mode": "navigate" } });
  const id = ID_IN_LOCATION.exec(entry.headers.get("location") ?? "")?.[1] ?? "";
  const passed = await verify(c, id, "totp", await totpCode(secret, Date.now() + 30_000 * step));
  expect(passed.status).toBe(200);
}

async function statusOf(c: Client, id: string) {
  const response = await c.fetch(`/_stepgate/api/challenges/${id}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("a sensitive action approved outside its page", () => {
  it("a held form passed through the JSON API: the page shows Continue, and only Continue sends it, once", async () => {
    const { client: c, secret } = await enrolledUser("payor@demo.test");
    await enterPayments(c, secret, 0);
    const before = await originHits("/payments/disbursements");

    const form = await c.fetch("/payments/disbursements", { method: "POST", headers: nav, body: "amount=980.00&payee=Popup+Paving" });
    expect(form.status).toBe(303);
    const location = form.headers.get("location") ?? "";
    const id = ID_IN_LOCATION.exec(location)?.[1] ?? "";
    const pending = await statusOf(c, id);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      status: "pending",
      challenge: { id, reason: "sensitive_action", action: { summary: "Create a disbursement of $980.00 to Popup Paving", method: "POST" } },
    });

    // The popup's call: the grant in its answer is dropped by the extension.
    const answer = (await (await verify(c, id, "totp", await totpCode(secret, Date.now() + 30_000))).json()) as { next: string; grant: string };
    expect(answer.next).toBe("done");
    expect(await statusOf(c, id)).toEqual({ status: 200, body: { status: "passed", grant: answer.grant } });
    expect(await originHits("/payments/disbursements")).toBe(before);

    // The waiting tab, reloaded, shows the approval with its grant; reading it sends nothing.
    const page = await c.fetch(location, { headers: { "sec-fetch-mode": "navigate" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Nothing has been sent yet");
    expect(html).toContain("Create a disbursement of $980.00 to Popup Paving");
    expect(/name="grant" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1]).toBe(answer.grant);
    expect((await c.fetch(location, { headers: { "sec-fetch-mode": "navigate" } })).status).toBe(200); // a reload too
    expect(await originHits("/payments/disbursements")).toBe(before);

    // Another session of the same person, and another person, learn nothing about it.
    const other = await signIn("payor@demo.test");
    expect(other.body.next).toBe("mfa");
    expect((await statusOf(other.client, id)).status).toBe(404);
    expect((await other.client.fetch(location, { headers: { "sec-fetch-mode": "navigate" } })).status).not.toBe(200);
    const stranger = (await signIn("admin@demo.test")).client;
    expect((await statusOf(stranger, id)).body).toMatchObject({ error: { code: "CHALLENGE_NOT_FOUND" } });
    expect((await statusOf(client(), id)).status).toBe(401);

    // The approval is handed out only while its grant lives (GRANT_TTL_SECONDS 120), to this session.
    const { sid } = sessionClaimsOf(c);
    const account = accountStub("demo-payor");
    expect(await account.challengeStatus(sid, id, Date.now() + 121_000)).toBeNull();
    expect(await account.challengeStatus("AnotherSessionId0000", id, Date.now())).toBeNull();

    const sent = await c.fetch("/_stepgate/actions/continue", { method: "POST", headers: nav, body: `grant=${answer.grant}` });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ method: "POST", path: "/payments/disbursements", body: "amount=980.00&payee=Popup+Paving" });
    expect(await originHits("/payments/disbursements")).toBe(before + 1);

    // Used: neither the page nor the API hands it out again, and a second Continue is refused.
    expect((await c.fetch(location, { headers: { "sec-fetch-mode": "navigate" } })).status).toBe(410);
    expect((await statusOf(c, id)).status).toBe(404);
    expect((await c.fetch("/_stepgate/actions/continue", { method: "POST", headers: nav, body: `grant=${answer.grant}` })).status).toBe(410);
    expect(await originHits("/payments/disbursements")).toBe(before + 1);
  });

  it("a sensitive GET passed through the JSON API: the waiting page goes on to the action, which opens once", async () => {
    const { client: c, secret } = await enrolledUser("payee@demo.test");
    await enterPayments(c, secret, 0);
    const review = await c.fetch("/payments/agreements/a2", { headers: { "sec-fetch-mode": "navigate" } });
    const location = review.headers.get("location") ?? "";
    const id = ID_IN_LOCATION.exec(location)?.[1] ?? "";
    expect((await verify(c, id, "totp", await totpCode(secret, Date.now() + 30_000))).status).toBe(200);

    const waiting = await c.fetch(location, { headers: { "sec-fetch-mode": "navigate" } });
    expect(waiting.status).toBe(303);
    expect(waiting.headers.get("location")).toBe("/payments/agreements/a2");
    expect(await statusOf(c, id)).toMatchObject({ status: 200, body: { status: "passed" } });

    // Signing out ends the approval with the session.
    const { sid } = sessionClaimsOf(c);
    await c.fetch("/_stepgate/api/session", { method: "DELETE" });
    expect(await accountStub("demo-payee").challengeStatus(sid, id, Date.now())).toBeNull();
  });

  it("refuses malformed and unknown ids without a session lookup leaking anything", async () => {
    const { client: c } = await enrolledUser("user@demo.test");
    for (const id of ["short", "x".repeat(65), "bad.id-0123456789", "AAAAAAAAAAAAAAAAAAAAAA"]) {
      const answer = await statusOf(c, id);
      expect(answer.status, id).toBe(404);
      expect(answer.body).toMatchObject({ error: { code: "CHALLENGE_NOT_FOUND" } });
    }
    expect((await statusOf(c, "bad%2Fid-0123456789")).status).toBe(400); // not a canonical path
  });
});
