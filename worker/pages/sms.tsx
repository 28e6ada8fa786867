/** SMS pages and fragments: the phone form, the code form (enrollment) and the challenge's SMS form. */
import { CodesArePrivate, ErrorBox, Layout } from "./layout";
import type { SmsOffer } from "../messaging/availability";

interface Frame {
  nonce: string;
  prefix: string;
  next: string;
}

const COUNTRY_NAMES: Record<string, string> = {
  US: "United States (+1)", CA: "Canada (+1)", MX: "Mexico (+52)", GB: "United Kingdom (+44)", IE: "Ireland (+353)",
  FR: "France (+33)", DE: "Germany (+49)", ES: "Spain (+34)", IT: "Italy (+39)", AU: "Australia (+61)",
  NZ: "New Zealand (+64)", SG: "Singapore (+65)", HK: "Hong Kong (+852)",
};

const Hidden = (props: { name: string; value: string }) => <input type="hidden" name={props.name} value={props.value} />;

/** A 6-digit code input: one-time-code autofill, numeric keypad, paste with spaces or dashes works. */
export function CodeInput(props: { label: string; autofocus?: boolean }) {
  return (
    <>
      <label for="code">{props.label}</label>
      <input id="code" name="code" class="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength={12} required autofocus={props.autofocus ?? true} />
    </>
  );
}

/** The SMS choice on "Select an Authentication Method", by what the person's role allows. */
export function SmsEnrollOption(props: Frame & { offer: SmsOffer; configured: boolean }) {
  if (!props.configured) return null;
  if (props.offer === "none") {
    return <p class="muted" id="sms-unavailable">Text messages (SMS) are not available for payments payors. Use an authenticator app.</p>;
  }
  return (
    <div>
      <p>
        <strong>Text message (SMS)</strong>
        <br />
        <span class="muted">
          {props.offer === "us_only"
            ? "A code by text to a US mobile number (payee administrators: US numbers only)."
            : "A code by text to a mobile number in the United States, Canada, Mexico, the United Kingdom, Ireland, France, Germany, Spain, Italy, Australia, New Zealand, Singapore or Hong Kong."}
        </span>
      </p>
      <a class="button secondary" href={`${props.prefix}/enroll/sms?next=${encodeURIComponent(props.next)}`}>
        Use a phone number
      </a>
    </div>
  );
}

export function SmsPhonePage(props: Frame & { countries: readonly string[]; phone?: string; country?: string; error?: string; changing?: boolean }) {
  return (
    <Layout title="Set up text messages" nonce={props.nonce}>
      <h1>{props.changing ? "Change your phone number" : "Set up text messages"}</h1>
      <ErrorBox message={props.error} />
      {props.countries.length === 0 ? (
        <p class="notice">Text messages are not available for your account. Use an authenticator app instead: it works everywhere.</p>
      ) : (
        <form method="post" action={`${props.prefix}/enroll/sms`}>
          <Hidden name="next" value={props.next} />
          <label for="country">Country</label>
          <select id="country" name="country">
            {props.countries.map((code) => (
              <option value={code} selected={code === (props.country ?? "US")}>
                {COUNTRY_NAMES[code] ?? code}
              </option>
            ))}
          </select>
          <label for="phone">Mobile number</label>
          <input id="phone" name="phone" type="tel" autocomplete="tel-national" inputmode="tel" maxlength={32} required value={props.phone ?? ""} autofocus />
          <p class="muted">We'll text you a 6-digit code. Message and data rates may apply.</p>
          <button type="submit">Send code</button>
        </form>
      )}
      <p class="muted">
        Prefer an app? <a href={`${props.prefix}/enroll/select?next=${encodeURIComponent(props.next)}`}>Use an authenticator app</a>.
      </p>
    </Layout>
  );
}

export function SmsCodePage(props: Frame & { phone: string; country: string; phoneHint: string; ttlMinutes: number; error?: string; notice?: string }) {
  return (
    <Layout title="Enter the code we texted you" nonce={props.nonce}>
      <h1>Enter the code we texted you</h1>
      <ErrorBox message={props.error} />
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      <p>
        We sent a 6-digit code to <strong id="sms-phone">{props.phoneHint}</strong>. It expires in {props.ttlMinutes} minutes.
      </p>
      <form method="post" action={`${props.prefix}/enroll/sms/confirm`}>
        <Hidden name="next" value={props.next} />
        <Hidden name="phone" value={props.phone} />
        <Hidden name="country" value={props.country} />
        <CodeInput label="6-digit code from the text message" />
        <button type="submit">Verify and continue</button>
      </form>
      <form method="post" action={`${props.prefix}/enroll/sms`}>
        <Hidden name="next" value={props.next} />
        <Hidden name="phone" value={props.phone} />
        <Hidden name="country" value={props.country} />
        <button type="submit" class="secondary">
          Resend a new code
        </button>{" "}
        <a href={`${props.prefix}/enroll/sms?next=${encodeURIComponent(props.next)}`}>Use a different number</a>
      </form>
      <CodesArePrivate />
    </Layout>
  );
}

export interface SmsChallengeState {
  phoneHint: string;
  sent: boolean;
  ttlMinutes: number;
}

/** The "Use a phone number" part of a challenge page: text (or re-text) a code, then enter it. */
export function SmsChallengeForm(props: { prefix: string; next: string; challengeId: string; path: string; sms: SmsChallengeState | undefined }) {
  const sms = props.sms ?? { phoneHint: "your phone", sent: false, ttlMinutes: 10 };
  return (
    <>
      <p id="sms-status">
        {sms.sent ? `We texted a 6-digit code to ${sms.phoneHint}. It expires in ${sms.ttlMinutes} minutes.` : `We'll text a 6-digit code to ${sms.phoneHint}.`}
      </p>
      <form method="post" action={`${props.prefix}/challenge/sms`}>
        <Hidden name="next" value={props.next} />
        <Hidden name="challenge" value={props.challengeId} />
        <Hidden name="return" value={props.path} />
        <button type="submit" class={sms.sent ? "secondary" : undefined}>
          {sms.sent ? "Resend a new code" : "Text me a code"}
        </button>
      </form>
      <form method="post" action={`${props.prefix}${props.path}`}>
        <Hidden name="next" value={props.next} />
        <Hidden name="challenge" value={props.challengeId} />
        <Hidden name="method" value="sms" />
        <CodeInput label="6-digit code from the text message" autofocus={sms.sent} />
        <button type="submit">Verify</button>
      </form>
    </>
  );
}
