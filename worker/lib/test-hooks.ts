/**
 * Test-only pause points between a check's awaited work (a hash, a decryption) and the
 * synchronous commit that marks the code, step or grant used. workerd runs the awaited crypto
 * without letting another request in, so a race between two verifications never happens by
 * itself in a test; a test sets `beforeCommit` to hold every verification that passed its check
 * until all have, then releases them, so a commit that forgot to re-read the state is caught
 * (docs/decisions/0016-test-hooks-and-fault-injection.md).
 *
 * Production never sets it: it is plain module state, reachable from no request, binding or
 * configuration value, and an unset hook costs one property read (no await, no yield).
 */

/** What is about to be committed: a factor's code, a payments grant, or a pending enrollment. */
export type CommitSite = "totp" | "sms" | "recovery" | "grant" | "totp_enroll";

export const testHooks: { beforeCommit?: (site: CommitSite) => Promise<void> } = {};
