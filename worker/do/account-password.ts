/**
 * The password throttle inside the account Durable Object (docs/decisions/0003, 0017): per known
 * browser and per account for every other browser, over the pure rules of
 * domain/password-throttle.ts. Synchronous, so a reservation made before the hash is counted
 * even when a burst races it.
 */
import type { SessionRecord } from "../domain/records";
import {
  emptyThrottle,
  recordPasswordFailure,
  rememberDevice,
  reservePasswordAttempt,
  settlePasswordSuccess,
  type DeviceKind,
  type PasswordThrottleState,
  type Reservation,
} from "../domain/password-throttle";

export const PASSWORD_THROTTLE_KEY = "password_throttle";

function throttleOf(kv: SyncKvStorage): PasswordThrottleState {
  return kv.get<PasswordThrottleState>(PASSWORD_THROTTLE_KEY) ?? emptyThrottle();
}

/** Writes the state; a state with nothing in it leaves no key behind. */
function store(kv: SyncKvStorage, state: PasswordThrottleState): void {
  const empty = !state.unknown && !state.strangers && state.noticeAtMs === undefined && state.devices.length === 0;
  if (empty) kv.delete(PASSWORD_THROTTLE_KEY);
  else kv.put(PASSWORD_THROTTLE_KEY, state);
}

/** Counts the attempt in its bucket before the password is checked; refuses it when full. */
export function reservePassword(kv: SyncKvStorage, deviceHash: string | undefined, nowMs: number): Reservation {
  const reservation = reservePasswordAttempt(throttleOf(kv), deviceHash, nowMs);
  if (reservation.ok) store(kv, reservation.state);
  return reservation;
}

/** A wrong password (the reservation stands); true when the owner's notice is due now. */
export function passwordFailed(kv: SyncKvStorage, device: DeviceKind, nowMs: number): boolean {
  const { noticeDue, state } = recordPasswordFailure(throttleOf(kv), device, nowMs);
  store(kv, state);
  return noticeDue;
}

/** The right password: see settlePasswordSuccess. */
export function passwordSucceeded(kv: SyncKvStorage, device: DeviceKind, deviceHash: string | undefined, nowMs: number): void {
  store(kv, settlePasswordSuccess(throttleOf(kv), device, deviceHash, nowMs));
}

/**
 * The session completed its sign-in (past the second factor, or none needed): the browser that
 * typed its password becomes, or stays, a known device. Sessions without a device (single sign-on,
 * no cookie) change nothing.
 */
export function rememberSessionDevice(kv: SyncKvStorage, session: SessionRecord, nowMs: number): void {
  if (session.device === undefined) return;
  store(kv, rememberDevice(throttleOf(kv), session.device, nowMs));
}

/**
 * An admin MFA reset forgets every known browser (a reset often follows a lost or stolen device,
 * whose browser must not keep a budget of its own) but keeps strangers' budget and the notice
 * state: a reset must not hand guessers a fresh budget.
 */
export function forgetKnownDevices(kv: SyncKvStorage): void {
  store(kv, { ...throttleOf(kv), devices: [] });
}
