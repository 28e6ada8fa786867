// `npm run dev`: the gateway (wrangler dev, 127.0.0.1:8787) in front of the demo origin
// (in-process, 127.0.0.1:8788), with development secrets generated into .dev.vars on first run.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, appendFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startDemoOrigin } from "../demo/server.mjs";
import { generateSecrets, toDevVars } from "./secrets.mjs";

const HOST = "127.0.0.1";
const GATEWAY_PORT = 8787;
const ORIGIN_PORT = 8788;
const GATEWAY_URL = `http://${HOST}:${GATEWAY_PORT}`;
const HEALTH_WAIT_MS = 60_000;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/**
 * The unpacked extension's fixed id (from manifest.key in wxt.config.ts) and any Firefox install:
 * the local gateway accepts the toolbar's code entry out of the box (docs/EXTENSION.md). Set
 * TRUSTED_ORIGINS in the environment to choose otherwise.
 */
const TRUSTED_ORIGINS = process.env.TRUSTED_ORIGINS ?? "chrome-extension://emiiabilgjclnhgapgnbficagfjjgdlc,moz-extension://*";
const DEV_VARS = `${ROOT}.dev.vars`;
const WRANGLER = `${ROOT}node_modules/wrangler/bin/wrangler.js`;

const BANNER = `
Stepgate is running: ${GATEWAY_URL}   (demo origin behind it: http://${HOST}:${ORIGIN_PORT})
Demo company "Demo Builders" — password for everyone: stepgate-demo-password
  user@demo.test    standard user
  admin@demo.test   company administrator
  payor@demo.test   payments payor
  payee@demo.test   payee admin (US phone)
Development SMS/email outbox: ${GATEWAY_URL}/_stepgate/dev/messages   (JSON: /_stepgate/dev/outbox)
Your security settings:       ${GATEWAY_URL}/_stepgate/settings
Browser extension:            npm run build:ext, load .output/chrome-mv3, add ${GATEWAY_URL} on its options page
`;

/** Adds any missing secret to .dev.vars, keeping the ones already there (existing data stays readable). */
function ensureDevVars() {
  const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const fresh = generateSecrets();
  const missing = Object.fromEntries(
    Object.entries(fresh).filter(([name]) => !new RegExp(`^\\s*${name}\\s*=`, "m").test(existing)),
  );
  if (Object.keys(missing).length === 0) return;
  if (existing === "") writeFileSync(DEV_VARS, toDevVars(missing), { mode: 0o600 });
  else appendFileSync(DEV_VARS, (existing.endsWith("\n") ? "" : "\n") + toDevVars(missing));
  console.log(`Generated development secrets in .dev.vars: ${Object.keys(missing).join(", ")}`);
}

function assertPortFree(port, what) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${port} on ${HOST} is busy (needed for ${what}). Stop whatever uses it and try again.`)
          : error,
      ),
    );
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

async function waitForHealth(child) {
  const started = Date.now();
  let warned = false;
  while (child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(`${GATEWAY_URL}/_stepgate/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return true;
    } catch {}
    if (!warned && Date.now() - started > HEALTH_WAIT_MS) {
      warned = true;
      console.warn(`\nThe gateway has not answered ${GATEWAY_URL}/_stepgate/healthz after 60 s; still waiting (see wrangler's output above).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function main() {
  await assertPortFree(GATEWAY_PORT, "the gateway");
  await assertPortFree(ORIGIN_PORT, "the demo origin");
  ensureDevVars();
  const origin = await startDemoOrigin({ port: ORIGIN_PORT, host: HOST, gatewayUrl: GATEWAY_URL });

  const args = [WRANGLER, "dev", "--ip", HOST, "--port", String(GATEWAY_PORT), "--var", `TRUSTED_ORIGINS:${TRUSTED_ORIGINS}`];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    }
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  child.on("exit", async (code, signal) => {
    await origin.close();
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
  });
  child.on("error", async (error) => {
    console.error(`Could not start wrangler: ${error.message}`);
    await origin.close();
    process.exit(1);
  });

  if (await waitForHealth(child)) console.log(BANNER);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
