// `npm run bench`: the gateway's throughput and latency against the demo origin, in workerd itself
// (not wrangler dev or Miniflare, which are far slower: /work/shared/TOOLCHAIN.md), on 127.0.0.1.
//
//   (a) the demo origin directly            (b) a bare Hono pass-through Worker in the same workerd
//   (c) the gateway, signed-in session (hot path, GET /whoami)
//   (d) POST /api/challenges/{id}/verify with a TOTP code   (e) POST /api/session (password)
//
// plus the Worker bundle size (gzip) and the storage operations per hot-path request, counted by
// a KV service and a Durable-Object-counting build of the same sources (README in docs/PERFORMANCE.md).
// (a), (b), (c) are interleaved within each repeat and the median of the repeats is reported.
// Writes bench-results/latest.json and bench-results/latest.svg. Environment knobs:
//   BENCH_QUICK=1       one short repeat (a smoke run, not for figures)
//   BENCH_SOURCE=head   bundle the committed HEAD instead of the working tree
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, get as httpGet } from "node:http";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import workerdModule from "workerd";
import { generateSecrets } from "../../scripts/secrets.mjs";
import { buildAll, sourceTree } from "./lib/build.mjs";
import { GatewayClient, enrollWithApp, signInToChallenge, tokenMinter, totp, SESSION_COOKIE } from "./lib/flows.mjs";
import { cpuMs, median, percentile, runLoad } from "./lib/load.mjs";
import { renderSvg, formatTable } from "./lib/report.mjs";
import { writeWorkerdConfig } from "./lib/workerd-config.mjs";

// workerd's package is CommonJS: its default export is the binary's path.
const workerdPath = typeof workerdModule === "string" ? workerdModule : workerdModule.default;
const workerdVersion = workerdModule.version;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const QUICK = process.env.BENCH_QUICK === "1";
const PLAN = {
  repeats: QUICK ? 1 : 3,
  connections: 50,
  throughput_seconds: QUICK ? 2 : 6,
  latency_slices: QUICK ? 3 : 10,
  latency_requests_per_slice: 400,
  warmup_seconds: QUICK ? 1 : 2,
  totp_pairs_per_repeat: QUICK ? 4 : 12,
  signin_seconds: QUICK ? 2 : 4,
  storage_count_requests: 2000,
  path: "/whoami",
};
const PASSWORD = "stepgate-demo-password";
const HOT_USER = "user@demo.test"; // (c): enrolled here, then signed-in sessions with its claims
const TOTP_USER = "payor@demo.test"; // (d): enrolled here, then sign-in + verify pairs
const SIGNIN_USER = "admin@demo.test"; // (e): never enrolled, so each sign-in only hashes and starts a session

const log = (...args) => console.log(...args);
const scratch = mkdtempSync(join(tmpdir(), "stepgate-bench-"));
const children = [];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(label, command, args, options) {
  const logFile = join(scratch, `${label}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { ...options, stdio: ["ignore", fd, fd] });
  child.label = label;
  child.logFile = logFile;
  children.push(child);
  child.once("exit", (code, signal) => {
    child.exited = true;
    if (!stopping) {
      console.error(`${label} exited early (code ${code}, signal ${signal}). Its log:\n${readFileSync(logFile, "utf8").slice(-4000)}`);
      process.exitCode = 1;
    }
  });
  return child;
}

let stopping = false;
async function stopAll() {
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exited || child.exitCode !== null) return resolve();
          child.once("exit", resolve);
          child.kill("SIGTERM");
          setTimeout(() => {
            if (!child.exited) child.kill("SIGKILL");
          }, 3000).unref();
        }),
    ),
  );
}

async function waitFor(url, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = error.message;
    }
    if (children.some((child) => child.exited)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not answer at ${url}: ${last}`);
}

function fmt(value, digits = 2) {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : null;
}

