/**
 * The notifier port: tells a person about security events on their account (a factor added or
 * changed, a recovery code used or replaced, failed attempts, strangers' wrong passwords, an admin
 * reset). Messages never
 * contain a code or secret. Adapters (worker/messaging/): email through a signed webhook, SMS
 * through Twilio or a signed webhook, and the development outbox. Delivery failures are logged
 * and never block the security action.
 */
import type { Bindings } from "./env";
import type { Config } from "./config";
import type { UserRecord } from "./domain/records";
import { createEmailSender, createSmsSender } from "./messaging/senders";
import type { MessageSender } from "./messaging/port";

export type SecurityEvent =
  | "factor_added"
  | "factor_changed"
  | "recovery_code_used"
  | "recovery_code_replaced"
  | "failed_attempts"
  | "password_attempts"
  | "mfa_reset"
  | "account_deactivated";

const TEXT: Record<SecurityEvent, string> = {
  factor_added: "A new two-factor authentication method was added to your account.",
  factor_changed: "A two-factor authentication method on your account was changed.",
  recovery_code_used: "Your recovery code was used to sign in. A new one was issued.",
  recovery_code_replaced: "A new recovery code was issued for your account; the previous one no longer works.",
  failed_attempts: "Someone entered your password correctly but failed the second step several times.",
  password_attempts:
    "Many wrong passwords were tried on your account from browsers you have not signed in with. Sign-in from new browsers is paused for a while; browsers you have signed in with before keep working.",
  mfa_reset: "Your two-factor authentication was reset by a company administrator. Set it up again at your next sign-in.",
  account_deactivated: "Your account was deactivated by a company administrator.",
};

const SUBJECT = "Stepgate security notice";

export interface Notifier {
  /**
   * Sends the notice for `event` on `channel` (default email). SMS goes to `user.phone`; without
   * one it falls back to email. Resolves whether or not delivery worked.
   */
  notify(user: UserRecord, event: SecurityEvent, channel?: "email" | "sms"): Promise<void>;
  /** Channels a notice can go out on in this deployment (a provider is configured). */
  channels(): Array<"email" | "sms">;
}

export function createNotifier(env: Bindings, config: Config, nowMs: () => number): Notifier {
  let email: MessageSender | null = null;
  let sms: MessageSender | null = null;
  const emailSender = () => (email ??= createEmailSender(config, env.KV, nowMs));
  const smsSender = () => (sms ??= createSmsSender(config, env.KV, nowMs));
  return {
    channels: () => [
      ...(config.messaging.email.provider !== "none" ? (["email"] as const) : []),
      ...(config.messaging.sms.provider !== "none" ? (["sms"] as const) : []),
    ],
    async notify(user, event, channel = "email") {
      const viaSms = channel === "sms" && Boolean(user.phone);
      const sender = viaSms ? smsSender() : emailSender();
      const text = `Stepgate: ${TEXT[event]} If this wasn't you, contact your administrator.`;
      try {
        await sender.send({ to: viaSms && user.phone ? user.phone : user.email, text, ...(viaSms ? {} : { subject: SUBJECT }) });
      } catch (error) {
        console.error("stepgate: notice not delivered", event, sender.provider, error instanceof Error ? error.name : "unknown");
      }
    },
  };
}

export function notificationText(event: SecurityEvent): string {
  return TEXT[event];
}
