/**
 * What you approve is what is sent: a sensitive action whose body names a field twice is refused,
 * because the summary shown at the challenge and the origin could read different values (a form's
 * first `amount` versus its last). Nothing reaches the origin and no challenge is opened. Nor can a
 * sensitive action be reached under another method: HEAD is its GET, and method-override headers
 * or a `_method` query field are refused inside the payments tool.
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

  it("a sensitive GET asked for as HEAD is the same action: challenged, not forwarded", async () => {
    const { client: c, secret } = await enrolledUser("payee@demo.test");
    await enterPayments(c, secret);
    const head = await c.fetch("/payments/agreements/ps-head", { method: "HEAD", headers: api });
    expect(head.status).toBe(401);
    expect(head.headers.get("www-authenticate")).toMatch(/^Stepgate challenge=/);
    expect(await originHits("/payments/agreements/ps-head")).toBe(0);
  });

  it("a method override (headers or _method query) inside the payments tool is refused and never forwarded", async () => {
    const { client: c, secret } = await enrolledUser("admin@demo.test");
    await enterPayments(c, secret);
    const attempts: Array<[string, Record<string, string>]> = [
      ["/payments/ps-override/a", { "x-http-method-override": "DELETE" }],
      ["/payments/ps-override/b", { "x-http-method": "PUT" }],
      ["/payments/ps-override/c", { "x-method-override": "DELETE" }],
      ["/payments/ps-override/d?_method=DELETE", {}],
    ];
    for (const [path, headers] of attempts) {
      const response = await c.fetch(path, { method: "POST", headers: { ...api, "content-type": "application/json", ...headers }, body: "{}" });
      expect(response.status, path).toBe(400);
      expect(await originHits(path.split("?")[0]!)).toBe(0);
    }
    // Outside the payments tool the headers are the origin's business (nothing there is step-up bound).
    expect((await c.fetch("/ps-override/outside", { method: "POST", headers: { ...api, "content-type": "application/json", "x-http-method-override": "DELETE" }, body: "{}" })).status).toBe(200);
  });
});
