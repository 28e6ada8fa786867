/**
 * Sending a verification code by SMS from a request: builds the text (with the origin-bound
 * `@host #code` line) and hands it to the configured provider. A failed delivery is logged by
 * provider and status only (never the number or the text) and reported as `false`.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { DeliveryError } from "./port";
import { createSmsSender } from "./senders";
import { buildSmsCodeText } from "./sms-text";

export async function deliverSmsCode(c: Context<AppEnv>, code: string, phoneE164: string): Promise<boolean> {
  const { config, ports } = c.var;
  const host = new URL(config.publicUrl).hostname;
  const sender = createSmsSender(config, c.env.KV, () => ports.now());
  try {
    await sender.send({ to: phoneE164, text: buildSmsCodeText(code, host, config.smsCodeTtlSeconds) });
    return true;
  } catch (error) {
    const detail = error instanceof DeliveryError ? `${error.provider} ${error.status ?? "-"}` : error instanceof Error ? error.name : "unknown";
    console.error("stepgate: SMS delivery failed", detail);
    return false;
  }
}