async function main() {
  const t0 = Date.now();
  // ---- Build --------------------------------------------------------------------------------
  const source = sourceTree(ROOT, scratch, process.env.BENCH_SOURCE);
  log(`Stepgate benchmark (${QUICK ? "QUICK smoke run" : `${PLAN.repeats} repeats`}), bundling the ${source.label}...`);
  const builds = await buildAll({ root: ROOT, srcDir: source.dir, outRoot: join(scratch, "build") });

  // ---- Start the origin and workerd -----------------------------------------------------------
  const ports = { origin: await freePort(), gateway: await freePort(), counting: await freePort(), bare: await freePort(), kvControl: await freePort(), kvCountingControl: await freePort() };
  const originUrl = `http://127.0.0.1:${ports.origin}`;
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const countingUrl = `http://127.0.0.1:${ports.counting}`;
  const bareUrl = `http://127.0.0.1:${ports.bare}`;
  const secrets = generateSecrets();
  // Both gateways share the issuer and keys, so the one origin accepts assertions from either.
  const vars = (label, port) => ({
    STEPGATE_MODE: "development",
    DEMO_SEED: "true",
    ORIGIN_URL: originUrl,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ISSUER: gatewayUrl,
    ...secrets,
  });
  const workerdDir = join(scratch, "workerd");
  mkdirSync(workerdDir, { recursive: true });
  const configFile = writeWorkerdConfig({ dir: workerdDir, root: ROOT, builds, ports, vars });
  const workerd = start("workerd", workerdPath, ["serve", configFile], { cwd: workerdDir });
  const origin = start("origin", process.execPath, [join(ROOT, "demo/server.mjs")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(ports.origin), GATEWAY_URL: gatewayUrl, ISSUER: gatewayUrl },
  });
  await waitFor(`${gatewayUrl}/_stepgate/healthz`, "gateway (workerd)");
  await waitFor(`${countingUrl}/_stepgate/healthz`, "measurement gateway (workerd)");
  await waitFor(`${gatewayUrl}/_stepgate/jwks.json`, "gateway JWKS");
  const pids = { workerd: workerd.pid, origin: origin.pid };

  // ---- Sessions: real enrollment through the JSON API ------------------------------------------
  const hot = await enrollWithApp(gatewayUrl, HOT_USER, PASSWORD);
  const hotClaims = hot.client.claims();
  const totpUser = await enrollWithApp(gatewayUrl, TOTP_USER, PASSWORD);
  const minter = await tokenMinter({ secrets, issuer: gatewayUrl, originUrl });
  const gatewayClock = new GatewayClient(gatewayUrl);
  const sessionCookie = async () => `${SESSION_COOKIE}=${await minter.session(hotClaims, await gatewayClock.now())}`;
  // The origin answers only requests carrying an assertion: (a) and (b) send one minted here.
  const assertion = () => minter.origin(hotClaims);
  const probe = await fetch(`${gatewayUrl}${PLAN.path}`, { headers: { cookie: await sessionCookie() } });
  if (probe.status !== 200) throw new Error(`hot path probe: ${probe.status} ${(await probe.text()).slice(0, 300)}`);
  const probeBare = await fetch(`${bareUrl}${PLAN.path}`, { headers: { "stepgate-assertion": await assertion() } });
  if (probeBare.status !== 200) throw new Error(`bare probe: ${probeBare.status}`);
  // The gateway sends the origin's answer on unchanged unless a header must go (worker/proxy.ts);
  // the connection-level ones are left to workerd's HTTP layer. Check that on the wire.
  const hopByHop = {
    origin_sends: await hopByHopOnWire(`${originUrl}${PLAN.path}`, { "stepgate-assertion": await assertion() }),
    gateway_sends: await hopByHopOnWire(`${gatewayUrl}${PLAN.path}`, { cookie: await sessionCookie() }),
  };
  if (hopByHop.gateway_sends.length) throw new Error(`hop-by-hop headers reached the client through the gateway: ${hopByHop.gateway_sends.join(", ")}`);

  const scenarios = {
    a_origin: async () => ({ url: `${originUrl}${PLAN.path}`, headers: { "stepgate-assertion": await assertion() } }),
    b_bare: async () => ({ url: `${bareUrl}${PLAN.path}`, headers: { "stepgate-assertion": await assertion() } }),
    c_hot: async () => ({ url: `${gatewayUrl}${PLAN.path}`, headers: { cookie: await sessionCookie() } }),
  };
  const kvCounts = async (port) => (await fetch(`http://127.0.0.1:${port}/__bench/counts`, { headers: { "x-bench-control": "1" } })).json();

  // ---- Warm-up ----------------------------------------------------------------------------------
  for (const make of Object.values(scenarios)) await runLoad({ ...(await make()), connections: PLAN.connections, duration: PLAN.warmup_seconds });

  // ---- Repeats: (a) (b) (c) throughput, then each at one connection, then (d) and (e) ------------
  const runs = { throughput: {}, latency: {}, totp_verify: [], signin: [], hot_kv_ops_per_request: [] };
  for (const name of Object.keys(scenarios)) {
    runs.throughput[name] = [];
    runs.latency[name] = [];
  }
  for (let repeat = 0; repeat < PLAN.repeats; repeat++) {
    log(`repeat ${repeat + 1}/${PLAN.repeats}`);
    for (const [name, make] of Object.entries(scenarios)) {
      const kvBefore = name === "c_hot" ? await kvCounts(ports.kvControl) : null;
      const result = await runLoad({ ...(await make()), connections: PLAN.connections, duration: PLAN.throughput_seconds, pids });
      if (kvBefore) {
        const kvAfter = await kvCounts(ports.kvControl);
        const ops = ["get", "bulk_get", "put", "delete", "list"].reduce((sum, op) => sum + (kvAfter[op] - kvBefore[op]), 0);
        runs.hot_kv_ops_per_request.push(ops / result.requests);
      }
      delete result.samples;
      runs.throughput[name].push(result);
      log(`  ${name.padEnd(8)} ${PLAN.connections} conns: ${result.rps.toFixed(0)} req/s, workerd ${result.cpu_us_per_request.workerd.toFixed(0)} µs CPU/req, origin ${result.cpu_us_per_request.origin.toFixed(0)} µs CPU/req, statuses ${JSON.stringify(result.statuses)}`);
    }
    // Latency at one connection, in short interleaved slices pooled per scenario, so that
    // background load on the machine falls on (a), (b) and (c) alike.
    const pooled = Object.fromEntries(Object.keys(scenarios).map((name) => [name, { samples: [], statuses: {}, seconds: 0 }]));
    for (let slice = 0; slice < PLAN.latency_slices; slice++) {
      for (const [name, make] of Object.entries(scenarios)) {
        const result = await runLoad({ ...(await make()), connections: 1, amount: PLAN.latency_requests_per_slice });
        const pool = pooled[name];
        pool.samples.push(...result.samples);
        pool.seconds += result.seconds;
        for (const [status, count] of Object.entries(result.statuses)) pool.statuses[status] = (pool.statuses[status] ?? 0) + count;
      }
    }
    for (const [name, pool] of Object.entries(pooled)) {
      const sorted = pool.samples.sort((x, y) => x - y);
      const result = { requests: sorted.length, rps: sorted.length / pool.seconds, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99), statuses: pool.statuses };
      runs.latency[name].push(result);
      log(`  ${name.padEnd(8)} 1 conn: p50 ${result.p50_ms.toFixed(3)} ms, p99 ${result.p99_ms.toFixed(3)} ms over ${result.requests} requests, statuses ${JSON.stringify(result.statuses)}`);
    }
    runs.totp_verify.push(await totpVerifyRun({ gatewayUrl, secret: totpUser.secret, pairs: PLAN.totp_pairs_per_repeat, pid: workerd.pid }));
    const signin = await runLoad({
      url: `${gatewayUrl}/_stepgate/api/session`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: SIGNIN_USER, password: PASSWORD }),
      connections: 1,
      duration: PLAN.signin_seconds,
      pids,
    });
    delete signin.samples;
    runs.signin.push(signin);
    const d = runs.totp_verify.at(-1);
    log(`  d_totp   ${d.requests} sequential verifies: p50 ${d.p50_ms.toFixed(2)} ms, p99 ${d.p99_ms.toFixed(2)} ms (${d.rps.toFixed(0)} req/s at one connection)`);
    log(`  e_signin 1 conn: ${signin.rps.toFixed(1)} req/s, p50 ${signin.p50_ms.toFixed(1)} ms, p99 ${signin.p99_ms.toFixed(1)} ms, workerd ${(signin.cpu_us_per_request.workerd / 1000).toFixed(1)} ms CPU/req, statuses ${JSON.stringify(signin.statuses)}`);
  }

  // ---- Storage operations on the hot path (measurement build) ----------------------------------
  const storage = await countHotPathStorage({ countingUrl, kvPort: ports.kvCountingControl, minter });

  // ---- Summarise ---------------------------------------------------------------------------------
  const summary = {};
  for (const name of Object.keys(scenarios)) {
    const tp = runs.throughput[name];
    const lat = runs.latency[name];
    summary[name] = {
      rps: fmt(median(tp.map((r) => r.rps)), 0),
      workerd_cpu_us_per_request: name === "a_origin" ? null : fmt(median(tp.map((r) => r.cpu_us_per_request.workerd)), 1),
      origin_cpu_us_per_request: fmt(median(tp.map((r) => r.cpu_us_per_request.origin)), 1),
      p50_ms_at_concurrency: fmt(median(tp.map((r) => r.p50_ms)), 3),
      p99_ms_at_concurrency: fmt(median(tp.map((r) => r.p99_ms)), 3),
      p50_ms: fmt(median(lat.map((r) => r.p50_ms)), 3),
      p99_ms: fmt(median(lat.map((r) => r.p99_ms)), 3),
    };
  }
  summary.d_totp_verify = {
    rps: fmt(median(runs.totp_verify.map((r) => r.rps)), 0),
    p50_ms: fmt(median(runs.totp_verify.map((r) => r.p50_ms)), 3),
    p99_ms: fmt(median(runs.totp_verify.map((r) => r.p99_ms)), 3),
    samples: runs.totp_verify.reduce((n, r) => n + r.requests, 0),
    how: "sequential, one connection: each verify follows a sign-in (not timed) of an enrolled account, after the development clock moved 30 s so the code's time step is new",
  };
  summary.e_signin = {
    rps: fmt(median(runs.signin.map((r) => r.rps)), 1),
    p50_ms: fmt(median(runs.signin.map((r) => r.p50_ms)), 2),
    p99_ms: fmt(median(runs.signin.map((r) => r.p99_ms)), 2),
    workerd_cpu_ms_per_request: fmt(median(runs.signin.map((r) => r.cpu_us_per_request.workerd / 1000)), 2),
    how: "autocannon, one connection, correct password of a non-enrolled account; PASSWORD_PBKDF2_ROUNDS default (6 x 100,000)",
  };
  const ratioPerRepeat = (x, y) => runs.throughput[x].map((r, i) => r.rps / runs.throughput[y][i].rps);
  const results = {
    ratios: {
      // The Worker's capacity: workerd runs a Worker on one thread, so requests/s per core is
      // 1 / CPU per request. This is the gated figure: the measured req/s below also carry the
      // origin's and autocannon's CPU on the same 2 cores (and whatever else the machine runs),
      // so with 50 connections they move together and their ratio says little about the gateway.
      hot_vs_bare: fmt(summary.b_bare.workerd_cpu_us_per_request / summary.c_hot.workerd_cpu_us_per_request, 3),
      hot_vs_bare_measured_rps: fmt(summary.c_hot.rps / summary.b_bare.rps, 3),
      hot_vs_origin: fmt(summary.c_hot.rps / summary.a_origin.rps, 3),
      hot_vs_bare_measured_rps_per_repeat: ratioPerRepeat("c_hot", "b_bare").map((r) => fmt(r, 3)),
      hot_vs_origin_per_repeat: ratioPerRepeat("c_hot", "a_origin").map((r) => fmt(r, 3)),
      hot_vs_bare_cpu_per_repeat: runs.throughput.c_hot.map((r, i) => fmt(runs.throughput.b_bare[i].cpu_us_per_request.workerd / r.cpu_us_per_request.workerd, 3)),
    },
    p99_added_ms: fmt(summary.c_hot.p99_ms - summary.b_bare.p99_ms, 3),
    p99_added_ms_per_repeat: runs.latency.c_hot.map((r, i) => fmt(r.p99_ms - runs.latency.b_bare[i].p99_ms, 3)),
    p99_added_vs_origin_ms: fmt(summary.c_hot.p99_ms - summary.a_origin.p99_ms, 3),
    p50_added_ms: fmt(summary.c_hot.p50_ms - summary.b_bare.p50_ms, 3),
    workerd_cpu_added_us_per_request: fmt(summary.c_hot.workerd_cpu_us_per_request - summary.b_bare.workerd_cpu_us_per_request, 1),
    bundle_gzip_bytes: builds.bundle.gzip_bytes,
    hot_path_storage_ops: storage.hot_path.total_per_request,
    targets: {},
    scenarios: summary,
    bundle: builds.bundle,
    storage: { ...storage, hot_kv_ops_per_request_in_throughput_runs: runs.hot_kv_ops_per_request.map((v) => fmt(v, 4)) },
    hop_by_hop_response_headers: hopByHop,
    plan: PLAN,
    machine: machine(),
    source: source.label,
    generated_at: new Date().toISOString(),
    duration_seconds: Math.round((Date.now() - t0) / 1000),
    raw: runs,
  };
  results.targets = {
    hot_vs_bare_at_least_0_90: results.ratios.hot_vs_bare >= 0.9,
    p99_added_at_most_1_ms: results.p99_added_ms <= 1,
    no_storage_writes_on_hot_path: storage.hot_path.writes_per_request === 0,
    no_durable_object_call_on_hot_path: storage.hot_path.durable_object_calls_per_request === 0,
    bundle_at_most_150_kb_gzip: builds.bundle.gzip_bytes <= 150_000,
  };

  const outDir = join(ROOT, "bench-results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(outDir, "latest.svg"), renderSvg(results));
  log("");
  log(formatTable(results));
  log(`\nWrote bench-results/latest.json and bench-results/latest.svg (${results.duration_seconds} s).`);
}

