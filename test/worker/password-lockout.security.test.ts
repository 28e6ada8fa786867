/**
 * The review's finding (issue #12, Medium): wrong passwords sent as each wait ends kept the right
 * password refused for everyone. Now a browser that completed a sign-in before (a known device,
 * told by its device cookie) has its own budget that strangers' failures never touch, while every
 * other browser shares one per-account budget (docs/decisions/0003, 0017). The rule's numbers are
 * written here as literals: 20 outstanding failures for unknown browsers, 10 per known browser,
 * one forgotten every 15 minutes, the owner told at 20 strangers' failures at most every 6 hours.
 * Time is injected by calling the account's Durable Object with `nowMs`; HTTP checks run while a
 * full budget is still minutes from having room, so no timing is assumed.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { accountStub, PASSWORD, totpCode } from "./helpers";
import { makeUser, outbox } from "./sms-helpers";
import { browser, completeFirstSignIn, deviceHashOf, forgedDeviceId, signInWith } from "./device-helpers";

const MINUTE = 60_000;
const company = () => env.COMPANY.get(env.COMPANY.idFromName("company:demo-builders"));

/** The audit reasons of `subjectId`'s sign-ins once `expected` shows up (written after the response). */
async function signInReasons(subjectId: string, expected: string): Promise<string[]> {
  let reasons: string[] = [];
  for (let i = 0; i < 40 && !reasons.includes(expected); i++) {
    reasons = (await company().queryAudit({ subjectId, event: "sign_in", limit: 500 })).map((e) => e.reason ?? "");
    if (!reasons.includes(expected)) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return reasons;
}

/** Fills the account's unknown-device budget at `nowMs` (20 wrong passwords from no device). */
async function strangersFill(account: ReturnType<typeof accountStub>, nowMs: number) {
  for (let i = 0; i < 20; i++) expect(await account.signIn(`stranger-${i}`, true, nowMs)).toMatchObject({ ok: false, reason: "invalid_password", device: "unknown" });
  expect(await account.signIn("stranger-more", true, nowMs)).toMatchObject({ ok: false, reason: "throttled", device: "unknown" });
}

describe("the review's lockout attack", () => {
  it("wrong passwords sent as each wait ends, for twelve hours: a known browser's right password is never refused, a new browser's is", async () => {
    const { id } = await makeUser("standard", "lockout");
    const account = accountStub(id);
    const known = await deviceHashOf(forgedDeviceId());
    const startMs = Date.now();
    let nowMs = startMs;
    // A completed sign-in (no second factor needed here) makes the browser known.
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: true, session: { stage: "done" } });
    let evaluated = 0;
    let ownerChecks = 0;
    const endMs = nowMs + 12 * 60 * MINUTE;
    // Bounded: a throttle that never refuses would otherwise loop until the test times out.
    while (nowMs < endMs && evaluated <= 20 + 49) {
      const attempt = await account.signIn(`guess-${evaluated}`, false, nowMs);
      if (!attempt.ok && attempt.reason === "throttled") {
        // The attack of the finding: the next guess exactly when the wait ends. Meanwhile the owner
        // signs in from the known browser.
        expect(await account.signIn(PASSWORD, false, nowMs, known), `owner at +${Math.round((nowMs - startMs) / MINUTE)} min`).toMatchObject({ ok: true });
        ownerChecks++;
        expect(attempt.retryAfterSeconds).toBeGreaterThan(0);
        nowMs += attempt.retryAfterSeconds! * 1000;
        continue;
      }
      expect(attempt).toMatchObject({ ok: false, reason: "invalid_password", device: "unknown" });
      evaluated++;
    }
    // Twenty at once, then one a quarter-hour: about 20 + 48 guesses in twelve hours, no more.
    expect(evaluated).toBeGreaterThanOrEqual(20 + 47);
    expect(evaluated).toBeLessThanOrEqual(20 + 49);
    expect(ownerChecks).toBeGreaterThan(45);
    // Still held full by the attack: a new browser's right password waits, the known browser's does not.
    expect(await account.signIn(PASSWORD, false, nowMs - 1, await deviceHashOf(forgedDeviceId()))).toMatchObject({ ok: false, reason: "throttled", device: "unknown" });
    expect(await account.signIn(PASSWORD, false, nowMs - 1, known)).toMatchObject({ ok: true });
  });

  it("over HTTP: the browser that signed in before gets in with the right password; a new browser and a forged device cookie get the generic refusal", async () => {
    const { id, email } = await makeUser("standard", "lockout-http");
    const owner = browser();
    const { secret } = await completeFirstSignIn(owner, email);
    expect(owner.device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    owner.signOutLocally();
    await strangersFill(accountStub(id), Date.now());

    const again = await signInWith(owner, email);
    expect(again.status).toBe(200);
    const { next, challenge } = (await again.json()) as { next: string; challenge: { id: string } };
    expect(next).toBe("mfa");
    // The device cookie is not a credential: the second factor is still asked and needed.
    const verified = await owner.fetch(`/_stepgate/api/challenges/${challenge.id}/verify`, { method: "POST", json: { method: "totp", code: await totpCode(secret) } });
    expect(verified.status).toBe(200);

    for (const [name, stranger] of [["no cookie", browser()], ["forged cookie", browser(forgedDeviceId())]] as const) {
      const refused = await signInWith(stranger, email);
      expect(refused.status, name).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code, name).toBe("INVALID_CREDENTIALS");
      expect(refused.headers.getSetCookie().some((cookie) => cookie.startsWith("__Host-stepgate=")), name).toBe(false);
    }
    expect(await signInReasons(id, "throttled-unknown-device")).toContain("throttled-unknown-device");

    // The sign-in page (form) follows the same rule.
    const form = (b: ReturnType<typeof browser>) =>
      b.fetch("/_stepgate/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `email=${encodeURIComponent(email)}&password=${PASSWORD}&next=%2F` });
    owner.signOutLocally();
    const ownerForm = await form(owner);
    expect(ownerForm.status).toBe(303);
    expect(ownerForm.headers.get("location")).toContain("/_stepgate/challenge");
    expect((await form(browser())).status).toBe(401);
  });

  it("a browser becomes known only when its sign-in completes, not at the password step", async () => {
    const { id, email } = await makeUser("standard", "lockout-half");
    const halfway = browser();
    const first = await signInWith(halfway, email);
    expect(((await first.json()) as { next: string }).next).toBe("enroll"); // stopped before enrolling
    halfway.signOutLocally();
    await strangersFill(accountStub(id), Date.now());
    expect((await signInWith(halfway, email)).status).toBe(401);
  });

  it("a malformed device cookie counts as none: unknown budget, and a fresh cookie is set", async () => {
    const { id, email } = await makeUser("standard", "lockout-malformed");
    await strangersFill(accountStub(id), Date.now());
    for (const bad of ["x", "A".repeat(42), "A".repeat(44), `${"A".repeat(42)}=`, `${"A".repeat(42)}.`]) {
      const b = browser(bad);
      const response = await signInWith(b, email);
      expect(response.status, bad).toBe(401);
      expect(b.device, bad).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(b.device, bad).not.toBe(bad);
    }
  });
});

