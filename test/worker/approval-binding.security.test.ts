/**
 * What you approve is what the origin acts on: a sensitive action's approval is bound to the
 * body's media type and content encoding as well as its method, path and bytes, and the origin
 * receives the canonical media type that was summarised. The same bytes re-sent under another
 * media type are another request (outside review, issue #12, the High finding).
 */
import { describe, expect, it } from "vitest";
import { enrolledUser, originHits, totpCode, type Client } from "./helpers";

const api = { accept: "application/json" };
let stepSkew = 0;
/** A TOTP code for a step no earlier than any used before in this file (±1 window). */
async function nextCode(secret: string) {
  return totpCode(secret, Date.now() + 30_000 * stepSkew++);
}

interface ChallengeBody {
  error: { code: string };
  challenge: { id: string; reason: string; action?: { summary: string } };
}

async function pass(c: Client, challengeId: string, secret: string) {
  const response = await c.fetch(`/_stepgate/api/challenges/${challengeId}/verify`, { method: "POST", json: { method: "totp", code: await nextCode(secret) } });
  expect(response.status).toBe(200);
  return (await response.json()) as { next: string; grant?: string };
}

async function enterPayments(c: Client, secret: string) {
  stepSkew = 0; // each test signs in its own account
  const first = await c.fetch("/payments/", { headers: api });
  expect(first.status).toBe(401);
  await pass(c, ((await first.json()) as ChallengeBody).challenge.id, secret);
}

/** The payload of the review's reproduction: harmless as JSON, $125,000 to Evil Corp as a form. */
const SMUGGLED = JSON.stringify({ amount: "1.00", payee: "Acme Drywall", memo: "&amount=125000.00&payee=Evil Corp&x=" });

describe("an approval is bound to the body's media type", () => {
  it("the approved JSON bytes re-sent as a form are a new action: challenged with their own summary, never forwarded", async () => {
    const { client: c, secret } = await enrolledUser("payor@demo.test");
    await enterPayments(c, secret);
    const path = "/payments/disbursements";
    const before = await originHits(path);

    const asked = await c.fetch(path, { method: "POST", headers: { ...api, "content-type": "application/json" }, body: SMUGGLED });
    expect(asked.status).toBe(401);
    const challenge = ((await asked.json()) as ChallengeBody).challenge;
    expect(challenge.action?.summary).toBe("Create a disbursement of $1.00 to Acme Drywall");
    const { grant } = await pass(c, challenge.id, secret);
    expect(grant).toMatch(/^[A-Za-z0-9_-]{16,64}$/);

    // The same bytes and the grant, declared as a form: the origin would read $125,000 to Evil Corp.
    const swapped = await c.fetch(path, {
      method: "POST",
      headers: { ...api, "content-type": "application/x-www-form-urlencoded", "stepgate-grant": grant! },
      body: SMUGGLED,
    });
    expect(swapped.status).toBe(401);
    const second = ((await swapped.json()) as ChallengeBody).challenge;
    expect(second.reason).toBe("sensitive_action");
    expect(second.id).not.toBe(challenge.id);
    expect(await originHits(path)).toBe(before);

    // The grant still serves exactly the request that was approved, once, as JSON.
    const approved = await c.fetch(path, { method: "POST", headers: { ...api, "content-type": "application/json", "stepgate-grant": grant! }, body: SMUGGLED });
    expect(approved.status).toBe(200);
    const echo = (await approved.json()) as { headers: Record<string, string>; body: string };
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.body).toBe(SMUGGLED);
    expect(await originHits(path)).toBe(before + 1);
  });

  it("spellings of one media type are one action, and the origin receives the canonical type", async () => {
    const { client: c, secret } = await enrolledUser("payee@demo.test");
    await enterPayments(c, secret);
    const path = "/payments/bank-accounts";
    const body = "nickname=Operating&routing=021000021";
    const asked = await c.fetch(path, { method: "POST", headers: { ...api, "content-type": "Application/X-WWW-Form-URLEncoded; charset=UTF-8" }, body });
    expect(asked.status).toBe(401);
    const { grant } = await pass(c, ((await asked.json()) as ChallengeBody).challenge.id, secret);
    // Another spelling of the same type: the same action, and the origin gets the canonical one.
    const spelling = 'application/x-www-form-urlencoded ;charset="utf-8"';
    const sent = await c.fetch(path, { method: "POST", headers: { ...api, "content-type": spelling, "stepgate-grant": grant! }, body });
    expect(sent.status).toBe(200);
    const echo = (await sent.json()) as { headers: Record<string, string>; body: string };
    expect(echo.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(echo.body).toBe(body);
  });

  it("a body the gateway cannot read as the origin would (other media types, charsets, encodings) is refused before any challenge", async () => {
    const { client: c, secret } = await enrolledUser("user@demo.test");
    await enterPayments(c, secret);
    const path = "/payments/disbursements";
    const before = await originHits(path);
    // No declared type at all: a byte body (a string body would get text/plain from fetch).
    const attempts: Array<[Record<string, string>, string | Uint8Array]> = [
      [{ "content-type": "text/plain" }, SMUGGLED],
      [{ "content-type": "multipart/form-data; boundary=x" }, '--x\r\nContent-Disposition: form-data; name="amount"\r\n\r\n125000\r\n--x--'],
      [{ "content-type": "application/vnd.api+json" }, SMUGGLED],
      [{ "content-type": "application/json; charset=utf-16le" }, SMUGGLED],
      [{ "content-type": "application/x-www-form-urlencoded; charset=iso-8859-1" }, "amount=1&payee=Acme"],
      [{ "content-type": "application/json", "content-encoding": "gzip" }, SMUGGLED],
      [{ "content-type": "application/json", "content-encoding": "identity, gzip" }, SMUGGLED],
      [{}, new TextEncoder().encode(SMUGGLED)],
    ];
    for (const [headers, body] of attempts) {
      const response = await c.fetch(path, { method: "POST", headers: { ...api, ...headers }, body });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(((await response.json()) as ChallengeBody).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    const listed = (await (await c.fetch("/_stepgate/api/challenges")).json()) as { challenges: unknown[] };
    expect(listed.challenges).toEqual([]);
    expect(await originHits(path)).toBe(before);
  });
});