/**
 * Hop-by-hop header names in a raw HTTP/1.1 answer (node:http keeps every header line), apart from
 * the framing the answering server adds itself (Transfer-Encoding, Connection: keep-alive/close).
 */
function hopByHopOnWire(url, headers) {
  const names = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade", "proxy-connection"];
  // A keep-alive client, as workerd is towards the origin: Node then answers with Keep-Alive.
  const agent = new Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers, agent }, (response) => {
      const found = [];
      for (let i = 0; i < response.rawHeaders.length; i += 2) {
        const name = response.rawHeaders[i].toLowerCase();
        const value = response.rawHeaders[i + 1].toLowerCase();
        if (name === "connection" && (value === "keep-alive" || value === "close")) continue;
        if (names.includes(name)) found.push(`${name}: ${response.rawHeaders[i + 1]}`);
      }
      response.resume();
      response.on("end", () => resolve(found));
    });
    request.on("error", reject);
  }).finally(() => agent.destroy());
}

/** (d): sign in (not timed), then time the verify with a code for a new time step. */
async function totpVerifyRun({ gatewayUrl, secret, pairs, pid }) {
  const samples = [];
  let cpu = 0;
  let wall = 0;
  for (let i = 0; i < pairs; i++) {
    const clockClient = new GatewayClient(gatewayUrl);
    const now = await clockClient.advanceClock(30);
    const { client, challenge } = await signInToChallenge(gatewayUrl, TOTP_USER, PASSWORD);
    const code = totp(secret, now);
    const cpuBefore = cpuMs(pid);
    const started = process.hrtime.bigint();
    const result = await client.request("POST", `/_stepgate/api/challenges/${challenge.id}/verify`, { method: "totp", code });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    cpu += cpuMs(pid) - cpuBefore;
    if (result.status !== 200 || result.json?.next !== "done") throw new Error(`TOTP verify: ${result.status} ${result.text.slice(0, 300)}`);
    samples.push(elapsed);
    wall += elapsed;
  }
  samples.sort((a, b) => a - b);
  return { requests: samples.length, rps: (samples.length * 1000) / wall, p50_ms: percentile(samples, 50), p99_ms: percentile(samples, 99), workerd_cpu_ms_total: cpu, samples };
}