describe("budgets per known browser and per account", () => {
  it("a known browser's own wrong passwords use its own budget of 10, counted in full in a concurrent burst; strangers' budget is untouched", async () => {
    const { id } = await makeUser("standard", "own-budget");
    const account = accountStub(id);
    const known = await deviceHashOf(forgedDeviceId());
    const nowMs = Date.now();
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: true });
    const burst = await Promise.all(Array.from({ length: 15 }, (_, i) => account.signIn(`typo-${i}`, false, nowMs, known)));
    expect(burst.filter((r) => !r.ok && r.reason === "invalid_password" && r.device === "known")).toHaveLength(10);
    expect(burst.filter((r) => !r.ok && r.reason === "throttled" && r.device === "known")).toHaveLength(5);
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: false, reason: "throttled", device: "known", retryAfterSeconds: 900 });
    // A new browser still has the account's full unknown budget (and its right password works).
    expect(await account.signIn(PASSWORD, false, nowMs)).toMatchObject({ ok: true });
    // Fifteen minutes on, the known browser has room for one: the right password empties its bucket.
    expect(await account.signIn(PASSWORD, false, nowMs + 15 * MINUTE, known)).toMatchObject({ ok: true });
    const after = await Promise.all(Array.from({ length: 12 }, (_, i) => account.signIn(`typo-again-${i}`, false, nowMs + 15 * MINUTE, known)));
    expect(after.filter((r) => !r.ok && r.reason === "invalid_password")).toHaveLength(10);
  });

  it("a concurrent burst from unknown browsers is counted in full and never spills into a known browser's budget", async () => {
    const { id } = await makeUser("standard", "burst-split");
    const account = accountStub(id);
    const known = await deviceHashOf(forgedDeviceId());
    const nowMs = Date.now();
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: true });
    const forged = await Promise.all(Array.from({ length: 5 }, () => deviceHashOf(forgedDeviceId())));
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => account.signIn(`burst-${i}`, false, nowMs, i % 8 === 0 ? undefined : forged[i % 5])));
    expect(burst.filter((r) => !r.ok && r.reason === "invalid_password")).toHaveLength(20);
    expect(burst.every((r) => !r.ok && r.device === "unknown")).toBe(true);
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: true });
  });

  it("failures decay: one attempt more every 15 minutes, the whole budget back after 5 hours", async () => {
    const { id } = await makeUser("standard", "decay");
    const account = accountStub(id);
    const nowMs = Date.now();
    await strangersFill(account, nowMs);
    expect(await account.signIn(PASSWORD, false, nowMs + 15 * MINUTE - 1000)).toMatchObject({ ok: false, reason: "throttled", retryAfterSeconds: 1 });
    expect(await account.signIn("wrong", false, nowMs + 15 * MINUTE)).toMatchObject({ ok: false, reason: "invalid_password" });
    expect(await account.signIn("wrong", false, nowMs + 15 * MINUTE)).toMatchObject({ ok: false, reason: "throttled" });
    const later = nowMs + 15 * MINUTE + 5 * 60 * MINUTE;
    const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => account.signIn(`later-${i}`, false, later)));
    expect(burst.filter((r) => !r.ok && r.reason === "invalid_password")).toHaveLength(20);
  });

  it("at most 20 browsers are remembered: the one that signed in longest ago is forgotten", async () => {
    const { id } = await makeUser("standard", "many-devices");
    const account = accountStub(id);
    const nowMs = Date.now();
    const hashes = await Promise.all(Array.from({ length: 21 }, () => deviceHashOf(forgedDeviceId())));
    for (const [i, hash] of hashes.entries()) expect(await account.signIn(PASSWORD, false, nowMs + i * 1000, hash)).toMatchObject({ ok: true });
    await strangersFill(account, nowMs + 30_000);
    expect(await account.signIn(PASSWORD, false, nowMs + 30_000, hashes[0])).toMatchObject({ ok: false, reason: "throttled", device: "unknown" });
    for (const hash of hashes.slice(1)) expect(await account.signIn(PASSWORD, false, nowMs + 30_000, hash)).toMatchObject({ ok: true });
  });
});

