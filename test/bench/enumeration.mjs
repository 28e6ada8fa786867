// `npm run bench:enumeration`: does a wrong-password sign-in take longer for an existing email than
// for an unknown one? Starts the real Worker (wrangler's local runtime, fresh in-memory storage,
// production password cost), warms both paths, then sends 50 pairs of wrong-password sign-ins
// (`POST /_stepgate/api/session`), one to an existing demo email and one to an unknown email, the
// order inside each pair shuffled. Reports, for existing minus unknown, the median and mean
// difference and how many pairs the existing email was slower. Not a test: timing on a shared
// machine is noisy, so this reports and never fails (the structural proof is
// test/worker/signin-enumeration.security.test.ts).
//
//   ENUM_REF=<git ref>  measure that commit (exported with `git archive`) instead of the working tree
//   ENUM_PAIRS=<n>      number of pairs (default 50)
//   ENUM_ROUNDS=<n>     PASSWORD_PBKDF2_ROUNDS (default: the deployment default, 6 x 100,000);
//                       1 makes the hash's own jitter smaller than the I/O difference looked for
//
// The Worker listens on a port the system picks (port 0): no fixed port, so it can run beside
// anything else; `ip netns exec` is not needed.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";
import { generateSecrets } from "../../scripts/secrets.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAIRS = Number(process.env.ENUM_PAIRS ?? 50);
const REF = process.env.ENUM_REF;
// Any URL will do: the JSON API compares the Origin header with PUBLIC_URL, not with the socket.
const PUBLIC_URL = "http://127.0.0.1:8787";
const EXISTING = "user@demo.test";
const UNKNOWN = "nobody-here@demo.test";

function exportRef(ref) {
  const dir = mkdtempSync(join(tmpdir(), "stepgate-enum-"));
  execFileSync("sh", ["-c", `git archive --format=tar '${ref}' | tar -x -C '${dir}'`], { cwd: ROOT });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const commit = execFileSync("git", ["rev-parse", "--short", ref], { cwd: ROOT, encoding: "utf8" }).trim();
  return { dir, label: `${ref} (${commit})`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const source = REF
  ? exportRef(REF)
  : { dir: ROOT, label: `working tree (${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()})`, cleanup: () => {} };

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";
const plain = { PUBLIC_URL, ISSUER: PUBLIC_URL, ORIGIN_URL: "http://127.0.0.1:9", ...(process.env.ENUM_ROUNDS ? { PASSWORD_PBKDF2_ROUNDS: process.env.ENUM_ROUNDS } : {}) };
const worker = await unstable_startWorker({
  config: join(source.dir, "wrangler.toml"),
  envFiles: [join(source.dir, ".no-env-file")],
  bindings: {
    ...Object.fromEntries(Object.entries(plain).map(([name, value]) => [name, { type: "plain_text", value }])),
    ...Object.fromEntries(Object.entries(generateSecrets()).map(([name, value]) => [name, { type: "secret_text", value }])),
  },
  dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: false, logLevel: "error" },
});

try {
  await worker.ready;
  const url = new URL("/_stepgate/api/session", await worker.url);

  /** One wrong-password sign-in; returns the wall time in ms and the error code. */
  async function attempt(email) {
    const body = JSON.stringify({ email, password: `wrong-${randomBytes(6).toString("hex")}` });
    const start = process.hrtime.bigint();
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", origin: PUBLIC_URL }, body });
    const answer = await response.text();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const code = /"code":"([A-Z_]+)"/.exec(answer)?.[1] ?? String(response.status);
    return { ms, code: `${response.status} ${code}` };
  }

  // Warm-up: demo seeding, both Durable Objects, the decoy hash, the isolate's caches.
  for (let i = 0; i < 5; i++) {
    await attempt(EXISTING);
    await attempt(UNKNOWN);
  }

  const differences = [];
  const codes = new Set();
  let existingSlower = 0;
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = Math.random() < 0.5 ? [EXISTING, UNKNOWN] : [UNKNOWN, EXISTING];
    const times = {};
    for (const email of order) {
      const { ms, code } = await attempt(email);
      times[email] = ms;
      codes.add(code);
    }
    const difference = times[EXISTING] - times[UNKNOWN];
    differences.push(difference);
    if (difference > 0) existingSlower++;
  }
  differences.sort((a, b) => a - b);
  const median = differences[Math.floor(differences.length / 2)];
  const mean = differences.reduce((sum, d) => sum + d, 0) / differences.length;
  const result = {
    source: source.label,
    pairs: PAIRS,
    password_rounds: Number(process.env.ENUM_ROUNDS ?? 6),
    median_difference_ms: Number(median.toFixed(2)),
    mean_difference_ms: Number(mean.toFixed(2)),
    existing_slower_pairs: existingSlower,
    answers: [...codes],
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`${source.label}, ${result.password_rounds} x 100,000 PBKDF2: existing email minus unknown email, median ${result.median_difference_ms} ms, mean ${result.mean_difference_ms} ms; existing slower in ${existingSlower} of ${PAIRS} pairs`);
} finally {
  await worker.dispose();
  source.cleanup();
}
