/**
 * The text of a verification SMS. The last line is the origin-bound one-time-code line
 * (`@<host> #<code>`, WICG sms-one-time-codes) so a browser on that host can offer to fill the
 * code, and only there. Pure.
 */
export function buildSmsCodeText(code: string, host: string, ttlSeconds: number): string {
  if (!/^[0-9]{4,10}$/.test(code)) throw new TypeError("code must be digits");
  if (!host || /[\s#@]/.test(host)) throw new TypeError("host must be a bare host name");
  const minutes = Math.round(ttlSeconds / 60);
  return `${code} is your Stepgate verification code. It expires in ${minutes} minutes. Never share it: we will never ask for it.\n\n@${host} #${code}`;
}
