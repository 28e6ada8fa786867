// The benchmark's printed table and its small SVG chart (bench-results/latest.svg).
const LABELS = { a_origin: "(a) origin direct", b_bare: "(b) bare pass-through", c_hot: "(c) gateway hot path" };

const n = (value, digits = 0) => (value === null || value === undefined || !Number.isFinite(value) ? "n/a" : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }));

export function formatTable(r) {
  const s = r.scenarios;
  const rows = [
    ["scenario", "req/s", "p50 ms", "p99 ms", "workerd CPU/req"],
    ...["a_origin", "b_bare", "c_hot"].map((k) => [LABELS[k], n(s[k].rps), n(s[k].p50_ms, 3), n(s[k].p99_ms, 3), s[k].workerd_cpu_us_per_request === null ? "-" : `${n(s[k].workerd_cpu_us_per_request)} µs`]),
    ["(d) TOTP verify (sequential)", n(s.d_totp_verify.rps), n(s.d_totp_verify.p50_ms, 2), n(s.d_totp_verify.p99_ms, 2), "-"],
    ["(e) sign-in, password (1 conn)", n(s.e_signin.rps, 1), n(s.e_signin.p50_ms, 1), n(s.e_signin.p99_ms, 1), `${n(s.e_signin.workerd_cpu_ms_per_request, 1)} ms`],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const mark = (ok) => (ok ? "ok" : "MISSED");
  const st = r.storage.hot_path;
  lines.push(
    "",
    `req/s at ${r.plan.connections} connections (median of ${r.plan.repeats}); p50/p99 at one connection.`,
    `hot path / bare pass-through:  ${n(r.ratios.hot_vs_bare, 3)} by workerd CPU per request (target >= 0.90: ${mark(r.targets.hot_vs_bare_at_least_0_90)}); measured req/s ratio ${n(r.ratios.hot_vs_bare_measured_rps, 3)} (origin + load generator share the cores)`,
    `hot path / origin direct:      ${n(r.ratios.hot_vs_origin, 3)}`,
    `p99 added vs bare:             ${n(r.p99_added_ms, 3)} ms  (target <= 1 ms: ${mark(r.targets.p99_added_at_most_1_ms)}; vs origin direct ${n(r.p99_added_vs_origin_ms, 3)} ms)`,
    `workerd CPU added per request: ${n(r.workerd_cpu_added_us_per_request, 1)} µs`,
    `bundle (wrangler dry run):     ${n(r.bundle.bytes)} bytes, ${n(r.bundle_gzip_bytes)} gzip (target <= 150,000: ${mark(r.targets.bundle_at_most_150_kb_gzip)}); minified ${n(r.bundle.minified.gzip_bytes)} gzip`,
    `storage ops per hot-path request: ${n(r.hot_path_storage_ops, 4)} (KV reads ${n(st.reads_per_request, 4)}, KV writes ${n(st.writes_per_request, 4)}, DO calls ${n(st.durable_object_calls_per_request, 4)}; over ${r.storage.requests} requests; writes: ${mark(r.targets.no_storage_writes_on_hot_path)}, DO: ${mark(r.targets.no_durable_object_call_on_hot_path)})`,
    `re-mint request (token > 60 s old): KV reads ${r.storage.remint_request.kv_reads}, KV writes ${r.storage.remint_request.kv_writes}, DO calls ${JSON.stringify(r.storage.remint_request.durable_object)}`,
  );
  return lines.join("\n");
}

const esc = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Two small bar panels: throughput of (a)(b)(c), and p50/p99 at one connection. */
export function renderSvg(r) {
  const s = r.scenarios;
  const keys = ["a_origin", "b_bare", "c_hot"];
  const colors = { a_origin: "#7a869a", b_bare: "#4c78a8", c_hot: "#f58518" };
  const width = 720;
  const barH = 22;
  const left = 190;
  const plotW = 420;
  const parts = [];
  let y = 28;
  parts.push(`<text x="12" y="${y}" font-size="15" font-weight="bold">Stepgate benchmark — ${esc(r.generated_at.slice(0, 10))}, ${esc(r.machine.nproc)} cores, workerd ${esc(r.machine.workerd)}</text>`);
  y += 26;
  parts.push(`<text x="12" y="${y}" font-size="13">Requests/s at ${r.plan.connections} connections (median of ${r.plan.repeats})</text>`);
  y += 10;
  const maxRps = Math.max(...keys.map((k) => s[k].rps));
  for (const k of keys) {
    const w = (s[k].rps / maxRps) * plotW;
    parts.push(`<text x="12" y="${y + 16}" font-size="12">${esc(LABELS[k])}</text>`);
    parts.push(`<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${barH - 4}" fill="${colors[k]}"/>`);
    parts.push(`<text x="${(left + w + 6).toFixed(1)}" y="${y + 16}" font-size="12">${esc(n(s[k].rps))}</text>`);
    y += barH;
  }
  y += 22;
  parts.push(`<text x="12" y="${y}" font-size="13">Latency at one connection, ms (light: p50, dark: p99)</text>`);
  y += 10;
  const maxLat = Math.max(...keys.map((k) => s[k].p99_ms));
  for (const k of keys) {
    const w50 = (s[k].p50_ms / maxLat) * plotW;
    const w99 = (s[k].p99_ms / maxLat) * plotW;
    parts.push(`<text x="12" y="${y + 16}" font-size="12">${esc(LABELS[k])}</text>`);
    parts.push(`<rect x="${left}" y="${y + 2}" width="${w99.toFixed(1)}" height="${barH - 4}" fill="${colors[k]}"/>`);
    parts.push(`<rect x="${left}" y="${y + 2}" width="${w50.toFixed(1)}" height="${barH - 4}" fill="#ffffff" fill-opacity="0.45"/>`);
    parts.push(`<text x="${(left + w99 + 6).toFixed(1)}" y="${y + 16}" font-size="12">${esc(n(s[k].p50_ms, 2))} / ${esc(n(s[k].p99_ms, 2))}</text>`);
    y += barH;
  }
  y += 24;
  const lines = [
    `hot/bare ${n(r.ratios.hot_vs_bare, 3)} by CPU (target ≥ 0.90; req/s ratio ${n(r.ratios.hot_vs_bare_measured_rps, 3)}) · hot/origin ${n(r.ratios.hot_vs_origin, 3)} · p99 added ${n(r.p99_added_ms, 3)} ms (target ≤ 1)`,
    `TOTP verify p50 ${n(s.d_totp_verify.p50_ms, 2)} ms · sign-in p50 ${n(s.e_signin.p50_ms, 1)} ms (${n(s.e_signin.rps, 1)} req/s)`,
    `bundle ${n(r.bundle_gzip_bytes)} B gzip (target ≤ 150,000) · storage ops per hot-path request ${n(r.hot_path_storage_ops, 4)}`,
  ];
  for (const line of lines) {
    parts.push(`<text x="12" y="${y}" font-size="12">${esc(line)}</text>`);
    y += 18;
  }
  const height = y + 6;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
${parts.join("\n")}
</svg>
`;
}