/**
 * Counts storage operations per hot-path request in the measurement build: KV operations as
 * received by its KV service, Durable Object namespace and stub calls as made through the
 * wrapped bindings. A real session is enrolled there first (so the re-mint below finds it).
 */
async function countHotPathStorage({ countingUrl, kvPort, minter }) {
  const control = { headers: { "x-bench-control": "1" } };
  const snapshot = async () => ({
    kv: await (await fetch(`http://127.0.0.1:${kvPort}/__bench/counts`, control)).json(),
    do: (await (await fetch(`${countingUrl}/__bench/do-counts`, control)).json()).counts,
  });
  const diff = (before, after) => {
    const kv = {};
    for (const op of ["get", "bulk_get", "put", "delete", "list"]) kv[op] = after.kv[op] - before.kv[op];
    const durable = {};
    for (const [name, n] of Object.entries(after.do)) if (n - (before.do[name] ?? 0)) durable[name] = n - (before.do[name] ?? 0);
    const doStubCalls = Object.entries(durable).filter(([name]) => name.includes(".stub.")).reduce((s, [, n]) => s + n, 0);
    const doAll = Object.values(durable).reduce((s, n) => s + n, 0);
    return { kv, durable_object: durable, kv_reads: kv.get + kv.bulk_get + kv.list, kv_writes: kv.put + kv.delete, do_stub_calls: doStubCalls, do_binding_calls: doAll };
  };
  const { client } = await enrollWithApp(countingUrl, HOT_USER, PASSWORD);
  const claims = client.claims();
  const gatewayClock = new GatewayClient(countingUrl);
  const cookie = async (ageSeconds = 0) => `${SESSION_COOKIE}=${await minter.session(claims, (await gatewayClock.now()) - ageSeconds * 1000)}`;

  // Warm the isolate (key import, demo-seed check) so only steady-state requests are counted.
  await runLoad({ url: `${countingUrl}${PLAN.path}`, headers: { cookie: await cookie() }, connections: 4, amount: 50 });
  const before = await snapshot();
  const load = await runLoad({ url: `${countingUrl}${PLAN.path}`, headers: { cookie: await cookie() }, connections: 10, amount: PLAN.storage_count_requests });
  const after = await snapshot();
  const hot = diff(before, after);
  const n = load.requests;
  if ((load.statuses[200] ?? 0) !== n) throw new Error(`storage count run: statuses ${JSON.stringify(load.statuses)}`);

  // For contrast: one request with a token older than SESSION_REMINT_AFTER_SECONDS (the re-mint,
  // at most once a minute per session and isolate).
  const remintBefore = await snapshot();
  const remint = await fetch(`${countingUrl}${PLAN.path}`, { headers: { cookie: await cookie(61) } });
  await remint.arrayBuffer();
  const remintOps = diff(remintBefore, await snapshot());

  const envObjects = (await (await fetch(`${countingUrl}/__bench/do-counts`, control)).json()).envObjects;
  return {
    method:
      "measurement build (test/bench/counting-entry.ts): KV operations counted by the KV service behind the binding (test/bench/kv-service.js), Durable Object namespace/stub calls counted by wrapping the ACCOUNT and COMPANY bindings",
    requests: n,
    hot_path: {
      ...hot,
      total_per_request: (hot.kv_reads + hot.kv_writes + hot.do_binding_calls) / n,
      reads_per_request: hot.kv_reads / n,
      writes_per_request: hot.kv_writes / n,
      durable_object_calls_per_request: hot.do_binding_calls / n,
    },
    remint_request: { status: remint.status, set_cookie: remint.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`)), ...remintOps },
    env_objects_seen: envObjects,
  };
}

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  return {
    nproc: cpus().length,
    cpu_model: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown",
    node: process.version,
    workerd: workerdVersion,
    autocannon: JSON.parse(readFileSync(join(ROOT, "node_modules/autocannon/package.json"), "utf8")).version,
  };
}

const onSignal = () => {
  stopAll().then(() => process.exit(130));
};
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

try {
  await main();
} catch (error) {
  console.error(`\nBenchmark failed: ${error.stack ?? error}`);
  for (const child of children) console.error(`--- ${child.label} log (tail) ---\n${readFileSync(child.logFile, "utf8").slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  if (process.exitCode !== 1) rmSync(scratch, { recursive: true, force: true });
  else console.error(`Scratch files kept in ${scratch}`);
}
