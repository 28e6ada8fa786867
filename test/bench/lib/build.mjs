// Builds the three Worker bundles the benchmark runs: the gateway exactly as `wrangler deploy`
// would upload it (dry run), the measurement build (same sources, Durable Object bindings wrapped
// to count calls: ../counting-entry.ts), and the bare Hono pass-through (../bare-worker.ts).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

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
  const output = execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir, ...extraArgs], {
    cwd: srcDir,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  const modules = readdirSync(outdir).filter((name) => /\.(m?js)$/.test(name));
  return { outdir, modules, wranglerKiB: match ? { total: Number(match[1]), gzip: Number(match[2]) } : null };
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
  const bareDir = join(outRoot, "bare");
  rmSync(bareDir, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, "test/bench/bare-worker.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    outfile: join(bareDir, "index.js"),
    logLevel: "error",
  });
  return {
    gateway,
    counting,
    bare: { outdir: bareDir, modules: ["index.js"] },
    bundle: {
      ...sizes(join(gateway.outdir, "index.js")),
      wrangler_reported_kib: gateway.wranglerKiB,
      minified: { ...sizes(join(minified.outdir, "index.js")), wrangler_reported_kib: minified.wranglerKiB },
      bare: sizes(join(bareDir, "index.js")),
    },
  };
}
