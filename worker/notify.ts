/**
 * The notifier port: tells a person about security events on their account (a factor added or
 * changed, a recovery code used or replaced, failed attempts, an admin reset). Messages never
 * contain a code or secret. Adapters: the development outbox now; email/SMS providers are added
 * behind the same port. Delivery failures are logged and never block the security action.
 */
import type { Bindings } from "./env";
import type { Config } from "./config";
import type { UserRecord } from "./domain/records";
import { OUTBOX_PREFIX, type OutboxMessage } from "./routes/dev";

export type SecurityEvent =
  | "factor_added"
  | "factor_changed"
  | "recovery_code_used"
  | "recovery_code_replaced"
  | "failed_attempts"
  | "mfa_reset"
  | "account_deactivated";

const TEXT: Record<SecurityEvent, string> = {
  factor_added: "A new two-factor authentication method was added to your account.",
  factor_changed: "A two-factor authentication method on your account was changed.",
  recovery_code_used: "Your recovery code was used to sign in. A new one was issued.",
  recovery_code_replaced: "A new recovery code was issued for your account; the previous one no longer works.",
  failed_attempts: "Someone entered your password correctly but failed the second step several times.",
  mfa_reset: "Your two-factor authentication was reset by a company administrator. Set it up again at your next sign-in.",
  account_deactivated: "Your account was deactivated by a company administrator.",
};

export interface Notifier {
  notify(user: UserRecord, event: SecurityEvent, channel?: "email" | "sms"): Promise<void>;
}

/** Development outbox: messages readable at /_stepgate/dev/outbox, kept for a day. */
function outboxNotifier(kv: KVNamespace, nowMs: () => number): Notifier {
  return {
    async notify(user, event, channel = "email") {
      const to = channel === "sms" && user.phone ? user.phone : user.email;
      const sentAt = new Date(nowMs()).toISOString();
      const message: OutboxMessage = { to, channel, text: `Stepgate: ${TEXT[event]} If this wasn't you, contact your administrator.`, sentAt };
      await kv.put(`${OUTBOX_PREFIX}${sentAt}:${crypto.randomUUID()}`, JSON.stringify(message), { expirationTtl: 86_400 });
    },
  };
}

/** Production without a configured provider: nothing is sent (recorded in the audit log only). */
const silentNotifier: Notifier = { notify: async () => {} };

export function createNotifier(env: Bindings, config: Config, nowMs: () => number): Notifier {
  return config.mode === "development" ? outboxNotifier(env.KV, nowMs) : silentNotifier;
}

export function notificationText(event: SecurityEvent): string {
  return TEXT[event];
}
