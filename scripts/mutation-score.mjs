/**
 * After `stryker run`: the mutation score of each mutated file from reports/mutation/mutation.json,
 * failing (exit 1) when any file is under 85 % (docs/decisions/0015-mutation-testing.md). Score =
 * (killed + timed out) / (killed + timed out + survived + no coverage). Not counted: mutants the
 * ErrorMessage ignorer skips (scripts/stryker-ignorers.mjs), compile errors, and survivors listed
 * as equivalent in test/mutants/equivalent.mjs (matched by file, mutator, original text and
 * replacement, so the list survives edits elsewhere in the file; an entry that matches nothing is
 * reported as stale).
 */
import { readFileSync } from "node:fs";
import { EQUIVALENT } from "../test/mutants/equivalent.mjs";

const FLOOR_PERCENT = 85;
const report = JSON.parse(readFileSync("reports/mutation/mutation.json", "utf8"));

/** The original source text a mutant replaced (report locations are 1-based lines and columns). */
function originalText(source, { start, end }) {
  const lines = source.split("\n");
  if (start.line === end.line) return (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [(lines[start.line - 1] ?? "").slice(start.column - 1), ...middle, (lines[end.line - 1] ?? "").slice(0, end.column - 1)].join("\n");
}

const used = new Set();
function isEquivalent(file, source, mutant) {
  const original = originalText(source, mutant.location);
  const index = EQUIVALENT.findIndex((e) => e.file === file && e.mutator === mutant.mutatorName && e.original === original && e.replacement === mutant.replacement);
  if (index >= 0) used.add(index);
  return index >= 0;
}

let failing = 0;
let detectedTotal = 0;
let countedTotal = 0;
const rows = Object.entries(report.files).map(([file, { source, mutants }]) => {
  const undetected = mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
  const equivalent = undetected.filter((m) => isEquivalent(file, source, m)).length;
  const detected = mutants.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
  const counted = detected + undetected.length - equivalent;
  detectedTotal += detected;
  countedTotal += counted;
  const percent = counted === 0 ? 100 : (100 * detected) / counted;
  if (percent < FLOOR_PERCENT) failing++;
  return { file, percent, detected, counted, equivalent, ignored: mutants.filter((m) => m.status === "Ignored").length };
});
for (const row of rows.sort((a, b) => a.percent - b.percent)) {
  const notes = [row.equivalent ? `${row.equivalent} equivalent` : "", row.ignored ? `${row.ignored} ignored` : ""].filter(Boolean).join(", ");
  console.log(`${(row.percent < FLOOR_PERCENT ? "BELOW" : "ok").padEnd(5)} ${row.percent.toFixed(1).padStart(5)} %  ${String(row.detected).padStart(4)}/${String(row.counted).padEnd(4)} ${row.file}${notes ? ` (${notes})` : ""}`);
}
for (const [index, entry] of EQUIVALENT.entries()) if (!used.has(index)) console.log(`stale equivalent entry (no such surviving mutant): ${entry.file} ${entry.mutator} ${JSON.stringify(entry.original)}`);
console.log(`overall ${((100 * detectedTotal) / countedTotal).toFixed(1)} % (${detectedTotal}/${countedTotal}); ${failing} file(s) under ${FLOOR_PERCENT} %`);
process.exitCode = failing === 0 ? 0 : 1;
