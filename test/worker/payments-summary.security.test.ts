/**
 * What you approve is what is sent: a sensitive action whose body names a field twice is refused,
 * because the summary shown at the challenge and the origin could read different values (a form's
 * first `amount` versus its last). Nothing reaches the origin and no challenge is opened. Nor can a
 * sensitive action be reached under another method: HEAD is its GET, method-override headers or a
 * `_method` query field are refused inside the payments tool, and a form's `_method` field is
 * matched as the method it asks for.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appFor } from "../../worker/app";
import { getConfig } from "../../worker/config";
import { enrolledUser, GATEWAY, originHits, totpCode, type Client } from "./helpers";
import { makeUser } from "./sms-helpers";

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

  it("a summarised field that is missing, not a scalar, spelled as a nested form field, or other than the path's is refused before any challenge", async () => {
    const { client: c, secret } = await enrolledUser((await makeUser("standard", "fields")).email);
    await enterPayments(c, secret);
    const before = await originHits("/payments/disbursements");
    const attempts: Array<[string, string]> = [
      // The review's example: shown as "(not given)" while the origin created $125,000.
      ["application/json", '{"amount":["125000.00"],"payee":"Acme"}'],
      ["application/json", '{"payee":"Acme"}'],
      ["application/json", '{"amount":{"value":"125000.00"},"payee":"Acme"}'],
      ["application/json", '{"amount":null,"payee":"Acme"}'],
      ["application/json", '["125000.00","Acme"]'],
      ["application/json", "not json"],
      ["application/x-www-form-urlencoded", "payee=Acme"],
      ["application/x-www-form-urlencoded", "amount[]=125000.00&payee=Acme"],
      ["application/x-www-form-urlencoded", "amount=1.00&amount[]=125000.00&payee=Acme"],
      ["application/x-www-form-urlencoded", "amount=1.00&payee=Acme&payee%5Bname%5D=Mallory"],
      ["application/x-www-form-urlencoded", "amount=1.00&payee=Acme&payee.name=Mallory"],
    ];
    for (const [type, body] of attempts) {
      const response = await c.fetch("/payments/disbursements", { method: "POST", headers: { ...api, "content-type": type }, body });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    }
    // A body naming the path's own parameter with another value: which one would the origin use?
    const other = await c.fetch("/payments/disbursements/d1/submit", { method: "POST", headers: { ...api, "content-type": "application/json" }, body: '{"id":"d2"}' });
    expect(other.status).toBe(400);
    expect(await originHits("/payments/disbursements/d1/submit")).toBe(0);
    const listed = (await (await c.fetch("/_stepgate/api/challenges")).json()) as { challenges: unknown[] };
    expect(listed.challenges).toEqual([]);
    expect(await originHits("/payments/disbursements")).toBe(before);
    // The same action with scalar fields, given once, is summarised exactly (a JSON number too).
    const plain = await c.fetch("/payments/disbursements", { method: "POST", headers: { ...api, "content-type": "application/json" }, body: '{"amount":12400,"payee":"Acme"}' });
    expect(((await plain.json()) as { challenge: { action: { summary: string } } }).challenge.action.summary).toBe("Create a disbursement of $12,400.00 to Acme");
    const same = await c.fetch("/payments/disbursements/d1/submit", { method: "POST", headers: { ...api, "content-type": "application/json" }, body: '{"id":"d1"}' });
    expect(same.status).toBe(401);
  });

  it("a long or disguised value is shown with its cut and its hidden characters made visible", async () => {
    const { client: c, secret } = await enrolledUser((await makeUser("payor", "shown")).email);
    await enterPayments(c, secret);
    const summaryOf = async (payee: string) => {
      const response = await c.fetch("/payments/disbursements", { method: "POST", headers: { ...api, "content-type": "application/json" }, body: JSON.stringify({ amount: "5.00", payee }) });
      expect(response.status).toBe(401);
      return ((await response.json()) as { challenge: { action: { summary: string } } }).challenge.action.summary;
    };
    const padded = `Acme Drywall${" ".repeat(60)}and 120000.00 more to Evil Corp`;
    expect(await summaryOf(padded)).toBe(`Create a disbursement of $5.00 to ${[...padded].slice(0, 80).join("")}… (+${padded.length - 80} more characters)`);
    // A right-to-left override or a zero-width space could make the text read otherwise.
    expect(await summaryOf("Acme \u202EnroC livE")).toBe("Create a disbursement of $5.00 to Acme \uFFFDnroC livE");
    expect(await summaryOf("Ac\u200Bme")).toBe("Create a disbursement of $5.00 to Ac\uFFFDme");
    expect(await summaryOf("")).toBe("Create a disbursement of $5.00 to (empty)");
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
    // A form's `_method` field named twice: the gateway and the origin could each pick another.
    const twice = await c.fetch("/payments/ps-override/e", { method: "POST", headers: { ...api, "content-type": "application/x-www-form-urlencoded" }, body: "_method=GET&_method=DELETE" });
    expect(twice.status).toBe(400);
    expect(await originHits("/payments/ps-override/e")).toBe(0);
    // Outside the payments tool the headers are the origin's business (nothing there is step-up bound).
    expect((await c.fetch("/ps-override/outside", { method: "POST", headers: { ...api, "content-type": "application/json", "x-http-method-override": "DELETE" }, body: "{}" })).status).toBe(200);
  });

  it("a form asking for another method with a _method field is matched as that method", async () => {
    const bindings = { ...(env as unknown as Record<string, unknown>), SENSITIVE_ACTIONS: JSON.stringify([{ method: "DELETE", path: "/payments/widgets/:id", summary: "Delete widget {id}" }]) };
    const app = appFor(getConfig(bindings));
    const { client: c, secret } = await enrolledUser("user@demo.test");
    // Before entering: the tool's spellings an origin may trim to /payments/ are the tool too.
    for (const path of ["/payments./", "/payments%20/widgets/w9", "/Payments../"]) {
      expect((await c.fetch(path, { headers: api })).status, path).toBe(401);
    }
    expect(await originHits("/payments./")).toBe(0);
    await enterPayments(c, secret);
    const send = (body: string) =>
      app.fetch(
        new Request(`${GATEWAY}/payments/widgets/w9`, { method: "POST", headers: { ...api, cookie: c.cookie!, "content-type": "application/x-www-form-urlencoded" }, body }),
        bindings as never,
        createExecutionContext(),
      );
    const asDelete = await send("_method=delete&reason=cleanup");
    expect(asDelete.status).toBe(401);
    expect(((await asDelete.json()) as { challenge: { action: { summary: string } } }).challenge.action.summary).toBe("Delete widget w9");
    expect(await originHits("/payments/widgets/w9")).toBe(0);
    // A plain POST there is not a declared action: forwarded as usual.
    expect((await send("reason=cleanup")).status).toBe(200);
    expect(await originHits("/payments/widgets/w9")).toBe(1);
  });
});
