/**
 * Surviving StrykerJS mutants that are equivalent: no input can tell them from the original, so no
 * test can kill them. Each names the file, the mutator, the original text and the replacement as
 * the report shows them, and why (docs/decisions/0015-mutation-testing.md summarises them).
 * scripts/mutation-score.mjs leaves them out of the per-file score and reports stale entries.
 *
 * @type {Array<{ file: string, mutator: string, original: string, replacement: string, why: string }>}
 */
export const EQUIVALENT = [];
