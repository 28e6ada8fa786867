/**
 * One Durable Object per company: the append-only audit log (SQLite). Entries never contain a
 * code, secret or password: only who, what, the outcome and the internal reason.
 */
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { ensureDirectoryTable, findEntryByEmail, findEntryById, listEntries, upsertEntry, type DirectoryEntry } from "./company-directory";
import { ensureSsoTable, putSsoLogin, takeSsoLogin, type PendingSsoLogin } from "./company-sso";

export interface AuditEntry {
  atMs: number;
  event: string;
  actorId?: string;
  subjectId?: string;
  outcome: "success" | "failure" | "info";
  reason?: string;
  ip?: string;
}

export interface AuditQuery {
  event?: string;
  subjectId?: string;
  limit?: number;
}

export class CompanyDO extends DurableObject<Bindings> {
  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at_ms INTEGER NOT NULL,
      event TEXT NOT NULL,
      actor_id TEXT,
      subject_id TEXT,
      outcome TEXT NOT NULL,
      reason TEXT,
      ip TEXT
    )`);
    ensureDirectoryTable(ctx.storage.sql);
    ensureSsoTable(ctx.storage.sql);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT INTO audit (at_ms, event, actor_id, subject_id, outcome, reason, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
      entry.atMs,
      entry.event,
      entry.actorId ?? null,
      entry.subjectId ?? null,
      entry.outcome,
      entry.reason ?? null,
      entry.ip ?? null,
    );
  }

  /** Newest first. */
  async queryAudit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const rows = this.ctx.storage.sql
      .exec(
        `SELECT at_ms, event, actor_id, subject_id, outcome, reason, ip FROM audit
         WHERE (?1 IS NULL OR event = ?1) AND (?2 IS NULL OR subject_id = ?2)
         ORDER BY seq DESC LIMIT ?3`,
        query.event ?? null,
        query.subjectId ?? null,
        limit,
      )
      .toArray();
    return rows.map((row) => {
      const entry: AuditEntry = { atMs: Number(row.at_ms), event: String(row.event), outcome: row.outcome as AuditEntry["outcome"] };
      if (row.actor_id !== null) entry.actorId = String(row.actor_id);
      if (row.subject_id !== null) entry.subjectId = String(row.subject_id);
      if (row.reason !== null) entry.reason = String(row.reason);
      if (row.ip !== null) entry.ip = String(row.ip);
      return entry;
    });
  }

  // --- directory index (worker/do/company-directory.ts) ----------------------------------------

  async putDirectoryEntry(entry: DirectoryEntry): Promise<void> {
    upsertEntry(this.ctx.storage.sql, entry);
  }

  async listDirectory(limit?: number): Promise<DirectoryEntry[]> {
    return listEntries(this.ctx.storage.sql, limit);
  }

  /** Exact, case-sensitive match on the email as stored in the directory. */
  async findDirectoryEntryByEmail(email: string): Promise<DirectoryEntry | null> {
    return findEntryByEmail(this.ctx.storage.sql, email);
  }

  async getDirectoryEntry(userId: string): Promise<DirectoryEntry | null> {
    return findEntryById(this.ctx.storage.sql, userId);
  }

  // --- pending single sign-on logins (worker/do/company-sso.ts) --------------------------------

  async putSsoLogin(state: string, login: PendingSsoLogin, nowMs: number): Promise<void> {
    putSsoLogin(this.ctx.storage.sql, state, login, nowMs);
  }

  /** Single use: read and delete in one statement; null if unknown or expired. */
  async takeSsoLogin(state: string, nowMs: number): Promise<PendingSsoLogin | null> {
    return takeSsoLogin(this.ctx.storage.sql, state, nowMs);
  }
}
