/** The early-enrollment notice shown after sign-in before the company's MFA deadline. */
import { Layout } from "./layout";

export function MfaNoticePage(props: { nonce: string; prefix: string; next: string; deadline: string; timeZone: string; startsAtUtc: string }) {
  return (
    <Layout title="Two-factor authentication is coming" nonce={props.nonce}>
      <h1>Two-factor authentication is coming</h1>
      <p class="notice" role="status">
        Your company will require two-factor authentication from <strong>{props.deadline}</strong> (midnight, {props.timeZone}; {props.startsAtUtc}).
        From then on you will be asked to set it up before you can continue.
      </p>
      <p>You can set it up now: it takes about two minutes and works with any authenticator app.</p>
      <p>
        <a class="button" href={`${props.prefix}/enroll/select?next=${encodeURIComponent(props.next)}`}>
          Set up now
        </a>{" "}
        <a class="button secondary" href={props.next}>
          Remind me later
        </a>
      </p>
    </Layout>
  );
}
