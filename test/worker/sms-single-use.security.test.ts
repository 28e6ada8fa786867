/**
 * An SMS code is single use in storage, not only through its binding: once it passed, its hash is
 * gone from the account object (enrollment and a sign-in challenge), so no later path that reaches
 * the same binding could accept it again.
 */
import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { AccountDO } from "../../worker/do/account";
import { accountStub, PASSWORD } from "./helpers";
import { freshUsNumber, makeUser } from "./sms-helpers";

const NOW_MS = Date.UTC(2026, 11, 1, 9, 0, 0);

function pendingSmsKeys(account: ReturnType<typeof accountStub>): Promise<string[]> {
  return runInDurableObject(account as unknown as DurableObjectStub<AccountDO>, (_instance, state) => [...state.storage.kv.list({ prefix: "sms_code:" })].map(([key]) => key));
}

it("a code that passed enrollment or a sign-in challenge is deleted at once", async () => {
  const { id } = await makeUser("standard");
  const account = accountStub(id);
  const first = await account.signIn(PASSWORD, true, NOW_MS);
  if (!first.ok) throw new Error("sign-in failed");
  const enrollSent = await account.beginSmsEnrollment(first.session.sid, { e164: freshUsNumber(), country: "US" }, NOW_MS);
  if (!enrollSent.ok) throw new Error(`send refused: ${enrollSent.reason}`);
  expect(await pendingSmsKeys(account)).toEqual([`sms_code:enroll:${first.session.sid}`]);
  expect(await account.confirmSmsEnrollment(first.session.sid, enrollSent.code, NOW_MS)).toMatchObject({ ok: true });
  expect(await pendingSmsKeys(account)).toEqual([]);

  const later = NOW_MS + 60_000;
  const second = await account.signIn(PASSWORD, true, later);
  if (!second.ok || !second.challenge) throw new Error("expected a challenge");
  const sent = await account.sendChallengeSms(second.session.sid, second.challenge.id, later);
  if (!sent.ok) throw new Error(`send refused: ${sent.reason}`);
  expect(await pendingSmsKeys(account)).toEqual([`sms_code:challenge:${second.challenge.id}`]);
  expect(await account.verifyChallenge(second.session.sid, second.challenge.id, "sms", sent.code, later)).toMatchObject({ ok: true, next: "done" });
  expect(await pendingSmsKeys(account)).toEqual([]);
});
