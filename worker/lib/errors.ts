/**
 * The single map from internal failure reasons to what a client is told: a stable UPPER_SNAKE
 * code, an HTTP status and a safe message. The precise reason goes to the audit log, not here.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const WIRE = {
  invalid_credentials: [401, "INVALID_CREDENTIALS", "Email or password is incorrect, or there were too many attempts. Check them and try again in a few minutes."],
  unauthenticated: [401, "UNAUTHENTICATED", "Sign in first."],
  wrong_stage: [403, "STEP_REQUIRED", "Finish the current sign-in step first."],
  bad_request: [400, "BAD_REQUEST", "The request is not valid."],
  invalid_code_format: [400, "INVALID_CODE_FORMAT", "Enter the code's digits only."],
  invalid_code: [401, "INVALID_CODE", "That code is not valid. Check it, or wait for the next code in your app, and try again."],
  throttled: [429, "TOO_MANY_ATTEMPTS", "Too many attempts. Wait a moment and try again."],
  challenge_not_found: [404, "CHALLENGE_NOT_FOUND", "This verification request is no longer pending."],
  challenge_expired: [410, "CHALLENGE_EXPIRED", "This verification request has expired. Start again."],
  method_unavailable: [400, "METHOD_UNAVAILABLE", "That verification method is not available for your account."],
  not_allowed: [403, "NOT_ALLOWED", "This change needs a recent verification. Verify your identity and try again."],
  no_pending_enrollment: [409, "NO_PENDING_ENROLLMENT", "Start the set-up again to get a new key."],
  csrf: [403, "CROSS_SITE_REQUEST", "This request came from another site and was refused."],
  unsupported_media_type: [415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json."],
  unclear_action_fields: [400, "BAD_REQUEST", "This payment action is missing a detail, or gives one as a list or in two ways, so it cannot be shown to you for approval. Nothing was sent."],
  unreadable_action_body: [415, "UNSUPPORTED_MEDIA_TYPE", "Send this payment action as a form or as JSON, in UTF-8 and not compressed."],
  payload_too_large: [413, "PAYLOAD_TOO_LARGE", "The request body is too large."],
  request_timeout: [408, "REQUEST_TIMEOUT", "The request body did not arrive in time. Try again."],
  not_found: [404, "NOT_FOUND", "Not found."],
  non_canonical_path: [400, "NON_CANONICAL_PATH", "The request path is not in canonical form."],
  storage_unavailable: [503, "SERVICE_UNAVAILABLE", "Stepgate is temporarily unavailable. Nothing was changed; try again shortly."],
  config_invalid: [500, "MISCONFIGURED", "Stepgate is not configured correctly. The operator has been told."],
  // SMS (issue 3): one code per refusal kind; the SMS_NOT_AVAILABLE messages say why.
  code_expired: [401, "CODE_EXPIRED", "That code has expired. Send a new code and try again."],
  no_code_sent: [409, "NO_CODE_SENT", "No code is waiting for this step (none was sent, or it was already used). Send a code first."],
  sms_rate_limited: [429, "SMS_RATE_LIMITED", "Too many text messages were sent. Wait, then try again."],
  sms_not_sent: [502, "SMS_NOT_SENT", "The text message could not be sent. Try again, or use another method."],
  invalid_phone: [400, "INVALID_PHONE_NUMBER", "That phone number is not valid. Check the country and the number."],
  sms_payor: [403, "SMS_NOT_AVAILABLE", "Payments payors can't verify by text message. Use an authenticator app instead."],
  sms_us_only: [403, "SMS_NOT_AVAILABLE", "Payee administrators can receive codes only on a US (+1) number. Use a US number, or an authenticator app."],
  sms_country: [403, "SMS_NOT_AVAILABLE", "Text-message codes can't be sent to numbers in that country. Use an authenticator app instead: it works everywhere."],
  sms_unconfigured: [403, "SMS_NOT_AVAILABLE", "Text messages are not set up for this site. Use an authenticator app instead."],
  current_number_unproven: [403, "CURRENT_NUMBER_UNVERIFIED", "To change your phone number, first enter a code sent to your current number."],
  // Administration (worker/routes/admin.ts, docs/decisions/0007-admin-policy-and-reset.md).
  admin_permission_required: [403, "ADMIN_PERMISSION_REQUIRED", "This needs both the company-admin and the directory permission. Ask another company administrator."],
  reauth_required: [403, "REAUTH_REQUIRED", "Admin actions need a second factor verified in the last 10 minutes. Verify again, then retry."],
  invalid_settings: [400, "INVALID_SETTINGS", "Enter a real date (YYYY-MM-DD) and a time zone name such as America/New_York. Nothing was changed."],
  user_not_in_directory: [404, "USER_NOT_IN_DIRECTORY", "No one in your company's directory has exactly this email. Type it exactly as the directory shows it."],
  request_not_verified: [400, "REQUEST_NOT_VERIFIED", "Tick \"I have verified the user's request\" after confirming the request with the person."],
  mfa_not_enforced: [409, "MFA_NOT_ENFORCED", "Resets are possible only while your company enforces two-factor authentication (Require MFA on and the deadline passed)."],
  cannot_reset_self: [403, "CANNOT_RESET_SELF", "You cannot reset your own two-factor authentication. Ask another company administrator."],
  payments_user_reset: [403, "PAYMENTS_USER", "Payments users' two-factor authentication is reset by payments support only. Ask the person to contact payments support."],
  sso_user_reset: [403, "SSO_USER", "This person signs in with single sign-on; their two-factor authentication is managed by their IT department. Ask them to contact it."],
  // Single sign-on (worker/sso/, docs/decisions/0010-sso.md): one answer; the audit log has the reason.
  sso_failed: [401, "SSO_FAILED", "Single sign-on did not complete. Start again from the sign-in page; if it keeps failing, contact your IT department."],
  sso_unavailable: [502, "SSO_UNAVAILABLE", "Your company's sign-in service could not be reached. Try again shortly; if it keeps failing, contact your IT department."],
  cannot_deactivate_self: [403, "CANNOT_DEACTIVATE_SELF", "You cannot deactivate your own account. Ask another company administrator."],
} as const satisfies Record<string, readonly [ContentfulStatusCode, string, string]>;

export type WireReason = keyof typeof WIRE;

export function toWire(reason: WireReason): { status: ContentfulStatusCode; code: string; message: string } {
  const [status, code, message] = WIRE[reason];
  return { status, code, message };
}

/** A JSON error response in the documented shape. */
export function apiError(c: Context, reason: WireReason, extra: { retryAfterSeconds?: number } = {}): Response {
  const { status, code, message } = toWire(reason);
  if (extra.retryAfterSeconds) c.header("Retry-After", String(extra.retryAfterSeconds));
  return c.json({ error: { code, message, ...extra } }, status);
}

/** Maps an account Durable Object refusal to its wire reason. */
export function refusalToWire(reason: string): WireReason {
  switch (reason) {
    case "no_session":
      return "unauthenticated";
    case "no_challenge":
      return "challenge_not_found";
    case "challenge_expired":
      return "challenge_expired";
    case "method_unavailable":
      return "method_unavailable";
    case "throttled":
      return "throttled";
    case "malformed":
      return "invalid_code_format";
    case "no_pending":
      return "no_pending_enrollment";
    case "not_allowed":
      return "not_allowed";
    case "code_expired":
    case "no_code_sent":
    case "sms_rate_limited":
    case "current_number_unproven":
      return reason;
    default:
      return "invalid_code"; // mismatch, replayed: one answer, the audit log tells them apart
  }
}
