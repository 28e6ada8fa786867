// Builds the three Worker bundles the benchmark runs: the gateway exactly as `wrangler deploy`
// would upload it (dry run), the measurement build (same sources, Durable Object bindings wrapped
// to count calls: ../counting-entry.ts), and the bare Hono pass-through (../bare-worker.ts), all
// with wrangler's bundler.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The source tree to bundle: the working tree, or (BENCH_SOURCE=head) the committed HEAD exported
 * with `git archive` into a scratch directory, so a half-finished edit elsewhere cannot break or
 * skew the measurement.
 */
export function sourceTree(root, scratch, which) {
  if (which !== "head") return { dir: root, label: "working tree" };
  const dir = join(scratch, "src");
  mkdirSync(dir, { recursive: true });
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  execFileSync("sh", ["-c", `git archive --format=tar HEAD | tar -x -C '${dir}'`], { cwd: root });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return { dir, label: `HEAD ${commit}` };
}

function wranglerDryRun(srcDir, root, outdir, extraArgs = []) {
  rmSync(outdir, { recursive: true, force: true });
  // Run wrangler on this Node (22, from the devDependency), whatever `node` is first on PATH.
  const output = execFileSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir, ...extraArgs], {
    cwd: srcDir,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  const modules = readdirSync(outdir).filter((name) => /\.(m?js)$/.test(name));
  // wrangler names the bundle after the entry (index.js for worker/index.ts).
  const main = modules.includes("index.js") ? "index.js" : modules[0];
  return { outdir, main, modules: [main, ...modules.filter((m) => m !== main)], wranglerKiB: match ? { total: Number(match[1]), gzip: Number(match[2]) } : null };
}

/** The gateway's build settings (minify, keep_names) from the wrangler.toml being bundled. */
export function buildSettings(srcDir) {
  const toml = readFileSync(join(srcDir, "wrangler.toml"), "utf8");
  return ["minify", "keep_names"]
    .map((key) => new RegExp(`^${key}\\s*=\\s*(true|false)\\s*$`, "m").exec(toml))
    .filter(Boolean)
    .map((match) => `${match[0].trim()}\n`)
    .join("");
}

function sizes(file) {
  const bytes = readFileSync(file);
  return { bytes: bytes.length, gzip_bytes: gzipSync(bytes).length, gzip9_bytes: gzipSync(bytes, { level: 9 }).length };
}

export async function buildAll({ root, srcDir, outRoot }) {
  const gateway = wranglerDryRun(srcDir, root, join(outRoot, "gateway"));
  const minified = wranglerDryRun(srcDir, root, join(outRoot, "gateway-min"), ["--minify"]);
  // The measurement entry imports ../../worker/index, so it must sit in the tree being bundled.
  const countingEntry = join(srcDir, "test/bench/counting-entry.ts");
  if (srcDir !== root) {
    mkdirSync(join(srcDir, "test/bench"), { recursive: true });
    copyFileSync(join(root, "test/bench/counting-entry.ts"), countingEntry);
  }
  const counting = wranglerDryRun(srcDir, root, join(outRoot, "counting"), [countingEntry]);
  // The bare pass-through goes through the same bundler with the gateway's build settings (its
  // wrangler.toml's minify and keep_names), so the comparison measures the gateway's code, not the
  // build: keep_names alone costs a Hono worker about 10-17 µs of CPU per request.
  const bareConfig = join(outRoot, "bare-wrangler.toml");
  mkdirSync(outRoot, { recursive: true });
  writeFileSync(bareConfig, `name = "stepgate-bench-bare"\nmain = ${JSON.stringify(join(root, "test/bench/bare-worker.ts"))}\ncompatibility_date = "2026-10-30"\nsend_metrics = false\n${buildSettings(srcDir)}`);
  const bare = wranglerDryRun(root, root, join(outRoot, "bare"), ["--config", bareConfig]);
  const bareDir = bare.outdir;
  return {
    gateway,
    counting,
    bare,
    bundle: {
      ...sizes(join(gateway.outdir, gateway.main)),
      wrangler_reported_kib: gateway.wranglerKiB,
      minified: { ...sizes(join(minified.outdir, minified.main)), wrangler_reported_kib: minified.wranglerKiB },
      bare: sizes(join(bareDir, bare.main)),
    },
  };
}
