/**
 * The admin page and its forms (same rules as the JSON API), and the early-enrollment notice
 * shown after a page sign-in before the company's deadline.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addMember, forgeSessionToken, putSettings } from "./admin-helpers";
import { client, enrolledUser, PASSWORD, signIn, totpCode, verify, type Client } from "./helpers";

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

let admin: Client;
let adminSecret: string;
beforeAll(async () => {
  ({ client: admin, secret: adminSecret } = await enrolledUser("admin@demo.test"));
});

describe("the admin page", () => {
  it("shows settings, the directory with counts, the reset form and the audit log", async () => {
    const response = await admin.fetch("/_stepgate/admin");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<h1>Company administration</h1>");
    expect(html).toMatch(/id="requireMfa" name="requireMfa" value="yes" checked/);
    expect(html).toContain('value="2026-01-01"');
    expect(html).toContain("Enforced since 00:00 on 2026-01-01 in America/New_York (2026-01-01 05:00 UTC)");
    expect(html).toMatch(/1 of 4 active people have two-factor authentication/);
    expect(html).toContain("I have verified the user&#39;s request");
    expect(html).toContain("Payments: payee admin");
    expect(html).toContain("<h2 id=\"audit-h\">Audit log</h2>");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("saves settings from the form, and refuses a bad date or zone with 400 leaving them unchanged", async () => {
    const bad = await admin.fetch("/_stepgate/admin/settings", form({ requireMfa: "yes", deadline: "2026-02-31", timeZone: "America/New_York" }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Nothing was changed");
    const badZone = await admin.fetch("/_stepgate/admin/settings", form({ requireMfa: "yes", deadline: "2026-03-01", timeZone: "Nowhere/Town" }));
    expect(badZone.status).toBe(400);
    expect(await env.KV.get("company:demo-builders", "json")).toMatchObject({ deadline: "2026-01-01", timeZone: "America/New_York" });
    const ok = await admin.fetch("/_stepgate/admin/settings", form({ requireMfa: "yes", deadline: "2026-02-01", timeZone: "Europe/Paris" }));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Settings saved");
    expect(await env.KV.get("company:demo-builders", "json")).toMatchObject({ requireMfa: true, deadline: "2026-02-01", timeZone: "Europe/Paris" });
  });

  it("resets with the tick and refuses without it; deactivates and reactivates", async () => {
    await enrolledUser("user@demo.test");
    const unticked = await admin.fetch("/_stepgate/admin/reset-mfa", form({ email: "user@demo.test" }));
    expect(unticked.status).toBe(400);
    const payments = await admin.fetch("/_stepgate/admin/reset-mfa", form({ email: "payor@demo.test", verified: "yes" }));
    expect(payments.status).toBe(403);
    expect(await payments.text()).toContain("payments support");
    const reset = await admin.fetch("/_stepgate/admin/reset-mfa", form({ email: "user@demo.test", verified: "yes" }));
    expect(reset.status).toBe(200);
    expect(await reset.text()).toContain("Two-factor authentication for user@demo.test was reset");
    const off = await admin.fetch("/_stepgate/admin/users/demo-user/deactivate", form({}));
    expect(await off.text()).toContain("user@demo.test was deactivated");
    const on = await admin.fetch("/_stepgate/admin/users/demo-user/reactivate", form({}));
    expect(on.status).toBe(200);
  });

  it("filters the audit table", async () => {
    const html = await (await admin.fetch("/_stepgate/admin?event=mfa_reset&subject=user%40demo.test")).text();
    const rows = html.split("<h2 id=\"audit-h\">")[1]!.match(/<tr><td>/g) ?? [];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(html.split("<h2 id=\"audit-h\">")[1]).not.toContain("settings_changed</td>");
  });

  it("refuses cross-site forms, sends signed-out people to sign-in, and explains missing permissions", async () => {
    const crossSite = await admin.fetch("/_stepgate/admin/reset-mfa", { ...form({ email: "user@demo.test", verified: "yes" }), headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.test" } });
    expect(crossSite.status).toBe(403);
    const anonymous = await client().fetch("/_stepgate/admin");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/_stepgate/login?next=%2F_stepgate%2Fadmin");
    await addMember({ id: "no-perm", email: "noperm@demo.test", role: "company_admin" });
    const { client: noPerm } = await enrolledUser("noperm@demo.test");
    const denied = await noPerm.fetch("/_stepgate/admin");
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain("both the company-admin and the directory permission");
  });
});

describe("the early-enrollment notice", () => {
  it("before the deadline: sign-in shows the deadline with Set up now / Remind me later; early enrollment works", async () => {
    await putSettings(admin, { requireMfa: true, deadline: "2099-06-01", timeZone: "Asia/Tokyo" });
    await addMember({ id: "early", email: "early@demo.test" });
    const c = client();
    const login = await c.fetch("/_stepgate/login", form({ email: "early@demo.test", password: PASSWORD, next: "/projects" }));
    expect(login.headers.get("location")).toBe("/_stepgate/mfa-notice?next=%2Fprojects");
    const notice = await c.fetch("/_stepgate/mfa-notice?next=%2Fprojects");
    const html = await notice.text();
    expect(html).toContain("<strong>2099-06-01</strong> (midnight, Asia/Tokyo; 2099-05-31 15:00 UTC)");
    expect(html).toContain('href="/_stepgate/enroll/select?next=%2Fprojects"');
    expect(html).toMatch(/href="\/projects">\s*Remind me later/);
    expect((await c.fetch("/projects")).status).toBe(200); // dismissed: the origin is reachable
    const start = await c.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} });
    expect(start.status).toBe(200); // may enroll early
  });

  it("goes straight on for people with a factor and when the company does not require MFA", async () => {
    const { client: enrolled } = await enrolledUser("early@demo.test");
    expect((await enrolled.fetch("/_stepgate/mfa-notice?next=%2Fx")).headers.get("location")).toBe("/x");
    await putSettings(admin, { requireMfa: false, deadline: null, timeZone: "UTC" });
    await addMember({ id: "relaxed", email: "relaxed@demo.test" });
    const c = client();
    await c.fetch("/_stepgate/login", form({ email: "relaxed@demo.test", password: PASSWORD, next: "/y" }));
    expect((await c.fetch("/_stepgate/mfa-notice?next=%2Fy")).headers.get("location")).toBe("/y");
    await putSettings(admin, { requireMfa: true, deadline: "2026-01-01", timeZone: "America/New_York" });
  });
});

describe("a stale second factor (runs last: re-verifying signs the admin out)", () => {
  it("offers Verify it's you: a code in this session opens the admin page again, without signing in", async () => {
    // A second admin session of its own (the shared one must stay as it is for the next test).
    const { client: second, body } = await signIn("admin@demo.test");
    expect((await verify(second, body.challenge!.id, "totp", await totpCode(adminSecret))).status).toBe(200);
    const stale = client();
    stale.cookie = `__Host-stepgate=${await forgeSessionToken(second, { mfa_at: Math.floor(Date.now() / 1000) - 700 })}`;
    const denied = await stale.fetch("/_stepgate/admin");
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('href="/_stepgate/settings/verify?then=admin"');
    const page = await (await stale.fetch("/_stepgate/settings/verify?then=admin")).text();
    expect(page).toContain("Company administration needs a second factor from the last 10 minutes.");
    expect(page).toContain('name="then" value="admin"');

    const wrong = await stale.fetch("/_stepgate/settings/verify", form({ then: "admin", method: "totp", code: "000000" }));
    expect(wrong.status).toBe(401);
    expect((await stale.fetch("/_stepgate/admin")).status).toBe(403); // still stale
    const passed = await stale.fetch("/_stepgate/settings/verify", form({ then: "admin", method: "totp", code: await totpCode(adminSecret, Date.now() + 30_000) }));
    expect(passed.status).toBe(303);
    expect(passed.headers.get("location")).toBe("/_stepgate/admin");
    expect((await stale.fetch("/_stepgate/admin")).status).toBe(200);
  });

  it("shows Verify again, which signs out and comes back through sign-in", async () => {
    const stale = client();
    stale.cookie = `__Host-stepgate=${await forgeSessionToken(admin, { mfa_at: Math.floor(Date.now() / 1000) - 700 })}`;
    const page = await stale.fetch("/_stepgate/admin");
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("Verify again");
    const reverify = await stale.fetch("/_stepgate/admin/reverify", form({}));
    expect(reverify.headers.get("location")).toBe("/_stepgate/login?next=%2F_stepgate%2Fadmin");
    expect((await admin.fetch("/_stepgate/api/admin/settings")).status).toBe(401);
  });
});
