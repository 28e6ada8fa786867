/**
 * Named mutants of the rules that live in the Durable Objects and around them, applied one at a
 * time by `npm run test:mutants` (scripts/mutants.mjs, docs/decisions/0015-mutation-testing.md).
 * Each is an exact search/replace in one file that must apply exactly once; `tests` are the worker
 * test files expected to kill it (the script runs them with --bail=1). Every mutant here breaks a
 * rule of SPEC.md or a decision record: the suite must fail on each. Files under test/unit/ run in
 * Node, the others in workerd.
 *
 * @typedef {{ name: string, rule: string, file: string, edits: Array<[search: string, replace: string]>, tests: string[] }} Mutant
 */

/** @type {Mutant[]} */
export const MUTANTS = [
  // --- second-factor commit: single use, re-checked at commit --------------------------------------
  {
    name: "totp-same-step-replay",
    rule: "A TOTP step at or before the last accepted one is refused (replay).",
    file: "worker/do/account-factors.ts",
    edits: [["if (result.timeStep <= lastStep) return false;", "if (result.timeStep < lastStep) return false;"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/totp.security.test.ts", "test/worker/replay-across.security.test.ts"],
  },
  {
    name: "totp-step-not-recorded",
    rule: "An accepted TOTP step is recorded at commit, so it cannot be used again.",
    file: "worker/do/account-factors.ts",
    edits: [["      kv.put(\"totp_last_step\", result.timeStep);\n      return true;", "      return true;"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/totp.security.test.ts", "test/worker/replay-across.security.test.ts"],
  },
  {
    name: "recovery-no-recheck-at-commit",
    rule: "A recovery code is consumed only if it is still the stored one when the check commits (issue #12).",
    file: "worker/do/account-factors.ts",
    edits: [["      const current = kv.get<RecoveryFactor>(\"recovery\");\n      if (!current || current.hash.hash !== factor.hash.hash) return false;\n", ""]],
    tests: ["test/worker/recovery.security.test.ts", "test/worker/settings.security.test.ts", "test/worker/replay-across.security.test.ts"],
  },
  {
    name: "sms-no-recheck-at-commit",
    rule: "An SMS code commits only if it is still the pending code for its binding (resend or concurrent use wins).",
    file: "worker/do/account-sms.ts",
    edits: [["      if (!current || current.hash !== pending.hash) return false;\n", ""]],
    tests: ["test/worker/sms-codes.security.test.ts"],
  },
  {
    name: "sms-code-not-consumed",
    rule: "An SMS code is deleted when it is used: single use.",
    file: "worker/do/account-sms.ts",
    edits: [["      host.kv.delete(key);\n      return true;", "      return true;"]],
    tests: ["test/worker/sms-single-use.security.test.ts", "test/worker/sms-codes.security.test.ts"],
  },
  {
    name: "sms-code-expiry-exclusive",
    rule: "An SMS code is valid up to and including its expiry (10:00 yes, 10:01 no).",
    file: "worker/do/account-sms.ts",
    edits: [["if (nowMs > pending.expiresAtMs) return { ok: false, reason: \"code_expired\" };", "if (nowMs >= pending.expiresAtMs) return { ok: false, reason: \"code_expired\" };"]],
    tests: ["test/worker/sms-codes.security.test.ts"],
  },
  {
    name: "challenge-not-rechecked-after-await",
    rule: "After the slow check, the challenge and the session are read again before committing.",
    file: "worker/do/account.ts",
    edits: [["    if (!this.kv.get(`challenge:${challengeId}`) || !this.live(sid, nowMs)) return { ok: false, reason: \"no_challenge\" };\n", ""]],
    tests: ["test/worker/totp.security.test.ts", "test/worker/recovery.security.test.ts", "test/worker/sms-codes.security.test.ts"],
  },
  {
    name: "challenge-commit-ignored",
    rule: "A challenge passes only when the factor's commit succeeds (single use at sign-in).",
    file: "worker/do/account.ts",
    edits: [["    if (!outcome.commit()) return { ok: false, reason: \"replayed\" };\n    clearFailures(this.kv);\n    this.kv.delete(`challenge:${challengeId}`);", "    outcome.commit();\n    clearFailures(this.kv);\n    this.kv.delete(`challenge:${challengeId}`);"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/totp.security.test.ts", "test/worker/replay-across.security.test.ts", "test/worker/recovery.security.test.ts"],
  },
  {
    name: "identity-commit-ignored",
    rule: "Settings identity verification passes only when the factor's commit succeeds.",
    file: "worker/do/account-settings.ts",
    edits: [["  if (!outcome.commit()) return { ok: false, reason: \"replayed\" };", "  outcome.commit();"]],
    tests: ["test/worker/replay-across.security.test.ts", "test/worker/settings.security.test.ts"],
  },

  // --- the attempt counter ----------------------------------------------------------------------
  {
    name: "attempt-reserved-after-await",
    rule: "The attempt is counted before any await, so a concurrent burst is counted in full (decision 0003).",
    file: "worker/do/account.ts",
    edits: [
      ["    const reservation = reserveAttempt(this.kv, method, nowMs);\n    if (!reservation.ok) return reservation;\n\n", ""],
      ["          : await checkRecovery(this.kv, this.config, normalized);\n", "          : await checkRecovery(this.kv, this.config, normalized);\n    const reservation = reserveAttempt(this.kv, method, nowMs);\n    if (!reservation.ok) return reservation;\n"],
    ],
    tests: ["test/worker/attempts.security.test.ts", "test/worker/brute-force.security.test.ts"],
  },
  {
    name: "attempts-counted-per-method",
    rule: "One failure counter per account, shared by every method and session.",
    file: "worker/do/account-attempts.ts",
    edits: [
      ["  const state = kv.get<FailureState>(\"failures\") ?? { consecutive: 0, nextAllowedAtMs: 0, byMethod: {} };", "  const state = kv.get<FailureState>(`failures:${method}`) ?? { consecutive: 0, nextAllowedAtMs: 0, byMethod: {} };"],
      ["  kv.put<FailureState>(\"failures\", {", "  kv.put<FailureState>(`failures:${method}`, {"],
    ],
    tests: ["test/worker/account-model.test.ts", "test/worker/brute-force.security.test.ts", "test/worker/attempts.security.test.ts"],
  },
  {
    name: "attempt-wait-not-enforced",
    rule: "While a wait runs, an attempt is refused unevaluated (429).",
    file: "worker/do/account-attempts.ts",
    edits: [["  if (state.nextAllowedAtMs > nowMs) {", "  if (false) {"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/attempts.security.test.ts"],
  },
  {
    name: "waits-start-after-five",
    rule: "Four free failures, then waits from the fifth (decision 0003).",
    file: "worker/domain/throttle.ts",
    edits: [["export const FREE_ATTEMPTS = 4;", "export const FREE_ATTEMPTS = 5;"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/attempts.security.test.ts"],
  },
  {
    name: "failure-cap-lowered-to-10",
    rule: "A factor is disabled after 100 consecutive failures, not fewer (issue #12).",
    file: "worker/domain/throttle.ts",
    edits: [["export const FACTOR_DISABLE_AFTER = 100;", "export const FACTOR_DISABLE_AFTER = 10;"]],
    tests: ["test/worker/attempt-cap-per-method.security.test.ts", "test/worker/attempts.security.test.ts", "test/worker/brute-force.security.test.ts"],
  },
  {
    name: "failure-cap-off-by-one",
    rule: "Enabled at 99 consecutive failures, disabled at 100.",
    file: "worker/do/account-attempts.ts",
    edits: [["(state.byMethod[method] ?? 0) < FACTOR_DISABLE_AFTER) return false;", "(state.byMethod[method] ?? 0) <= FACTOR_DISABLE_AFTER) return false;"]],
    tests: ["test/worker/attempt-cap-per-method.security.test.ts", "test/worker/attempts.security.test.ts", "test/worker/brute-force.security.test.ts"],
  },
  {
    name: "failure-cap-across-methods",
    rule: "The 100-failure cap counts each method's own failures (guessing recovery codes does not disable the app).",
    file: "worker/do/account-attempts.ts",
    edits: [["(state.byMethod[method] ?? 0) < FACTOR_DISABLE_AFTER) return false;", "state.consecutive < FACTOR_DISABLE_AFTER) return false;"]],
    tests: ["test/worker/attempt-cap-per-method.security.test.ts", "test/worker/attempts.security.test.ts", "test/worker/brute-force.security.test.ts"],
  },
  {
    name: "success-keeps-failures",
    rule: "A passed challenge clears the failure counter.",
    file: "worker/do/account.ts",
    edits: [["    if (!outcome.commit()) return { ok: false, reason: \"replayed\" };\n    clearFailures(this.kv);\n", "    if (!outcome.commit()) return { ok: false, reason: \"replayed\" };\n"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/attempts.security.test.ts", "test/worker/brute-force.security.test.ts", "test/worker/notify.test.ts"],
  },

  // --- grants for sensitive actions --------------------------------------------------------------
  {
    name: "grant-reusable",
    rule: "A grant is used once: deleted before the request is forwarded.",
    file: "worker/do/account-payments.ts",
    edits: [["    kv.delete(`grant:${grant.id}`); // single use: gone before the request is forwarded\n", ""]],
    tests: ["test/worker/payments.security.test.ts"],
  },
  {
    name: "grant-any-session",
    rule: "A grant works only for the session that passed its challenge.",
    file: "worker/do/account-payments.ts",
    edits: [["candidates.find((g) => g.sid === sid && g.expiresAtMs > nowMs", "candidates.find((g) => g.expiresAtMs > nowMs"]],
    tests: ["test/worker/payments.security.test.ts"],
  },
  {
    name: "grant-any-action",
    rule: "A grant works only for the exact request it approved.",
    file: "worker/do/account-payments.ts",
    edits: [["g.expiresAtMs > nowMs && sameAction(g.action, action)) ?? null;", "g.expiresAtMs > nowMs) ?? null;"]],
    tests: ["test/worker/payments.security.test.ts"],
  },
  {
    name: "grant-body-unbound",
    rule: "The approved request includes its body (hash).",
    file: "worker/do/account-payments.ts",
    edits: [["a.mediaType === b.mediaType && a.bodyHash === b.bodyHash", "a.mediaType === b.mediaType"]],
    tests: ["test/worker/payments.security.test.ts", "test/worker/approval-binding.security.test.ts"],
  },
  {
    name: "grant-media-type-unbound",
    rule: "The approved request includes the body's media type: the same bytes as a form are another action (issue #12, High).",
    file: "worker/do/account-payments.ts",
    edits: [["a.path === b.path && a.mediaType === b.mediaType && ", "a.path === b.path && "]],
    tests: ["test/worker/approval-binding.security.test.ts", "test/worker/payments.security.test.ts"],
  },
  {
    name: "grant-never-expires",
    rule: "A grant is refused after it expires.",
    file: "worker/do/account-payments.ts",
    edits: [["candidates.find((g) => g.sid === sid && g.expiresAtMs > nowMs && ", "candidates.find((g) => g.sid === sid && "]],
    tests: ["test/worker/payments.security.test.ts"],
  },

  // --- payments entry and idle --------------------------------------------------------------------
  {
    name: "payments-no-entry-challenge",
    rule: "Every entry into the payments tool asks for a second factor.",
    file: "worker/do/account-payments.ts",
    edits: [["  const state = session.payments;\n  if (!state) return challengeFor(kv, config, sid, \"payments_entry\", nowMs);", "  const state = session.payments ?? { verifiedAtMs: nowMs, lastSeenMs: nowMs };"]],
    tests: ["test/worker/payments.security.test.ts"],
  },
  {
    name: "payments-leaving-kept",
    rule: "Leaving the payments tool makes the next request inside it a new entry.",
    file: "worker/do/account-payments.ts",
    edits: [["  delete session.payments;\n", ""]],
    tests: ["test/worker/payments.security.test.ts"],
  },
  {
    name: "payments-idle-from-last-verification",
    rule: "Payments idle time is measured from the last request, not the last verification (issue #12).",
    file: "worker/do/account-payments.ts",
    edits: [["if (nowMs - state.lastSeenMs > config.paymentsIdleSeconds * 1000)", "if (nowMs - state.verifiedAtMs > config.paymentsIdleSeconds * 1000)"]],
    tests: ["test/worker/payments.security.test.ts", "test/worker/dev-clock.test.ts"],
  },
  {
    name: "payments-idle-at-exactly-30-min",
    rule: "Idle is strictly more than 30 minutes: exactly 30:00 still passes.",
    file: "worker/do/account-payments.ts",
    edits: [["if (nowMs - state.lastSeenMs > config.paymentsIdleSeconds * 1000)", "if (nowMs - state.lastSeenMs >= config.paymentsIdleSeconds * 1000)"]],
    tests: ["test/worker/payments.security.test.ts"],
  },
  {
    name: "payments-request-not-activity",
    rule: "Each allowed request inside the tool restarts the idle clock.",
    file: "worker/do/account-payments.ts",
    edits: [["  session.payments = { verifiedAtMs: state.verifiedAtMs, lastSeenMs: nowMs };", "  session.payments = { verifiedAtMs: state.verifiedAtMs, lastSeenMs: state.lastSeenMs };"]],
    tests: ["test/worker/payments.security.test.ts", "test/worker/dev-clock.test.ts"],
  },

  // --- admin reset ----------------------------------------------------------------------------------
  {
    name: "reset-keeps-sessions",
    rule: "After an admin reset the person's existing sessions end.",
    file: "worker/do/account-reset.ts",
    edits: [
      ["  const sessionsEnded = endAllSessions(kv);", "  const sessionsEnded = 0;"],
      ["  for (const key of keys) if (!KEPT_KEYS.has(key)) kv.delete(key);", "  for (const key of keys) if (!KEPT_KEYS.has(key) && !key.startsWith(\"session:\")) kv.delete(key);"],
    ],
    tests: ["test/worker/account-model.test.ts", "test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "reset-keeps-authenticator",
    rule: "An admin reset removes every factor: the person must enroll again.",
    file: "worker/do/account-reset.ts",
    edits: [["new Set([\"password\", \"password_failures\", \"decoy\", \"inactive\"])", "new Set([\"password\", \"password_failures\", \"decoy\", \"inactive\", \"totp\"])"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "reset-without-fresh-mfa",
    rule: "Admin actions need a second factor passed within the last 10 minutes.",
    file: "worker/domain/admin.ts",
    edits: [["  if (mfaAtSeconds === undefined || Math.floor(nowMs / 1000) - mfaAtSeconds > ADMIN_FRESH_MFA_SECONDS) return \"reauth_required\";\n", ""]],
    tests: ["test/worker/admin.test.ts", "test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "reset-self-allowed",
    rule: "An admin cannot reset their own MFA.",
    file: "worker/domain/admin.ts",
    edits: [["  if (target.id === admin.id) return \"cannot_reset_self\";\n", ""]],
    tests: ["test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "reset-payments-user-allowed",
    rule: "Payments users cannot be reset by a company admin.",
    file: "worker/domain/admin.ts",
    edits: [["  if (isPaymentsRole(target.role)) return \"payments_user_reset\";\n", ""]],
    tests: ["test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "reset-sso-user-allowed",
    rule: "SSO users without Stepgate factors cannot be reset.",
    file: "worker/domain/admin.ts",
    edits: [["  if (target.sso && input.targetHasStepgateFactors !== true) return \"sso_user_reset\";\n", ""]],
    tests: ["test/worker/admin-reset.security.test.ts", "test/worker/sso.security.test.ts"],
  },
  {
    name: "reset-while-not-enforced",
    rule: "Resets are possible only while the company enforces MFA.",
    file: "worker/domain/admin.ts",
    edits: [["  if (!isEnforcingNow(company, nowMs)) return \"mfa_not_enforced\";\n", ""]],
    tests: ["test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "admin-enforcement-in-utc",
    rule: "The admin's \"enforcement has started\" is evaluated in the admin's time zone, not UTC (issue #12).",
    file: "worker/domain/admin.ts",
    edits: [["return nowMs >= enforcementStartMs(company.deadline, company.timeZone);", "return nowMs >= enforcementStartMs(company.deadline, \"UTC\");"]],
    tests: ["test/unit/admin-rules.test.ts", "test/worker/admin-reset.security.test.ts", "test/worker/admin.test.ts"],
  },

  // --- secrets at rest --------------------------------------------------------------------------
  {
    name: "secretbox-zero-iv",
    rule: "Each seal uses 12 fresh random IV bytes (issue #12).",
    file: "worker/lib/secretbox.ts",
    edits: [["  const iv = crypto.getRandomValues(new Uint8Array(12));", "  const iv = new Uint8Array(12);"]],
    tests: ["test/worker/secrets-at-rest.security.test.ts"],
  },
  {
    name: "secretbox-no-account-binding",
    rule: "The account id is the additional data: a ciphertext copied to another account does not open.",
    file: "worker/lib/secretbox.ts",
    edits: [
      ["    { name: \"AES-GCM\", iv, additionalData: encoder.encode(accountId) },\n    await importKey(kid, raw),", "    { name: \"AES-GCM\", iv },\n    await importKey(kid, raw),"],
      ["      { name: \"AES-GCM\", iv, additionalData: encoder.encode(accountId) },\n      await importKey(box.kid, raw),", "      { name: \"AES-GCM\", iv },\n      await importKey(box.kid, raw),"],
    ],
    tests: ["test/worker/secrets-at-rest.security.test.ts"],
  },
  {
    name: "secretbox-key-id-ignored",
    rule: "A box opens with the key named by its stored key id, so an old key still opens after rotation.",
    file: "worker/lib/secretbox.ts",
    edits: [["  const raw = keys.get(box.kid);\n  const iv = decodeBase64Url(box.iv);", "  const raw = [...keys.values()].at(-1);\n  const iv = decodeBase64Url(box.iv);"]],
    tests: ["test/worker/secrets-at-rest.security.test.ts"],
  },

  // --- session liveness and the fresh-MFA window ----------------------------------------------------
  {
    name: "signout-keeps-session",
    rule: "Signing out ends the session in the account's Durable Object.",
    file: "worker/do/account.ts",
    edits: [["  async endSession(sid: string): Promise<void> {\n    endSession(this.kv, sid);\n  }", "  async endSession(sid: string): Promise<void> {}"]],
    tests: ["test/worker/session.security.test.ts", "test/worker/signin.test.ts"],
  },
  {
    name: "signout-not-revoked-in-isolate",
    rule: "A signed-out token stops working at once in the isolate that signed it out.",
    file: "worker/session.ts",
    edits: [["  if (session) revokeSessionInIsolate(session.sid, c.var.ports.now() + c.var.config.sessionTokenTtlSeconds * 1000);\n", ""]],
    tests: ["test/worker/signin.test.ts", "test/worker/session.security.test.ts", "test/worker/hot-path.test.ts"],
  },
  {
    name: "mfa-keeps-old-session",
    rule: "Passing MFA replaces the session id and ends the old one.",
    file: "worker/do/account-sessions.ts",
    edits: [["  endSession(kv, old.sid);\n  const session = createSession(", "  const session = createSession("]],
    tests: ["test/worker/account-model.test.ts", "test/worker/session.security.test.ts"],
  },
  {
    name: "deactivation-keeps-sessions",
    rule: "Deactivating a person ends every session at once.",
    file: "worker/do/account.ts",
    edits: [["      return { sessionsEnded: endEverySession(this.kv) };", "      return { sessionsEnded: 0 };"]],
    tests: ["test/worker/admin-reset.security.test.ts"],
  },
  {
    name: "fresh-mfa-window-60-min",
    rule: "Changing factors needs a second factor passed within the last 10 minutes.",
    file: "worker/domain/fresh-mfa.ts",
    edits: [["export const FRESH_MFA_WINDOW_SECONDS = 10 * 60;", "export const FRESH_MFA_WINDOW_SECONDS = 60 * 60;"]],
    tests: ["test/worker/account-model.test.ts", "test/worker/enrollment.security.test.ts", "test/worker/settings.security.test.ts"],
  },
  {
    name: "enroll-session-adds-second-factor",
    rule: "Once a factor exists, only a done session with fresh MFA may add or replace one (never the password alone).",
    file: "worker/do/account.ts",
    edits: [["    if (session.stage !== \"done\") return false;\n    return hasFreshSecondFactor(", "    return hasFreshSecondFactor("]],
    tests: ["test/worker/account-model.test.ts", "test/worker/enrollment-race.security.test.ts", "test/worker/enrollment.security.test.ts"],
  },
];
