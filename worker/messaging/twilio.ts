/**
 * SMS through Twilio's Programmable Messaging REST API over fetch (no SDK):
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic auth with the account
 * SID and auth token, form fields To, Body and From (or MessagingServiceSid). Twilio answers 201.
 */
import { DEFAULT_PROVIDER_TIMEOUT_MS, DeliveryError, type Fetch, type MessageSender } from "./port";

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from: string | null;
  messagingServiceSid: string | null;
  /** https://api.twilio.com, or a local test server. */
  apiBaseUrl: string;
}

/** A send not answered within `timeoutMs` fails (the fetch is aborted). */
export function createTwilioSender(options: TwilioOptions, fetchFn: Fetch, timeoutMs = DEFAULT_PROVIDER_TIMEOUT_MS): MessageSender {
  if (!options.from && !options.messagingServiceSid) throw new TypeError("Twilio needs a From number or a MessagingServiceSid");
  const url = `${options.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${btoa(`${options.accountSid}:${options.authToken}`)}`;
  return {
    channel: "sms",
    provider: "twilio",
    async send({ to, text }) {
      const form = new URLSearchParams({ To: to, Body: text });
      if (options.messagingServiceSid) form.set("MessagingServiceSid", options.messagingServiceSid);
      else if (options.from) form.set("From", options.from);
      const response = await fetchFn(url, {
        method: "POST",
        headers: { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (response.status !== 200 && response.status !== 201) throw new DeliveryError("twilio", response.status);
    },
  };
}
