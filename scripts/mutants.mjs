/**
 * `npm run test:mutants`: applies each named mutant of test/mutants/mutants.mjs to the worker source,
 * one at a time, runs the worker tests named for it (workerd, `--bail=1`), restores the file, and
 * reports which mutants the suite kills (docs/decisions/0015-mutation-testing.md). Not part of
 * `.ci/run`: it takes many minutes.
 *
 * Safety: it refuses to start unless worker/ and shared/ match HEAD (so a mutant can never be taken
 * for the original), checks every edit applies exactly once before changing anything, and restores
 * the original bytes in `finally`, on Ctrl-C/SIGTERM and at process exit. While it runs, the
 * worktree holds a mutant: do not commit (`git commit -a` would take it) or run tests there.
 *
 *   npm run test:mutants                        every mutant, its own test files, after a baseline run
 *   npm run test:mutants -- --only a,b          only the named mutants
 *   npm run test:mutants -- --all-tests         the whole worker project for each mutant
 *   npm run test:mutants -- --no-baseline       skip the unmutated run of the test files
 *   npm run test:mutants -- --list              print the list and check it applies, run nothing
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MUTANTS } from "../test/mutants/mutants.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VITEST = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const REPORT = "reports/mutants/result.json";
/** A mutant whose tests run longer than this is counted as killed by a hang (reported as such). */
const RUN_TIMEOUT_MS = 20 * 60_000;

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const only = args.includes("--only") ? new Set((args[args.indexOf("--only") + 1] ?? "").split(",").filter(Boolean)) : null;

process.chdir(ROOT);
if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error("mutants: Node 22 or later is needed (vitest 5 misreports failures on Node 20); run it as `npm run test:mutants`.");
  process.exit(2);
}

/** The file currently mutated and its original bytes; restored by `restore()` from any exit path. */
let applied = null;
let child = null;

function restore() {
  if (!applied) return;
  writeFileSync(applied.file, applied.original);
  applied = null;
}

function stopChild() {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGTERM"); // its own process group: vitest and its workerd
    } catch {
      // already gone
    }
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopChild();
    restore();
    console.error(`\nmutants: ${signal}, source restored`);
    process.exit(130);
  });
}
process.on("exit", restore);

/** The mutated text, or an error when an edit does not apply exactly once. */
function mutate(mutant, source) {
  let text = source;
  for (const [search, replace] of mutant.edits) {
    const count = text.split(search).length - 1;
    if (count !== 1) throw new Error(`mutant ${mutant.name}: "${search.slice(0, 60)}..." occurs ${count} times in ${mutant.file} (must be exactly once)`);
    text = text.replace(search, () => replace);
  }
  return text;
}

/** Runs `files` (worker tests in workerd, unit tests in Node); resolves with the outcome and the failed tests' names. */
function runTests(files) {
  const startedMs = Date.now();
  const vitestArgs = [VITEST, "run", "--project", "worker", "--project", "unit", "--bail=1", ...files];
  return new Promise((resolve) => {
    let output = "";
    child = spawn(process.execPath, vitestArgs, { cwd: ROOT, detached: true, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", CI: "true" } });
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(stopChild, RUN_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      child = null;
      const seconds = Math.round((Date.now() - startedMs) / 1000);
      const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
      const failed = [...new Set(plain.split("\n").filter((line) => /^\s*(×|FAIL)\s/.test(line)).map((line) => line.trim()))].slice(0, 3);
      const timedOut = Date.now() - startedMs >= RUN_TIMEOUT_MS;
      resolve({ passed: code === 0, timedOut, seconds, failed, output });
    });
  });
}

function main() {
  const selected = MUTANTS.filter((mutant) => !only || only.has(mutant.name));
  if (only && selected.length !== only.size) throw new Error(`unknown mutant in --only: ${[...only].filter((name) => !MUTANTS.some((m) => m.name === name)).join(", ")}`);
  const names = new Set();
  for (const mutant of MUTANTS) {
    if (names.has(mutant.name)) throw new Error(`duplicate mutant name ${mutant.name}`);
    names.add(mutant.name);
    mutate(mutant, readFileSync(mutant.file, "utf8")); // every edit applies exactly once, before anything runs
  }
  if (flag("--list")) {
    for (const mutant of selected) console.log(`${mutant.name.padEnd(38)} ${mutant.file}\n${"".padEnd(38)} ${mutant.rule}`);
    console.log(`${selected.length} mutants; every edit applies exactly once.`);
    return Promise.resolve(0);
  }
  const dirty = spawnSync("git", ["diff", "--quiet", "HEAD", "--", "worker", "shared"], { cwd: ROOT });
  if (dirty.status !== 0) throw new Error("worker/ or shared/ differs from HEAD (a mutant left behind, or uncommitted work): commit or restore first");
  return runAll(selected);
}

async function runAll(selected) {
  const allTests = flag("--all-tests");
  const filesOf = (mutant) => (allTests ? [] : mutant.tests);
  const startedMs = Date.now();
  if (!flag("--no-baseline")) {
    const union = allTests ? [] : [...new Set(selected.flatMap((mutant) => mutant.tests))];
    console.log(`baseline: ${allTests ? "the worker and unit projects" : `${union.length} test files`} without any mutant...`);
    const baseline = await runTests(union);
    if (!baseline.passed) {
      console.error(baseline.output.slice(-4000));
      throw new Error("the baseline run fails: a mutant's outcome would mean nothing");
    }
    console.log(`baseline passed in ${baseline.seconds} s`);
  }
  const results = [];
  for (const [index, mutant] of selected.entries()) {
    const original = readFileSync(mutant.file, "utf8");
    const mutated = mutate(mutant, original);
    let outcome;
    applied = { file: mutant.file, original };
    try {
      writeFileSync(mutant.file, mutated);
      outcome = await runTests(filesOf(mutant));
    } finally {
      restore();
    }
    const status = outcome.passed ? "SURVIVED" : outcome.timedOut ? "killed (timeout)" : "killed";
    results.push({ name: mutant.name, file: mutant.file, rule: mutant.rule, status, seconds: outcome.seconds, failed: outcome.failed });
    console.log(`[${index + 1}/${selected.length}] ${status.padEnd(16)} ${mutant.name} (${outcome.seconds} s)${outcome.failed[0] ? `  ${outcome.failed[0]}` : ""}`);
    if (process.env.MUTANTS_VERBOSE) console.log(outcome.output);
  }
  const survived = results.filter((result) => result.status === "SURVIVED");
  const totalSeconds = Math.round((Date.now() - startedMs) / 1000);
  mkdirSync("reports/mutants", { recursive: true });
  writeFileSync(REPORT, `${JSON.stringify({ totalSeconds, results }, null, 2)}\n`);
  console.log(`\n${results.length - survived.length} of ${results.length} mutants killed in ${totalSeconds} s (report: ${REPORT}).`);
  for (const result of survived) console.log(`  SURVIVED ${result.name}: ${result.rule}`);
  return survived.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  restore();
  console.error(`mutants: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 2;
}
