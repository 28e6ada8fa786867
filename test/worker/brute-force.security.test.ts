/**
 * Brute force up to the lock, for what attempts.security.test.ts does not already drive there:
 * passwords from unknown browsers (a concurrent burst counted in full, the wait exact, the generic
 * HTTP answer with the precise reason audited; known browsers and the review's lockout attack are
 * in password-lockout.security.test.ts), second-factor
 * guesses spread over methods (one counter, one wait), and recovery codes guessed until the
 * recovery factor is disabled. Time is injected by calling the account's Durable Object with
 * `nowMs`; HTTP checks leave a wait of a minute or more, so no timing is assumed.
 */
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FACTOR_DISABLE_AFTER, waitSecondsAfter } from "../../worker/domain/throttle";
import { accountStub, enrolledUser, GATEWAY, PASSWORD, signIn, totpCode, verify } from "./helpers";
import { makeUser } from "./sms-helpers";

const wrongRecovery = (n: number) => String(n).padStart(32, "7");

describe("password guessing", () => {
  // The rule's numbers (docs/decisions/0003): 20 outstanding failures for every unknown browser
  // together, one forgotten every 15 minutes. Known browsers: password-lockout.security.test.ts.
  it("a concurrent burst of wrong passwords is counted in full: twenty are evaluated, the rest wait", async () => {
    const { id } = await makeUser("standard", "pw-burst");
    const account = accountStub(id);
    const nowMs = Date.now();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => account.signIn(`wrong-${i}`, true, nowMs)));
    expect(results.filter((r) => !r.ok && r.reason === "invalid_password")).toHaveLength(20);
    expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(10);
    // The right password from an unknown browser is refused too until one failure has leaked away.
    expect(await account.signIn(PASSWORD, true, nowMs + 15 * 60_000 - 1)).toMatchObject({ ok: false, reason: "throttled", device: "unknown", retryAfterSeconds: 1 });
    expect(await account.signIn(PASSWORD, true, nowMs + 15 * 60_000)).toMatchObject({ ok: true });
  });

  it("while unknown browsers must wait, the right password gets the generic refusal (no account probing), no session; the audit log says why", async () => {
    const { id, email } = await makeUser("standard", "pw-wait");
    const account = accountStub(id);
    const nowMs = Date.now();
    for (let failures = 1; failures <= 20; failures++) {
      expect(await account.signIn("wrong", true, nowMs)).toMatchObject({ ok: false, reason: "invalid_password", device: "unknown" });
    }
    const response = await SELF.fetch(`${GATEWAY}/_stepgate/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: GATEWAY }, body: JSON.stringify({ email, password: PASSWORD }) });
    // The same answer as a wrong password or an unknown email: a throttle must not confirm an account.
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("INVALID_CREDENTIALS");
    expect(response.headers.get("retry-after")).toBeNull();
    expect(response.headers.getSetCookie().filter((cookie) => cookie.startsWith("__Host-stepgate="))).toEqual([]);
    let reasons: string[] = [];
    for (let i = 0; i < 40 && !reasons.includes("throttled-unknown-device"); i++) {
      reasons = (await env.COMPANY.get(env.COMPANY.idFromName("company:demo-builders")).queryAudit({ subjectId: id, event: "sign_in" })).map((e) => e.reason ?? "");
      if (!reasons.includes("throttled-unknown-device")) await new Promise((resolve) => setTimeout(resolve, 25)); // written after the response
    }
    expect(reasons).toContain("throttled-unknown-device");
    await runInDurableObject(account, async (_instance, state) => {
      expect([...state.storage.kv.list({ prefix: "session:" })]).toHaveLength(0);
    });
  });
});

describe("second-factor guessing across methods", () => {
  it("wrong recovery codes and wrong app codes share one counter: the right code waits too", async () => {
    const { secret } = await enrolledUser("payee@demo.test");
    const account = accountStub("demo-payee");
    const { client: c, challengeId } = await (async () => {
      const { client, body } = await signIn("payee@demo.test");
      return { client, challengeId: body.challenge!.id };
    })();
    const { sid } = JSON.parse(atob(c.cookie!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string };
    let nowMs = Date.now();
    for (let failures = 1; failures <= 10; failures++) {
      const method = failures % 2 ? "recovery" : "totp";
      const code = method === "recovery" ? wrongRecovery(failures) : String((Number(await totpCode(secret, nowMs)) + 1) % 1_000_000).padStart(6, "0");
      expect(await account.verifyChallenge(sid, challengeId, method, code, nowMs)).toMatchObject({ ok: false, reason: "mismatch" });
      if (failures < 10) nowMs += waitSecondsAfter(failures) * 1000;
    }
    for (const [method, code] of [["totp", await totpCode(secret)], ["recovery", "1".repeat(32)]] as const) {
      const response = await verify(c, challengeId, method, code);
      expect(response.status, method).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(30);
    }
    expect(await account.consecutiveFailures()).toBe(10); // refused unevaluated: not counted again
  });

  it(`recovery codes guessed ${FACTOR_DISABLE_AFTER} times in a row disable the recovery code, even the right one`, async () => {
    const { recoveryCode } = await enrolledUser("admin@demo.test");
    const account = accountStub("demo-admin");
    let nowMs = Date.now() + 60_000;
    let signedIn = await account.signIn(PASSWORD, true, nowMs);
    for (let failures = 1; failures <= FACTOR_DISABLE_AFTER; failures++) {
      if (!signedIn.ok || !signedIn.challenge) throw new Error("expected a challenge");
      const result = await account.verifyChallenge(signedIn.session.sid, signedIn.challenge.id, "recovery", wrongRecovery(failures), nowMs);
      expect(result).toMatchObject({ ok: false, reason: "mismatch" });
      nowMs += waitSecondsAfter(failures) * 1000;
      signedIn = await account.signIn(PASSWORD, true, nowMs); // keeps a live challenge while time runs on
    }
    if (!signedIn.ok || !signedIn.challenge) throw new Error("expected a challenge");
    expect(await account.describeFactors()).toMatchObject({ recovery: { disabled: true }, totp: { disabled: false } });
    expect(signedIn.challenge.methods).not.toContain("recovery");
    const right = await account.verifyChallenge(signedIn.session.sid, signedIn.challenge.id, "recovery", recoveryCode, nowMs);
    expect(right).toMatchObject({ ok: false, reason: "method_unavailable" });
  });
});
