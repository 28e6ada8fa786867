/**
 * The company's directory index inside the company Durable Object's SQLite: one row per person,
 * kept in sync by `writeUser` (worker/domain/directory.ts), the single function that writes a
 * directory entry. KV stays the source of truth for sign-in; this index answers "who belongs to
 * this company" (listing, exact-email lookup) without listing KV. Synchronous functions only.
 */
import type { Role } from "../../shared/policy";

export interface DirectoryEntry {
  userId: string;
  /** Exactly as written to the directory (case preserved): reset matches it exactly. */
  email: string;
  name: string;
  role: Role;
  active: boolean;
  sso: boolean;
}

export function ensureDirectoryTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    active INTEGER NOT NULL,
    sso INTEGER NOT NULL
  )`);
  sql.exec("CREATE INDEX IF NOT EXISTS users_email ON users (email)");
}

export function upsertEntry(sql: SqlStorage, entry: DirectoryEntry): void {
  sql.exec(
    `INSERT INTO users (user_id, email, name, role, active, sso) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name,
       role = excluded.role, active = excluded.active, sso = excluded.sso`,
    entry.userId,
    entry.email,
    entry.name,
    entry.role,
    entry.active ? 1 : 0,
    entry.sso ? 1 : 0,
  );
}

/** Everyone in the company, ordered by email; `limit` caps the page (at most 1000). */
export function listEntries(sql: SqlStorage, limit = 500): DirectoryEntry[] {
  const capped = Math.min(Math.max(limit, 1), 1000);
  return sql.exec("SELECT * FROM users ORDER BY email LIMIT ?", capped).toArray().map(toEntry);
}

/** The entry whose email is exactly `email` (SQLite's default BINARY collation: case-sensitive). */
export function findEntryByEmail(sql: SqlStorage, email: string): DirectoryEntry | null {
  const [row] = sql.exec("SELECT * FROM users WHERE email = ? LIMIT 1", email).toArray();
  return row ? toEntry(row) : null;
}

export function findEntryById(sql: SqlStorage, userId: string): DirectoryEntry | null {
  const [row] = sql.exec("SELECT * FROM users WHERE user_id = ? LIMIT 1", userId).toArray();
  return row ? toEntry(row) : null;
}

function toEntry(row: Record<string, SqlStorageValue>): DirectoryEntry {
  return {
    userId: String(row.user_id),
    email: String(row.email),
    name: String(row.name),
    role: String(row.role) as Role,
    active: row.active === 1,
    sso: row.sso === 1,
  };
}
