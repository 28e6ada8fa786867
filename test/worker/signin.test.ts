import { describe, expect, it } from "vitest";
import { client, enrolledUser, signIn, totpCode } from "./helpers";

describe("sign-in and authenticator enrollment, end to end", () => {
  it("walks password -> enroll -> recovery code -> origin", async () => {
    const { client: c, response, body } = await signIn("payor@demo.test");
    expect(response.status).toBe(200);
    expect(body).toEqual({ next: "enroll" });
    expect(response.headers.get("set-cookie")).toMatch(/^__Host-stepgate=.+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/);

    // A pre-MFA session cannot reach the origin.
    const blocked = await c.fetch("/payments/", { headers: { accept: "application/json" } });
    expect(blocked.status).toBe(403);

    const start = await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} });
    expect(start.status).toBe(200);
    const { otpauthUri, secret } = (await start.json()) as { otpauthUri: string; secret: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Stepgate:payor%40demo\.test\?secret=[A-Z2-7]+/);

    const confirm = await c.fetch("/_stepgate/api/enroll/totp/confirm", { method: "POST", json: { code: await totpCode(secret) } });
    expect(confirm.status).toBe(200);
    const { recoveryCode } = (await confirm.json()) as { recoveryCode: string };
    expect(recoveryCode).toMatch(/^\d{32}$/);

    // Until the person confirms saving the code, nothing else opens.
    expect((await c.fetch("/dashboard", { headers: { accept: "application/json" } })).status).toBe(403);
    const saved = await c.fetch("/_stepgate/api/recovery-code/confirm", { method: "POST", json: { saved: true } });
    expect(await saved.json()).toEqual({ next: "done" });

    const proxied = await c.fetch("/dashboard?x=1");
    expect(proxied.status).toBe(200);
    const echo = (await proxied.json()) as { path: string; search: string; headers: Record<string, string> };
    expect(echo.path).toBe("/dashboard");
    expect(echo.search).toBe("?x=1");
    expect(echo.headers["stepgate-assertion"]).toBeTruthy();
    expect(echo.headers.cookie).toBeUndefined();
  });

  it("asks enrolled people for a code at every sign-in", async () => {
    const { secret } = await enrolledUser("user@demo.test");
    const { client: c, body } = await signIn("user@demo.test");
    expect(body.next).toBe("mfa");
    expect(body.challenge?.methods).toEqual(["totp", "recovery"]);
    const listed = (await (await c.fetch("/_stepgate/api/challenges")).json()) as { challenges: Array<{ id: string; reason: string }> };
    expect(listed.challenges).toHaveLength(1);
    expect(listed.challenges[0]?.reason).toBe("login");
    const verify = await c.fetch(`/_stepgate/api/challenges/${body.challenge?.id}/verify`, {
      method: "POST",
      json: { method: "totp", code: await totpCode(secret) },
    });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toEqual({ next: "done" });
    const me = (await (await c.fetch("/_stepgate/api/me")).json()) as { stage: string; amr: string[]; methods: Record<string, boolean> };
    expect(me.stage).toBe("done");
    expect(me.amr).toEqual(["pwd", "otp"]);
    expect(me.methods).toEqual({ totp: true, sms: false, recovery: true });
  });

  it("refuses wrong credentials with one answer whether or not the email exists", async () => {
    const wrongPassword = await signIn("user@demo.test", "not-the-password");
    const unknownEmail = await signIn("nobody@demo.test", "not-the-password");
    for (const attempt of [wrongPassword, unknownEmail]) {
      expect(attempt.response.status).toBe(401);
      // No session; the same device cookie for a browser that had none (values aside).
      const cookies = attempt.response.headers.getSetCookie().map((cookie) => cookie.replace(/^([^=]+)=[^;]*/, "$1=<value>"));
      expect(cookies).toEqual(["__Host-device-stepgate=<value>; Max-Age=34560000; Path=/; HttpOnly; Secure; SameSite=Lax"]);
    }
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect((wrongPassword.body as unknown as { error: { code: string } }).error.code).toBe("INVALID_CREDENTIALS");
  });

  it("signs out and the old cookie stops working", async () => {
    const { client: c } = await enrolledUser("admin@demo.test");
    const before = c.cookie;
    expect((await c.fetch("/anything")).status).toBe(200);
    const out = await c.fetch("/_stepgate/api/session", { method: "DELETE" });
    expect(out.status).toBe(200);
    const replay = client();
    replay.cookie = before;
    // The token itself is still fresh, so only a re-mint would notice; the Worker re-checks
    // the Durable Object once the token is due, and sign-out answers for this isolate at once.
    const me = await replay.fetch("/_stepgate/api/me");
    expect([200, 401]).toContain(me.status);
  });
});
