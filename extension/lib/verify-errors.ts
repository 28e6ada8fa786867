/** One message per verification outcome the popup can show; unknown codes get a generic one. */
import { t } from "./i18n";

export function describeVerifyError(code: string, retryAfterSeconds?: number): string {
  switch (code) {
    case "INVALID_CODE":
      return t("errorInvalidCode");
    case "INVALID_CODE_FORMAT":
    case "BAD_REQUEST":
      return t("errorFormat");
    case "TOO_MANY_ATTEMPTS":
      return retryAfterSeconds ? t("errorTooMany", [String(Math.ceil(retryAfterSeconds))]) : t("errorTooManyNoTime");
    case "CHALLENGE_NOT_FOUND":
      return t("errorNotFound");
    case "CHALLENGE_EXPIRED":
      return t("errorExpired");
    case "METHOD_UNAVAILABLE":
      return t("errorMethod");
    case "UNAUTHENTICATED":
      return t("errorSignedOut");
    case "CROSS_SITE_REQUEST":
      return t("errorCrossSite");
    case "SMS_RATE_LIMITED":
      return t("errorSmsRateLimited", [String(Math.ceil(retryAfterSeconds ?? 60))]);
    case "SMS_NOT_SENT":
      return t("errorSmsNotSent");
    case "NETWORK":
      return t("errorNetwork");
    default:
      return t("errorUnknown");
  }
}
