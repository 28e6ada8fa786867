/**
 * The 100-failure cap counts each method's own consecutive failures (docs/decisions/0003): guesses
 * spread over the app and the recovery code do not disable either until one method alone reaches
 * 100, and then only that one. Literals pinned from the decision: 100, 4 free failures, waits
 * doubling from 1 s to 15 minutes.
 */
import { expect, it } from "vitest";
import { decodeBase32 } from "../../shared/base32";
import { generateTotp } from "../../shared/totp";
import { accountStub, PASSWORD } from "./helpers";
import { makeUser } from "./sms-helpers";

const CAP = 100;
const waitMsAfter = (failures: number) => (failures <= 4 ? 0 : Math.min(2 ** (failures - 5), 900) * 1000);
const wrongRecovery = (n: number) => String(n).padStart(32, "7");

it("failures of two methods add up to waits, but each method is disabled only by its own 100", async () => {
  const { id } = await makeUser("standard", "cap-per-method");
  const account = accountStub(id);
  let nowMs = Date.UTC(2026, 11, 1, 9, 0, 0);
  const first = await account.signIn(PASSWORD, true, nowMs);
  if (!first.ok) throw new Error("sign-in failed");
  const begun = await account.beginTotpEnrollment(first.session.sid, nowMs);
  if (!begun.ok) throw new Error("set-up refused");
  const secret = decodeBase32(begun.secret) ?? new Uint8Array();
  if (!(await account.confirmTotpEnrollment(first.session.sid, await generateTotp(secret, nowMs), nowMs)).ok) throw new Error("confirm refused");

  /** One wrong guess of `method` at a fresh login challenge, then the wait it earned. */
  let failures = 0;
  const guessWrong = async (method: "totp" | "recovery") => {
    nowMs += 30_000; // past the step confirmed at set-up
    const signedIn = await account.signIn(PASSWORD, true, nowMs);
    if (!signedIn.ok || !signedIn.challenge) throw new Error("expected a challenge");
    const code = method === "recovery" ? wrongRecovery(failures) : String((Number(await generateTotp(secret, nowMs)) + 1) % 1_000_000).padStart(6, "0");
    expect(await account.verifyChallenge(signedIn.session.sid, signedIn.challenge.id, method, code, nowMs)).toMatchObject({ ok: false, reason: "mismatch" });
    failures += 1;
    nowMs += waitMsAfter(failures);
  };

  for (let i = 0; i < CAP; i++) await guessWrong(i % 2 ? "recovery" : "totp");
  expect(await account.consecutiveFailures()).toBe(CAP);
  expect(await account.describeFactors()).toMatchObject({ totp: { disabled: false }, recovery: { disabled: false } });

  for (let i = 0; i < CAP / 2 - 1; i++) await guessWrong("recovery"); // 99 recovery failures in a row
  expect(await account.describeFactors()).toMatchObject({ totp: { disabled: false }, recovery: { disabled: false } });
  await guessWrong("recovery"); // the 100th
  expect(await account.describeFactors()).toMatchObject({ totp: { disabled: false }, recovery: { disabled: true } });
});
