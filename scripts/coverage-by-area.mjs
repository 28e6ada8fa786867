// Line and branch coverage per area, from coverage/coverage-summary.json (npm run test:coverage).
// Worker files are split: the pure modules the Node tests load, and the rest, which only the
// workerd project exercises (not measured here: workerd gives the pool no V8 coverage).
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const summary = JSON.parse(readFileSync("coverage/coverage-summary.json", "utf8"));
const areas = new Map();

function areaOf(file, totals) {
  const path = relative(process.cwd(), file);
  if (path.startsWith("shared/")) return "shared/";
  if (path.startsWith("extension/")) return "extension/";
  if (path.startsWith("worker/")) return totals.statements.covered > 0 ? "worker/ (loaded by Node tests)" : "worker/ (workerd only, not measured)";
  return "other";
}

for (const [file, totals] of Object.entries(summary)) {
  if (file === "total") continue;
  const area = areaOf(file, totals);
  const sum = areas.get(area) ?? { files: 0, lines: [0, 0], branches: [0, 0] };
  sum.files += 1;
  sum.lines[0] += totals.lines.covered;
  sum.lines[1] += totals.lines.total;
  sum.branches[0] += totals.branches.covered;
  sum.branches[1] += totals.branches.total;
  areas.set(area, sum);
}

const pct = ([covered, total]) => (total === 0 ? "  n/a" : `${((100 * covered) / total).toFixed(1).padStart(5)}%`);
console.log("area                                   files   lines            branches");
for (const [area, sum] of [...areas].sort()) {
  console.log(`${area.padEnd(38)} ${String(sum.files).padStart(5)}   ${pct(sum.lines)} ${`${sum.lines[0]}/${sum.lines[1]}`.padEnd(10)} ${pct(sum.branches)} ${sum.branches[0]}/${sum.branches[1]}`);
}
