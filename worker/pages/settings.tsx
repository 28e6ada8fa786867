/** Settings → Password & Security, and the "verify it's you" step before a change. */
import type { Method } from "../../shared/protocol";
import type { SecurityState } from "../settings-state";
import { CodesArePrivate, ErrorBox, Layout } from "./layout";
import { CodeInput } from "./sms";

interface Frame {
  nonce: string;
  prefix: string;
}

/** What the identity check is for; "admin": company administration (decision 0007). */
export type SettingsAction = "totp" | "phone" | "recovery" | "admin";

const SETTINGS_CSS_NOTE = "Every change needs a fresh verification (valid 10 minutes) and ends with a new recovery code to save.";

function statusText(factor: { enrolled: boolean; disabled: boolean }, enrolledText: string): string {
  if (!factor.enrolled) return "Not set up";
  return factor.disabled ? `${enrolledText} (disabled after too many failed attempts)` : enrolledText;
}

export function SettingsPage(props: Frame & { state: SecurityState; notice?: string; error?: string }) {
  const { state, prefix } = props;
  const open = state.changesAllowedUntil !== null;
  const settings = `${prefix}/settings`;
  const verifyLink = (then: SettingsAction, method?: Method) => `${settings}/verify?then=${then}${method ? `&method=${method}` : ""}`;
  const smsActive = state.methods.sms.enrolled && !state.methods.sms.disabled;
  const phoneHref = smsActive ? verifyLink("phone", "sms") : open ? `${prefix}/enroll/sms?next=${encodeURIComponent(settings)}` : verifyLink("phone");
  return (
    <Layout title="Password & Security" nonce={props.nonce}>
      <h1>Password &amp; Security</h1>
      <ErrorBox message={props.error} />
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      <h2>Two-factor authentication</h2>
      <label class="check" for="always-2fa">
        <input type="checkbox" id="always-2fa" checked={state.alwaysRequire2fa.on} disabled aria-describedby="always-2fa-why" />
        <span>Always require 2FA at sign-in</span>
      </label>
      <p class="muted" id="always-2fa-why">
        {state.alwaysRequire2fa.locked
          ? "Locked: two-factor authentication is required for your account, so it can't be turned off."
          : "Once you have a verification method, Stepgate asks for it at every sign-in."}
      </p>
      <p class="muted">{SETTINGS_CSS_NOTE}</p>

      <section id="method-totp">
        <h2>Authenticator app</h2>
        <p>{statusText(state.methods.totp, "Set up")}</p>
        {open || !anyFactor(state) ? (
          <form method="post" action={`${prefix}/enroll/totp`}>
            <input type="hidden" name="next" value={settings} />
            <button type="submit">{state.methods.totp.enrolled ? "Change authenticator app" : "Add authenticator app"}</button>
          </form>
        ) : (
          <a class="button" href={verifyLink("totp")}>{state.methods.totp.enrolled ? "Change authenticator app" : "Add authenticator app"}</a>
        )}
        {state.methods.totp.enrolled ? <p class="muted">One app per account: a new app replaces the old one once you confirm it.</p> : null}
      </section>

      <section id="method-sms">
        <h2>Phone number (text messages)</h2>
        <p>{state.methods.sms.enrolled ? statusText(state.methods.sms, state.methods.sms.phone ?? "") : "Not set up"}</p>
        {state.sms.offer === "none" || !state.sms.configured ? (
          <p class="muted">Text messages are not available for your account. Use an authenticator app.</p>
        ) : (
          <>
            <a class="button" href={phoneHref}>{state.methods.sms.enrolled ? "Change phone number" : "Add phone number"}</a>
            {smsActive ? <p class="muted">Changing it first sends a code to your current number.</p> : null}
          </>
        )}
      </section>

      <section id="method-recovery">
        <h2>Recovery code</h2>
        <p>{statusText(state.methods.recovery, "Saved (we can't show it again)")}</p>
        {anyFactor(state) ? (
          open ? (
            <form method="post" action={`${settings}/recovery-code`}>
              <button type="submit">Get a new recovery code</button>
            </form>
          ) : (
            <a class="button" href={verifyLink("recovery")}>Get a new recovery code</a>
          )
        ) : null}
        <p class="muted">A new code replaces the old one at once.</p>
      </section>
    </Layout>
  );
}

function anyFactor(state: SecurityState): boolean {
  return state.methods.totp.enrolled || state.methods.sms.enrolled || state.methods.recovery.enrolled;
}

const LABEL: Record<Method, string> = { totp: "Use your authenticator app", sms: "Use a phone number", recovery: "Use your recovery code" };
const WHY: Record<SettingsAction, string> = {
  totp: "To change your authenticator app, first verify it's you.",
  phone: "To change your phone number, first enter a code we text to your current number.",
  recovery: "To get a new recovery code, first verify it's you.",
  admin: "Company administration needs a second factor from the last 10 minutes. Verify it's you, then you go back to the admin page.",
};

export function VerifyIdentityPage(
  props: Frame & { then: SettingsAction; methods: Method[]; method: Method | null; phoneHint: string | null; sent: boolean; ttlMinutes: number; error?: string },
) {
  const { prefix, then, method } = props;
  const base = `${prefix}/settings/verify`;
  return (
    <Layout title="Verify it's you" nonce={props.nonce}>
      <h1>Verify it's you</h1>
      <p>{WHY[then]}</p>
      <ErrorBox message={props.error} />
      {props.methods.length > 1 ? (
        <ul class="methods">
          {props.methods.map((m) => (
            <li>
              <a href={`${base}?then=${then}&method=${m}`} aria-current={m === method ? "true" : undefined}>
                {LABEL[m]}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {method === "sms" ? (
        <>
          <p id="sms-status">{props.sent ? `We texted a 6-digit code to ${props.phoneHint}. It expires in ${props.ttlMinutes} minutes.` : `We'll text a 6-digit code to ${props.phoneHint}.`}</p>
          <form method="post" action={`${base}/sms`}>
            <input type="hidden" name="then" value={then} />
            <button type="submit" class={props.sent ? "secondary" : undefined}>{props.sent ? "Resend a new code" : "Text me a code"}</button>
          </form>
        </>
      ) : null}
      {method ? (
        <form method="post" action={base}>
          <input type="hidden" name="then" value={then} />
          <input type="hidden" name="method" value={method} />
          {method === "recovery" ? (
            <>
              <label for="code">Recovery code (32 digits)</label>
              <input id="code" name="code" class="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength={64} required autofocus />
            </>
          ) : (
            <CodeInput label={method === "sms" ? "6-digit code from the text message" : "6-digit code from your authenticator app"} autofocus={method !== "sms" || props.sent} />
          )}
          <button type="submit">Verify</button>
        </form>
      ) : (
        <p class="notice">No verification method is available. Contact your company administrator (payments users: payments support).</p>
      )}
      <p class="muted">
        <a href={`${prefix}/settings`}>Back to Password &amp; Security</a>
      </p>
      <CodesArePrivate />
    </Layout>
  );
}
