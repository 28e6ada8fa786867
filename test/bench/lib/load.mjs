// Load generation (autocannon) with precise latencies and per-process CPU. autocannon's own
// histogram keeps whole milliseconds, too coarse for a 1 ms target, so every response's hrtime
// duration (autocannon's 'response' event) is kept and the percentiles are computed here. CPU is
// utime+stime of a process from /proc/<pid>/stat (all its threads), read before and after a run.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU time (user + system) of a process so far, in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs autocannon against `url` and returns requests/s, latency percentiles (ms) and CPU per
 * request (µs) for each process in `pids` ({label: pid}).
 */
export async function runLoad({ url, method = "GET", headers = {}, body, connections, duration, amount, pids = {} }) {
  const samples = [];
  const statuses = {};
  const before = Object.fromEntries(Object.entries(pids).map(([label, pid]) => [label, cpuMs(pid)]));
  const started = process.hrtime.bigint();
  const instance = autocannon({ url, method, headers, body, connections, pipelining: 1, ...(amount ? { amount } : { duration }), timeout: 30 });
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    samples.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = Object.fromEntries(Object.entries(pids).map(([label, pid]) => [label, cpuMs(pid) - before[label]]));
  samples.sort((a, b) => a - b);
  const count = samples.length;
  return {
    requests: count,
    seconds: Number(elapsedS.toFixed(3)),
    rps: count / elapsedS,
    p50_ms: percentile(samples, 50),
    p99_ms: percentile(samples, 99),
    mean_ms: count ? samples.reduce((a, b) => a + b, 0) / count : NaN,
    statuses,
    errors: result.errors + result.timeouts,
    cpu_us_per_request: Object.fromEntries(Object.entries(cpu).map(([label, ms]) => [label, count ? (ms * 1000) / count : NaN])),
    cpu_ms_total: cpu,
    samples,
  };
}
