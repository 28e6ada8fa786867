/**
 * The password-guessing budgets (worker/domain/password-throttle.ts, docs/decisions/0003 and 0017),
 * with the rule's numbers written here as literals, not imported: 20 outstanding failures for all
 * unknown browsers together, 10 for each known browser, one forgotten every 15 minutes; the owner
 * told at 20 strangers' failures (one forgotten an hour), at most once in 6 hours; 20 known browsers.
 */
import { describe, expect, it } from "vitest";
import {
  emptyThrottle,
  outstandingFailures,
  recordPasswordFailure,
  rememberDevice,
  reservePasswordAttempt,
  settlePasswordSuccess,
  type PasswordThrottleState,
} from "../../worker/domain/password-throttle";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12);

/** Reserves and records `count` wrong passwords at `nowMs`; returns the state and how many were evaluated. */
function fail(state: PasswordThrottleState, deviceHash: string | undefined, nowMs: number, count = 1) {
  let evaluated = 0;
  let notices = 0;
  for (let i = 0; i < count; i++) {
    const reservation = reservePasswordAttempt(state, deviceHash, nowMs);
    if (!reservation.ok) continue;
    evaluated++;
    const failure = recordPasswordFailure(reservation.state, reservation.device, nowMs);
    if (failure.noticeDue) notices++;
    state = failure.state;
  }
  return { state, evaluated, notices };
}

describe("unknown browsers share one budget per account", () => {
  it("20 failures back to back are evaluated, the 21st waits 15 minutes", () => {
    const { state, evaluated } = fail(emptyThrottle(), undefined, T0, 25);
    expect(evaluated).toBe(20);
    expect(reservePasswordAttempt(state, undefined, T0)).toEqual({ ok: false, device: "unknown", retryAfterSeconds: 900 });
    expect(reservePasswordAttempt(state, "never-seen", T0 + 15 * MINUTE - 1)).toMatchObject({ ok: false, device: "unknown", retryAfterSeconds: 1 });
    expect(reservePasswordAttempt(state, "never-seen", T0 + 15 * MINUTE)).toMatchObject({ ok: true, device: "unknown" });
  });

  it("failures decay: one is forgotten every 15 minutes, all of them after 5 hours", () => {
    const { state } = fail(emptyThrottle(), undefined, T0, 20);
    expect(outstandingFailures(state.unknown, T0)).toBe(20);
    expect(outstandingFailures(state.unknown, T0 + 15 * MINUTE)).toBe(19);
    expect(outstandingFailures(state.unknown, T0 + 150 * MINUTE)).toBe(10);
    expect(outstandingFailures(state.unknown, T0 + 300 * MINUTE)).toBe(0);
    expect(outstandingFailures(state.unknown, T0 + 600 * MINUTE)).toBe(0);
    // After 2.5 hours, ten more are evaluated at once, then the wait is back.
    expect(fail(state, undefined, T0 + 150 * MINUTE, 15).evaluated).toBe(10);
    // A clock that goes back forgets nothing.
    expect(outstandingFailures(state.unknown, T0 - 60 * MINUTE)).toBe(20);
  });

  it("failures sent as each wait ends get one guess per 15 minutes, no faster", () => {
    let { state } = fail(emptyThrottle(), undefined, T0, 20);
    let nowMs = T0;
    let evaluated = 0;
    for (let hour = 0; hour < 24 * 4; hour++) {
      const refused = reservePasswordAttempt(state, undefined, nowMs);
      if (!refused.ok) nowMs += refused.retryAfterSeconds * 1000;
      const next = fail(state, undefined, nowMs);
      evaluated += next.evaluated;
      state = next.state;
    }
    expect(evaluated).toBe(24 * 4);
    expect(nowMs - T0).toBeGreaterThanOrEqual(24 * 60 * MINUTE - 15 * MINUTE);
  });

  it("the right password returns only its own reservation: strangers' failures stay", () => {
    const { state } = fail(emptyThrottle(), undefined, T0, 19);
    const reservation = reservePasswordAttempt(state, undefined, T0);
    if (!reservation.ok) throw new Error("expected room for one more");
    const settled = settlePasswordSuccess(reservation.state, "unknown", undefined, T0);
    expect(outstandingFailures(settled.unknown, T0)).toBe(19);
    // From empty, a success leaves nothing behind.
    const alone = reservePasswordAttempt(emptyThrottle(), undefined, T0);
    if (!alone.ok) throw new Error("expected room");
    expect(settlePasswordSuccess(alone.state, "unknown", undefined, T0).unknown).toBeUndefined();
  });
});

