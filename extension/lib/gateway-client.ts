/**
 * Calls to a gateway's JSON API with the person's own session: `credentials: "include"` lets the
 * browser attach the gateway's HttpOnly cookie; the extension never reads or stores it. Every
 * answer is validated against the shared protocol schemas; anything else is "unreachable".
 */
import * as v from "valibot";
import { ChallengesResponse, ErrorResponse, VerifyResponse, type Challenge } from "../../shared/protocol";
import { gatewayUrl, type Gateway } from "./gateways";
import type { PopupMethod, SmsReply } from "./messages";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type ChallengesResult =
  | { status: "ok"; challenges: Challenge[] }
  | { status: "signed_out" }
  | { status: "unreachable" };

export type VerifyOutcome =
  | { ok: true; next: string; approvedAction: boolean }
  | { ok: false; code: string; retryAfterSeconds?: number };

/** `/api/me`'s payments idle deadline (epoch ms), when the gateway reports one. */
const MeResponse = v.object({
  payments: v.optional(v.nullable(v.object({ idleExpiresAt: v.optional(v.nullable(v.number())) }))),
});

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Marks the background's polls as not being the person's activity: a gateway that honours it must
 * not extend idle timeouts (session or payments) because the extension asked what is pending.
 * Verification carries no such header: entering a code is activity. See docs/EXTENSION.md.
 */
export const PASSIVE_HEADER = { "Stepgate-Passive": "1" } as const;

async function getJson(fetcher: Fetch, url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown } | null> {
  try {
    const response = await fetcher(url, {
      credentials: "include",
      cache: "no-store",
      redirect: "error",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...init,
      headers: { Accept: "application/json", ...init.headers },
    });
    const body: unknown = await response.json().catch(() => undefined);
    return { status: response.status, body };
  } catch {
    return null;
  }
}

export async function fetchChallenges(fetcher: Fetch, gateway: Gateway): Promise<ChallengesResult> {
  const answer = await getJson(fetcher, gatewayUrl(gateway, "/api/challenges"), { headers: PASSIVE_HEADER });
  if (!answer) return { status: "unreachable" };
  if (answer.status === 401) return { status: "signed_out" };
  const parsed = v.safeParse(ChallengesResponse, answer.body);
  if (answer.status !== 200 || !parsed.success) return { status: "unreachable" };
  return { status: "ok", challenges: parsed.output.challenges };
}

/** The payments idle deadline, or null when there is none or it cannot be read. */
export async function fetchIdleExpiresAt(fetcher: Fetch, gateway: Gateway): Promise<number | null> {
  const answer = await getJson(fetcher, gatewayUrl(gateway, "/api/me"), { headers: PASSIVE_HEADER });
  if (!answer || answer.status !== 200) return null;
  const parsed = v.safeParse(MeResponse, answer.body);
  return parsed.success ? (parsed.output.payments?.idleExpiresAt ?? null) : null;
}

/**
 * Sends a code for one challenge. A grant or recovery code in the answer is deliberately dropped:
 * the extension never holds either (see docs/EXTENSION.md).
 */
export async function verifyChallenge(
  fetcher: Fetch,
  gateway: Gateway,
  challengeId: string,
  method: PopupMethod,
  code: string,
): Promise<VerifyOutcome> {
  const answer = await postJson(fetcher, gateway, `/api/challenges/${encodeURIComponent(challengeId)}/verify`, { method, code });
  if (!answer) return { ok: false, code: "NETWORK" };
  if (answer.status === 200) {
    const parsed = v.safeParse(VerifyResponse, answer.body);
    if (parsed.success) return { ok: true, next: parsed.output.next, approvedAction: parsed.output.grant !== undefined };
  }
  return failure(answer.body);
}

/** `POST /api/challenges/{id}/sms`'s answer: the masked number only. */
const SmsSentResponse = v.object({ sent: v.literal(true), phone: v.pipe(v.string(), v.maxLength(32)) });

/** Asks the gateway to text a code for one challenge to the person's enrolled phone. */
export async function sendChallengeSms(fetcher: Fetch, gateway: Gateway, challengeId: string): Promise<SmsReply> {
  const answer = await postJson(fetcher, gateway, `/api/challenges/${encodeURIComponent(challengeId)}/sms`, {});
  if (!answer) return { ok: false, code: "NETWORK" };
  if (answer.status === 200) {
    const parsed = v.safeParse(SmsSentResponse, answer.body);
    if (parsed.success) return { ok: true, phone: parsed.output.phone };
  }
  return failure(answer.body);
}

function postJson(fetcher: Fetch, gateway: Gateway, path: string, body: unknown) {
  return getJson(fetcher, gatewayUrl(gateway, path), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function failure(body: unknown): { ok: false; code: string; retryAfterSeconds?: number } {
  const error = v.safeParse(ErrorResponse, body);
  if (!error.success) return { ok: false, code: "UNKNOWN" };
  const { code: errorCode, retryAfterSeconds } = error.output.error;
  return retryAfterSeconds === undefined ? { ok: false, code: errorCode } : { ok: false, code: errorCode, retryAfterSeconds };
}
