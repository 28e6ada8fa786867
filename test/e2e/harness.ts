// End-to-end harness: the real Worker (wrangler's unstable_startWorker, fresh in-memory storage)
// in front of the demo origin, both on loopback ports, plus Debian's Chromium via playwright-core.
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { unstable_startWorker } from "wrangler";
import { startDemoOrigin, type DemoOrigin } from "../../demo/server.mjs";
import { generateSecrets } from "../../scripts/secrets.mjs";

const HOST = "127.0.0.1";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// A path that does not exist: with an explicit env file list, wrangler reads neither .dev.vars nor
// .env, so a developer's local secrets (or SMS credentials) never leak into a test run.
const NO_ENV_FILE = `${ROOT}test/e2e/.no-env-file`;

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Nothing outside loopback resolves: a test can never reach the internet by accident. The rule
  // applies to IP literals too, so 127.0.0.1 (the stack's address) must be excluded explicitly.
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
];

export interface StackOptions {
  /** Wrangler config to run. Default: the repository's wrangler.toml. */
  config?: string;
  /** Extra or overriding plain-text vars, e.g. `{ STEPGATE_MODE: "production" }`. */
  vars?: Record<string, string>;
  /** Extra secret bindings, e.g. an SSO client secret. */
  secrets?: Record<string, string>;
  /** The gateway's port, when a test must know its URL before it starts (e.g. an IdP's redirect URI). */
  port?: number;
}

export interface Stack {
  /** The gateway's URL (also its PUBLIC_URL and ISSUER), e.g. "http://127.0.0.1:41234". */
  gatewayUrl: string;
  /** The demo origin behind it; `origin.requests` lists what reached it. */
  origin: DemoOrigin;
  /** The secrets the Worker was started with (fresh per stack). */
  secrets: ReturnType<typeof generateSecrets>;
  close(): Promise<void>;
}

/** Returns a port that was free a moment ago (listen on 0, read it, close). */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the demo origin and the Worker wired to each other. The Worker's port is chosen first so
 * its own URL (PUBLIC_URL, ISSUER) is known before it starts and the origin knows whom to trust.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const gatewayUrl = `http://${HOST}:${options.port ?? (await pickFreePort())}`;
  const origin = await startDemoOrigin({ port: 0, host: HOST, gatewayUrl });
  const secrets = generateSecrets();
  const plain = { ORIGIN_URL: origin.url, PUBLIC_URL: gatewayUrl, ISSUER: gatewayUrl, ...options.vars };
  try {
    const worker = await unstable_startWorker({
      config: options.config ?? `${ROOT}wrangler.toml`,
      envFiles: [NO_ENV_FILE],
      bindings: {
        ...Object.fromEntries(Object.entries(plain).map(([name, value]) => [name, { type: "plain_text", value }])),
        ...Object.fromEntries(Object.entries({ ...secrets, ...options.secrets }).map(([name, value]) => [name, { type: "secret_text", value }])),
      },
      dev: {
        server: { hostname: HOST, port: Number(new URL(gatewayUrl).port) },
        inspector: false,
        watch: false,
        persist: false,
      },
    });
    await worker.ready;
    return {
      gatewayUrl,
      origin,
      secrets,
      close: async () => {
        await worker.dispose();
        await origin.close();
      },
    };
  } catch (error) {
    await origin.close();
    throw error;
  }
}

/**
 * A stack and a browser for the enclosing describe block (or file): started before its tests,
 * handed to `receive`, and closed after them.
 */
export function withStackAndBrowser(receive: (started: { stack: Stack; browser: Browser }) => void, options: StackOptions = {}): void {
  const started: { stack?: Stack; browser?: Browser } = {};
  beforeAll(async () => {
    started.stack = await startStack(options);
    started.browser = await launchBrowser();
    receive({ stack: started.stack, browser: started.browser });
  }, 60_000);
  afterAll(async () => {
    await started.browser?.close();
    await started.stack?.close();
  });
}

/** Headless Debian Chromium (Playwright's own browser download does not work here). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Chromium with an unpacked extension loaded (e.g. `.output/chrome-mv3` after `npm run build:ext`).
 * The extension id comes from its service worker's URL.
 */
export async function launchBrowserWithExtension(
  extensionDir: string,
  userDataDir: string,
): Promise<{ context: BrowserContext; extensionId: string }> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...CHROMIUM_ARGS],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
    return { context, extensionId: new URL(worker.url()).host };
  } catch (error) {
    await context.close();
    throw error;
  }
}