describe("a known browser has its own budget", () => {
  const known = rememberDevice(emptyThrottle(), "device-a", T0);

  it("strangers filling their budget never touch it", () => {
    const { state } = fail(known, undefined, T0, 40);
    expect(reservePasswordAttempt(state, undefined, T0)).toMatchObject({ ok: false, device: "unknown" });
    expect(reservePasswordAttempt(state, "device-a", T0)).toMatchObject({ ok: true, device: "known" });
  });

  it("10 of its own failures make it wait 15 minutes; the unknown budget is untouched", () => {
    const { state, evaluated } = fail(known, "device-a", T0, 12);
    expect(evaluated).toBe(10);
    expect(reservePasswordAttempt(state, "device-a", T0)).toEqual({ ok: false, device: "known", retryAfterSeconds: 900 });
    expect(state.unknown).toBeUndefined();
    expect(reservePasswordAttempt(state, undefined, T0)).toMatchObject({ ok: true, device: "unknown" });
  });

  it("its right password empties its bucket", () => {
    const { state } = fail(known, "device-a", T0, 9);
    const reservation = reservePasswordAttempt(state, "device-a", T0);
    if (!reservation.ok) throw new Error("expected room");
    const settled = settlePasswordSuccess(reservation.state, "known", "device-a", T0);
    expect(settled.devices.find((d) => d.hash === "device-a")?.budget).toBeUndefined();
    expect(fail(settled, "device-a", T0, 12).evaluated).toBe(10);
  });

  it("at most 20 are remembered; the one that signed in longest ago is forgotten first", () => {
    let state = emptyThrottle();
    for (let i = 0; i < 21; i++) state = rememberDevice(state, `device-${i}`, T0 + i * MINUTE);
    expect(state.devices).toHaveLength(20);
    expect(state.devices.map((d) => d.hash)).not.toContain("device-0");
    // Signing in again refreshes a device: it is then the newest, and another one goes.
    state = rememberDevice(state, "device-1", T0 + 30 * MINUTE);
    state = rememberDevice(state, "device-21", T0 + 31 * MINUTE);
    expect(state.devices.map((d) => d.hash)).toContain("device-1");
    expect(state.devices.map((d) => d.hash)).not.toContain("device-2");
    // A device signing in at the same instant as the others is kept, not evicted at once.
    let same = emptyThrottle();
    for (let i = 0; i < 21; i++) same = rememberDevice(same, `same-${i}`, T0);
    expect(same.devices.map((d) => d.hash)).toContain("same-20");
    // Remembering keeps the device's budget (its own failures are not forgiven by another sign-in elsewhere).
    const tired = fail(rememberDevice(emptyThrottle(), "device-a", T0), "device-a", T0, 10).state;
    expect(reservePasswordAttempt(rememberDevice(tired, "device-a", T0 + MINUTE), "device-a", T0 + MINUTE)).toMatchObject({ ok: false });
  });
});

describe("the owner's notice", () => {
  it("is due once when strangers reach 20 failures, then not again for 6 hours", () => {
    const first = fail(emptyThrottle(), undefined, T0, 20);
    expect(first.notices).toBe(1);
    expect(fail(emptyThrottle(), undefined, T0, 19).notices).toBe(0);
    // Guessing on at 4 an hour: no second notice within 6 hours, one after.
    let state = first.state;
    let notices = 0;
    for (let minutes = 15; minutes < 6 * 60; minutes += 15) {
      const next = fail(state, undefined, T0 + minutes * MINUTE);
      notices += next.notices;
      state = next.state;
    }
    expect(notices).toBe(0);
    expect(fail(state, undefined, T0 + 6 * 60 * MINUTE).notices).toBe(1);
  });

  it("reaches a guesser who paces below the ceiling, within 7 hours", () => {
    let state = emptyThrottle();
    let firstNoticeMinute: number | null = null;
    for (let minutes = 0; minutes <= 7 * 60 && firstNoticeMinute === null; minutes += 15) {
      const next = fail(state, undefined, T0 + minutes * MINUTE);
      expect(next.evaluated).toBe(1); // never throttled: the bucket never fills
      if (next.notices) firstNoticeMinute = minutes;
      state = next.state;
    }
    expect(firstNoticeMinute).not.toBeNull();
    expect(firstNoticeMinute!).toBeLessThanOrEqual(7 * 60);
  });

  it("a few typos on new browsers now and then never add up to a notice, nor do a known browser's failures", () => {
    let state = emptyThrottle();
    let notices = 0;
    for (let day = 0; day < 30; day++) {
      const next = fail(state, undefined, T0 + day * 24 * 60 * MINUTE, 3);
      notices += next.notices;
      state = next.state;
    }
    expect(notices).toBe(0);
    const known = rememberDevice(emptyThrottle(), "device-a", T0);
    let total = 0;
    for (let i = 0; i < 10; i++) total += fail(known, "device-a", T0 + i * 16 * MINUTE, 10).notices;
    expect(total).toBe(0);
  });
});
