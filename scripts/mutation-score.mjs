/**
 * After `stryker run`: the mutation score of each mutated file from reports/mutation/mutation.json,
 * failing (exit 1) when any file is under 85 % (docs/decisions/0015-mutation-testing.md). Score =
 * (killed + timed out) / (killed + timed out + survived + no coverage); ignored mutants (a
 * `Stryker disable` comment naming an equivalent mutant) and compile errors do not count.
 */
import { readFileSync } from "node:fs";

const FLOOR_PERCENT = 85;
const report = JSON.parse(readFileSync("reports/mutation/mutation.json", "utf8"));

let failing = 0;
let detectedTotal = 0;
let countedTotal = 0;
const rows = Object.entries(report.files).map(([file, { mutants }]) => {
  const count = (...statuses) => mutants.filter((mutant) => statuses.includes(mutant.status)).length;
  const detected = count("Killed", "Timeout");
  const counted = detected + count("Survived", "NoCoverage");
  detectedTotal += detected;
  countedTotal += counted;
  const percent = counted === 0 ? 100 : (100 * detected) / counted;
  if (percent < FLOOR_PERCENT) failing++;
  return { file, percent, detected, counted, ignored: count("Ignored") };
});
for (const row of rows.sort((a, b) => a.percent - b.percent)) {
  const mark = row.percent < FLOOR_PERCENT ? "BELOW" : "ok";
  console.log(`${mark.padEnd(5)} ${row.percent.toFixed(1).padStart(5)} %  ${String(row.detected).padStart(4)}/${String(row.counted).padEnd(4)} ${row.ignored ? `(${row.ignored} ignored) ` : ""}${row.file}`);
}
console.log(`overall ${((100 * detectedTotal) / countedTotal).toFixed(1)} % (${detectedTotal}/${countedTotal}); ${failing} file(s) under ${FLOOR_PERCENT} %`);
process.exitCode = failing === 0 ? 0 : 1;
