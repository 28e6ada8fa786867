/**
 * The wire schemas shared by the Worker and the extension (shared/protocol.ts, shared/claims.ts):
 * what each accepts and refuses, written from docs/API.md. A change here is a breaking API change.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { AMR_BY_METHOD, ORIGIN_ASSERTION_HEADER, ORIGIN_TOKEN_TYP, OriginClaims, SESSION_TOKEN_TYP, SessionClaims, TOKEN_ALGORITHM } from "../../shared/claims";
import {
  CHALLENGE_AUTH_SCHEME,
  CHALLENGE_REASONS,
  ChallengeSchema,
  ChallengeStatusResponse,
  ChallengesResponse,
  CodeRequest,
  ErrorResponse,
  GRANT_HEADER,
  METHODS,
  NEXT_STEPS,
  SavedRecoveryCodeRequest,
  SignInRequest,
  SignInResponse,
  VerifyRequest,
  VerifyResponse,
} from "../../shared/protocol";

const ok = (schema: v.GenericSchema, value: unknown) => v.safeParse(schema, value).success;
const ID = "abcdefghijklmnop"; // 16 characters, the shortest id

describe("protocol vocabulary", () => {
  it("names the documented reasons, methods, steps and headers", () => {
    expect(CHALLENGE_REASONS).toEqual(["login", "payments_entry", "sensitive_action", "idle"]);
    expect(METHODS).toEqual(["totp", "sms", "recovery"]);
    expect(NEXT_STEPS).toEqual(["mfa", "enroll", "save_recovery_code", "done"]);
    expect([GRANT_HEADER, CHALLENGE_AUTH_SCHEME]).toEqual(["Stepgate-Grant", "Stepgate"]);
  });
});

describe("requests", () => {
  it("sign-in: an email (trimmed) and a password, nothing else", () => {
    expect(v.parse(SignInRequest, { email: "  user@demo.test ", password: "p" })).toEqual({ email: "user@demo.test", password: "p" });
    expect(ok(SignInRequest, { email: `${"a".repeat(244)}@demo.test`, password: "p".repeat(1024) })).toBe(true);
    for (const bad of [
      { email: "user@demo.test" },
      { email: "user@demo.test", password: "" },
      { email: "user@demo.test", password: "p".repeat(1025) },
      { email: "not-an-email", password: "p" },
      { email: `${"a".repeat(245)}@demo.test`, password: "p" },
      { email: "user@demo.test", password: "p", extra: true },
    ]) expect(ok(SignInRequest, bad), JSON.stringify(bad).slice(0, 60)).toBe(false);
  });

  it("verify: a known method and a code of 1 to 64 characters", () => {
    for (const method of METHODS) expect(ok(VerifyRequest, { method, code: "123456" })).toBe(true);
    expect(ok(VerifyRequest, { method: "totp", code: "1".repeat(64) })).toBe(true);
    for (const bad of [{ method: "email", code: "1" }, { method: "totp", code: "" }, { method: "totp", code: "1".repeat(65) }, { method: "totp", code: 123456 }, { method: "totp", code: "1", x: 1 }]) {
      expect(ok(VerifyRequest, bad)).toBe(false);
    }
  });

  it("code and saved-code bodies", () => {
    expect(ok(CodeRequest, { code: "1" })).toBe(true);
    expect(ok(CodeRequest, { code: "" })).toBe(false);
    expect(ok(CodeRequest, { code: "1".repeat(65) })).toBe(false);
    expect(ok(SavedRecoveryCodeRequest, { saved: true })).toBe(true);
    expect(ok(SavedRecoveryCodeRequest, { saved: false })).toBe(false);
    expect(ok(SavedRecoveryCodeRequest, {})).toBe(false);
  });
});

describe("responses", () => {
  const challenge = { id: ID, reason: "sensitive_action", action: { summary: "Pay", method: "POST", path: "/payments/x" }, methods: ["totp", "recovery"], expiresAt: 1_800_000_000 };

  it("a challenge: an id of 16-64 URL-safe characters, a known reason and methods, an integer expiry", () => {
    expect(ok(ChallengeSchema, challenge)).toBe(true);
    expect(ok(ChallengeSchema, { ...challenge, id: "A-_9".repeat(16) })).toBe(true);
    for (const reason of CHALLENGE_REASONS) expect(ok(ChallengeSchema, { ...challenge, reason })).toBe(true);
    for (const bad of [{ id: ID.slice(1) }, { id: "a".repeat(65) }, { id: `${ID.slice(1)}.` }, { reason: "other" }, { methods: ["email"] }, { expiresAt: 1.5 }, { expiresAt: "1" }]) {
      expect(ok(ChallengeSchema, { ...challenge, ...bad }), JSON.stringify(bad)).toBe(false);
    }
    expect(ok(ChallengesResponse, { challenges: [challenge] })).toBe(true);
  });

  it("sign-in and verify answers name the next step", () => {
    for (const next of [...NEXT_STEPS, "sso"]) expect(ok(SignInResponse, { next })).toBe(true);
    expect(ok(SignInResponse, { next: "other" })).toBe(false);
    expect(ok(VerifyResponse, { next: "done", grant: "g" })).toBe(true);
    expect(ok(VerifyResponse, { next: "sso" })).toBe(false);
  });

  it("a challenge's status: pending with the challenge, or passed with a well-formed grant", () => {
    expect(ok(ChallengeStatusResponse, { status: "pending", challenge })).toBe(true);
    expect(ok(ChallengeStatusResponse, { status: "passed", grant: ID })).toBe(true);
    expect(ok(ChallengeStatusResponse, { status: "passed", grant: "short" })).toBe(false);
    expect(ok(ChallengeStatusResponse, { status: "passed", grant: `${ID}!` })).toBe(false);
    expect(ok(ChallengeStatusResponse, { status: "pending" })).toBe(false);
    expect(ok(ChallengeStatusResponse, { status: "done", grant: ID })).toBe(false);
  });

  it("an error: an UPPER_SNAKE code and a message", () => {
    expect(ok(ErrorResponse, { error: { code: "INVALID_CODE", message: "m", retryAfterSeconds: 3 } })).toBe(true);
    expect(ok(ErrorResponse, { error: { code: "TOO_MANY_ATTEMPTS2", message: "m" } })).toBe(true);
    for (const code of ["invalid_code", "_X", "1X", "X-Y", "X Y", " X", "X "]) expect(ok(ErrorResponse, { error: { code, message: "m" } }), code).toBe(false);
  });
});

describe("token claims", () => {
  const now = 1_800_000_000;
  const session = { iss: "https://gateway.test", aud: "stepgate:session", sub: "u1", sid: "s".repeat(22), stg: "done", email: "user@demo.test", role: "standard", cid: "c1", amr: ["pwd", "otp"], auth_time: now, iat: now, exp: now + 300 };

  it("pins the token types, the algorithm and the header name", () => {
    expect([SESSION_TOKEN_TYP, ORIGIN_TOKEN_TYP, TOKEN_ALGORITHM, ORIGIN_ASSERTION_HEADER]).toEqual(["stepgate-session+jwt", "stepgate-origin+jwt", "EdDSA", "Stepgate-Assertion"]);
    expect(AMR_BY_METHOD).toEqual({ totp: "otp", sms: "sms", recovery: "rec" });
  });

  it("a session: every role and step, optional MFA time and payments mark", () => {
    expect(ok(SessionClaims, session)).toBe(true);
    for (const role of ["standard", "company_admin", "payor", "payee_admin"]) expect(ok(SessionClaims, { ...session, role })).toBe(true);
    for (const stg of NEXT_STEPS) expect(ok(SessionClaims, { ...session, stg })).toBe(true);
    expect(ok(SessionClaims, { ...session, mfa_at: now, pay: 1 })).toBe(true);
    expect(ok(SessionClaims, { ...session, sub: "u".repeat(64), sid: "s".repeat(64) })).toBe(true);
    for (const bad of [{ role: "admin" }, { stg: "sso" }, { sub: "" }, { sub: "u".repeat(65) }, { sid: "s".repeat(21) }, { sid: "s".repeat(65) }, { sid: `${"s".repeat(21)}.` }, { pay: 2 }, { mfa_at: -1 }, { iat: 1.5 }, { exp: "1" }]) {
      expect(ok(SessionClaims, { ...session, ...bad }), JSON.stringify(bad)).toBe(false);
    }
  });

  it("an origin assertion: the person, the session, and optional MFA, payments and grant facts", () => {
    const origin = { iss: "https://gateway.test", aud: "https://origin.test", sub: "u1", sid: "s1", jti: "j", email: "user@demo.test", role: "payor", company: "c1", amr: ["pwd"], auth_time: now, iat: now, exp: now + 120 };
    expect(ok(OriginClaims, origin)).toBe(true);
    expect(ok(OriginClaims, { ...origin, mfa_at: now, pay_at: now, grant: "g" })).toBe(true);
    for (const bad of [{ role: "support" }, { pay_at: -1 }, { grant: 1 }, { amr: "pwd" }, { jti: undefined }]) expect(ok(OriginClaims, { ...origin, ...bad }), JSON.stringify(bad)).toBe(false);
  });
});
