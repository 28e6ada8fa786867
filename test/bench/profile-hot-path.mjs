// `npm run bench:profile`: where the gateway's hot path spends CPU. Starts the same workerd stack
// as `npm run bench` with the inspector on, enrolls a session, then takes a V8 CPU profile of the
// gateway's isolate (100 µs sampling) while autocannon sends hot-path requests, and prints self
// time by function (bundle line numbers mapped back to source files through the bundle's source
// map when available). Same knobs as run.mjs: BENCH_SOURCE=head.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import workerdModule from "workerd";
import { generateSecrets } from "../../scripts/secrets.mjs";
import { buildAll, sourceTree } from "./lib/build.mjs";
import { GatewayClient, SESSION_COOKIE, enrollWithApp, tokenMinter } from "./lib/flows.mjs";
import { runLoad } from "./lib/load.mjs";
import { writeWorkerdConfig } from "./lib/workerd-config.mjs";

const workerdPath = typeof workerdModule === "string" ? workerdModule : workerdModule.default;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "stepgate-profile-"));
const children = [];

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

function start(command, args, options) {
  const fd = openSync(join(scratch, `${children.length}.log`), "a");
  const child = spawn(command, args, { ...options, stdio: ["ignore", fd, fd] });
  children.push(child);
  return child;
}

async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

/** A minimal Chrome DevTools Protocol client over the WebSocket workerd's inspector offers. */
async function inspect(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const pending = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  };
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const messageId = ++id;
        pending.set(messageId, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result)));
        socket.send(JSON.stringify({ id: messageId, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Maps bundle line numbers to the source file the bundler took them from (sources list + mappings). */
function sourceMapper(mapFile) {
  let map;
  try {
    map = JSON.parse(readFileSync(mapFile, "utf8"));
  } catch {
    return () => null;
  }
  // Decode only the first segment's source index per generated line (enough to name the file).
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const decode = (text) => {
    const values = [];
    let value = 0;
    let shift = 0;
    for (const char of text) {
      const digit = chars.indexOf(char);
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        values.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
    return values;
  };
  const lineSource = [];
  let source = 0;
  for (const line of map.mappings.split(";")) {
    let first = null;
    for (const segment of line.split(",")) {
      if (!segment) continue;
      const fields = decode(segment);
      if (fields.length >= 4) {
        source += fields[1];
        if (first === null) first = source;
      }
    }
    lineSource.push(first);
  }
  return (line) => {
    for (let l = line; l >= 0; l--) if (lineSource[l] !== null && lineSource[l] !== undefined) return map.sources[lineSource[l]].replace(/^(\.\.\/)+/, "");
    return null;
  };
}

try {
  const source = sourceTree(ROOT, scratch, process.env.BENCH_SOURCE);
  const builds = await buildAll({ root: ROOT, srcDir: source.dir, outRoot: join(scratch, "build") });
  const ports = { origin: await freePort(), gateway: await freePort(), counting: await freePort(), bare: await freePort(), kvControl: await freePort(), kvCountingControl: await freePort(), inspector: await freePort() };
  const originUrl = `http://127.0.0.1:${ports.origin}`;
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const secrets = generateSecrets();
  const vars = (_label, port) => ({ STEPGATE_MODE: "development", DEMO_SEED: "true", ORIGIN_URL: originUrl, PUBLIC_URL: `http://127.0.0.1:${port}`, ISSUER: gatewayUrl, ...secrets });
  const dir = join(scratch, "workerd");
  mkdirSync(dir, { recursive: true });
  const config = writeWorkerdConfig({ dir, root: ROOT, builds, ports, vars });
  start(workerdPath, ["serve", config, `--inspector-addr=127.0.0.1:${ports.inspector}`], { cwd: dir });
  start(process.execPath, [join(ROOT, "demo/server.mjs")], { cwd: ROOT, env: { ...process.env, PORT: String(ports.origin), GATEWAY_URL: gatewayUrl, ISSUER: gatewayUrl } });
  await waitFor(`${gatewayUrl}/_stepgate/healthz`);
  const { client } = await enrollWithApp(gatewayUrl, "user@demo.test", "stepgate-demo-password");
  const minter = await tokenMinter({ secrets, issuer: gatewayUrl, originUrl });
  const cookie = `${SESSION_COOKIE}=${await minter.session(client.claims(), await new GatewayClient(gatewayUrl).now())}`;
  const load = { url: `${gatewayUrl}/whoami`, headers: { cookie }, connections: 50, duration: 3 };
  await runLoad(load); // warm up

  const inspector = await inspect(`ws://127.0.0.1:${ports.inspector}/gateway`);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const result = await runLoad({ ...load, duration: 8 });
  const { profile } = await inspector.send("Profiler.stop");
  inspector.close();
  writeFileSync(join(ROOT, "bench-results", "hot-path.cpuprofile"), JSON.stringify(profile));

  const mapLine = sourceMapper(join(builds.gateway.outdir, "index.js.map"));
  const selfById = new Map();
  profile.samples.forEach((nodeId, i) => selfById.set(nodeId, (selfById.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map();
  const byFile = new Map();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const self = selfById.get(node.id) ?? 0;
    total += self;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") idle += functionName === "(idle)" ? self : 0;
    const file = url.endsWith("index.js") ? (mapLine(lineNumber) ?? "bundle") : url || functionName;
    const key = `${functionName || "(anonymous)"}  ${file}${url.endsWith("index.js") ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + self);
    byFile.set(file, (byFile.get(file) ?? 0) + self);
  }
  const busy = total - idle;
  const perRequest = (us) => `${(us / result.requests).toFixed(1).padStart(6)} µs/req`;
  console.log(`${result.requests} hot-path requests profiled (${result.rps.toFixed(0)} req/s under the profiler); isolate busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled = ${perRequest(busy)}`);
  console.log("\nSelf time by source file (bundle lines mapped through the source map):");
  for (const [file, us] of [...byFile].filter(([f]) => f !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${perRequest(us)}  ${file}`);
  console.log("\nSelf time by function (top 30):");
  for (const [key, us] of [...byFunction].filter(([k]) => !k.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${perRequest(us)}  ${key}`);
  console.log("\nFull profile: bench-results/hot-path.cpuprofile (open in Chrome DevTools > Performance).");
} finally {
  for (const child of children) child.kill("SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
}
