// Measures the password verifier's cost inside workerd (wrangler's local runtime): wall time per hash for
// PBKDF2-HMAC-SHA-256 chains of 1..6 rounds of 100,000 iterations. workerd's clocks do not advance
// during CPU work, so the time is taken from Node around sequential requests, minus an empty one.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";

const script = `
export default {
  async fetch(request) {
    const rounds = Number(new URL(request.url).searchParams.get("rounds") ?? "0");
    let material = crypto.getRandomValues(new Uint8Array(32));
    for (let round = 0; round < rounds; round++) {
      const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
      const salt = crypto.getRandomValues(new Uint8Array(17));
      material = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 100000 }, key, 256));
    }
    return new Response(String(material[0]));
  },
};`;

const dir = mkdtempSync(join(tmpdir(), "stepgate-pbkdf2-"));
writeFileSync(join(dir, "worker.js"), script);
const worker = await unstable_startWorker({
  entrypoint: join(dir, "worker.js"),
  compatibilityDate: "2026-10-30",
  dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: false, logLevel: "error" },
});
await worker.ready;
const url = await worker.url;
async function timeRequests(rounds, count) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await (await fetch(new URL(`/?rounds=${rounds}`, url))).text();
  return Number(process.hrtime.bigint() - start) / 1e6 / count;
}
await timeRequests(1, 3); // warm up
const baseline = await timeRequests(0, 20);
const results = {};
for (const rounds of [1, 2, 4, 6]) {
  const samples = [];
  for (let repeat = 0; repeat < 3; repeat++) samples.push((await timeRequests(rounds, 5)) - baseline);
  samples.sort((a, b) => a - b);
  results[rounds] = Number(samples[1].toFixed(1));
  console.log(`PBKDF2-SHA256 ${rounds} x 100,000 iterations: ${results[rounds]} ms per hash (median of 3)`);
}
await worker.dispose();
export default results;
