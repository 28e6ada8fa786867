/**
 * What you approve is what is sent: a sensitive action whose body names a field twice is refused,
 * because the summary shown at the challenge and the origin could read different values (a form's
 * first `amount` versus its last). Nothing reaches the origin and no challenge is opened.
 */
import { describe, expect, it } from "vitest";
import { enrolledUser, originHits, totpCode, type Client } from "./helpers";

const api = { accept: "application/json" };

async function enterPayments(c: Client, secret: string) {
  const first = await c.fetch("/payments/", { headers: api });
  expect(first.status).toBe(401);
  const { challenge } = (await first.json()) as { challenge: { id: string } };
  const passed = await c.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "totp", code: await totpCode(secret) } });
  expect(passed.status).toBe(200);
}

describe("sensitive action bodies", () => {
  it("a duplicate field (form or JSON) is refused before any challenge, and never forwarded", async () => {
    const { client: c, secret } = await enrolledUser("payor@demo.test");
    await enterPayments(c, secret);
    const before = await originHits("/payments/disbursements");
    const attempts: Array<[string, string]> = [
      ["application/x-www-form-urlencoded", "amount=1&payee=Acme&amount=125000"],
      ["application/x-www-form-urlencoded", "payee=Acme&payee=Mallory&amount=1"],
      ["application/json", '{"amount":"1","payee":"Acme","amount":"125000"}'],
      ["application/json; charset=utf-8", '{"payee":"Acme","amount":"1","payee":"Mallory"}'],
    ];
    for (const [type, body] of attempts) {
      const response = await c.fetch("/payments/disbursements", { method: "POST", headers: { ...api, "content-type": type }, body });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    }
    // The same request without the duplicate is an ordinary sensitive action: challenged, summary exact.
    const single = await c.fetch("/payments/disbursements", { method: "POST", headers: { ...api, "content-type": "application/x-www-form-urlencoded" }, body: "amount=125000&payee=Acme" });
    expect(single.status).toBe(401);
    expect(((await single.json()) as { challenge: { action: { summary: string } } }).challenge.action.summary).toBe("Create a disbursement of $125,000.00 to Acme");
    expect(await originHits("/payments/disbursements")).toBe(before);
  });
});
