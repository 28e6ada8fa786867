/** The gateway's pages. Each takes plain data and renders; handlers live in routes/pages.tsx. */
import { raw } from "hono/html";
import type { Method } from "../../shared/protocol";
import { CodesArePrivate, ErrorBox, Layout } from "./layout";
import { SmsChallengeForm, SmsEnrollOption, type SmsChallengeState } from "./sms";
import type { SmsOffer } from "../messaging/availability";

interface Frame {
  nonce: string;
  prefix: string;
  next: string;
}

const NextField = (props: { next: string }) => <input type="hidden" name="next" value={props.next} />;

export function LoginPage(props: Frame & { email?: string; error?: string }) {
  return (
    <Layout title="Sign in" nonce={props.nonce}>
      <h1>Sign in</h1>
      <ErrorBox message={props.error} />
      <form method="post" action={`${props.prefix}/login`}>
        <NextField next={props.next} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={props.email ?? ""} autofocus />
        <label for="password">Password</label>
        {/* Not `required`: single sign-on emails continue at their identity provider without one. */}
        <input id="password" name="password" type="password" autocomplete="current-password" />
        <button type="submit">Continue</button>
      </form>
      <p class="muted">
        Your company uses single sign-on? Enter your work email and choose Continue, without a password: you finish signing in
        at your company's sign-in page. Problems there, or with its two-factor authentication, are handled by your IT department.
      </p>
    </Layout>
  );
}

const METHOD_LABEL: Record<Method, string> = {
  totp: "Use your authenticator app",
  sms: "Use a phone number",
  recovery: "Use your recovery code",
};

export function ChallengePage(
  props: Frame & {
    challengeId: string | null;
    methods: Method[];
    method: Method | null;
    error?: string;
    lockedOut?: boolean;
    /** Step-up challenges (payments) use their own page path and explain what is being approved. */
    stepUp?: { path: string; intro: string; summary?: string };
    /** For method "sms": the masked number and whether a code was just sent (pages/sms.tsx). */
    sms?: SmsChallengeState;
  },
) {
  const { method } = props;
  const path = props.stepUp?.path ?? "/challenge";
  const idParam = props.stepUp ? `&id=${props.challengeId ?? ""}` : "";
  return (
    <Layout title="Verify your identity" nonce={props.nonce} marker="challenge">
      <h1>How do you want to verify your identity?</h1>
      {props.stepUp ? <p>{props.stepUp.intro}</p> : null}
      {props.stepUp?.summary ? (
        <p class="notice" id="action-summary">
          <strong>You are approving:</strong> {props.stepUp.summary}
        </p>
      ) : null}
      <ErrorBox message={props.error} />
      {props.lockedOut || !props.challengeId ? (
        <p class="notice">
          No verification method is available for your account right now. Payments users: contact payments support.
          Everyone else: contact your company administrator, who can reset your two-factor authentication.
        </p>
      ) : (
        <>
          <ul class="methods">
            {props.methods.map((m) => (
              <li>
                <a href={`${props.prefix}${path}?method=${m}${idParam}&next=${encodeURIComponent(props.next)}`} aria-current={m === method ? "true" : undefined}>
                  {METHOD_LABEL[m]}
                </a>
              </li>
            ))}
          </ul>
          {method === "sms" ? (
            <SmsChallengeForm prefix={props.prefix} next={props.next} challengeId={props.challengeId} path={path} sms={props.sms} />
          ) : method ? (
            <form method="post" action={`${props.prefix}${path}`}>
              <NextField next={props.next} />
              <input type="hidden" name="challenge" value={props.challengeId} />
              <input type="hidden" name="method" value={method} />
              <label for="code">{method === "recovery" ? "Recovery code (32 digits)" : "6-digit code from your authenticator app"}</label>
              <input
                id="code"
                name="code"
                class="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength={method === "recovery" ? 64 : 12}
                required
                autofocus
              />
              <button type="submit">Verify</button>
            </form>
          ) : null}
        </>
      )}
      <p class="muted">
        Locked out? Payments users contact payments support; others contact their company administrator; single sign-on users contact their IT department.
      </p>
      <CodesArePrivate />
    </Layout>
  );
}

export function EnrollRequiredPage(props: Frame) {
  return (
    <Layout title="Two-Factor Authentication Required" nonce={props.nonce}>
      <h1>Two-Factor Authentication Required</h1>
      <p>Your account needs a second step at sign-in to keep your company's data and payments safe. It takes about two minutes.</p>
      <a class="button" href={`${props.prefix}/enroll/select?next=${encodeURIComponent(props.next)}`}>
        Set Up Now
      </a>
    </Layout>
  );
}

export function SelectMethodPage(props: Frame & { sms?: { offer: SmsOffer; configured: boolean } }) {
  return (
    <Layout title="Select an Authentication Method" nonce={props.nonce}>
      <h1>Select an Authentication Method</h1>
      <form method="post" action={`${props.prefix}/enroll/totp`}>
        <NextField next={props.next} />
        <p>
          <strong>Authenticator app</strong>
          <br />
          <span class="muted">Google Authenticator, Microsoft Authenticator, Okta Verify or any app that shows 6-digit codes. Works everywhere.</span>
        </p>
        <button type="submit">Use an authenticator app</button>
      </form>
      {props.sms ? <SmsEnrollOption {...props} offer={props.sms.offer} configured={props.sms.configured} /> : null}
    </Layout>
  );
}

