/**
 * Pending single sign-on logins inside the company Durable Object's SQLite, keyed by `state`.
 * Single use: `takeSsoLogin` reads and deletes in one statement, so two callbacks racing with
 * the same state get it once. Expired rows are never returned and are swept on every insert.
 * Synchronous functions only.
 */
export interface PendingSsoLogin {
  providerId: string;
  nonce: string;
  /** PKCE code verifier (RFC 7636), sent only to the IdP's token endpoint. */
  codeVerifier: string;
  /** SHA-256 (base64url) of the browser-binding cookie set when the login started. */
  bindingHash: string;
  /** Same-site path to continue to after sign-in. */
  returnTo: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export function ensureSsoTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS sso_logins (
    state TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
  )`);
}

export function putSsoLogin(sql: SqlStorage, state: string, login: PendingSsoLogin, nowMs: number): void {
  sql.exec("DELETE FROM sso_logins WHERE expires_at_ms <= ?", nowMs);
  sql.exec("INSERT INTO sso_logins (state, record, expires_at_ms) VALUES (?, ?, ?)", state, JSON.stringify(login), login.expiresAtMs);
}

/** The pending login for `state`, removed whatever happens next; null if unknown or expired. */
export function takeSsoLogin(sql: SqlStorage, state: string, nowMs: number): PendingSsoLogin | null {
  const [row] = sql.exec("DELETE FROM sso_logins WHERE state = ? RETURNING record, expires_at_ms", state).toArray();
  if (!row || Number(row.expires_at_ms) <= nowMs) return null;
  return JSON.parse(String(row.record)) as PendingSsoLogin;
}