describe("an admin MFA reset", () => {
  it("forgets the known browsers (a lost device's browser gets no budget of its own) and keeps strangers' budget full", async () => {
    const { id } = await makeUser("standard", "reset-devices");
    const account = accountStub(id);
    const known = await deviceHashOf(forgedDeviceId());
    const nowMs = Date.now();
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: true });
    await strangersFill(account, nowMs);
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: true });
    await account.resetMfa();
    expect(await account.signIn(PASSWORD, false, nowMs, known)).toMatchObject({ ok: false, reason: "throttled", device: "unknown" });
  });
});

describe("the owner's notice", () => {
  it("a concurrent burst of strangers' failures marks the notice exactly once", async () => {
    const { id } = await makeUser("standard", "notice-burst");
    const account = accountStub(id);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => account.signIn(`burst-${i}`, false, Date.now())));
    expect(results.filter((r) => !r.ok && r.noticeOwner)).toHaveLength(1);
  });

  it("is emailed once when strangers reach 20 failures, holds nothing secret, and is not repeated within hours", async () => {
    const { email } = await makeUser("standard", "notice");
    const guesses = Array.from({ length: 26 }, (_, i) => `guess-${i}-secret-${crypto.randomUUID()}`);
    const devices: string[] = [];
    for (const [i, guess] of guesses.entries()) {
      const b = browser();
      const response = await signInWith(b, email, guess);
      expect(response.status).toBe(401);
      devices.push(b.device ?? "");
      if (i === 18) expect(await noticesTo(email, 0)).toHaveLength(0); // 19 failures: not yet
    }
    const notices = await noticesTo(email, 1);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain("wrong passwords");
    for (const secret of [...guesses, ...devices, PASSWORD]) expect(notices[0]!.text).not.toContain(secret);
    // Six more failures (26 in all): still one notice.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await noticesTo(email, 1)).toHaveLength(1);
  });
});

/** Emails to `email` about strangers' wrong passwords, once at least `atLeast` arrived (sent after the response). */
async function noticesTo(email: string, atLeast: number) {
  let found: Awaited<ReturnType<typeof outbox>> = [];
  for (let i = 0; i < 40; i++) {
    found = (await outbox()).filter((m) => m.channel === "email" && m.to === email && m.text.includes("wrong passwords"));
    if (found.length >= atLeast) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return found;
}
