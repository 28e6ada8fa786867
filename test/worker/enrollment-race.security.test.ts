/** A session opened before the person enrolled cannot take over the account later. */
import { describe, expect, it } from "vitest";
import { enrolledUser, signIn } from "./helpers";

describe("enrollment races", () => {
  it("a session opened before the person enrolled cannot enroll a second app with the password alone", async () => {
    const early = await signIn("user@demo.test"); // next: enroll — no factor yet
    expect(early.body.next).toBe("enroll");
    await enrolledUser("user@demo.test"); // the owner enrolls in another session
    const takeover = await early.client.fetch("/_stepgate/api/enroll/totp", { method: "POST", json: {} });
    expect(takeover.status).toBe(403);
    expect(((await takeover.json()) as { error: { code: string } }).error.code).toBe("NOT_ALLOWED");
  });
});