export function TotpSetupPage(props: Frame & { qrSvg: string; groupedKey: string; error?: string }) {
  return (
    <Layout title="Set up your authenticator app" nonce={props.nonce}>
      <h1>Set up your authenticator app</h1>
      <ErrorBox message={props.error} />
      <p>1. In your authenticator app, add an account and scan this QR code.</p>
      <div class="qr" role="img" aria-label="QR code for your authenticator app">
        {raw(props.qrSvg)}
      </div>
      <details>
        <summary>Trouble scanning? Enter the key by hand</summary>
        <p class="muted">Choose "time-based", and type this key (spaces don't matter):</p>
        <p class="key" id="manual-key">{props.groupedKey}</p>
      </details>
      <form method="post" action={`${props.prefix}/enroll/totp/confirm`}>
        <NextField next={props.next} />
        <label for="code">2. Enter the 6-digit code your app shows</label>
        {/* After a refused code, straight back into the field (the error above is announced). */}
        <input id="code" name="code" class="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength={12} required autofocus={Boolean(props.error)} />
        <button type="submit">Verify and continue</button>
      </form>
      <CodesArePrivate />
    </Layout>
  );
}

const COPY_SCRIPT = `
const box=document.getElementById('agree'),go=document.getElementById('continue'),copy=document.getElementById('copy');
go.disabled=!box.checked;box.addEventListener('change',()=>{go.disabled=!box.checked});
copy.hidden=false;copy.addEventListener('click',async()=>{await navigator.clipboard.writeText(document.getElementById('recovery').dataset.code);copy.textContent='Copied';});
`;

export function RecoveryCodePage(props: Frame & { code: string; grouped: string; host: string; reason?: string }) {
  const file = `Stepgate recovery code for ${props.host}\n\n${props.grouped}\n\nKeep it in a password manager or vault. It works once.\n`;
  return (
    <Layout title="Save your recovery code" nonce={props.nonce} script={COPY_SCRIPT} marker={props.reason ? "recovery-code-replaced" : "recovery-code-enrolled"}>
      <h1>Save your recovery code</h1>
      {props.reason ? <p class="notice">{props.reason}</p> : null}
      <p>If you lose access to your authenticator app, this code lets you sign in once. This is the only time it is shown: we keep only a scrambled copy and cannot show it again.</p>
      <p class="recovery" id="recovery" data-code={props.code}>
        {props.grouped}
      </p>
      <p>
        <button type="button" class="secondary" id="copy" hidden>
          Copy
        </button>{" "}
        <a class="button secondary" download="stepgate-recovery-code.txt" href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`}>
          Download
        </a>
      </p>
      <p class="muted">Store it in a password manager or vault, not in email or on your desktop.</p>
      <form method="post" action={`${props.prefix}/recovery-code/confirm`}>
        <NextField next={props.next} />
        <label class="check" for="agree">
          <input type="checkbox" id="agree" name="saved" value="yes" required />
          <span>I have securely saved this code</span>
        </label>
        <button type="submit" id="continue">
          Continue
        </button>
      </form>
      <CodesArePrivate />
    </Layout>
  );
}

export function RecoveryCodeLostPage(props: Frame) {
  return (
    <Layout title="Save your recovery code" nonce={props.nonce}>
      <h1>Save your recovery code</h1>
      <p>Your recovery code was shown once and can't be shown again. If you didn't save it, get a new one now: the previous code stops working.</p>
      <form method="post" action={`${props.prefix}/recovery-code/new`}>
        <NextField next={props.next} />
        <button type="submit">Show a new recovery code</button>
      </form>
    </Layout>
  );
}

export function SignOutPage(props: Frame & { signedIn: boolean }) {
  return (
    <Layout title="Sign out" nonce={props.nonce}>
      <h1>{props.signedIn ? "Sign out" : "You are signed out"}</h1>
      {props.signedIn ? (
        <form method="post" action={`${props.prefix}/signout`}>
          <button type="submit">Sign out</button>
        </form>
      ) : (
        <a class="button" href={`${props.prefix}/login`}>
          Sign in again
        </a>
      )}
    </Layout>
  );
}

/**
 * After `POST /login` with a single sign-on email: on to the identity provider. Not a redirect: a
 * form whose answer redirects to another origin breaks the page's CSP `form-action 'self'`, which
 * browsers apply to redirects too. The link is followed at once by a nonce'd script (no data in
 * the script), and stays for anyone without scripts.
 */
export function SsoContinuePage(props: Frame & { redirect: string }) {
  return (
    <Layout title="Continue to your company's sign-in page" nonce={props.nonce} script={SSO_CONTINUE_SCRIPT}>
      <h1>Continue to your company's sign-in page</h1>
      <p>Your company signs you in with its own sign-in page. You come back here when you are done.</p>
      <a class="button" id="sso-continue" href={props.redirect}>
        Continue
      </a>
    </Layout>
  );
}

const SSO_CONTINUE_SCRIPT = "location.replace(document.getElementById('sso-continue').href);";

export function MessagePage(props: Frame & { title: string; message: string }) {
  return (
    <Layout title={props.title} nonce={props.nonce}>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <a class="button" href={`${props.prefix}/login`}>
        Sign in
      </a>
    </Layout>
  );
}
