/**
 * A generic signed webhook for SMS or email: POST {url} with a JSON body
 * `{"channel", "to", "text", "subject"?, "sentAt"}` and the header
 * `Stepgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256(secret, "<t>.<raw body>")>`.
 * The receiver recomputes the HMAC over the exact bytes it received, compares in constant time,
 * and refuses a `t` more than 5 minutes old (replay). Any 2xx means accepted.
 */
import { DEFAULT_PROVIDER_TIMEOUT_MS, DeliveryError, type Fetch, type MessageSender } from "./port";

export const SIGNATURE_HEADER = "Stepgate-Signature";
const encoder = new TextEncoder();

/** The signature header value for `body` sent at `unixSeconds`. */
export async function signWebhookBody(secret: string, unixSeconds: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${unixSeconds}.${body}`)));
  const hex = [...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `t=${unixSeconds},v1=${hex}`;
}

export function createSignedWebhookSender(
  channel: "sms" | "email",
  options: { url: string; secret: string },
  fetchFn: Fetch,
  nowMs: () => number,
  timeoutMs = DEFAULT_PROVIDER_TIMEOUT_MS,
): MessageSender {
  return {
    channel,
    provider: "webhook",
    async send({ to, text, subject }) {
      const now = nowMs();
      const body = JSON.stringify({ channel, to, text, ...(subject ? { subject } : {}), sentAt: new Date(now).toISOString() });
      const signature = await signWebhookBody(options.secret, Math.floor(now / 1000), body);
      const response = await fetchFn(options.url, {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new DeliveryError("webhook", response.status);
    },
  };
}
